// Package echo holds the host-integration tests of echod and echocat: real
// binaries in network namespaces, against each other and against socat,
// ncat and OpenBSD nc.
package echo

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// lineLog is a process's stderr (testenv.LineLog) under the name this
// package's tests call it by.
type lineLog struct{ *testenv.LineLog }

// waitFor returns the first line containing all of substrs from line index
// from on, or "" when the stream ends first.
func (l lineLog) waitFor(from int, substrs ...string) (string, int) {
	return l.WaitFor(from, substrs...)
}

// proc is a running echod (or peer), started by testenv.Start.
type proc struct {
	*testenv.Proc
	cmd    *exec.Cmd
	urls   []string
	stderr lineLog
}

// startEchod starts echod inside ns (nil: here) and waits for n
// "listening" lines.
func startEchod(t *testing.T, ns *testenv.NetNS, n int, args ...string) *proc {
	t.Helper()
	return startCmd(t, echodCmd(t, ns, args...), n)
}

func echodCmd(t *testing.T, ns *testenv.NetNS, args ...string) *exec.Cmd {
	bin := testenv.Bin(t, "echod")
	if ns == nil {
		return exec.Command(bin, args...)
	}
	return ns.Command(bin, args...)
}

func startCmd(t *testing.T, cmd *exec.Cmd, n int) *proc {
	t.Helper()
	tp := testenv.Start(t, cmd)
	p := &proc{Proc: tp, cmd: cmd, stderr: lineLog{tp.Stderr}}
	for next := 0; len(p.urls) < n; {
		var l string
		if l, next = tp.Stdout.WaitMatch(next, func(l string) bool { return listeningURL(l) != "" }); l == "" {
			t.Fatalf("echod did not start: %s", p.stderr)
		}
		p.urls = append(p.urls, listeningURL(l))
	}
	return p
}

// listeningURL is the URL of echod's "listening URL" line, in text or
// JSON, or "".
func listeningURL(line string) string {
	var j struct{ Listening string }
	if f := strings.Fields(line); len(f) >= 2 && f[0] == "listening" {
		return f[1]
	} else if json.Unmarshal([]byte(line), &j) == nil {
		return j.Listening
	}
	return ""
}

// stop sends sig and returns the exit error.
func (p *proc) stop(sig syscall.Signal) error { return p.Signal(sig) }

type result struct {
	Stdout, Stderr string
	Code           int
}

// run runs a program (inside ns unless nil) with stdin and a deadline.
func run(t *testing.T, ns *testenv.NetNS, stdin string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var cmd *exec.Cmd
	if ns == nil {
		cmd = exec.CommandContext(ctx, name, args...)
	} else {
		cmd = exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return result{out.String(), errb.String(), code}
}

func echocat(t *testing.T, ns *testenv.NetNS, stdin string, args ...string) result {
	t.Helper()
	return run(t, ns, stdin, testenv.Bin(t, "echocat"), args...)
}
