package sockcore

import (
	"errors"
	"github.com/google/go-cmp/cmp/cmpopts"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// mustPair returns a connected AF_UNIX pair of type typ, closed after the test.
func mustPair(t testing.TB, typ int) (*Socket, *Socket) {
	t.Helper()
	a, b, err := Pair(unix.AF_UNIX, typ, 0)
	if err != nil {
		t.Fatalf("Pair: %v", err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// mustNew is New that fails the test on error and closes after it.
func mustNew(t testing.TB, family, typ, proto int) *Socket {
	t.Helper()
	s, err := New(family, typ, proto)
	if err != nil {
		t.Fatalf("New(%d, %d, %d): %v", family, typ, proto, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// loopback returns the loopback address with port 0 for family.
func loopback(family int) Addr {
	if family == unix.AF_INET6 {
		return &Inet6Addr{IP: netip.IPv6Loopback()}
	}
	return &InetAddr{IP: netip.MustParseAddr("127.0.0.1")}
}

// mustListen returns a TCP listener on loopback of family.
func mustListen(t testing.TB, family, backlog int) *Socket {
	t.Helper()
	l := mustNew(t, family, unix.SOCK_STREAM, 0)
	if err := l.Bind(loopback(family)); err != nil {
		t.Fatalf("Bind: %v", err)
	}
	if err := l.Listen(backlog); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	return l
}

// tcpPair returns a connected client and the accepted server socket.
func tcpPair(t testing.TB, family int) (client, server *Socket) {
	t.Helper()
	l := mustListen(t, family, 1)
	addr, err := l.SockName()
	if err != nil {
		t.Fatal(err)
	}
	c := mustNew(t, family, unix.SOCK_STREAM, 0)
	if err := c.Connect(addr); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	s, _, err := l.Accept()
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return c, s
}

// openFDs lists the descriptors open in this process.
func openFDs(t testing.TB) map[int]bool {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	m := map[int]bool{}
	for _, e := range ents {
		var n int
		for _, c := range e.Name() {
			n = n*10 + int(c-'0')
		}
		// The directory's own descriptor is in the listing and closed
		// by now.
		if fdOpen(n) {
			m[n] = true
		}
	}
	return m
}

// fdOpen reports whether fd is an open descriptor.
func fdOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

// isErrno reports whether err unwraps to errno.
func isErrno(err error, errno syscall.Errno) bool { return errors.Is(err, errno) }

// waitBlocked waits until a goroutine whose stack mentions fn is parked in
// the poller ("IO wait") or in a system call (blocking mode): the event a test waits on before it wakes the
// call, instead of sleeping.
func waitBlocked(t testing.TB, fn string) {
	t.Helper()
	buf := make([]byte, 1<<20)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if blockedNowBuf(fn, buf) {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("no goroutine blocked in %s", fn)
}

func blockedNowBuf(fn string, buf []byte) bool {
	n := runtime.Stack(buf, true)
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		// "IO wait": in the poller; "syscall": in the kernel (blocking mode).
		if (strings.Contains(g, "[IO wait") || strings.Contains(g, "[syscall")) && strings.Contains(g, fn) {
			return true
		}
	}
	return false
}

// result is what a goroutine running a blocking call reports.
type result struct {
	b   []byte
	err error
}

// goRecv runs s.Recv(n, 0) in a goroutine.
func goRecv(s *Socket, n int) chan result {
	ch := make(chan result, 1)
	go func() {
		b, err := s.Recv(n, 0)
		ch <- result{b, err}
	}()
	return ch
}

// cmpAddr lets cmp.Diff compare addresses holding netip.Addr.
var cmpAddr = cmpopts.EquateComparable(netip.Addr{})

func runtimeStack(buf []byte) int { return runtime.Stack(buf, true) }
