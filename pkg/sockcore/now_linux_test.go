package sockcore

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestRecvSendNow: one call each, never waiting, in every timeout mode; a
// deadline left from timeout mode is not reported as a timeout; a closed
// socket answers EBADF.
func TestRecvSendNow(t *testing.T) {
	modes := []struct {
		name string
		set  func(s *Socket)
	}{
		{"blocking", func(s *Socket) { s.SetBlocking(true) }},
		{"non-blocking", func(s *Socket) { s.SetTimeout(0) }},
		{"timeout", func(s *Socket) { s.SetTimeout(time.Hour) }},
		{"forever", func(s *Socket) { s.SetTimeout(Forever) }},
		{"expired deadline", func(s *Socket) {
			// A call in timeout mode leaves a deadline on the poller,
			// which then passes.
			s.SetTimeout(time.Nanosecond)
			var b [1]byte
			s.RecvInto(b[:], 0)
		}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			a, b, err := Pair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			defer b.Close()
			m.set(a)
			m.set(b)
			buf := make([]byte, 16)
			if _, err := a.RecvIntoNow(buf, 0); !errors.Is(err, unix.EAGAIN) {
				t.Fatalf("RecvIntoNow on an empty socket: %v, want EAGAIN", err)
			}
			if n, err := b.SendNow([]byte("hello"), 0); n != 5 || err != nil {
				t.Fatalf("SendNow: %d, %v", n, err)
			}
			if n, err := a.RecvIntoNow(buf, 0); n != 5 || err != nil || string(buf[:n]) != "hello" {
				t.Fatalf("RecvIntoNow: %q, %v", buf[:max(n, 0)], err)
			}
			// A full socket buffer: a short count or EAGAIN, never a wait.
			big := make([]byte, 1<<20)
			for {
				n, err := b.SendNow(big, 0)
				if errors.Is(err, unix.EAGAIN) {
					break
				}
				if err != nil || n <= 0 {
					t.Fatalf("SendNow into a filling buffer: %d, %v", n, err)
				}
			}
			a.Close()
			if _, err := a.RecvIntoNow(buf, 0); !errors.Is(err, unix.EBADF) {
				t.Fatalf("RecvIntoNow on a closed socket: %v, want EBADF", err)
			}
			if _, err := b.SendNow(buf, 0); !errors.Is(err, unix.EPIPE) && !errors.Is(err, unix.ECONNRESET) {
				t.Fatalf("SendNow to a closed peer: %v, want EPIPE", err)
			}
		})
	}
}
