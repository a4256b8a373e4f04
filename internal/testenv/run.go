package testenv

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Result is what a program printed and how it exited.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs prog with args in the C locale, with argv[0] its base name (so
// its diagnostics start with "name: "), stdin from stdin (nil: none), and
// returns what it printed and its exit code. A program that cannot be
// started fails the test.
func Run(t testing.TB, stdin io.Reader, prog string, args ...string) Result {
	t.Helper()
	cmd := exec.Command(prog, args...)
	cmd.Args[0] = filepath.Base(prog)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%s: %v", prog, err)
	}
	return Result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
}
