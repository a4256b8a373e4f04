package sockcore

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestOneDescriptorPerSocket counts /proc/self/fd: every Socket holds its
// descriptor and nothing else (the runtime poller has that one registered).
func TestOneDescriptorPerSocket(t *testing.T) {
	for _, m := range []time.Duration{-1, 0, time.Second, Forever} {
		t.Run(m.String(), func(t *testing.T) {
			ln := mustListen(t, unix.AF_INET, 8)
			ln.SetTimeout(m)
			base := len(openFDs(t))
			c := mustNew(t, unix.AF_INET, unix.SOCK_STREAM, 0)
			c.SetTimeout(Forever)
			addr, _ := ln.SockName()
			if err := c.Connect(addr); err != nil {
				t.Fatal(err)
			}
			ln.SetTimeout(Forever)
			s, _, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.SetTimeout(m)
			d, err := s.Dup()
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if got := len(openFDs(t)) - base; got != 3 {
				t.Errorf("%d descriptors for 3 sockets", got)
			}
			d.SetTimeout(0)
			if _, err := d.Recv(1, 0); !isErrno(err, unix.EAGAIN) {
				t.Errorf("Recv on an idle duplicate = %v; want EAGAIN", err)
			}
		})
	}
}

// TestNonblockFollowsMode: O_NONBLOCK on Fileno is clear exactly in
// blocking mode (CPython's checkNonblock), through every switch.
func TestNonblockFollowsMode(t *testing.T) {
	a, _ := mustPair(t, unix.SOCK_STREAM)
	steps := []struct {
		name string
		set  func()
		nb   bool
	}{
		{"default None", func() {}, false},
		{"settimeout(0)", func() { a.SetTimeout(0) }, true},
		{"setblocking(True)", func() { a.SetBlocking(true) }, false},
		{"settimeout(1s)", func() { a.SetTimeout(time.Second) }, true},
		{"settimeout(None)", func() { a.SetTimeout(-1) }, false},
		{"Forever", func() { a.SetTimeout(Forever) }, true},
		{"setblocking(False)", func() { a.SetBlocking(false) }, true},
		{"setblocking(True) again", func() { a.SetBlocking(true) }, false},
	}
	for _, st := range steps {
		st.set()
		if _, nb := fdFlags(t, a.Fileno()); nb != st.nb {
			t.Errorf("%s: O_NONBLOCK = %v, want %v", st.name, nb, st.nb)
		}
	}
	if d, set := a.Timeout(); set {
		t.Errorf("Timeout() = %v, true; want unset", d)
	}
	a.SetTimeout(Forever)
	if d, set := a.Timeout(); !set || d != Forever || !a.Blocking() {
		t.Errorf("Forever: Timeout() = %v, %v, Blocking() = %v", d, set, a.Blocking())
	}
}

// TestSORcvTimeoInBlockingMode: blocking mode waits in the kernel, which
// honours SO_RCVTIMEO: Recv ends with EAGAIN as in Python.
func TestSORcvTimeoInBlockingMode(t *testing.T) {
	a, _ := mustPair(t, unix.SOCK_STREAM)
	a.SetBlocking(true)
	tv := unix.NsecToTimeval((50 * time.Millisecond).Nanoseconds())
	if err := a.control("setsockopt", func(fd int) error {
		return unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Recv(1, 0); !isErrno(err, unix.EAGAIN) {
		t.Errorf("Recv with SO_RCVTIMEO = %v; want EAGAIN", err)
	}
}

// TestPeerClearsNonblock: another process clears O_NONBLOCK on the open
// file description it shares (a blocking program handed the descriptor),
// mid-use. The Socket's calls in timeout mode still wait in the poller,
// never in the kernel: a receive, an accept and a send on a full buffer
// all park in "IO wait" and end by their context.
func TestPeerClearsNonblock(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		testenv.Skip(t, "python3 not found: apt-get install python3 (make deps does it)")
	}
	clear := func(t *testing.T, s *Socket) {
		t.Helper()
		f, err := s.File()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd := exec.Command(py, "-c", "import os; os.set_blocking(3, True); print(os.get_blocking(3))")
		cmd.ExtraFiles = []*os.File{f}
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) != "True" {
			t.Fatalf("python3 clearing O_NONBLOCK: %q, %v", out, err)
		}
		if _, nb := fdFlags(t, s.Fileno()); nb {
			t.Fatal("O_NONBLOCK still set: the flag is not shared?")
		}
	}
	wait := func(t *testing.T, fn string, call func(ctx context.Context) error) {
		t.Helper()
		ctx, cancel := context.WithCancel(t.Context())
		ch := make(chan error, 1)
		go func() { ch <- call(ctx) }()
		waitBlocked(t, fn)
		if blockedInKernel(fn) {
			t.Errorf("%s waits in a system call: a thread is parked", fn)
		}
		cancel()
		if err := <-ch; !errors.Is(err, context.Canceled) {
			t.Errorf("%s after cancel = %v; want context.Canceled", fn, err)
		}
	}
	t.Run("recv", func(t *testing.T) {
		a, b := mustPair(t, unix.SOCK_STREAM)
		a.SetTimeout(Forever)
		clear(t, a)
		wait(t, "peerRecv", func(ctx context.Context) error { return peerRecv(ctx, a) })
		// Data still flows, and the flag is left as the peer set it.
		b.Send([]byte("x"), 0)
		if got, err := a.Recv(1, 0); err != nil || string(got) != "x" {
			t.Errorf("Recv = %q, %v", got, err)
		}
		if _, nb := fdFlags(t, a.Fileno()); nb {
			t.Error("sockcore set O_NONBLOCK again under the peer")
		}
	})
	t.Run("accept", func(t *testing.T) {
		ln := mustListen(t, unix.AF_INET, 8)
		ln.SetTimeout(Forever)
		clear(t, ln)
		wait(t, "peerAccept", func(ctx context.Context) error { return peerAccept(ctx, ln) })
	})
	// The other holder takes the connection between the readiness check
	// and accept4 (two echods during a handover): accept4 must not run
	// on the blocking description, or it waits in the kernel for the next
	// connection, and closing the socket does not end it (an echod that
	// never exits on SIGTERM, seen in CI). The flag is the peer's again
	// afterwards.
	t.Run("accept raced by the other holder", func(t *testing.T) {
		ln := mustListen(t, unix.AF_INET, 8)
		ln.SetTimeout(Forever)
		clear(t, ln)
		addr, err := ln.SockName()
		if err != nil {
			t.Fatal(err)
		}
		connect := func() {
			c := mustNew(t, unix.AF_INET, unix.SOCK_STREAM, 0)
			if err := c.Connect(addr); err != nil {
				t.Fatal(err)
			}
		}
		connect()
		first := true
		testHookAccept4 = func(fd int) {
			if !first {
				return
			}
			first = false
			fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
			if err != nil {
				t.Error(err)
			}
			if fl&unix.O_NONBLOCK == 0 {
				t.Error("accept4 runs on the description the peer made blocking")
				defer connect() // so that the old accept4 ends, and the test with it
			}
			nfd, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC) // the other holder's
			if err != nil {
				t.Errorf("the other holder's accept: %v", err)
				return
			}
			unix.Close(nfd)
		}
		defer func() { testHookAccept4 = nil }()
		wait(t, "peerAccept", func(ctx context.Context) error { return peerAccept(ctx, ln) })
		if first {
			t.Error("accept4 was never called")
		}
		if _, nb := fdFlags(t, ln.Fileno()); nb {
			t.Error("sockcore left O_NONBLOCK set under the peer")
		}
	})
	t.Run("send", func(t *testing.T) {
		a, _ := mustPair(t, unix.SOCK_STREAM)
		a.SetTimeout(0)
		for {
			if _, err := a.Send(make([]byte, 1<<16), 0); err != nil {
				break // the buffer is full
			}
		}
		a.SetTimeout(time.Hour)
		clear(t, a)
		wait(t, "peerSend", func(ctx context.Context) error { return peerSend(ctx, a) })
	})
}

func peerRecv(ctx context.Context, s *Socket) error {
	_, err := s.RecvContext(ctx, 1, 0)
	return err
}

func peerAccept(ctx context.Context, s *Socket) error {
	_, _, err := s.AcceptContext(ctx)
	return err
}

func peerSend(ctx context.Context, s *Socket) error {
	_, err := s.SendContext(ctx, []byte("x"), 0)
	return err
}

// blockedInKernel reports whether a goroutine whose stack mentions fn is in
// a system call.
func blockedInKernel(fn string) bool {
	buf := make([]byte, 1<<20)
	for _, g := range strings.Split(string(buf[:runtimeStack(buf)]), "\n\n") {
		if strings.Contains(g, "[syscall") && strings.Contains(g, fn) {
			return true
		}
	}
	return false
}

// TestContextCancel: every call that can wait ends when its context does,
// in blocking mode too, with the context's error; a context deadline ends
// it as a timeout would, with context.DeadlineExceeded.
func TestContextCancel(t *testing.T) {
	for _, m := range []time.Duration{-1, time.Hour, Forever} {
		t.Run(m.String(), func(t *testing.T) {
			a, _ := mustPair(t, unix.SOCK_DGRAM)
			a.SetTimeout(m)
			ln := mustListen(t, unix.AF_INET, 8)
			ln.SetTimeout(m)
			calls := map[string]func(ctx context.Context) error{
				"ctxRecv":     func(ctx context.Context) error { _, err := a.RecvContext(ctx, 1, 0); return err },
				"ctxRecvFrom": func(ctx context.Context) error { _, _, err := a.RecvFromContext(ctx, 1, 0); return err },
				"ctxRecvMsg": func(ctx context.Context) error {
					_, _, _, _, err := a.RecvMsgContext(ctx, 1, 64, 0)
					return err
				},
				"ctxRecvMMsg": func(ctx context.Context) error { _, err := a.RecvMMsgContext(ctx, NewMMsgBatch(2, 8), 0); return err },
				"ctxAccept":   func(ctx context.Context) error { _, _, err := ln.AcceptContext(ctx); return err },
			}
			for name, call := range calls {
				ctx, cancel := context.WithCancel(t.Context())
				ch := make(chan error, 1)
				go func() { ch <- ctxCall(ctx, call) }()
				waitBlocked(t, "ctxCall")
				cancel()
				if err := <-ch; !errors.Is(err, context.Canceled) {
					t.Errorf("%s after cancel = %v; want context.Canceled", name, err)
				}
				ctx, cancel = context.WithTimeout(t.Context(), time.Millisecond)
				if err := call(ctx); !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("%s with a context deadline = %v; want context.DeadlineExceeded", name, err)
				}
				cancel()
			}
		})
	}
}

func ctxCall(ctx context.Context, call func(context.Context) error) error { return call(ctx) }

// TestFromFDAlreadyPolled: a descriptor another *os.File of the process
// has in the poller already (os.Stdin on an inherited non-blocking socket)
// still works in timeout mode, and Detach gives back that very number.
func TestFromFDAlreadyPolled(t *testing.T) {
	a, b := mustPair(t, unix.SOCK_STREAM)
	fd, err := a.Detach()
	if err != nil {
		t.Fatal(err)
	}
	unix.SetNonblock(fd, true)
	held := os.NewFile(uintptr(fd), "held") // registers fd, as os.Stdin would
	defer held.Close()
	s, err := FromFD(fd)
	if err != nil {
		t.Fatal(err)
	}
	s.SetTimeout(time.Hour)
	b.Send([]byte("x"), 0)
	if got, err := s.Recv(1, 0); err != nil || string(got) != "x" {
		t.Errorf("Recv = %q, %v", got, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	ch := make(chan error, 1)
	go func() {
		ch <- ctxCall(ctx, func(ctx context.Context) error { _, err := s.RecvContext(ctx, 1, 0); return err })
	}()
	waitBlocked(t, "ctxCall")
	cancel()
	if err := <-ch; !errors.Is(err, context.Canceled) {
		t.Errorf("RecvContext after cancel = %v", err)
	}
	if got, err := s.Detach(); got != fd || err != nil {
		t.Errorf("Detach = %d, %v; want %d", got, err, fd)
	}
	if !fdOpen(fd) {
		t.Error("descriptor closed by Detach")
	}
}

// TestConnectClosedBlocking: a blocking-mode Connect on a closed Socket
// fails with EBADF (it must not report success).
func TestConnectClosedBlocking(t *testing.T) {
	ln := mustListen(t, unix.AF_INET, 1)
	addr, _ := ln.SockName()
	s := mustNew(t, unix.AF_INET, unix.SOCK_STREAM, 0)
	s.SetBlocking(true)
	s.Close()
	if err := s.Connect(addr); !isErrno(err, unix.EBADF) {
		t.Errorf("Connect on a closed socket = %v; want EBADF", err)
	}
	if errno := s.ConnectEx(addr); errno != unix.EBADF {
		t.Errorf("ConnectEx on a closed socket = %v; want EBADF", errno)
	}
}
