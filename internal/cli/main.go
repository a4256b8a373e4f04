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

	ucli "github.com/urfave/cli/v2"
)

// Version is stamped by the Makefile: -ldflags "-X .../internal/cli.Version=...".
var Version = "devel"

// RunFunc is the shape of every tool's entry point.
type RunFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// Main runs a tool the way cmd/<tool>/main.go wants: a context cancelled by
// SIGINT or SIGTERM, the error printed as one line on stderr, the exit code
// mapped by ExitCode. It returns the code; main calls os.Exit with it.
func Main(name string, run RunFunc) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	if err == nil {
		return ExitOK
	}
	var quiet *quietError
	if !errors.As(err, &quiet) {
		Report(os.Stderr, name, err)
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

// NewApp returns a urfave/cli app with the suite's defaults: output to the
// given writers, --version from the stamp, no os.Exit inside the library, and
// usage errors mapped to ExitUsage.
func NewApp(name, usage string, stdin io.Reader, stdout, stderr io.Writer) *ucli.App {
	app := &ucli.App{
		Name:                   name,
		Usage:                  usage,
		Version:                Version,
		Reader:                 stdin,
		Writer:                 stdout,
		ErrWriter:              stderr,
		HideHelpCommand:        true,
		UseShortOptionHandling: true,
		ExitErrHandler:         func(*ucli.Context, error) {},
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return Exit(ExitUsage, err)
		},
	}
	return app
}

// RunApp runs app and turns urfave/cli's own flag errors into usage errors.
// A first argument of --man-page prints the man page (the Makefile's man
// target) instead of running.
func RunApp(ctx context.Context, app *ucli.App, args []string) error {
	if len(args) == 2 && args[1] == "--man-page" {
		page, err := app.ToManWithSection(1)
		if err != nil {
			return err
		}
		_, err = io.WriteString(app.Writer, page)
		return err
	}
	err := app.RunContext(ctx, args)
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "flag provided but not defined") || strings.HasPrefix(msg, "invalid value") ||
		strings.Contains(msg, "Required flag") || strings.HasPrefix(msg, "No help topic") {
		return Exit(ExitUsage, err)
	}
	return err
}
