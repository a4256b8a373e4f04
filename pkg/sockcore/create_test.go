package sockcore

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// portOf returns the port of an INET or INET6 address.
func portOf(a Addr) int {
	switch v := a.(type) {
	case *InetAddr:
		return v.Port
	case *Inet6Addr:
		return v.Port
	}
	return -1
}

// closedPort returns a loopback address of family on which nothing listens.
func closedPort(t *testing.T, family int) Addr {
	t.Helper()
	l := mustListen(t, family, 1)
	a, _ := l.SockName()
	l.Close()
	return a
}

// withAddrs makes CreateConnection see addrs for any host.
func withAddrs(t *testing.T, addrs ...Addr) {
	t.Helper()
	old := resolveConnect
	t.Cleanup(func() { resolveConnect = old })
	resolveConnect = func(host, port *string, family, typ, proto, flags int) ([]AddrInfo, error) {
		var out []AddrInfo
		for _, a := range addrs {
			if family == 0 || family == a.Family() {
				out = append(out, AddrInfo{Family: a.Family(), Type: typ, Proto: proto, Addr: a})
			}
		}
		return out, nil
	}
}

func TestCreateConnection(t *testing.T) {
	l := mustListen(t, unix.AF_INET, 8)
	la, _ := l.SockName()
	port := strconv.Itoa(portOf(la))
	t.Run("connects", func(t *testing.T) {
		s, err := CreateConnection(context.Background(), "127.0.0.1", port)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		p, _ := s.PeerName()
		if diff := cmp.Diff(la, p, cmpAddr); diff != "" {
			t.Errorf("PeerName (-want +got)\n%s", diff)
		}
		if d, set := s.Timeout(); set {
			t.Errorf("Timeout() = %v, true; want the default (blocking)", d)
		}
		a, _, _ := l.Accept()
		a.Close()
	})
	t.Run("timeout and control", func(t *testing.T) {
		called := 0
		s, err := CreateConnection(context.Background(), "127.0.0.1", port,
			WithTimeout(7*time.Second), WithNumericHost(),
			WithControl(func(s *Socket) error { called++; return s.SetsockoptInt(unix.IPPROTO_TCP, unix.TCP_NODELAY, 1) }))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if d, set := s.Timeout(); !set || d != 7*time.Second {
			t.Errorf("Timeout() = %v, %v; want 7s", d, set)
		}
		if v, _ := s.GetsockoptInt(unix.IPPROTO_TCP, unix.TCP_NODELAY); v != 1 || called != 1 {
			t.Errorf("TCP_NODELAY %d after %d control calls", v, called)
		}
		a, _, _ := l.Accept()
		a.Close()
	})
	t.Run("control error", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := CreateConnection(context.Background(), "127.0.0.1", port, WithControl(func(*Socket) error { return boom }))
		if !errors.Is(err, boom) {
			t.Errorf("CreateConnection = %v; want the control error", err)
		}
	})
	t.Run("source address", func(t *testing.T) {
		s, err := CreateConnection(context.Background(), "127.0.0.1", port, WithSource("127.0.0.2", "0"))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		a, from, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		if got := from.(*InetAddr).IP; got != netip.MustParseAddr("127.0.0.2") {
			t.Errorf("server saw the client at %v; want 127.0.0.2", from)
		}
	})
	t.Run("source port alone", func(t *testing.T) {
		// Python: source_address=("", PORT) binds the any address.
		src := func() string {
			tmp, err := CreateServer("127.0.0.1", "0")
			if err != nil {
				t.Fatal(err)
			}
			defer tmp.Close()
			a, _ := tmp.SockName()
			return fmt.Sprint(a.(*InetAddr).Port)
		}()
		s, err := CreateConnection(context.Background(), "127.0.0.1", port, WithSource("", src))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		a, from, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		if got := fmt.Sprint(from.(*InetAddr).Port); got != src {
			t.Errorf("server saw the client at %v; want port %s", from, src)
		}
	})
	t.Run("source of another family", func(t *testing.T) {
		_, err := CreateConnection(context.Background(), "127.0.0.1", port, WithSource("::1", "0"))
		var gai *GAIError
		if !errors.As(err, &gai) {
			t.Errorf("CreateConnection = %v; want a GAIError (no address of the source's family)", err)
		}
	})
	t.Run("datagram", func(t *testing.T) {
		s, err := CreateConnection(context.Background(), "127.0.0.1", "9", WithType(unix.SOCK_DGRAM))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if s.Type() != unix.SOCK_DGRAM {
			t.Errorf("Type() = %d", s.Type())
		}
		if p, err := s.PeerName(); err != nil || portOf(p) != 9 {
			t.Errorf("PeerName = %v, %v", p, err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		c := closedPort(t, unix.AF_INET)
		_, err := CreateConnection(context.Background(), "127.0.0.1", strconv.Itoa(portOf(c)))
		if !isErrno(err, unix.ECONNREFUSED) || !strings.Contains(err.Error(), c.String()) {
			t.Errorf("CreateConnection = %v; want ECONNREFUSED naming %v", err, c)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := CreateConnection(ctx, "127.0.0.1", port); !errors.Is(err, context.Canceled) {
			t.Errorf("CreateConnection = %v; want context.Canceled", err)
		}
	})
}

// TestCreateConnectionFallThrough: every address is tried in order until
// one connects; when none does the error names each with its reason.
func TestCreateConnectionFallThrough(t *testing.T) {
	l6 := mustListen(t, unix.AF_INET6, 4)
	good, _ := l6.SockName()
	bad4, bad6 := closedPort(t, unix.AF_INET), closedPort(t, unix.AF_INET6)

	withAddrs(t, bad4, bad6, good)
	s, err := CreateConnection(context.Background(), "multi.example", "0")
	if err != nil {
		t.Fatalf("CreateConnection over %v, %v, %v: %v", bad4, bad6, good, err)
	}
	p, _ := s.PeerName()
	s.Close()
	if diff := cmp.Diff(good, p, cmpAddr); diff != "" {
		t.Errorf("connected to (-want +got)\n%s", diff)
	}

	withAddrs(t, bad4, bad6)
	_, err = CreateConnection(context.Background(), "multi.example", "0")
	var ce *ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("CreateConnection = %v; want a *ConnectError", err)
	}
	if diff := cmp.Diff([]string{bad4.String(), bad6.String()}, ce.Tried); diff != "" {
		t.Errorf("Tried (-want +got)\n%s", diff)
	}
	for _, a := range []Addr{bad4, bad6} {
		if !strings.Contains(err.Error(), a.String()) {
			t.Errorf("error %q does not name %v", err, a)
		}
	}
	if !isErrno(err, unix.ECONNREFUSED) {
		t.Errorf("errors.Is(%v, ECONNREFUSED) is false", err)
	}
	if !strings.Contains(err.Error(), "multi.example") {
		t.Errorf("error %q does not name the host", err)
	}

	// WithFamily keeps only that family's addresses.
	withAddrs(t, bad6, good, bad4)
	_, err = CreateConnection(context.Background(), "multi.example", "0", WithFamily(unix.AF_INET))
	if errors.As(err, &ce) || !strings.Contains(err.Error(), bad4.String()) {
		t.Errorf("CreateConnection(AF_INET) = %v; want the one AF_INET address's error", err)
	}
}

func TestCreateServer(t *testing.T) {
	type opts struct {
		ReuseAddr, ReusePort, Listening int
		V6Only                          int // -1: not AF_INET6
		Family                          int
	}
	get := func(t *testing.T, s *Socket) opts {
		t.Helper()
		g := func(level, opt int) int {
			v, err := s.GetsockoptInt(level, opt)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		o := opts{g(unix.SOL_SOCKET, unix.SO_REUSEADDR), g(unix.SOL_SOCKET, unix.SO_REUSEPORT), g(unix.SOL_SOCKET, unix.SO_ACCEPTCONN), -1, s.Family()}
		if s.Family() == unix.AF_INET6 {
			o.V6Only = g(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY)
		}
		return o
	}
	tests := []struct {
		name     string
		host     string
		opts     []ServerOption
		want     opts
		wantHost string
	}{
		{"ipv4", "127.0.0.1", nil, opts{1, 0, 1, -1, unix.AF_INET}, "127.0.0.1"},
		{"any", "", nil, opts{1, 0, 1, -1, unix.AF_INET}, "0.0.0.0"},
		{"ipv6 only", "::1", nil, opts{1, 0, 1, 1, unix.AF_INET6}, "::1"},
		{"ipv6 family", "", []ServerOption{WithServerFamily(unix.AF_INET6)}, opts{1, 0, 1, 1, unix.AF_INET6}, "::"},
		{"dual stack", "", []ServerOption{WithDualStack()}, opts{1, 0, 1, 0, unix.AF_INET6}, "::"},
		{"reuse port", "127.0.0.1", []ServerOption{WithReusePort()}, opts{1, 1, 1, -1, unix.AF_INET}, "127.0.0.1"},
		{"datagram", "127.0.0.1", []ServerOption{WithServerType(unix.SOCK_DGRAM)}, opts{0, 0, 0, -1, unix.AF_INET}, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := CreateServer(tt.host, "0", tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if diff := cmp.Diff(tt.want, get(t, s)); diff != "" {
				t.Errorf("options (-want +got)\n%s", diff)
			}
			a, _ := s.SockName()
			var ip netip.Addr
			switch v := a.(type) {
			case *InetAddr:
				ip = v.IP
			case *Inet6Addr:
				ip = v.IP
			}
			if ip.String() != tt.wantHost || portOf(a) == 0 {
				t.Errorf("bound to %v; want %s and a port", a, tt.wantHost)
			}
		})
	}
	t.Run("default backlog", func(t *testing.T) {
		s, err := CreateServer("127.0.0.1", "0")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		a, _ := s.SockName()
		if got := listenBacklog(t, portOf(a)); got != DefaultBacklog {
			t.Errorf("backlog %d; want %d", got, DefaultBacklog)
		}
		s2, err := CreateServer("127.0.0.1", "0", WithBacklog(5))
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		a2, _ := s2.SockName()
		if got := listenBacklog(t, portOf(a2)); got != 5 {
			t.Errorf("WithBacklog(5): backlog %d", got)
		}
	})
	t.Run("two servers share a port with SO_REUSEPORT", func(t *testing.T) {
		s1, err := CreateServer("127.0.0.1", "0", WithReusePort())
		if err != nil {
			t.Fatal(err)
		}
		defer s1.Close()
		a, _ := s1.SockName()
		p := strconv.Itoa(portOf(a))
		s2, err := CreateServer("127.0.0.1", p, WithReusePort())
		if err != nil {
			t.Fatalf("second server on port %s: %v", p, err)
		}
		s2.Close()
		if s3, err := CreateServer("127.0.0.1", p); !isErrno(err, unix.EADDRINUSE) {
			if s3 != nil {
				s3.Close()
			}
			t.Errorf("third server without SO_REUSEPORT = %v; want EADDRINUSE", err)
		}
	})
	t.Run("dual stack accepts IPv4", func(t *testing.T) {
		s, err := CreateServer("", "0", WithDualStack())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		a, _ := s.SockName()
		c := mustNew(t, unix.AF_INET, unix.SOCK_STREAM, 0)
		if err := c.Connect(&InetAddr{IP: netip.MustParseAddr("127.0.0.1"), Port: portOf(a)}); err != nil {
			t.Fatal(err)
		}
		x, from, err := s.Accept()
		if err != nil {
			t.Fatal(err)
		}
		x.Close()
		if got := from.(*Inet6Addr).IP; got != netip.MustParseAddr("::ffff:127.0.0.1") {
			t.Errorf("peer %v; want ::ffff:127.0.0.1", from)
		}
	})
	t.Run("dual stack needs AF_INET6", func(t *testing.T) {
		if s, err := CreateServer("", "0", WithDualStack(), WithServerFamily(unix.AF_INET)); err == nil {
			s.Close()
			t.Error("dual stack with AF_INET succeeded")
		}
	})
	t.Run("bind error names the address", func(t *testing.T) {
		s, err := CreateServer("127.0.0.1", "0")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		a, _ := s.SockName()
		_, err = CreateServer("127.0.0.1", strconv.Itoa(portOf(a)))
		if !isErrno(err, unix.EADDRINUSE) || !strings.Contains(err.Error(), a.String()) {
			t.Errorf("CreateServer on a used port = %v; want EADDRINUSE naming %v", err, a)
		}
	})
	if !HasDualStackIPv6() {
		t.Error("HasDualStackIPv6() = false on a host with IPv6")
	}
}

// The lookup is by type only (getaddrinfo knows no IPPROTO_MPTCP); the
// protocol reaches socket() alone, as in Python.
func TestCreateWithProtoMPTCP(t *testing.T) {
	srv, err := CreateServer("127.0.0.1", "0", WithServerProto(IPPROTO_MPTCP))
	var nse *NotSupportedError
	if errors.As(err, &nse) {
		t.Skipf("kernel without MPTCP: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if got, _ := srv.GetsockoptInt(unix.SOL_SOCKET, unix.SO_PROTOCOL); got != IPPROTO_MPTCP {
		t.Errorf("server SO_PROTOCOL = %d; want IPPROTO_MPTCP", got)
	}
	a, err := srv.SockName()
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(a.(*InetAddr).Port)
	c, err := CreateConnection(context.Background(), "127.0.0.1", port, WithProto(IPPROTO_MPTCP), WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, _ := c.GetsockoptInt(unix.SOL_SOCKET, unix.SO_PROTOCOL); got != IPPROTO_MPTCP {
		t.Errorf("client SO_PROTOCOL = %d; want IPPROTO_MPTCP", got)
	}
}
