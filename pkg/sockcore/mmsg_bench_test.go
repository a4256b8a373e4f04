package sockcore

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// echoPair returns a UDP socket on loopback in timeout mode with no
// deadline (Forever), as echod's datagram loop has it, with SO_RXQ_OVFL
// on, a batch as echod's, and a client descriptor connected to it: raw
// system calls, so that only the echo side allocates.
func echoPair(b *testing.B) (*Socket, *MMsgBatch, int) {
	srv, err := New(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	if err := srv.Bind(&InetAddr{IP: netip.MustParseAddr("127.0.0.1")}); err != nil {
		b.Fatal(err)
	}
	srv.SetTimeout(Forever)
	if err := srv.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1); err != nil {
		b.Fatal(err)
	}
	addr, _ := srv.SockName()
	cfd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { unix.Close(cfd) })
	if err := unix.Connect(cfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: addr.(*InetAddr).Port}); err != nil {
		b.Fatal(err)
	}
	batch := NewMMsgBatch(32, 2049)
	batch.SetControlSize(32)
	b.ReportAllocs()
	return srv, batch, cfd
}

// BenchmarkMMsgEcho is one 64-byte datagram echoed with RecvMMsg and
// SendMMsg.
func BenchmarkMMsgEcho(b *testing.B) {
	srv, batch, cfd := echoPair(b)
	msg := make([]byte, 64)
	idx := []int{0}
	for b.Loop() {
		if _, err := unix.Write(cfd, msg); err != nil {
			b.Fatal(err)
		}
		if n, err := srv.RecvMMsg(batch, 0); err != nil || n != 1 {
			b.Fatal(n, err)
		}
		if n, err := srv.SendMMsg(batch, idx, 0); err != nil || n != 1 {
			b.Fatal(n, err)
		}
		if _, err := unix.Read(cfd, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMMsgEchoLoop is the same echo inside RecvMMsgLoop, sent with
// MSG_DONTWAIT from its callback, as echod does. The next datagram is
// written before the callback returns, so that every round trip takes
// the poller's path that finds it at once: what chaining costs when the
// peer answers faster than the server (BenchmarkMMsgEcho's receive finds
// it without the poller).
func BenchmarkMMsgEchoLoop(b *testing.B) {
	srv, batch, cfd := echoPair(b)
	msg := make([]byte, 64)
	idx := []int{0}
	if _, err := unix.Write(cfd, msg); err != nil {
		b.Fatal(err)
	}
	i := 0
	err := srv.RecvMMsgLoop(batch, 0, func(n int) bool {
		if n != 1 {
			b.Fatalf("batch of %d", n)
		}
		if n, err := srv.SendMMsg(batch, idx, unix.MSG_DONTWAIT); err != nil || n != 1 {
			b.Fatal(n, err)
		}
		if _, err := unix.Read(cfd, msg); err != nil {
			b.Fatal(err)
		}
		if i++; i >= b.N {
			return false
		}
		if _, err := unix.Write(cfd, msg); err != nil {
			b.Fatal(err)
		}
		return true
	})
	if err != nil {
		b.Fatal(err)
	}
}
