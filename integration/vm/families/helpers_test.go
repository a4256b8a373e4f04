package families

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// msg is CPython test_socket's MSG.
var msg = []byte("Michael Gilfix was here\u1234\r\n")

func newSocket(t *testing.T, family, typ, proto int) *sockcore.Socket {
	t.Helper()
	s, err := sockcore.New(family, typ, proto)
	if err != nil {
		t.Fatalf("New(%d, %d, %d): %v", family, typ, proto, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func bind(t *testing.T, s *sockcore.Socket, a sockcore.Addr) {
	t.Helper()
	if err := s.Bind(a); err != nil {
		t.Fatalf("bind %v: %v", a, err)
	}
}

func sockName(t *testing.T, s *sockcore.Socket) sockcore.Addr {
	t.Helper()
	a, err := s.SockName()
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	return a
}

func peerName(t *testing.T, s *sockcore.Socket) sockcore.Addr {
	t.Helper()
	a, err := s.PeerName()
	if err != nil {
		t.Fatalf("getpeername: %v", err)
	}
	return a
}

func sameAddr(t *testing.T, what string, want, got sockcore.Addr) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

func send(t *testing.T, s *sockcore.Socket, b []byte) {
	t.Helper()
	if err := s.SendAll(b, 0); err != nil {
		t.Fatalf("send: %v", err)
	}
}

func sendTo(t *testing.T, s *sockcore.Socket, b []byte, to sockcore.Addr) {
	t.Helper()
	if n, err := s.SendTo(b, 0, to); err != nil || n != len(b) {
		t.Fatalf("sendto %v: %d, %v", to, n, err)
	}
}

func recv(t *testing.T, s *sockcore.Socket) []byte {
	t.Helper()
	b, err := s.Recv(65536, 0)
	if err != nil {
		t.Fatalf("recv: %v", err)
	}
	return b
}

func recvFrom(t *testing.T, s *sockcore.Socket) ([]byte, sockcore.Addr) {
	t.Helper()
	b, a, err := s.RecvFrom(65536, 0)
	if err != nil {
		t.Fatalf("recvfrom: %v", err)
	}
	return b, a
}

func sameBytes(t *testing.T, what string, want, got []byte) {
	t.Helper()
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// intOption sets an int option and reads it back.
func intOption(t *testing.T, s *sockcore.Socket, name string, v int) {
	t.Helper()
	level, opt, ok := sockcore.SockoptByName(name)
	if !ok {
		t.Fatalf("SockoptByName(%s) unknown", name)
	}
	if err := s.SetsockoptInt(level, opt, v); err != nil {
		t.Fatalf("setsockopt %s=%d: %v", name, v, err)
	}
	got, err := s.GetsockoptInt(level, opt)
	if err != nil {
		t.Fatalf("getsockopt %s: %v", name, err)
	}
	if got != v {
		t.Errorf("%s = %d after setting %d", name, got, v)
	}
}

// datagrams sends msg from a to bAddr and a reply from b back to the sender
// address b saw, which must be aAddr; the reply must come from bAddr.
func datagrams(t *testing.T, a, b *sockcore.Socket, aAddr, bAddr sockcore.Addr) {
	t.Helper()
	sendTo(t, a, msg, bAddr)
	got, from := recvFrom(t, b)
	sameBytes(t, "message", msg, got)
	sameAddr(t, "sender", aAddr, from)
	sendTo(t, b, []byte("reply"), from)
	got, from = recvFrom(t, a)
	sameBytes(t, "reply", []byte("reply"), got)
	sameAddr(t, "replier", bAddr, from)
}

// converse sends msg from cli to conn and a reply back.
func converse(t *testing.T, cli, conn *sockcore.Socket) {
	t.Helper()
	send(t, cli, msg)
	sameBytes(t, "message", msg, recv(t, conn))
	send(t, conn, []byte("reply"))
	sameBytes(t, "reply", []byte("reply"), recv(t, cli))
}

// connectAccept listens on srv, connects cli to addr from another goroutine
// (a TIPC connect completes only when the server accepts, as in CPython's
// threaded test) and returns the accepted socket and the address accept gave.
func connectAccept(t *testing.T, srv, cli *sockcore.Socket, addr sockcore.Addr) (*sockcore.Socket, sockcore.Addr) {
	t.Helper()
	if err := srv.Listen(5); err != nil {
		t.Fatalf("listen: %v", err)
	}
	connected := make(chan error, 1)
	go func() { connected <- cli.Connect(addr) }()
	conn, connAddr, err := srv.Accept()
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := <-connected; err != nil {
		t.Fatalf("connect %v: %v", addr, err)
	}
	return conn, connAddr
}
