package testenv

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// LineLog collects a stream's lines (a program's stdout or stderr) and lets
// a test wait for a line: on the event, never on a sleep.
type LineLog struct {
	mu    sync.Mutex
	lines []string
	cond  *sync.Cond
	done  bool
}

// NewLineLog reads r line by line until it ends, then closes it if it is an
// io.Closer.
func NewLineLog(r io.Reader) *LineLog {
	l := &LineLog{}
	l.cond = sync.NewCond(&l.mu)
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			l.mu.Lock()
			l.lines = append(l.lines, sc.Text())
			l.cond.Broadcast()
			l.mu.Unlock()
		}
		io.Copy(io.Discard, r) // a line over 1 MiB ends the log, not the writer
		if c, ok := r.(io.Closer); ok {
			c.Close()
		}
		l.mu.Lock()
		l.done = true
		l.cond.Broadcast()
		l.mu.Unlock()
	}()
	return l
}

// WaitMatch returns the first line from index from on that satisfies match,
// and the index after it; "" and the end when the stream ends first.
func (l *LineLog) WaitMatch(from int, match func(string) bool) (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := from; ; i++ {
		for i >= len(l.lines) && !l.done {
			l.cond.Wait()
		}
		if i >= len(l.lines) {
			return "", i
		}
		if match(l.lines[i]) {
			return l.lines[i], i + 1
		}
	}
}

// WaitFor is WaitMatch for the first line containing all of substrs.
func (l *LineLog) WaitFor(from int, substrs ...string) (string, int) {
	return l.WaitMatch(from, func(s string) bool {
		for _, sub := range substrs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	})
}

// String returns the lines so far, joined by newlines.
func (l *LineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// Since returns the lines from index from on received so far, each ending
// in a newline.
func (l *LineLog) Since(from int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for i := from; i < len(l.lines); i++ {
		b.WriteString(l.lines[i])
		b.WriteByte('\n')
	}
	return b.String()
}

// Lines returns the lines from index from on received so far.
func (l *LineLog) Lines(from int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if from >= len(l.lines) {
		return nil
	}
	return append([]string(nil), l.lines[from:]...)
}

// Next returns line i, waiting for it no longer than d; ok is false when
// the stream ends or d passes first. It bounds a wait that may hang, or
// paces a probing loop (send, look for the answer a while, send again);
// it is no timed assertion.
func (l *LineLog) Next(i int, d time.Duration) (line string, ok bool) {
	deadline := time.Now().Add(d) // before the timer: it fires at or after
	wake := time.AfterFunc(d, func() {
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	defer wake.Stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i >= len(l.lines) && !l.done && time.Now().Before(deadline) {
		l.cond.Wait()
	}
	if i < len(l.lines) {
		return l.lines[i], true
	}
	return "", false
}

// Wait waits for the stream to end.
func (l *LineLog) Wait() {
	l.WaitMatch(0, func(string) bool { return false })
}

// Proc is a program started by Start, with its stdout and stderr collected
// line by line; a cleanup kills it and waits for it when the test ends. It
// is the one way the test packages start a server and wait for its ready
// line.
type Proc struct {
	Cmd            *exec.Cmd
	Stdout, Stderr *LineLog

	done chan struct{}
	err  error
}

// Start starts cmd with its stdout and stderr read into LineLogs. The
// program writes into pipes of its own (*os.File), so Wait returns when it
// exits even if a child of it keeps them open.
func Start(t testing.TB, cmd *exec.Cmd) *Proc {
	t.Helper()
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		t.Fatalf("%s: %v", cmd.Path, err)
	}
	p := &Proc{Cmd: cmd, Stdout: NewLineLog(outR), Stderr: NewLineLog(errR), done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.Kill)
	return p
}

// StartReady starts cmd and waits for the first line of its stdout that
// begins with prefix (echod's "listening …"), which it returns. The test
// fails, with the program's stderr, when stdout ends first.
func StartReady(t testing.TB, cmd *exec.Cmd, prefix string) (*Proc, string) {
	t.Helper()
	p := Start(t, cmd)
	line, _ := p.Stdout.WaitMatch(0, func(l string) bool { return strings.HasPrefix(l, prefix) })
	if line == "" {
		p.Kill()
		t.Fatalf("%s did not say %q: exit %v, stdout %q, stderr: %s", strings.Join(cmd.Args, " "), prefix, p.err, p.Stdout, p.Stderr)
	}
	return p, line
}

// Wait waits for the program to end and returns cmd.Wait's error.
func (p *Proc) Wait() error {
	<-p.done
	return p.err
}

// Exited is closed once the program has ended (Wait then returns at once).
func (p *Proc) Exited() <-chan struct{} { return p.done }

// Signal sends sig and waits for the program to end.
func (p *Proc) Signal(sig syscall.Signal) error {
	p.Cmd.Process.Signal(sig)
	return p.Wait()
}

// Kill kills the program and waits for it.
func (p *Proc) Kill() { p.Signal(syscall.SIGKILL) }
