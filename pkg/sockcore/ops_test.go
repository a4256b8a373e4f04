package sockcore

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
)

// listenBacklog reads the backlog the kernel recorded for a listening TCP
// socket: ss shows it as Send-Q.
func listenBacklog(t *testing.T, port int) int {
	t.Helper()
	testenv.RequireProgram(t, "ss", "iproute2")
	out, err := exec.Command("ss", "-Hltn", "sport = :"+strconv.Itoa(port)).Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) < 3 {
		t.Fatalf("ss printed %q", out)
	}
	n, err := strconv.Atoi(f[2])
	if err != nil {
		t.Fatalf("ss Send-Q %q: %v", f[2], err)
	}
	return n
}

func TestListenBacklog(t *testing.T) {
	if DefaultBacklog != 128 { // min(SOMAXCONN=4096, 128)
		t.Errorf("DefaultBacklog = %d; want min(SOMAXCONN, 128) = 128", DefaultBacklog)
	}
	tests := []struct{ backlog, want int }{
		{DefaultBacklog, 128},
		{-1, 0},
		{-1000, 0},
		{0, 0},
		{5, 5},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.backlog), func(t *testing.T) {
			l := mustListen(t, unix.AF_INET, tt.backlog)
			a, _ := l.SockName()
			if got := listenBacklog(t, a.(*InetAddr).Port); got != tt.want {
				t.Errorf("backlog = %d; want %d", got, tt.want)
			}
			// A backlog of 0 still accepts one connection.
			c := mustNew(t, unix.AF_INET, unix.SOCK_STREAM, 0)
			if err := c.Connect(a); err != nil {
				t.Fatal(err)
			}
			s, _, err := l.Accept()
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
		})
	}
}

func TestAccept(t *testing.T) {
	defer SetDefaultTimeout(-1)
	tests := []struct {
		name            string
		deflt, listener time.Duration
		want            mode
	}{
		{"default none, listener timeout", -1, 5 * time.Second, mode{0, false}},
		{"default 3s, listener none", 3 * time.Second, -1, mode{3 * time.Second, true}},
		{"default 0, listener timeout", 0, 5 * time.Second, mode{0, true}},
	}
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6} {
		for _, tt := range tests {
			t.Run(FamilyName(fam)+"/"+tt.name, func(t *testing.T) {
				SetDefaultTimeout(-1)
				l := mustListen(t, fam, 1)
				l.SetTimeout(tt.listener)
				la, _ := l.SockName()
				c := mustNew(t, fam, unix.SOCK_STREAM, 0)
				if err := c.Connect(la); err != nil {
					t.Fatal(err)
				}
				SetDefaultTimeout(tt.deflt)
				s, from, err := l.Accept()
				SetDefaultTimeout(-1)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				d, set := s.Timeout()
				if diff := cmp.Diff(tt.want, mode{d, set}, cmpAddr); diff != "" {
					t.Errorf("accepted socket's timeout (-want +got)\n%s", diff)
				}
				if c, _ := fdFlags(t, s.Fileno()); !c {
					t.Error("accepted socket is not close-on-exec")
				}
				cn, _ := c.SockName()
				if from.String() != cn.String() {
					t.Errorf("Accept address %v; want the client's %v", from, cn)
				}
				got := [3]int{s.Family(), s.Type(), s.Proto()}
				if want := [3]int{fam, unix.SOCK_STREAM, 0}; got != want { // the listener's proto, as Python
					t.Errorf("family/type/proto %v; want %v", got, want)
				}
			})
		}
	}
}

func TestConnect(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		l := mustListen(t, unix.AF_INET, 1)
		a, _ := l.SockName()
		l.Close() // the port is free now
		for _, m := range []time.Duration{-1, time.Second} {
			c := mustNew(t, unix.AF_INET, unix.SOCK_STREAM, 0)
			c.SetTimeout(m)
			if err := c.Connect(a); !isErrno(err, unix.ECONNREFUSED) {
				t.Errorf("Connect(%v) in mode %v = %v; want ECONNREFUSED", a, m, err)
			}
			c2 := mustNew(t, unix.AF_INET, unix.SOCK_STREAM, 0)
			c2.SetTimeout(m)
			if e := c2.ConnectEx(a); e != unix.ECONNREFUSED {
				t.Errorf("ConnectEx in mode %v = %v; want ECONNREFUSED", m, e)
			}
		}
	})
	t.Run("nonblocking EINPROGRESS", func(t *testing.T) {
		l := mustListen(t, unix.AF_INET, 1)
		a, _ := l.SockName()
		c := mustNew(t, unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
		if err := c.Connect(a); !isErrno(err, unix.EINPROGRESS) {
			t.Fatalf("Connect = %v; want EINPROGRESS", err)
		}
		// The outcome arrives as SO_ERROR once writable; then connected.
		s, _, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		c.SetBlocking(true)
		if e := c.ConnectEx(a); e != unix.EISCONN && e != 0 {
			t.Errorf("second ConnectEx = %v; want EISCONN", e)
		}
		c2 := mustNew(t, unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
		if e := c2.ConnectEx(a); e != unix.EINPROGRESS {
			t.Errorf("ConnectEx = %v; want EINPROGRESS", e)
		}
	})
	t.Run("family mismatch", func(t *testing.T) {
		c := mustNew(t, unix.AF_INET, unix.SOCK_STREAM, 0)
		if err := c.Connect(loopback(unix.AF_INET6)); !errors.Is(err, ErrAddrFamily) {
			t.Errorf("Connect = %v; want ErrAddrFamily", err)
		}
		if e := c.ConnectEx(loopback(unix.AF_INET6)); e != unix.EAFNOSUPPORT {
			t.Errorf("ConnectEx = %v; want EAFNOSUPPORT", e)
		}
	})
	t.Run("udp disconnect with AF_UNSPEC", func(t *testing.T) {
		u := mustNew(t, unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err := u.Connect(&InetAddr{IP: netip.MustParseAddr("127.0.0.1"), Port: 9}); err != nil {
			t.Fatal(err)
		}
		if err := u.Connect(&RawAddr{Fam: unix.AF_UNSPEC, Data: make([]byte, 14)}); err != nil {
			t.Fatalf("Connect(AF_UNSPEC) = %v", err)
		}
		if _, err := u.PeerName(); !isErrno(err, unix.ENOTCONN) {
			t.Errorf("PeerName after dissolving = %v; want ENOTCONN", err)
		}
	})
}

// fullUnixListener returns the abstract address of an AF_UNIX listener
// whose backlog is full: the next connect cannot complete until an accept.
func fullUnixListener(t *testing.T) Addr {
	t.Helper()
	l := mustNew(t, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err := l.Bind(&UnixAddr{}); err != nil {
		t.Fatal(err)
	}
	if err := l.Listen(0); err != nil {
		t.Fatal(err)
	}
	a, _ := l.SockName()
	for {
		c := mustNew(t, unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
		if e := c.ConnectEx(a); e == unix.EAGAIN {
			return a
		} else if e != 0 {
			t.Fatalf("filling the backlog: %v", e)
		}
	}
}

// TestErrnoOf: the errno inside an error, through wrapping; ok false (and
// never a zero Errno, which is no error) when there is none.
func TestErrnoOf(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want syscall.Errno
		ok   bool
	}{
		{"nil", nil, 0, false},
		{"bare errno", unix.EBADF, unix.EBADF, true},
		{"syscall error", os.NewSyscallError("connect", unix.ECONNREFUSED), unix.ECONNREFUSED, true},
		{"wrapped", fmt.Errorf("dial: %w", os.NewSyscallError("connect", unix.ETIMEDOUT)), unix.ETIMEDOUT, true},
		{"no errno", errors.New("plain"), 0, false},
		{"deadline", os.ErrDeadlineExceeded, 0, false},
		{"zero errno", syscall.Errno(0), 0, false},
		{"wrapped zero errno", os.NewSyscallError("connect", syscall.Errno(0)), 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := errnoOf(tt.err); got != tt.want || ok != tt.ok {
				t.Errorf("errnoOf(%v) = %d, %v; want %d, %v", tt.err, got, ok, tt.want, tt.ok)
			}
		})
	}
	// connect's errno is never 0 (success) for an error without one.
	if got := connectErrno(errors.New("plain")); got == 0 {
		t.Errorf("connectErrno(plain) = 0")
	}
}

func TestConnectTimeoutUnix(t *testing.T) {
	a := fullUnixListener(t)
	c := mustNew(t, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	c.SetTimeout(30 * time.Millisecond)
	if e := c.ConnectEx(a); e != unix.EWOULDBLOCK {
		t.Errorf("ConnectEx on a full backlog with a timeout = %v; want EWOULDBLOCK", e)
	}
	c2 := mustNew(t, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	c2.SetTimeout(30 * time.Millisecond)
	if err := c2.Connect(a); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Connect on a full backlog with a timeout = %v; want a timeout", err)
	}
	c3 := mustNew(t, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	c3.SetTimeout(0)
	if err := c3.Connect(a); !isErrno(err, unix.EAGAIN) {
		t.Errorf("non-blocking Connect on a full backlog = %v; want EAGAIN", err)
	}
}

func TestSendRecvStream(t *testing.T) {
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6, unix.AF_UNIX} {
		t.Run(FamilyName(fam), func(t *testing.T) {
			var c, s *Socket
			if fam == unix.AF_UNIX {
				c, s = mustPair(t, unix.SOCK_STREAM)
			} else {
				c, s = tcpPair(t, fam)
			}
			c.SetTimeout(10 * time.Second)
			s.SetTimeout(10 * time.Second)
			if n, err := c.Send([]byte("hello"), 0); n != 5 || err != nil {
				t.Fatalf("Send = %d, %v", n, err)
			}
			if got, err := s.Recv(2, unix.MSG_PEEK); err != nil || string(got) != "he" {
				t.Errorf("Recv(MSG_PEEK) = %q, %v", got, err)
			}
			buf := make([]byte, 3)
			if n, err := s.RecvInto(buf, 0); err != nil || string(buf[:n]) != "hel" {
				t.Errorf("RecvInto = %q, %v", buf[:n], err)
			}
			got, from, err := s.RecvFrom(10, 0)
			if err != nil || string(got) != "lo" {
				t.Errorf("RecvFrom = %q, %v", got, err)
			}
			if fam != unix.AF_UNIX && from != nil {
				t.Errorf("RecvFrom on a connected stream gave address %v; want none", from)
			}
			// Half-close: the peer sees end of stream, the other way works.
			if err := c.Shutdown(unix.SHUT_WR); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Recv(10, 0); err != nil || len(got) != 0 {
				t.Errorf("Recv after peer's SHUT_WR = %q, %v; want end of stream", got, err)
			}
			if _, err := c.Send([]byte("x"), 0); !isErrno(err, unix.EPIPE) {
				t.Errorf("Send after SHUT_WR = %v; want EPIPE", err)
			}
			if err := s.SendAll([]byte("back"), 0); err != nil {
				t.Fatal(err)
			}
			if got, err := c.Recv(10, 0); err != nil || string(got) != "back" {
				t.Errorf("Recv on the half-closed side = %q, %v", got, err)
			}
			if err := s.SendAll(nil, 0); err != nil {
				t.Errorf("SendAll(nil) = %v", err)
			}
		})
	}
}

func TestSendAll(t *testing.T) {
	a, b := mustPair(t, unix.SOCK_STREAM)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	errc := make(chan error, 1)
	go func() { errc <- a.SendAll(data, 0) }()
	var got []byte
	for len(got) < len(data) {
		p, err := b.Recv(100000, 0)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p...)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Error("received data differs")
	}
}

// TestSendAllTotalDeadline: the timeout bounds the whole SendAll. The peer
// reads one byte per call, so the sender waits only until the peer has
// consumed one small buffer (milliseconds) each time, while the whole 8 MiB
// takes seconds.
func TestSendAllTotalDeadline(t *testing.T) {
	a, b := mustPair(t, unix.SOCK_STREAM)
	a.SetsockoptInt(unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	b.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF, 4096)
	a.SetTimeout(300 * time.Millisecond)
	readerDone := make(chan int)
	go func() {
		buf := make([]byte, 1)
		total := 0
		for {
			n, err := b.RecvInto(buf, 0)
			if err != nil || n == 0 {
				readerDone <- total
				return
			}
			total += n
		}
	}()
	data := make([]byte, 8<<20)
	n, err := a.SendAllCount(data, 0)
	a.Close()
	read := <-readerDone
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("SendAllCount = %d, %v; want a timeout", n, err)
	}
	if n >= len(data) || read != n {
		t.Errorf("SendAllCount sent %d of %d bytes, the peer read %d; want a partial count that matches", n, len(data), read)
	}
}

func TestSendToRecvFromUDP(t *testing.T) {
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6} {
		t.Run(FamilyName(fam), func(t *testing.T) {
			r := mustNew(t, fam, unix.SOCK_DGRAM, 0)
			if err := r.Bind(loopback(fam)); err != nil {
				t.Fatal(err)
			}
			r.SetTimeout(10 * time.Second)
			ra, _ := r.SockName()
			s := mustNew(t, fam, unix.SOCK_DGRAM, 0)
			if err := s.Bind(loopback(fam)); err != nil {
				t.Fatal(err)
			}
			sa, _ := s.SockName()
			if n, err := s.SendTo([]byte("datagram"), 0, ra); n != 8 || err != nil {
				t.Fatalf("SendTo = %d, %v", n, err)
			}
			got, from, err := r.RecvFrom(100, 0)
			if err != nil || string(got) != "datagram" {
				t.Fatalf("RecvFrom = %q, %v", got, err)
			}
			if diff := cmp.Diff(sa, from, cmpAddr); diff != "" {
				t.Errorf("RecvFrom address (-want +got)\n%s", diff)
			}
			// A datagram longer than the buffer is cut.
			s.SendTo([]byte("0123456789"), 0, ra)
			buf := make([]byte, 4)
			n, from, err := r.RecvFromInto(buf, 0)
			if err != nil || n != 4 || string(buf) != "0123" || from.String() != sa.String() {
				t.Errorf("RecvFromInto = %d %q %v, %v", n, buf, from, err)
			}
			// Empty datagram.
			s.SendTo(nil, 0, ra)
			if got, _, err := r.RecvFrom(10, 0); err != nil || len(got) != 0 {
				t.Errorf("empty datagram: %q, %v", got, err)
			}
		})
	}
}

func TestSockPeerName(t *testing.T) {
	c, s := tcpPair(t, unix.AF_INET6)
	cs, err := c.SockName()
	if err != nil {
		t.Fatal(err)
	}
	sp, err := s.PeerName()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cs, sp, cmpAddr); diff != "" {
		t.Errorf("client SockName vs server PeerName (-want +got)\n%s", diff)
	}
	if a, ok := cs.(*Inet6Addr); !ok || a.IP != netip.IPv6Loopback() || a.Port == 0 {
		t.Errorf("SockName = %#v", cs)
	}
	u := mustNew(t, unix.AF_INET, unix.SOCK_STREAM, 0)
	if _, err := u.PeerName(); !isErrno(err, unix.ENOTCONN) {
		t.Errorf("PeerName unconnected = %v; want ENOTCONN", err)
	}
	if a, err := u.SockName(); err != nil || a.String() != "0.0.0.0:0" {
		t.Errorf("SockName unbound = %v, %v", a, err)
	}
	x := mustNew(t, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if a, err := x.SockName(); err != nil || *a.(*UnixAddr) != (UnixAddr{}) {
		t.Errorf("SockName unbound AF_UNIX = %#v, %v; want the empty UnixAddr", a, err)
	}
}

func TestUnixAddresses(t *testing.T) {
	dir := t.TempDir()
	long := func(n int) string { return dir + "/" + strings.Repeat("x", n-len(dir)-1) }
	tests := []struct {
		name    string
		addr    *UnixAddr
		wantErr bool
	}{
		{"abstract with NULs", &UnixAddr{Name: "\x00a\x00b\x00\x00"}, false},
		{"abstract 108 bytes", &UnixAddr{Name: "\x00" + strings.Repeat("y", 107)}, false},
		{"abstract 109 bytes", &UnixAddr{Name: "\x00" + strings.Repeat("y", 108)}, true},
		{"path 107 bytes", &UnixAddr{Name: long(107)}, false},
		{"path 108 bytes", &UnixAddr{Name: long(108)}, true},
		{"path with NUL", &UnixAddr{Name: dir + "/a\x00b"}, true},
		{"AbstractUnixAddr", AbstractUnixAddr("sockcore\x00test"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := mustNew(t, unix.AF_UNIX, unix.SOCK_STREAM, 0)
			err := l.Bind(tt.addr)
			if tt.wantErr {
				if err == nil {
					t.Fatal("Bind succeeded")
				}
				if !strings.Contains(err.Error(), "AF_UNIX") {
					t.Errorf("error %q does not say what is wrong", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := l.SockName()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.addr, got, cmpAddr); diff != "" {
				t.Errorf("SockName (-want +got)\n%s", diff)
			}
			l.Listen(1)
			c := mustNew(t, unix.AF_UNIX, unix.SOCK_STREAM, 0)
			if err := c.Connect(tt.addr); err != nil {
				t.Fatal(err)
			}
			p, _ := c.PeerName()
			if diff := cmp.Diff(tt.addr, p, cmpAddr); diff != "" {
				t.Errorf("PeerName (-want +got)\n%s", diff)
			}
		})
	}
	// A near miss of an abstract name is another name.
	l := mustNew(t, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	l.Bind(&UnixAddr{Name: "\x00sc\x00x"})
	l.Listen(1)
	c := mustNew(t, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err := c.Connect(&UnixAddr{Name: "\x00sc"}); !isErrno(err, unix.ECONNREFUSED) {
		t.Errorf("Connect to a prefix of the name = %v; want ECONNREFUSED", err)
	}
}

func TestUnixAutobind(t *testing.T) {
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_DGRAM} {
		s := mustNew(t, unix.AF_UNIX, typ, 0)
		if err := s.Bind(&UnixAddr{}); err != nil {
			t.Fatal(err)
		}
		a, err := s.SockName()
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^\x00[0-9a-f]{5}$`).MatchString(a.(*UnixAddr).Name) {
			t.Errorf("autobound name %q; want NUL and 5 hex digits", a.(*UnixAddr).Name)
		}
		if a.String() != "@"+a.(*UnixAddr).Name[1:] {
			t.Errorf("String() = %q", a)
		}
	}
}

func TestSockopt(t *testing.T) {
	s := mustNew(t, unix.AF_INET, unix.SOCK_STREAM, 0)
	t.Run("int", func(t *testing.T) {
		for _, v := range []int{1, 0} {
			if err := s.SetsockoptInt(unix.IPPROTO_TCP, unix.TCP_NODELAY, v); err != nil {
				t.Fatal(err)
			}
			if got, err := s.GetsockoptInt(unix.IPPROTO_TCP, unix.TCP_NODELAY); err != nil || got != v {
				t.Errorf("TCP_NODELAY = %d, %v; want %d", got, err, v)
			}
		}
		if _, err := s.GetsockoptInt(unix.SOL_SOCKET, 9999); !isErrno(err, unix.ENOPROTOOPT) {
			t.Errorf("unknown option = %v; want ENOPROTOOPT", err)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		if err := s.SetsockoptBytes(unix.IPPROTO_TCP, unix.TCP_CONGESTION, []byte("reno")); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetsockoptBytes(unix.IPPROTO_TCP, unix.TCP_CONGESTION, 16)
		if err != nil || string(bytes.TrimRight(got, "\x00")) != "reno" {
			t.Errorf("TCP_CONGESTION = %q, %v", got, err)
		}
		linger := make([]byte, 8)
		linger[0], linger[4] = 1, 7
		if err := s.SetsockoptBytes(unix.SOL_SOCKET, unix.SO_LINGER, linger); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetsockoptBytes(unix.SOL_SOCKET, unix.SO_LINGER, 1024); err != nil || !bytes.Equal(got, linger) {
			t.Errorf("SO_LINGER = %x, %v; want %x (the length the kernel wrote)", got, err, linger)
		}
	})
	t.Run("buflen", func(t *testing.T) {
		tests := []struct {
			buflen  int
			wantErr bool
		}{{-1, true}, {0, true}, {1, false}, {4, false}, {1024, false}, {1025, true}}
		for _, tt := range tests {
			got, err := s.GetsockoptBytes(unix.SOL_SOCKET, unix.SO_TYPE, tt.buflen)
			if (err != nil) != tt.wantErr {
				t.Errorf("buflen %d: %x, %v; want error %v", tt.buflen, got, err, tt.wantErr)
			}
			if err == nil && len(got) != min(tt.buflen, 4) {
				t.Errorf("buflen %d: %d bytes; want %d", tt.buflen, len(got), min(tt.buflen, 4))
			}
		}
	})
	t.Run("null", func(t *testing.T) {
		tests := []struct {
			name       string
			level, opt int
			optlen     int
			want       syscall.Errno
		}{
			{"SO_BINDTODEVICE unbind", unix.SOL_SOCKET, unix.SO_BINDTODEVICE, 0, 0},
			{"int option reads NULL", unix.SOL_SOCKET, unix.SO_RCVBUF, 4, unix.EFAULT},
			{"negative optlen", unix.SOL_SOCKET, unix.SO_RCVBUF, -1, unix.EINVAL},
		}
		for _, tt := range tests {
			err := s.SetsockoptNull(tt.level, tt.opt, tt.optlen)
			if tt.want == 0 && err != nil || tt.want != 0 && !isErrno(err, tt.want) {
				t.Errorf("%s: %v; want %v", tt.name, err, tt.want)
			}
		}
	})
}
