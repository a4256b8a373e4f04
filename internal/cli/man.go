package cli

import (
	"fmt"
	"io"
	"strings"

	ucli "github.com/urfave/cli/v3"
)

// WriteManPage renders the man page of app (groff -man): NAME, SYNOPSIS,
// OPTIONS (one subsection per subcommand) and EXIT STATUS from its command
// definitions; DESCRIPTION, ENVIRONMENT, FILES, EXAMPLES and SEE ALSO from
// its manual, docs/NAME.md, so that the page carries the manual's text.
// urfave/cli v3 has no man page generator; `TOOL --man-page` prints this.
func WriteManPage(w io.Writer, app *ucli.Command) error {
	var b strings.Builder
	name := app.Name
	fmt.Fprintf(&b, ".TH %s 1 %s \"sockcore %s\" \"User Commands\"\n", strings.ToUpper(manEscape(name)), quoteArg(Date), manEscape(Version))
	b.WriteString(".SH NAME\n")
	fmt.Fprintf(&b, "%s \\- %s\n", manEscape(name), manEscape(app.Usage))

	b.WriteString(".SH SYNOPSIS\n")
	subs := visible(app.Commands)
	switch {
	case app.UsageText != "":
		for i, l := range strings.Split(strings.TrimRight(app.UsageText, "\n"), "\n") {
			l = strings.TrimSpace(l)
			if l == "" {
				break // the synopsis lines end at the first blank line
			}
			if i > 0 {
				b.WriteString(".br\n")
			}
			manText(&b, l)
		}
	case len(subs) > 0:
		for i, s := range leaves(app, nil) {
			if i > 0 {
				b.WriteString(".br\n")
			}
			fmt.Fprintf(&b, ".B %s\n", manEscape(strings.Join(s.path, " ")))
			synopsisArgs(&b, s.cmd)
		}
	default:
		fmt.Fprintf(&b, ".B %s\n", manEscape(name))
		synopsisArgs(&b, app)
	}

	doc := manual(name)
	b.WriteString(".SH DESCRIPTION\n")
	manParagraphs(&b, app.Usage+".")
	if app.Description != "" {
		b.WriteString(".PP\n")
		manParagraphs(&b, app.Description)
	}
	b.WriteString(mdToRoff(doc.description))
	if len(subs) > 0 {
		b.WriteString(".SH COMMANDS\n")
		for _, s := range leaves(app, nil) {
			fmt.Fprintf(&b, ".TP\n.B %s\n", manEscape(strings.Join(s.path[1:], " ")))
			manParagraphs(&b, s.cmd.Usage)
		}
	}

	b.WriteString(".SH OPTIONS\n")
	manFlags(&b, app.Flags)
	manFlag(&b, "help", []string{"h"}, "", "show help")
	manFlag(&b, "version", nil, "", "print the version")
	for _, s := range leaves(app, nil) {
		if len(s.path) == 1 || len(s.cmd.Flags) == 0 {
			continue // a tool without subcommands: its flags are above
		}
		fmt.Fprintf(&b, ".SS %s\n", manEscape(strings.Join(s.path[1:], " ")))
		manFlags(&b, s.cmd.Flags)
	}
	b.WriteString(".PP\nOptions may come before or after operands; \\fB\\-\\-\\fR ends them.\n")

	b.WriteString(".SH EXIT STATUS\n")
	for _, e := range exitTable {
		fmt.Fprintf(&b, ".TP\n.B %d\n", e.code)
		manText(&b, e.text)
	}
	for _, sec := range manSections {
		fmt.Fprintf(&b, ".SH %s\n", sec)
		if text := doc.sections[sec]; strings.TrimSpace(text) != "" {
			b.WriteString(mdToRoff(text))
		} else {
			b.WriteString("None.\n")
		}
	}
	_, err := io.WriteString(w, tidyParagraphs(b.String()))
	return err
}

// tidyParagraphs drops the .PP lines that start nothing: right after a
// heading, before another paragraph or list macro, or at the end.
func tidyParagraphs(page string) string {
	lines := strings.Split(page, "\n")
	var out []string
	for i, l := range lines {
		if l == ".PP" {
			prev := ""
			if len(out) > 0 {
				prev = out[len(out)-1]
			}
			next := ""
			if i+1 < len(lines) {
				next = lines[i+1]
			}
			if strings.HasPrefix(prev, ".SH") || strings.HasPrefix(prev, ".SS") || next == "" ||
				strings.HasPrefix(next, ".PP") || strings.HasPrefix(next, ".TP") || strings.HasPrefix(next, ".IP") ||
				strings.HasPrefix(next, ".SH") || strings.HasPrefix(next, ".SS") {
				continue
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// exitTable is the exit code table of README.md.
var exitTable = []struct {
	code int
	text string
}{
	{ExitOK, "success"},
	{ExitFailure, "the operation ran and found a problem (verify mismatch, check failed, peer error)"},
	{ExitUsage, "usage error: bad flag, operand, URL, port, option name, filter or frame text"},
	{ExitResolve, "unknown host, service or protocol"},
	{ExitNetwork, "connection refused, unreachable, reset, address in use"},
	{ExitPermission, "permission denied (EACCES, EPERM, missing capability)"},
	{ExitUnsupported, "the kernel lacks the family, protocol or algorithm"},
	{ExitTimeout, "a timeout expired"},
	{ExitNoSuchThing, "missing file, UNIX socket path, interface or descriptor"},
	{ExitInterrupted, "interrupted by SIGINT or SIGTERM"},
}

type leaf struct {
	path []string
	cmd  *ucli.Command
}

// leaves lists the runnable commands under c, depth first, with their
// full command lines.
func leaves(c *ucli.Command, path []string) []leaf {
	path = append(append([]string{}, path...), c.Name)
	subs := visible(c.Commands)
	if len(subs) == 0 {
		return []leaf{{path, c}}
	}
	var out []leaf
	for _, s := range subs {
		out = append(out, leaves(s, path)...)
	}
	return out
}

func visible(cmds []*ucli.Command) []*ucli.Command {
	var out []*ucli.Command
	for _, c := range cmds {
		if !c.Hidden && c.Name != "help" && c.Name != "completion" {
			out = append(out, c)
		}
	}
	return out
}

func synopsisArgs(b *strings.Builder, c *ucli.Command) {
	s := "[options]"
	if a := strings.TrimSpace(c.ArgsUsage); a != "" {
		s += " " + a
	}
	fmt.Fprintf(b, "\\fI%s\\fR\n", manEscape(s))
}

func manFlags(b *strings.Builder, flags []ucli.Flag) {
	for _, f := range flags {
		if vf, ok := f.(ucli.VisibleFlag); ok && !vf.IsVisible() {
			continue
		}
		names := f.Names()
		df, ok := f.(ucli.DocGenerationFlag)
		if !ok {
			manFlag(b, names[0], names[1:], "", "")
			continue
		}
		placeholder, usage := unquoteUsage(df.GetUsage())
		if df.TakesValue() && placeholder == "" {
			placeholder = "VALUE"
		}
		if !df.TakesValue() {
			placeholder = ""
		}
		def := df.GetDefaultText()
		if def == "" && df.TakesValue() && df.IsDefaultVisible() {
			def = df.GetValue()
		}
		if def != "" && def != `""` && def != "0" && def != "[]" && def != "0s" {
			usage += " (default: " + def + ")"
		}
		manFlag(b, names[0], names[1:], placeholder, usage)
	}
}

func manFlag(b *strings.Builder, name string, aliases []string, placeholder, usage string) {
	var parts []string
	for _, n := range append([]string{name}, aliases...) {
		dash := "\\-\\-"
		if len(n) == 1 {
			dash = "\\-"
		}
		p := "\\fB" + dash + manEscape(n) + "\\fR"
		if placeholder != "" {
			p += " \\fI" + manEscape(placeholder) + "\\fR"
		}
		parts = append(parts, p)
	}
	fmt.Fprintf(b, ".TP\n%s\n", strings.Join(parts, ", "))
	if usage != "" {
		manParagraphs(b, usage)
	}
}

// unquoteUsage splits "use `NAME` for..." into the placeholder NAME and
// the text without the back quotes, as urfave/cli's help does.
func unquoteUsage(usage string) (string, string) {
	i := strings.Index(usage, "`")
	if i < 0 {
		return "", usage
	}
	j := strings.Index(usage[i+1:], "`")
	if j < 0 {
		return "", usage
	}
	name := usage[i+1 : i+1+j]
	return name, usage[:i] + name + usage[i+1+j+1:]
}

// manParagraphs writes text, one line of input per output line, blank lines
// as paragraph breaks.
func manParagraphs(b *strings.Builder, text string) {
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if strings.TrimSpace(l) == "" {
			b.WriteString(".PP\n")
			continue
		}
		manText(b, strings.TrimSpace(l))
	}
}

func manText(b *strings.Builder, l string) {
	l = manEscape(l)
	if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
		l = "\\&" + l
	}
	b.WriteString(l + "\n")
}

var manEscaper = strings.NewReplacer(`\`, `\e`, `-`, `\-`)

// manEscape escapes backslashes and dashes, and writes every non-ASCII
// character as a groff Unicode escape (\[u2026]) so that the page renders
// in any input encoding.
func manEscape(s string) string {
	s = manEscaper.Replace(s)
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "\\[u%04X]", r)
	}
	return b.String()
}
