package can

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// timeout bounds every wait; the guest runs under TCG, so it is generous.
const timeout = Timeout

func rawSocket(t *testing.T, iface string) *sockcore.Socket { return RawSocket(t, iface) }

// send writes frames in order from a thread on the first CPU the test may
// use, the same CPU for every call. vcan delivers a frame through the
// writing CPU's backlog, so frames written from two CPUs can be delivered
// out of order: RawSocket pins the goroutine that opens the socket, but a
// socket opened inside NetNS.Do was written from the unpinned test
// goroutine (TestTunnelNetns's 1CB after 1D8, #16), and a writer pinned to
// whichever CPU it was on can change CPU from one call to the next (a probe
// overtook the window before it in TestTunnelNetem).
func send(t *testing.T, s *sockcore.Socket, frames ...string) {
	t.Helper()
	wire := make([][]byte, len(frames))
	for i, text := range frames {
		f, err := canframe.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		if wire[i], err = canframe.EncodeWire(&f); err != nil {
			t.Fatal(err)
		}
	}
	errc := make(chan error, 1)
	go func() {
		if err := pinToFirstCPU(); err != nil {
			errc <- err
			return
		}
		for i, b := range wire {
			if _, err := s.Send(b, 0); err != nil {
				errc <- fmt.Errorf("send %s: %w", frames[i], err)
				return
			}
		}
		errc <- nil
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// pinToFirstCPU locks the calling goroutine to its thread, never unlocked
// (the thread ends with the goroutine), and pins that thread to the first
// CPU the test may use: a writer on vcan must stay on one CPU (see send).
func pinToFirstCPU() error {
	runtime.LockOSThread()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return err
	}
	first := 0
	for !set.IsSet(first) {
		first++
	}
	set.Zero()
	set.Set(first)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return fmt.Errorf("pin the writer to CPU %d: %w", first, err)
	}
	return nil
}

// recv reads the next frame as text.
func recv(t *testing.T, s *sockcore.Socket) string {
	t.Helper()
	f, err := tryRecv(s)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return f
}

func tryRecv(s *sockcore.Socket) (string, error) {
	buf := make([]byte, canframe.FDMTU)
	n, err := s.RecvInto(buf, 0)
	if err != nil {
		return "", err
	}
	f, err := canframe.DecodeWire(buf[:n])
	if err != nil {
		return "", err
	}
	return f.Text(), nil
}

// recvN reads n frames, skipping those for which skip is true.
func recvN(t *testing.T, s *sockcore.Socket, n int, skip func(string) bool) []string {
	t.Helper()
	var out []string
	for len(out) < n {
		f := recv(t, s)
		if skip != nil && skip(f) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// probe sends frame from s every 20 ms until seen returns true: it waits
// for a process started in the background to be listening.
func probe(t *testing.T, s *sockcore.Socket, frame string, seen func() bool) (sent int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		send(t, s, frame)
		sent++
		if seen() {
			return sent
		}
	}
	t.Fatalf("nothing saw probe frame %s within %v", frame, timeout)
	return sent
}

// seenOn returns a probe check: the next frame on s (within 20 ms) is want.
func seenOn(s *sockcore.Socket, want string) func() bool {
	return func() bool {
		d, _ := s.Timeout()
		s.SetTimeout(20 * time.Millisecond)
		defer s.SetTimeout(d)
		for {
			f, err := tryRecv(s)
			if err != nil {
				return false
			}
			if f == want {
				return true
			}
		}
	}
}

// proc is canrelay (or a peer) running in the background, started by
// testenv.Start; the test reads its stdout line by line from next on.
type proc struct {
	*testenv.Proc
	t    *testing.T
	next int // the index of the next line of stdout to read
}

func startCmd(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	return &proc{Proc: testenv.Start(t, cmd), t: t}
}

var execCommand = exec.Command

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	return startCmd(t, exec.Command(testenv.Bin(t, "canrelay"), args...))
}

// line returns the next line of output.
func (p *proc) line() string {
	p.t.Helper()
	l, ok := p.Stdout.Next(p.next, timeout)
	if !ok {
		p.t.Fatalf("%s printed no line %d within %v (or ended); stderr: %s", p.Cmd.Args, p.next+1, timeout, p.Stderr)
	}
	p.next++
	return l
}

// lineWithin returns the next line, or false after d.
func (p *proc) lineWithin(d time.Duration) (string, bool) {
	l, ok := p.Stdout.Next(p.next, d)
	if ok {
		p.next++
	}
	return l, ok
}

// rest returns the lines not read yet, once stdout has ended.
func (p *proc) rest() []string {
	p.Stdout.Wait()
	rest := p.Stdout.Lines(p.next)
	p.next += len(rest)
	return rest
}

// stop sends SIGTERM (SIGKILL after timeout) and returns the rest of the
// output and the exit error.
func (p *proc) stop() (rest []string, err error) {
	p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.Exited():
	case <-time.After(timeout):
		p.Kill()
	}
	err = p.Wait()
	return p.rest(), err
}

// wait waits for the process to exit by itself.
func (p *proc) wait() ([]string, error) {
	p.t.Helper()
	select {
	case <-p.Exited():
	case <-time.After(timeout):
		p.t.Fatalf("%s still running after %v", p.Cmd.Args, timeout)
	}
	err := p.Wait()
	return p.rest(), err
}

// canrelay runs canrelay to completion.
func canrelay(t *testing.T, stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(testenv.Bin(t, "canrelay"), args...)
	cmd.Stdin = stdin
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// stat finds "key=value" in a counters line.
func stat(t *testing.T, line, key string) string {
	t.Helper()
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok && k == key {
			return v
		}
	}
	t.Fatalf("no %s= in %q", key, line)
	return ""
}

func findLine(t *testing.T, lines []string, prefix string) string {
	t.Helper()
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("no line starting %q in %q", prefix, lines)
	return ""
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
