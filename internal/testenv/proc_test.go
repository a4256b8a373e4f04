package testenv

import (
	"os/exec"
	"strings"
	"testing"
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
