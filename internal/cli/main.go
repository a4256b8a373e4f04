package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	ucli "github.com/urfave/cli/v3"
)

// RunFunc is the shape of every tool's entry point.
type RunFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// Main runs a tool the way cmd/<tool>/main.go wants: a context cancelled by
// SIGINT or SIGTERM, the error printed as one line on stderr, the exit code
// mapped by ExitCode. It returns the code; main calls os.Exit with it.
func Main(name string, run RunFunc) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return finish(os.Stderr, name, run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// finish reports err and returns the exit code. A cancelled context is the
// signal that cut the work short: whatever layer it surfaced through, it is
// ErrInterrupted ("TOOL: interrupted", 130), never "context canceled".
func finish(stderr io.Writer, name string, err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.Is(err, context.Canceled) && !(errors.As(err, &ee) && ee.Code != ExitInterrupted) {
		err = ErrInterrupted
	}
	var quiet *quietError
	if !errors.As(err, &quiet) {
		Report(stderr, name, err)
	}
	return ExitCode(err)
}

// Report prints err as the one line a user sees: "tool: message".
func Report(w io.Writer, name string, err error) {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(w, "%s: %s\n", name, msg)
}

type quietError struct{ code int }

func (q *quietError) Error() string { return fmt.Sprintf("exit status %d", q.code) }

// Quiet returns an error that sets the exit code without printing anything,
// for tools that already reported (sha256sum --check, getent formats, -z probes).
func Quiet(code int) error {
	if code == 0 {
		return nil
	}
	return &ExitError{Code: code, Err: &quietError{code}}
}

// NewApp returns a urfave/cli root command with the suite's defaults: output
// to the given writers, --version from the stamp, short options bundled
// (-xx), shell completion, and no os.Exit inside the library. RunApp adds
// the rest (usage errors, help and unknown commands) over the whole tree.
func NewApp(name, usage string, stdin io.Reader, stdout, stderr io.Writer) *ucli.Command {
	return &ucli.Command{
		Name:                   name,
		Usage:                  usage,
		Version:                Version,
		Reader:                 stdin,
		Writer:                 stdout,
		ErrWriter:              stderr,
		UseShortOptionHandling: true,
		EnableShellCompletion:  true,
		ExitErrHandler:         func(context.Context, *ucli.Command, error) {},
	}
}

// RunApp runs app with one behaviour for every tool:
//   - a usage error (unknown flag, bad flag value, missing required flag,
//     wrong operands) is an *ExitError with ExitUsage, which Main prints as
//     one line on stderr; help never goes to stdout on an error;
//   - a tool with subcommands has `help [CMD]` (help on stdout, exit 0) and
//     says `unknown command "X"` for anything else;
//   - options may come before or after operands, `--` ends them;
//   - a one-letter option's value may be attached, as getopt(3) takes it:
//     -w1, -zvw1 and -p8080 are -w 1, -zv -w 1 and -p 8080;
//   - `TOOL --man-page` prints the man page (the Makefile's man target) and
//     `TOOL completion bash|zsh|fish` the shell completion script.
func RunApp(ctx context.Context, app *ucli.Command, args []string) error {
	if len(args) == 2 && args[1] == "--man-page" {
		return WriteManPage(app.Writer, app)
	}
	var notFound string
	prepare(app, &notFound)
	args = digitFlags(app, args)
	args = attachedValues(app, args)
	err := app.Run(ctx, args)
	if notFound != "" {
		return Usagef("unknown command %q", notFound)
	}
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	// urfave/cli's own exit errors (help for a topic it does not know)
	// are usage errors too.
	var ec ucli.ExitCoder
	if errors.As(err, &ec) {
		return Exit(ExitUsage, err)
	}
	return err
}

// prepare walks the command tree and gives every command the suite's usage
// error handling; commands with subcommands get a help command and an
// action that refuses unknown subcommands.
func prepare(cmd *ucli.Command, notFound *string) {
	cmd.OnUsageError = func(_ context.Context, _ *ucli.Command, err error, _ bool) error {
		return Exit(ExitUsage, err)
	}
	cmd.CommandNotFound = func(_ context.Context, _ *ucli.Command, name string) { *notFound = name }
	hasSubs := false
	for _, sub := range cmd.Commands {
		if !sub.Hidden {
			hasSubs = true
		}
		prepare(sub, notFound)
	}
	if !hasSubs {
		// No help command where "help" is an operand (resolve host help,
		// afalg-hash help).
		cmd.HideHelpCommand = true
		return
	}
	if cmd.Action == nil {
		cmd.Action = func(_ context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return Usagef("unknown command %q", c.Args().First())
			}
			if c.Root() == c {
				return ucli.ShowRootCommandHelp(c)
			}
			return ucli.ShowSubcommandHelp(c)
		}
	}
}

// digitFlags rewrites -4 and -6 (flags whose names are digits) as --4 and
// --6 before operands reach urfave/cli, which reads a dash followed by a
// digit as an operand (a negative number) and stops parsing options there.
func digitFlags(app *ucli.Command, args []string) []string {
	names := map[byte]bool{}
	var walk func(c *ucli.Command)
	walk = func(c *ucli.Command) {
		for _, f := range c.Flags {
			for _, n := range f.Names() {
				if len(n) == 1 && n[0] >= '0' && n[0] <= '9' {
					names[n[0]] = true
				}
			}
		}
		for _, s := range c.Commands {
			walk(s)
		}
	}
	walk(app)
	if len(names) == 0 || len(args) == 0 {
		return args
	}
	out := []string{args[0]}
	for i, a := range args[1:] {
		if a == "--" {
			out = append(out, args[i+1:]...)
			break
		}
		if len(a) >= 2 && a[0] == '-' && names[a[1]] && (len(a) == 2 || a[2] != '=') {
			out = append(out, "--"+a[1:2])
			if len(a) > 2 {
				out = append(out, "-"+a[2:])
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// attachedValues splits a one-letter option's attached value from it, as
// getopt(3) reads it and as nc, ncat and tcpdump users type it: -w1 is
// -w 1, -zvw1 is -zv -w 1 (the letters before the option that takes the
// value are boolean options). urfave/cli takes bundled boolean letters but
// reads "-w1" as an unknown option named "w1". A token whose letters are
// not all options of the command at that point is left for urfave/cli to
// report; the value of an option given in the next token, operands after
// a command's StopOnNthArg, and everything after "--" are left alone.
func attachedValues(app *ucli.Command, args []string) []string {
	if len(args) == 0 {
		return args
	}
	chain := []*ucli.Command{app} // the command and its ancestors, innermost last
	lookup := func(name string) ucli.Flag {
		for i := len(chain) - 1; i >= 0; i-- {
			for _, f := range chain[i].Flags {
				for _, n := range f.Names() {
					if n == name {
						return f
					}
				}
			}
		}
		return nil
	}
	takesValue := func(f ucli.Flag) bool {
		tv, ok := f.(interface{ TakesValue() bool })
		return ok && tv.TakesValue()
	}
	out := []string{args[0]}
	operands := 0
	for i := 1; i < len(args); i++ {
		a := args[i]
		cur := chain[len(chain)-1]
		if a == "--" || cur.StopOnNthArg != nil && operands >= *cur.StopOnNthArg {
			return append(out, args[i:]...)
		}
		switch {
		case strings.HasPrefix(a, "--"):
			out = append(out, a)
			if f := lookup(strings.TrimPrefix(a, "--")); f != nil && takesValue(f) && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		case len(a) >= 2 && a[0] == '-':
			split, valueNext := splitAttached(a[1:], lookup, takesValue)
			out = append(out, split...)
			if valueNext && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		default:
			out = append(out, a)
			if operands == 0 {
				if sub := cur.Command(a); sub != nil {
					chain = append(chain, sub)
					continue
				}
			}
			operands++
		}
	}
	return out
}

// splitAttached reads the letters of one "-letters" token: ["-zv" "-w"
// "1"] for "zvw1" where z and v are boolean options and w takes a value.
// valueNext says that the token ends with an option whose value is the
// next token. Anything else comes back as the token unchanged.
func splitAttached(letters string, lookup func(string) ucli.Flag, takesValue func(ucli.Flag) bool) (split []string, valueNext bool) {
	whole := []string{"-" + letters}
	if name, _, eq := strings.Cut(letters, "="); lookup(name) != nil {
		// -w, -nodns, -w=1: one option's name, as urfave/cli takes it
		return whole, !eq && takesValue(lookup(name))
	}
	for j := 0; j < len(letters); j++ {
		f := lookup(letters[j : j+1])
		switch {
		case f == nil:
			return whole, false
		case !takesValue(f):
			continue
		case j == len(letters)-1:
			return whole, true
		case letters[j+1] == '=':
			return whole, false // -w=1: urfave/cli's own form
		case j == 0:
			return []string{"-" + letters[:1], letters[1:]}, false
		}
		return []string{"-" + letters[:j], "-" + letters[j:j+1], letters[j+1:]}, false
	}
	return whole, false
}

// OperandsOnly is a Command's StopOnNthArg for commands that run a program:
// options are parsed until the n-th operand, everything from there on (the
// program and its own options) is an operand.
func OperandsOnly(n int) *int { return &n }
