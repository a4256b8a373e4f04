package testenv

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestStartReady(t *testing.T) {
	sh := RequireProgram(t, "sh", "dash")
	p, line := StartReady(t, exec.Command(sh, "-c", `echo starting; echo oops >&2; echo "listening tcp://x:1"; echo after; echo late >&2; exec sleep 600`), "listening ")
	if line != "listening tcp://x:1" {
		t.Errorf("ready line %q", line)
	}
	if l, next := p.Stdout.WaitFor(0, "after"); l != "after" || next != 3 {
		t.Errorf("WaitFor(after) = %q, %d", l, next)
	}
	if l, _ := p.Stderr.WaitFor(0, "late"); l != "late" {
		t.Errorf("stderr WaitFor(late) = %q; stderr %q", l, p.Stderr)
	}
	if p.Stderr.String() != "oops\nlate" {
		t.Errorf("stderr %q", p.Stderr)
	}
	p.Kill()
	if err := p.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("Wait after Kill = %v", err)
	}
}

// TestWaitOutlivesGrandchild: Wait returns when the program exits although
// a child of it still holds stdout open.
func TestWaitOutlivesGrandchild(t *testing.T) {
	sh := RequireProgram(t, "sh", "dash")
	cmd := exec.Command(sh, "-c", `cat >/dev/null & echo started`)
	stdin, err := cmd.StdinPipe() // the child cat ends when the test closes it
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	p := Start(t, cmd)
	if l, _ := p.Stdout.WaitFor(0, "started"); l != "started" {
		t.Fatalf("stdout %q", p.Stdout)
	}
	if err := p.Wait(); err != nil {
		t.Errorf("Wait = %v", err)
	}
}

// TestLineLogSinceAndWait: Since gives the lines from an index on, each
// with its newline; Wait returns once the stream has ended.
func TestLineLogSinceAndWait(t *testing.T) {
	l := NewLineLog(strings.NewReader("one\ntwo\nthree\n"))
	l.Wait()
	for _, tt := range []struct {
		from int
		want string
	}{{0, "one\ntwo\nthree\n"}, {1, "two\nthree\n"}, {3, ""}, {5, ""}} {
		if got := l.Since(tt.from); got != tt.want {
			t.Errorf("Since(%d) = %q, want %q", tt.from, got, tt.want)
		}
	}
}

// TestLineLogNextAndLines: Next returns a line that is there or comes, and
// ok false when the stream ends or the wait is over; Lines copies the rest.
func TestLineLogNextAndLines(t *testing.T) {
	sh := RequireProgram(t, "sh", "dash")
	cmd := exec.Command(sh, "-c", `echo one; read x; echo two`)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := Start(t, cmd)
	if l, ok := p.Stdout.Next(0, time.Minute); !ok || l != "one" {
		t.Fatalf("Next(0) = %q, %v", l, ok)
	}
	// Nothing more until the test writes: the short wait ends empty.
	if l, ok := p.Stdout.Next(1, time.Millisecond); ok {
		t.Fatalf("Next(1) before the input = %q, true", l)
	}
	stdin.Write([]byte("go\n"))
	if l, ok := p.Stdout.Next(1, time.Minute); !ok || l != "two" {
		t.Fatalf("Next(1) = %q, %v", l, ok)
	}
	<-p.Exited()
	p.Stdout.Wait()
	if l, ok := p.Stdout.Next(2, time.Minute); ok {
		t.Errorf("Next(2) after the end = %q, true", l)
	}
	if got := p.Stdout.Lines(1); len(got) != 1 || got[0] != "two" {
		t.Errorf("Lines(1) = %q", got)
	}
	if got := p.Stdout.Lines(5); got != nil {
		t.Errorf("Lines(5) = %q", got)
	}
}
