package sockcore

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestHotPathAllocs: the calls of an event loop's round trip (Poll, then
// RecvIntoNow and SendNow on the ready socket) allocate nothing, in every
// way Poll returns. A closure per call was three allocations each: echod's
// reactor at 16 ping-pong connections then ran the garbage collector twice
// a second (issue #17).
func TestHotPathAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop entries")
	}
	a, b, ep := hotPath(t)
	buf := make([]byte, 64)
	evs := make([]EpollEvent, 8)
	check := func(name string, f func() error) {
		t.Helper()
		var ferr error
		n := testing.AllocsPerRun(200, func() {
			if err := f(); err != nil && ferr == nil {
				ferr = err
			}
		})
		if ferr != nil {
			t.Fatalf("%s: %v", name, ferr)
		}
		if n != 0 {
			t.Errorf("%s: %v allocations a run, want 0", name, n)
		}
	}
	// roundTrip: send, Poll says b is readable, receive it all.
	roundTrip := func(timeout time.Duration) func() error {
		return func() error {
			if _, err := a.SendNow(buf, 0); err != nil {
				return err
			}
			if n, err := ep.Poll(evs, timeout); err != nil || n != 1 || evs[0].Token != 1 {
				return fmt.Errorf("Poll: %d events %v, %v", n, evs[:n], err)
			}
			if n, err := b.RecvIntoNow(buf, 0); err != nil || n != len(buf) {
				return fmt.Errorf("RecvIntoNow: %d, %v", n, err)
			}
			return nil
		}
	}
	check("round trip, Poll without timeout", roundTrip(-1))
	// A timeout sets the poller's deadline; data is ready, so no wait.
	check("round trip, Poll with a timeout", roundTrip(time.Hour))
	check("round trip, Poll not waiting", roundTrip(0))
	check("Poll woken", func() error {
		ep.Wake()
		if n, err := ep.Poll(evs, -1); err != nil || n != 0 {
			return fmt.Errorf("Poll: %d events, %v", n, err)
		}
		return nil
	})
	check("Poll, nothing ready", func() error {
		if n, err := ep.Poll(evs, 0); err != nil || n != 0 {
			return fmt.Errorf("Poll: %d events, %v", n, err)
		}
		return nil
	})
	// SendAll and RecvInto, the calls of a goroutine per connection, in
	// every timeout mode (they were five allocations each).
	for _, mode := range timeoutModes {
		a.SetTimeout(mode.timeout)
		b.SetTimeout(mode.timeout)
		check("SendAll and RecvInto, "+mode.name, func() error {
			if err := a.SendAll(buf, 0); err != nil {
				return err
			}
			if n, err := b.RecvInto(buf, 0); err != nil || n != len(buf) {
				return fmt.Errorf("RecvInto: %d, %v", n, err)
			}
			return nil
		})
	}
	a.SetTimeout(0)
	b.SetTimeout(0)
}

// TestDatagramAllocs: SendTo with an address and RecvFromInto, the calls
// of a datagram server or client, allocate two things, in every timeout
// mode: the destination's sockaddr (Addr.sockaddr) and the source Addr
// returned. Their system calls went through io's closures, seven
// allocations in all.
func TestDatagramAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop entries")
	}
	var socks [2]*Socket
	for i := range socks {
		s, err := New(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Bind(&InetAddr{IP: netip.MustParseAddr("127.0.0.1")}); err != nil {
			t.Fatal(err)
		}
		socks[i] = s
	}
	a, b := socks[0], socks[1]
	to, err := b.SockName()
	if err != nil {
		t.Fatal(err)
	}
	from, err := a.SockName()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	for _, mode := range timeoutModes {
		a.SetTimeout(mode.timeout)
		b.SetTimeout(mode.timeout)
		var ferr error
		var src Addr
		n := testing.AllocsPerRun(200, func() {
			if _, err := a.SendTo(buf, 0, to); err != nil {
				ferr = err
				return
			}
			var got int
			var err error
			got, src, err = b.RecvFromInto(buf, 0)
			if (err != nil || got != len(buf)) && ferr == nil {
				ferr = fmt.Errorf("RecvFromInto: %d, %v; want %d", got, err, len(buf))
			}
		})
		if ferr != nil {
			t.Fatalf("%s: %v", mode.name, ferr)
		}
		if src == nil || src.String() != from.String() {
			t.Fatalf("%s: RecvFromInto: from %v, want %v", mode.name, src, from)
		}
		if n > 2 {
			t.Errorf("%s: %v allocations a SendTo and RecvFromInto, want 2", mode.name, n)
		}
	}
}

// timeoutModes are a Socket's four ways of waiting, for the tests that
// run a call in each (SetTimeout's argument).
var timeoutModes = []struct {
	name    string
	timeout time.Duration
}{{"non-blocking", 0}, {"timeout mode", time.Hour}, {"no deadline, through the poller", Forever}, {"blocking mode, in the kernel", -1}}

// BenchmarkHotPath: one round trip of an event loop over a socket pair
// (SendNow, Poll, RecvIntoNow), with its allocations.
func BenchmarkHotPath(b *testing.B) {
	x, y, ep := hotPath(b)
	buf := make([]byte, 64)
	evs := make([]EpollEvent, 8)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x.SendNow(buf, 0); err != nil {
			b.Fatal(err)
		}
		if n, err := ep.Poll(evs, -1); err != nil || n != 1 {
			b.Fatal(n, err)
		}
		if _, err := y.RecvIntoNow(buf, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// hotPath returns a connected stream pair, non-blocking, and an Epoll
// watching the second for input with token 1, closed when tb ends.
func hotPath(tb testing.TB) (*Socket, *Socket, *Epoll) {
	tb.Helper()
	a, b, err := Pair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close(); b.Close() })
	ep, err := NewEpoll()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ep.Close() })
	if err := ep.Register(b, unix.EPOLLIN, 1); err != nil {
		tb.Fatal(err)
	}
	a.SetTimeout(0)
	b.SetTimeout(0)
	return a, b, ep
}
