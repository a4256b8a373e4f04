// Package echo holds the host-integration tests of echod and echocat: real
// binaries in network namespaces, against each other and against socat,
// ncat and OpenBSD nc.
package echo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// lineLog collects a process's stderr and lets a test wait for a line.
type lineLog struct {
	mu    sync.Mutex
	lines []string
	cond  *sync.Cond
	done  bool
}

func newLineLog(r io.Reader) *lineLog {
	l := &lineLog{}
	l.cond = sync.NewCond(&l.mu)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.lines = append(l.lines, sc.Text())
			l.cond.Broadcast()
			l.mu.Unlock()
		}
		l.mu.Lock()
		l.done = true
		l.cond.Broadcast()
		l.mu.Unlock()
	}()
	return l
}

// waitFor returns the first line containing all of substrs from line index
// from on, or "" when the stream ends first.
func (l *lineLog) waitFor(from int, substrs ...string) (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := from; ; i++ {
		for i >= len(l.lines) && !l.done {
			l.cond.Wait()
		}
		if i >= len(l.lines) {
			return "", i
		}
		ok := true
		for _, s := range substrs {
			ok = ok && strings.Contains(l.lines[i], s)
		}
		if ok {
			return l.lines[i], i + 1
		}
	}
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// proc is a running echod.
type proc struct {
	cmd    *exec.Cmd
	urls   []string
	stderr *lineLog
	exited chan error
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
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errp, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: newLineLog(errp), exited: make(chan error, 1)}
	sc := bufio.NewScanner(out)
	for len(p.urls) < n && sc.Scan() {
		var j struct{ Listening string }
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "listening" {
			p.urls = append(p.urls, f[1])
		} else if json.Unmarshal(sc.Bytes(), &j) == nil && j.Listening != "" {
			p.urls = append(p.urls, j.Listening)
		}
	}
	go io.Copy(io.Discard, out)
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
		p.exited <- nil
	})
	if len(p.urls) < n {
		t.Fatalf("echod did not start: %s", p.stderr)
	}
	return p
}

// stop sends sig and returns the exit error.
func (p *proc) stop(sig syscall.Signal) error {
	p.cmd.Process.Signal(sig)
	err := <-p.exited
	p.exited <- err
	return err
}

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
