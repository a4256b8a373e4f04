package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/testenv"
)

// The test binary doubles as fdpass's re-exec helper and as the COMMAND the
// tests start: FDPASS_TEST_CHILD=report prints what a socket-activated
// program sees.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == helperArg {
		err := runHelper(os.Args[2:])
		fmt.Fprintln(os.Stderr, err)
		os.Exit(cli.ExitCode(err))
	}
	switch os.Getenv("FDPASS_TEST_CHILD") {
	case "report":
		testenv.ReportListenFDs(os.Stdout)
		os.Exit(0)
	case "echo3":
		echoOn(os.NewFile(3, "conn"), os.NewFile(3, "conn"))
		os.Exit(0)
	case "echo01":
		echoOn(os.Stdin, os.Stdout)
		os.Exit(0)
	case "fdpass":
		// The test binary as fdpass itself, for what needs a fresh process
		// (info's view of inherited descriptors).
		os.Exit(cli.Main("fdpass", run))
	}
	os.Exit(m.Run())
}

// echoOn answers one line with "echo: line".
func echoOn(r io.Reader, w io.Writer) {
	line, _ := bufio.NewReader(r).ReadString('\n')
	fmt.Fprintf(w, "echo: %s", line)
}

// runResult is what one run() returned.
type runResult struct {
	code           int
	stdout, stderr string
}

func runFdpass(ctx context.Context, args ...string) runResult {
	var out, errb testenv.SyncBuffer
	err := run(ctx, append([]string{"fdpass"}, args...), strings.NewReader(""), &out, &errb)
	if err != nil {
		cli.Report(&errb, "fdpass", err)
	}
	return runResult{cli.ExitCode(err), out.String(), errb.String()}
}

// background runs fdpass in a goroutine; its stderr lines arrive on a
// channel so that the test can wait for one ("listening on").
type background struct {
	lines  chan string
	stderr *testenv.SyncBuffer
	stdout *testenv.SyncBuffer
	done   chan runResult
	cancel context.CancelFunc
}

func startFdpass(t *testing.T, args ...string) *background {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	bg := &background{lines: make(chan string, 1024), stderr: &testenv.SyncBuffer{}, stdout: &testenv.SyncBuffer{}, done: make(chan runResult, 1), cancel: cancel}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			bg.stderr.Write([]byte(sc.Text() + "\n"))
			bg.lines <- sc.Text()
		}
		close(bg.lines)
	}()
	go func() {
		err := run(ctx, append([]string{"fdpass"}, args...), strings.NewReader(""), bg.stdout, pw)
		if err != nil {
			cli.Report(pw, "fdpass", err)
		}
		pw.Close()
		bg.done <- runResult{code: cli.ExitCode(err), stdout: bg.stdout.String()}
	}()
	t.Cleanup(func() {
		cancel()
		bg.finish(t)
	})
	return bg
}

// waitLine waits for a stderr line containing want and returns it.
func (bg *background) waitLine(t *testing.T, want string) string {
	t.Helper()
	for line := range bg.lines {
		if strings.Contains(line, want) {
			return line
		}
	}
	t.Fatalf("fdpass ended before printing %q: %s", want, bg.stderr)
	return ""
}

// finish waits for the end of run and returns the result with all of
// stderr.
func (bg *background) finish(t *testing.T) runResult {
	t.Helper()
	for range bg.lines {
	}
	r := <-bg.done
	bg.done <- r
	r.stderr = bg.stderr.String()
	return r
}

func sockPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "s.sock")
}

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}
