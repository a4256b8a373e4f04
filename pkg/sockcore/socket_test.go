package sockcore

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// fdFlags returns FD_CLOEXEC set and O_NONBLOCK set for fd.
func fdFlags(t *testing.T, fd int) (cloexec, nonblock bool) {
	t.Helper()
	fdf, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil {
		t.Fatal(err)
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	return fdf&unix.FD_CLOEXEC != 0, fl&unix.O_NONBLOCK != 0
}

type mode struct {
	D   time.Duration
	Set bool
}

func TestNew(t *testing.T) {
	tests := []struct {
		name                string
		family, typ, proto  int
		wantType, wantProto int
		wantMode            mode
	}{
		{"tcp4", unix.AF_INET, unix.SOCK_STREAM, 0, unix.SOCK_STREAM, 0, mode{0, false}},
		{"udp6", unix.AF_INET6, unix.SOCK_DGRAM, 0, unix.SOCK_DGRAM, 0, mode{0, false}},
		{"tcp4 nonblock", unix.AF_INET, unix.SOCK_STREAM | unix.SOCK_NONBLOCK, 0, unix.SOCK_STREAM, 0, mode{0, true}},
		{"udp4 cloexec", unix.AF_INET, unix.SOCK_DGRAM | unix.SOCK_CLOEXEC, unix.IPPROTO_UDP, unix.SOCK_DGRAM, unix.IPPROTO_UDP, mode{0, false}},
		{"unix seqpacket both", unix.AF_UNIX, unix.SOCK_SEQPACKET | unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC, 0, unix.SOCK_SEQPACKET, 0, mode{0, true}},
		{"udplite", unix.AF_INET, unix.SOCK_DGRAM, IPPROTO_UDPLITE, unix.SOCK_DGRAM, IPPROTO_UDPLITE, mode{0, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustNew(t, tt.family, tt.typ, tt.proto)
			d, set := s.Timeout()
			got := struct {
				Family, Type, Proto int
				Mode                mode
			}{s.Family(), s.Type(), s.Proto(), mode{d, set}}
			want := struct {
				Family, Type, Proto int
				Mode                mode
			}{tt.family, tt.wantType, tt.wantProto, tt.wantMode}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			// The descriptor is close-on-exec whatever typ said, and
			// O_NONBLOCK always (the poller needs it).
			cloexec, _ := fdFlags(t, s.Fileno())
			if !cloexec {
				t.Errorf("descriptor %d is not close-on-exec", s.Fileno())
			}
			if inh, err := s.Inheritable(); err != nil || inh {
				t.Errorf("Inheritable() = %v, %v; want false", inh, err)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name               string
		family, typ, proto int
		want               syscall.Errno
	}{
		{"bad family", 4242, unix.SOCK_STREAM, 0, unix.EAFNOSUPPORT},
		{"bad type", unix.AF_INET, 99, 0, unix.EINVAL},
		{"tcp over dgram", unix.AF_INET, unix.SOCK_DGRAM, unix.IPPROTO_TCP, unix.EPROTONOSUPPORT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.family, tt.typ, tt.proto)
			if err == nil {
				s.Close()
				t.Fatal("New succeeded")
			}
			if !isErrno(err, tt.want) {
				t.Errorf("New: %v; want %v", err, tt.want)
			}
		})
	}
}

func TestFromFD(t *testing.T) {
	tests := []struct {
		name               string
		family, typ, proto int
		wantProto          int
	}{
		{"tcp4", unix.AF_INET, unix.SOCK_STREAM, 0, unix.IPPROTO_TCP},
		{"udp6", unix.AF_INET6, unix.SOCK_DGRAM, 0, unix.IPPROTO_UDP},
		{"unix dgram", unix.AF_UNIX, unix.SOCK_DGRAM, 0, 0},
		{"unix seqpacket", unix.AF_UNIX, unix.SOCK_SEQPACKET, 0, 0},
		{"mptcp", unix.AF_INET, unix.SOCK_STREAM, IPPROTO_MPTCP, IPPROTO_MPTCP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd, err := unix.Socket(tt.family, tt.typ|unix.SOCK_CLOEXEC, tt.proto)
			if err != nil {
				if tt.proto == IPPROTO_MPTCP {
					t.Skipf("MPTCP: %v", err) // net.mptcp.enabled=0
				}
				t.Fatal(err)
			}
			s, err := FromFD(fd)
			if err != nil {
				unix.Close(fd)
				t.Fatal(err)
			}
			defer s.Close()
			got := [4]int{s.Fileno(), s.Family(), s.Type(), s.Proto()}
			want := [4]int{fd, tt.family, tt.typ, tt.wantProto}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Fileno, Family, Type, Proto (-want +got)\n%s", diff)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if fdOpen(fd) {
				t.Errorf("descriptor %d still open after Close", fd)
			}
		})
	}
	t.Run("not a socket", func(t *testing.T) {
		f, err := os.Open("/dev/null")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := FromFD(int(f.Fd())); !isErrno(err, unix.ENOTSOCK) {
			t.Errorf("FromFD(/dev/null) = %v; want ENOTSOCK", err)
		}
	})
	t.Run("negative", func(t *testing.T) {
		if _, err := FromFD(-1); err == nil {
			t.Error("FromFD(-1) succeeded")
		}
	})
}

func TestPair(t *testing.T) {
	tests := []struct {
		name         string
		family, typ  int
		wantFam      int
		wantType     int
		wantNonblock bool
	}{
		{"defaults", 0, 0, unix.AF_UNIX, unix.SOCK_STREAM, false},
		{"dgram", unix.AF_UNIX, unix.SOCK_DGRAM, unix.AF_UNIX, unix.SOCK_DGRAM, false},
		{"seqpacket nonblock", unix.AF_UNIX, unix.SOCK_SEQPACKET | unix.SOCK_NONBLOCK, unix.AF_UNIX, unix.SOCK_SEQPACKET, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, err := Pair(tt.family, tt.typ, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			defer b.Close()
			for _, s := range []*Socket{a, b} {
				if s.Family() != tt.wantFam || s.Type() != tt.wantType {
					t.Errorf("%v: family/type %d/%d; want %d/%d", s, s.Family(), s.Type(), tt.wantFam, tt.wantType)
				}
				if got := !s.Blocking(); got != tt.wantNonblock {
					t.Errorf("%v: non-blocking %v; want %v", s, got, tt.wantNonblock)
				}
				if c, _ := fdFlags(t, s.Fileno()); !c {
					t.Errorf("%v: not close-on-exec", s)
				}
			}
			if _, err := a.Send([]byte("ping"), 0); err != nil {
				t.Fatal(err)
			}
			got, err := b.Recv(10, 0)
			if err != nil || string(got) != "ping" {
				t.Errorf("Recv = %q, %v; want ping", got, err)
			}
		})
	}
	t.Run("inet refused", func(t *testing.T) {
		if _, _, err := Pair(unix.AF_INET, unix.SOCK_STREAM, 0); !isErrno(err, unix.EOPNOTSUPP) {
			t.Errorf("Pair(AF_INET) = %v; want EOPNOTSUPP", err)
		}
	})
}

func TestDup(t *testing.T) {
	for _, m := range []time.Duration{-1, 0, 3 * time.Second} {
		t.Run(m.String(), func(t *testing.T) {
			a, b := mustPair(t, unix.SOCK_STREAM)
			a.SetTimeout(m)
			d, err := a.Dup()
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.Fileno() == a.Fileno() {
				t.Errorf("Dup kept descriptor %d", d.Fileno())
			}
			wd, ws := a.Timeout()
			gd, gs := d.Timeout()
			if diff := cmp.Diff(mode{wd, ws}, mode{gd, gs}); diff != "" {
				t.Errorf("timeout (-want +got)\n%s", diff)
			}
			if c, _ := fdFlags(t, d.Fileno()); !c {
				t.Error("dup is not close-on-exec")
			}
			got := [3]int{d.Family(), d.Type(), d.Proto()}
			want := [3]int{a.Family(), a.Type(), a.Proto()}
			if got != want {
				t.Errorf("family/type/proto %v; want %v", got, want)
			}
			// Same connection: closing the original keeps it alive.
			a.Close()
			if _, err := d.Send([]byte("x"), 0); err != nil {
				t.Fatal(err)
			}
			b.SetTimeout(5 * time.Second)
			if got, err := b.Recv(1, 0); err != nil || string(got) != "x" {
				t.Errorf("Recv = %q, %v", got, err)
			}
		})
	}
	t.Run("closed", func(t *testing.T) {
		a, _ := mustPair(t, unix.SOCK_STREAM)
		a.Close()
		if _, err := a.Dup(); !isErrno(err, unix.EBADF) {
			t.Errorf("Dup on closed = %v; want EBADF", err)
		}
	})
}

func TestDetach(t *testing.T) {
	tests := []struct {
		name         string
		timeout      time.Duration
		wantNonblock bool
	}{
		{"blocking", -1, false},
		{"timeout", time.Second, true},
		{"nonblocking", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, err := Pair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			a.SetTimeout(tt.timeout)
			if err := a.SetInheritable(true); err != nil {
				t.Fatal(err)
			}
			orig := a.Fileno()
			before := len(openFDs(t))
			// The number differs from Fileno (see Detach): the
			// original is closed, the count of descriptors is the same.
			fd, err := a.Detach()
			if err != nil || fd < 0 {
				t.Fatalf("Detach = %d, %v", fd, err)
			}
			defer unix.Close(fd)
			if fd != orig && fdOpen(orig) {
				t.Errorf("descriptor %d still open after Detach returned %d", orig, fd)
			}
			if after := len(openFDs(t)); after != before {
				t.Errorf("%d descriptors after Detach, %d before", after, before)
			}
			if c, _ := fdFlags(t, fd); c {
				t.Error("Detach lost the inheritable flag")
			}
			if a.Fileno() != -1 {
				t.Errorf("Fileno after Detach = %d; want -1", a.Fileno())
			}
			if _, err := a.Send([]byte("x"), 0); !isErrno(err, unix.EBADF) {
				t.Errorf("Send after Detach = %v; want EBADF", err)
			}
			if err := a.Close(); err != nil {
				t.Errorf("Close after Detach = %v", err)
			}
			if !fdOpen(fd) {
				t.Fatalf("descriptor %d closed by Detach/Close", fd)
			}
			if _, nb := fdFlags(t, fd); nb != tt.wantNonblock {
				t.Errorf("O_NONBLOCK = %v; want %v", nb, tt.wantNonblock)
			}
			// Still the same connection.
			if _, err := unix.Write(fd, []byte("y")); err != nil {
				t.Fatal(err)
			}
			if got, err := b.Recv(1, 0); err != nil || string(got) != "y" {
				t.Errorf("Recv = %q, %v", got, err)
			}
			if fd2, err := a.Detach(); fd2 != -1 || err != nil {
				t.Errorf("second Detach = %d, %v; want -1 and no error (as Python)", fd2, err)
			}
		})
	}
}

func TestCloseIdempotent(t *testing.T) {
	a, _ := mustPair(t, unix.SOCK_STREAM)
	fd := a.Fileno()
	for i := range 3 {
		if err := a.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
	if a.Fileno() != -1 || fdOpen(fd) {
		t.Errorf("after Close: Fileno %d, descriptor %d open %v", a.Fileno(), fd, fdOpen(fd))
	}
	ops := map[string]func() error{
		"Send":        func() error { _, err := a.Send([]byte("x"), 0); return err },
		"Recv":        func() error { _, err := a.Recv(1, 0); return err },
		"SockName":    func() error { _, err := a.SockName(); return err },
		"Shutdown":    func() error { return a.Shutdown(unix.SHUT_RDWR) },
		"Setsockopt":  func() error { return a.SetsockoptInt(unix.SOL_SOCKET, unix.SO_SNDBUF, 4096) },
		"Inheritable": func() error { _, err := a.Inheritable(); return err },
		"RecvMsg":     func() error { _, _, _, _, err := a.RecvMsg(1, 0, 0); return err },
		"SendMsg":     func() error { _, err := a.SendMsg([][]byte{{1}}, nil, 0, nil); return err },
		"File":        func() error { _, err := a.File(); return err },
	}
	for name, op := range ops {
		if err := op(); !isErrno(err, unix.EBADF) {
			t.Errorf("%s on a closed socket = %v; want EBADF", name, err)
		}
	}
}

func TestCloseWakesBlockedRecv(t *testing.T) {
	for _, m := range []time.Duration{Forever, time.Hour} {
		t.Run(m.String(), func(t *testing.T) {
			a, _ := mustPair(t, unix.SOCK_STREAM)
			a.SetTimeout(m)
			ch := goRecv(a, 10)
			waitBlocked(t, "goRecv")
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			r := <-ch
			if !isErrno(r.err, unix.EBADF) {
				t.Errorf("blocked Recv after Close = %q, %v; want EBADF", r.b, r.err)
			}
		})
	}
}

// TestCloseDuringKernelRecv: in blocking mode a Recv waits in the kernel,
// as in Python; Close returns at once without waking it, and the
// descriptor stays open (its number cannot be reused) until the call
// returns with what the peer sends.
func TestCloseDuringKernelRecv(t *testing.T) {
	a, b := mustPair(t, unix.SOCK_STREAM)
	a.SetBlocking(true)
	fd := a.Fileno()
	ch := goRecv(a, 10)
	waitBlocked(t, "goRecv")
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if !fdOpen(fd) {
		t.Fatal("descriptor closed under a call waiting in the kernel")
	}
	if _, err := b.Send([]byte("late"), 0); err != nil {
		t.Fatal(err)
	}
	if r := <-ch; r.err != nil || string(r.b) != "late" {
		t.Errorf("Recv = %q, %v; want late", r.b, r.err)
	}
	if fdOpen(fd) {
		t.Error("descriptor still open after the call returned")
	}
	if _, err := a.Recv(1, 0); !isErrno(err, unix.EBADF) {
		t.Errorf("Recv after Close = %v; want EBADF", err)
	}
}

func TestInheritable(t *testing.T) {
	a, _ := mustPair(t, unix.SOCK_STREAM)
	for _, on := range []bool{true, false, true} {
		if err := a.SetInheritable(on); err != nil {
			t.Fatal(err)
		}
		got, err := a.Inheritable()
		if err != nil || got != on {
			t.Errorf("Inheritable() = %v, %v after SetInheritable(%v)", got, err, on)
		}
		if c, _ := fdFlags(t, a.Fileno()); c == on {
			t.Errorf("FD_CLOEXEC = %v after SetInheritable(%v)", c, on)
		}
	}
}

func TestSetTimeoutModes(t *testing.T) {
	tests := []struct {
		name         string
		set          func(*Socket)
		want         mode
		wantBlocking bool
	}{
		{"SetTimeout(-1)", func(s *Socket) { s.SetTimeout(-1) }, mode{0, false}, true},
		{"SetTimeout(0)", func(s *Socket) { s.SetTimeout(0) }, mode{0, true}, false},
		{"SetTimeout(2s)", func(s *Socket) { s.SetTimeout(2 * time.Second) }, mode{2 * time.Second, true}, true},
		{"SetBlocking(false)", func(s *Socket) { s.SetBlocking(false) }, mode{0, true}, false},
		{"SetBlocking(true)", func(s *Socket) { s.SetTimeout(time.Second); s.SetBlocking(true) }, mode{0, false}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := mustPair(t, unix.SOCK_STREAM)
			tt.set(a)
			d, set := a.Timeout()
			if diff := cmp.Diff(tt.want, mode{d, set}); diff != "" {
				t.Errorf("Timeout (-want +got)\n%s", diff)
			}
			if a.Blocking() != tt.wantBlocking {
				t.Errorf("Blocking() = %v; want %v", a.Blocking(), tt.wantBlocking)
			}
		})
	}
}

func TestDefaultTimeout(t *testing.T) {
	defer SetDefaultTimeout(-1)
	tests := []struct {
		set  time.Duration
		want mode
	}{
		{-1, mode{0, false}},
		{0, mode{0, true}},
		{1500 * time.Millisecond, mode{1500 * time.Millisecond, true}},
	}
	for _, tt := range tests {
		t.Run(tt.set.String(), func(t *testing.T) {
			SetDefaultTimeout(tt.set)
			d, set := DefaultTimeout()
			if diff := cmp.Diff(tt.want, mode{d, set}); diff != "" {
				t.Errorf("DefaultTimeout (-want +got)\n%s", diff)
			}
			a, b := mustPair(t, unix.SOCK_STREAM)
			s := mustNew(t, unix.AF_INET, unix.SOCK_STREAM, 0)
			for _, x := range []*Socket{a, b, s} {
				d, set := x.Timeout()
				if diff := cmp.Diff(tt.want, mode{d, set}); diff != "" {
					t.Errorf("%v Timeout (-want +got)\n%s", x, diff)
				}
			}
		})
	}
}

// TestTimeoutModes pins Python's three modes on Recv, Send, Accept and
// RecvMsg: a timeout fires with os.ErrDeadlineExceeded (and is not EAGAIN),
// non-blocking mode gives EAGAIN at once, blocking mode waits for the data.
func TestTimeoutModes(t *testing.T) {
	type op struct {
		name string
		run  func(t *testing.T, s *Socket) error
	}
	ops := []op{
		{"Recv", func(t *testing.T, s *Socket) error { _, err := s.Recv(10, 0); return err }},
		{"RecvInto", func(t *testing.T, s *Socket) error { _, err := s.RecvInto(make([]byte, 4), 0); return err }},
		{"RecvFrom", func(t *testing.T, s *Socket) error { _, _, err := s.RecvFrom(10, 0); return err }},
		{"RecvMsg", func(t *testing.T, s *Socket) error { _, _, _, _, err := s.RecvMsg(10, 64, 0); return err }},
		{"Send full", func(t *testing.T, s *Socket) error {
			// Fill the send buffer in non-blocking mode first.
			d, set := s.Timeout()
			s.SetTimeout(0)
			for {
				if _, err := s.Send(make([]byte, 65536), 0); err != nil {
					if !isErrno(err, unix.EAGAIN) {
						t.Fatal(err)
					}
					break
				}
			}
			if set {
				s.SetTimeout(d)
			} else {
				s.SetTimeout(-1)
			}
			_, err := s.Send(make([]byte, 65536), 0)
			return err
		}},
		{"Accept", func(t *testing.T, s *Socket) error {
			l := mustListen(t, unix.AF_INET, 1)
			d, set := s.Timeout()
			if set {
				l.SetTimeout(d)
			}
			_, _, err := l.Accept()
			return err
		}},
	}
	for _, o := range ops {
		t.Run(o.name+"/timeout", func(t *testing.T) {
			a, _ := mustPair(t, unix.SOCK_STREAM)
			a.SetTimeout(20 * time.Millisecond)
			err := o.run(t, a)
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("%s = %v; want a timeout", o.name, err)
			}
			if isErrno(err, unix.EAGAIN) {
				t.Errorf("timeout %v also matches EAGAIN", err)
			}
			// The socket still works after a timeout, and a later
			// non-blocking call reports EAGAIN, not the stale timeout.
			a.SetTimeout(0)
			if err := o.run(t, a); !isErrno(err, unix.EAGAIN) {
				t.Errorf("non-blocking %s after a timeout = %v; want EAGAIN", o.name, err)
			}
		})
		t.Run(o.name+"/nonblocking", func(t *testing.T) {
			a, _ := mustPair(t, unix.SOCK_STREAM)
			a.SetTimeout(0)
			if err := o.run(t, a); !isErrno(err, unix.EAGAIN) || errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("%s = %v; want EAGAIN", o.name, err)
			}
		})
	}
	// A Recv that waits gets the data sent while it waits: blocking mode,
	// timeout mode, and blocking mode after a timeout expired (the stale
	// deadline must not fire).
	waits := []struct {
		name  string
		setup func(t *testing.T, s *Socket)
	}{
		{"blocking", func(t *testing.T, s *Socket) { s.SetBlocking(true) }},
		{"timeout", func(t *testing.T, s *Socket) { s.SetTimeout(time.Hour) }},
		{"timeout then blocking", func(t *testing.T, s *Socket) {
			s.SetTimeout(time.Millisecond)
			if _, err := s.Recv(1, 0); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("Recv = %v; want a timeout", err)
			}
			s.SetBlocking(true)
		}},
	}
	for _, w := range waits {
		t.Run("Recv/"+w.name+" waits", func(t *testing.T) {
			a, b := mustPair(t, unix.SOCK_STREAM)
			w.setup(t, a)
			ch := goRecv(a, 10)
			waitBlocked(t, "goRecv")
			b.Send([]byte("late"), 0)
			if r := <-ch; r.err != nil || string(r.b) != "late" {
				t.Errorf("Recv = %q, %v; want late", r.b, r.err)
			}
		})
	}
}

// TestRecvSurvivesSignals sends signals to the process while a Recv is
// blocked: the call must neither fail with EINTR nor return early.
func TestRecvSurvivesSignals(t *testing.T) {
	a, b := mustPair(t, unix.SOCK_STREAM)
	ch := goRecv(a, 10)
	waitBlocked(t, "goRecv")
	for range 20 {
		if err := unix.Kill(os.Getpid(), unix.SIGURG); err != nil {
			t.Fatal(err)
		}
	}
	waitBlocked(t, "goRecv")
	b.Send([]byte("after"), 0)
	if r := <-ch; r.err != nil || string(r.b) != "after" {
		t.Errorf("Recv = %q, %v; want after", r.b, r.err)
	}
}

// TestNewMissingFamily: a family the kernel lacks is a NotSupportedError
// that says what to load and still unwraps to EAFNOSUPPORT.
func TestNewMissingFamily(t *testing.T) {
	s, err := New(unix.AF_CAN, unix.SOCK_RAW, 1)
	if err == nil {
		s.Close()
		t.Skip("this kernel has AF_CAN")
	}
	var ns *NotSupportedError
	if !errors.As(err, &ns) || !isErrno(err, unix.EAFNOSUPPORT) {
		t.Fatalf("New(AF_CAN) = %v; want a NotSupportedError unwrapping to EAFNOSUPPORT", err)
	}
	if want := "AF_CAN is not available in this kernel (load the can and can_raw modules)"; err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
}
