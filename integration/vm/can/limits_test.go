package can

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/testenv"
)

// Faults of #16 for canrelay's long-running relays: an open-files limit
// that leaves no descriptor, and SIGINT while a writer waits on a full
// transmit queue.

// lowerFileLimit sets the soft open-files limit of canrelay pid to 3: no
// descriptor left beyond standard input, output and error.
func lowerFileLimit(t *testing.T, pid int) (restore func()) {
	t.Helper()
	if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); !strings.HasSuffix(exe, "canrelay") {
		t.Fatalf("process %d is %s, not canrelay", pid, exe)
	}
	return testenv.LowerFileLimit(t, pid, 3)
}

// crossFrames sends n numbered frames on one side and wants them on the
// other, in order.
func crossFrames(t *testing.T, from, to string, first, n int, send func(...string), recv func(int) []string) {
	t.Helper()
	want := numbered("5A0", first, n)
	send(want...)
	if diff := cmp.Diff(want, recv(n)); diff != "" {
		t.Fatalf("%s to %s (-want +got):\n%s", from, to, diff)
	}
}

// TestRelaysAtFileLimit: bridge and tunnel open every descriptor they use
// at start (sockets, their duplicates) and accept nothing, so a limit
// lowered under a running relay (prlimit, soft limit 3) runs nothing out:
// they carry frames on, with nothing on stderr, and their counters add up.
// A relay started with too few descriptors ends at once, in one line
// saying so.
func TestRelaysAtFileLimit(t *testing.T) {
	testenv.RequireVM(t)
	t.Run("bridge", func(t *testing.T) {
		s0, s1 := rawSocket(t, "vcan0"), rawSocket(t, "vcan1")
		br := start(t, "bridge", "vcan0", "vcan1")
		probe(t, s0, "7FE#", seenOn(s1, "7FE#"))
		restore := lowerFileLimit(t, br.Cmd.Process.Pid)
		crossFrames(t, "vcan0", "vcan1", 0, 500, func(f ...string) { send(t, s0, f...) }, func(n int) []string { return recvN(t, s1, n, isProbe) })
		crossFrames(t, "vcan1", "vcan0", 500, 500, func(f ...string) { send(t, s1, f...) }, func(n int) []string { return recvN(t, s0, n, isProbe) })
		restore()
		rest, err := br.stop()
		if err != nil {
			t.Fatalf("bridge: %v: %s", err, br.Stderr)
		}
		ab, ba := findLine(t, rest, "vcan0->vcan1"), findLine(t, rest, "vcan1->vcan0")
		t.Logf("%s\n%s", ab, ba)
		if stat(t, ab, "dropped") != "0" || stat(t, ba, "dropped") != "0" || stat(t, ba, "forwarded") != "500" {
			t.Errorf("counters:\n%s\n%s", ab, ba)
		}
		if s := br.Stderr.String(); s != "" {
			t.Errorf("bridge said on stderr: %q", s)
		}
	})
	t.Run("tunnel", func(t *testing.T) {
		tn := tunnelPair(t, "10.78.0", nil)
		probe(t, tn.sa, "7FE#", seenOn(tn.sb, "7FE#"))
		restoreA := lowerFileLimit(t, tn.ta.Cmd.Process.Pid)
		restoreB := lowerFileLimit(t, tn.tb.Cmd.Process.Pid)
		crossFrames(t, "A", "B", 0, 1000, func(f ...string) { send(t, tn.sa, f...) }, func(n int) []string { return recvN(t, tn.sb, n, isProbe) })
		crossFrames(t, "B", "A", 1000, 100, func(f ...string) { send(t, tn.sb, f...) }, func(n int) []string { return recvN(t, tn.sa, n, isProbe) })
		restoreA()
		restoreB()
		restA, errA := tn.ta.stop()
		restB, errB := tn.tb.stop()
		if errA != nil || errB != nil {
			t.Fatalf("tunnels: %v, %v", errA, errB)
		}
		la, lb := findLine(t, restA, "tunnel vcant:"), findLine(t, restB, "tunnel vcant:")
		t.Logf("A: %s\nB: %s", la, lb)
		for _, l := range []string{la, lb} {
			for _, k := range []string{"lost", "can_drops", "tx_errors", "bad"} {
				if stat(t, l, k) != "0" {
					t.Errorf("%s: %s", k, l)
				}
			}
		}
		for _, p := range []*proc{tn.ta, tn.tb} {
			if s := p.Stderr.String(); s != "" {
				t.Errorf("%v said on stderr: %q", p.Cmd.Args, s)
			}
		}
	})
	t.Run("started at the limit", func(t *testing.T) {
		// Under 7 descriptors the Go runtime itself cannot start (its
		// epoll and eventfd): that fatal error is Go's (or the dynamic
		// loader's, for a build with cgo). From there on,
		// canrelay needs one or two more; it says so in one line, never
		// blaming the interface (before: "interface "vcan0" is not a CAN
		// interface", the name lookup's EMFILE taken for ENODEV).
		said := false
		for n := 4; n <= 10; n++ {
			cmd := exec.Command("sh", "-c", fmt.Sprintf("ulimit -n %d && exec %s send vcan0 5A2#01", n, testenv.Bin(t, "canrelay")))
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			switch {
			case err == nil:
				t.Logf("ulimit -n %d: sent", n)
				continue
			case !errors.As(err, &ee):
				t.Fatal(err)
			case strings.HasPrefix(string(out), "runtime: "), strings.Contains(string(out), "error while loading shared libraries"):
				t.Logf("ulimit -n %d: the program cannot start (Go's runtime or the dynamic loader): %q", n, strings.SplitN(string(out), "\n", 2)[0])
				continue
			}
			t.Logf("ulimit -n %d: exit %d: %q", n, ee.ExitCode(), out)
			if ee.ExitCode() != 1 || strings.Count(string(out), "\n") != 1 || !strings.HasPrefix(string(out), "canrelay: ") ||
				!strings.Contains(string(out), "too many open files") {
				t.Errorf("ulimit -n %d: exit %d, output %q; want exit 1 and one line saying too many open files", n, ee.ExitCode(), out)
			}
			said = true
		}
		if !said {
			t.Errorf("no limit made canrelay say it was out of descriptors")
		}
	})
}

// interruptWithin sends SIGINT to p and waits for it to end (at most the
// package's timeout: no timed assertion, a bound on a hang), returning how
// long that took for the log.
func interruptWithin(t *testing.T, p *testenv.Proc) time.Duration {
	t.Helper()
	t0 := time.Now()
	if err := p.Cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatalf("SIGINT: %v", err)
	}
	select {
	case <-p.Exited():
	case <-time.After(timeout):
		p.Kill()
		t.Fatalf("%v still running %v after SIGINT: %s", p.Cmd.Args, timeout, p.Stderr)
	}
	return time.Since(t0)
}

// TestInterruptOnFullQueue: SIGINT while canrelay waits on a full transmit
// queue (ENOBUFS, waited out with backoff) ends it at once with its
// summary: send says how many frames went (exit 130) and candump saw
// exactly those; bridge and tunnel print their counters (exit 0), every
// frame received forwarded or dropped. Before, send went on with its
// --repeat (100,000 frames at 10 kbit/s: 21 minutes).
func TestInterruptOnFullQueue(t *testing.T) {
	testenv.RequireVM(t)
	t.Run("send", func(t *testing.T) {
		b := newSlowBus(t, "vxq6", "vxq7")
		b.queue("10kbit", 1)
		p := startCmd(t, exec.Command(testenv.Bin(t, "canrelay"), "send", "--repeat", "100000", "vxq6", "505#0102"))
		b.until("505#0102")
		b.until("505#0102") // well into the run, every frame waiting for room
		took := interruptWithin(t, p.Proc)
		err := p.Wait()
		p.Stderr.Wait() // its last line may still be in the pipe
		stderr := p.Stderr.String()
		t.Logf("ended %v after SIGINT: %v: %q", took.Round(time.Millisecond), err, stderr)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 {
			t.Errorf("send: %v, want exit 130", err)
		}
		var sent int
		if _, serr := fmt.Sscanf(strings.TrimPrefix(stderr, "canrelay: send on vxq6: interrupted: "), "%d of 100000 frames sent, the rest not", &sent); serr != nil {
			t.Fatalf("stderr %q, want canrelay: send on vxq6: interrupted: N of 100000 frames sent, the rest not", stderr)
		}
		b.queue("10kbit", 1000)
		send(t, rawSocket(t, "vxq6"), "7FD#05")
		b.until("7FD#05")
		got := 0
		for _, f := range b.seen {
			if f == "505#0102" {
				got++
			}
		}
		if got != sent {
			t.Errorf("send says %d frames went, candump saw %d", sent, got)
		}
		b.checkQdisc()
	})
	t.Run("bridge", func(t *testing.T) {
		b := newSlowBus(t, "vxq8", "vxq9")
		s0 := rawSocket(t, "vcan0")
		br := testenv.Start(t, exec.Command(testenv.Bin(t, "canrelay"), "bridge", "--one-way", "vcan0", "vxq8"))
		b.ready(s0)
		b.queue("100bit", 1) // 1.28 s a frame: the queue stays full
		send(t, s0, numbered("506", 0, 200)...)
		waitStderr(t, br, "dropped and counted")
		took := interruptWithin(t, br)
		if err := br.Wait(); err != nil {
			t.Errorf("bridge: %v, want exit 0: %s", err, br.Stderr)
		}
		line, _ := br.Stdout.WaitFor(0, "vcan0->vxq8")
		t.Logf("ended %v after SIGINT: %s", took.Round(time.Millisecond), line)
		num := func(k string) int { n, _ := strconv.Atoi(stat(t, line, k)); return n }
		if num("received") != num("forwarded")+num("dropped") || num("dropped") == 0 {
			t.Errorf("received is not forwarded + dropped: %s", line)
		}
	})
	t.Run("tunnel", func(t *testing.T) {
		b := newSlowBus(t, "vxqa", "vxqb")
		s0 := rawSocket(t, "vcan0")
		bin := testenv.Bin(t, "canrelay")
		tb := testenv.Start(t, exec.Command(bin, "tunnel", "--listen", "127.0.0.1:20033", "--peer", "127.0.0.1:20032", "vxqa"))
		ta := testenv.Start(t, exec.Command(bin, "tunnel", "--listen", "127.0.0.1:20032", "--peer", "127.0.0.1:20033", "vcan0"))
		b.ready(s0)
		b.queue("100bit", 1)
		send(t, s0, numbered("507", 0, 200)...)
		waitStderr(t, tb, "dropped and counted as can_drops")
		took := interruptWithin(t, tb)
		if err := tb.Wait(); err != nil {
			t.Errorf("tunnel B: %v, want exit 0: %s", err, tb.Stderr)
		}
		lb, _ := tb.Stdout.WaitFor(0, "tunnel vxqa:")
		t.Logf("ended %v after SIGINT: %s", took.Round(time.Millisecond), lb)
		if stat(t, lb, "can_drops") == "0" {
			t.Errorf("B dropped nothing: %s", lb)
		}
		ta.Signal(syscall.SIGTERM)
		ta.Wait()
	})
}
