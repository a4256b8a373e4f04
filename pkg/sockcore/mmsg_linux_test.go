package sockcore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestRecvSendMMsg(t *testing.T) {
	srv, err := New(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Bind(&InetAddr{IP: netip.MustParseAddr("127.0.0.1")}); err != nil {
		t.Fatal(err)
	}
	addr, _ := srv.SockName()
	cli, err := New(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	if err := cli.Connect(addr); err != nil {
		t.Fatal(err)
	}
	want := []string{"one", "two", "three-is-longer-than-eight"}
	for _, m := range want {
		if _, err := cli.Send([]byte(m), 0); err != nil {
			t.Fatal(err)
		}
	}
	b := NewMMsgBatch(8, 8)
	got := 0
	for got < 3 {
		n, err := srv.RecvMMsg(b, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Move what arrived to the front of a second batch's view.
		for i := range n {
			if got+i >= 3 {
				break
			}
			m := want[got+i]
			if m8 := m[:min(8, len(m))]; string(b.Bufs[i][:b.N[i]]) != m8 {
				t.Errorf("message %d = %q, want %q", got+i, b.Bufs[i][:b.N[i]], m8)
			}
			if trunc := b.Flags[i]&unix.MSG_TRUNC != 0; trunc != (len(m) > 8) {
				t.Errorf("message %d: MSG_TRUNC %v", got+i, trunc)
			}
			from, err := b.From(i)
			if err != nil {
				t.Fatal(err)
			}
			cliAddr, _ := cli.SockName()
			if diff := cmp.Diff(cliAddr.String(), from.String()); diff != "" {
				t.Errorf("source (-want +got):\n%s", diff)
			}
		}
		// Echo the first two back in one sendmmsg.
		if got == 0 && n >= 2 {
			sent, err := srv.SendMMsg(b, []int{1, 0}, 0)
			if err != nil || sent != 2 {
				t.Fatalf("SendMMsg = %d, %v", sent, err)
			}
			for _, w := range []string{"two", "one"} {
				r, err := cli.Recv(64, 0)
				if err != nil || !bytes.Equal(r, []byte(w)) {
					t.Fatalf("echo = %q, %v; want %q", r, err, w)
				}
			}
		}
		got += n
	}
}

func TestSplice(t *testing.T) {
	a, b, err := Pair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	if err := a.SendAll([]byte("hello splice"), 0); err != nil {
		t.Fatal(err)
	}
	n, err := b.SpliceRecv(p[1], 1<<16)
	if err != nil || n != 12 {
		t.Fatalf("SpliceRecv = %d, %v", n, err)
	}
	if m, err := b.SpliceSend(p[0], n); err != nil || m != n {
		t.Fatalf("SpliceSend = %d, %v", m, err)
	}
	got, err := a.Recv(64, 0)
	if err != nil || string(got) != "hello splice" {
		t.Fatalf("Recv = %q, %v", got, err)
	}
	a.Shutdown(unix.SHUT_WR)
	if n, err := b.SpliceRecv(p[1], 1<<16); n != 0 || err != nil {
		t.Errorf("SpliceRecv after the peer's shutdown = %d, %v; want 0, nil", n, err)
	}
	b.SetTimeout(0)
	a2, b2, _ := Pair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	defer a2.Close()
	defer b2.Close()
	b2.SetTimeout(0)
	if _, err := b2.SpliceRecv(p[1], 1<<16); !errnoIs(err, unix.EAGAIN) {
		t.Errorf("non-blocking SpliceRecv on an empty socket: %v, want EAGAIN", err)
	}
}

func errnoIs(err error, e unix.Errno) bool { got, ok := errnoOf(err); return ok && got == e }

// TestRecvMMsgControl receives control messages per message: a descriptor
// (close-on-exec) with the first datagram, none with the second, and a
// truncated one (MSG_CTRUNC) with the third.
func TestRecvMMsgControl(t *testing.T) {
	a, b, err := Pair(unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := SendFDs(a, [][]byte{[]byte("fd")}, []int{int(f.Fd())}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send([]byte("plain"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := SendFDs(a, [][]byte{[]byte("two")}, []int{int(f.Fd()), int(f.Fd())}); err != nil {
		t.Fatal(err)
	}
	room, _ := CMSGLen(4) // one descriptor: of the third message's two, the kernel closes one
	batch := NewMMsgBatch(4, 16)
	batch.SetControlSize(room)
	var got []string
	var fds []int
	var ctrunc []bool
	for len(got) < 3 {
		n, err := b.RecvMMsg(batch, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			got = append(got, string(batch.Bufs[i][:batch.N[i]]))
			msgs, _ := batch.ControlMessages(i)
			fds = append(fds, len(FDsOf(msgs)))
			ctrunc = append(ctrunc, batch.Flags[i]&unix.MSG_CTRUNC != 0)
			for _, fd := range FDsOf(msgs) {
				flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
				if err != nil || flags&unix.FD_CLOEXEC == 0 {
					t.Errorf("message %d: received descriptor flags %#x, %v; want FD_CLOEXEC", i, flags, err)
				}
				unix.Close(fd)
			}
			if batch.Flags[i]&unix.MSG_CMSG_CLOEXEC != 0 {
				t.Errorf("message %d: flags %#x show MSG_CMSG_CLOEXEC, which the caller did not ask for", i, batch.Flags[i])
			}
		}
	}
	type res struct {
		Data   []string
		FDs    []int
		CTrunc []bool
	}
	want := res{[]string{"fd", "plain", "two"}, []int{1, 0, 1}, []bool{false, false, true}}
	if diff := cmp.Diff(want, res{got, fds, ctrunc}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	batch.SetControlSize(0)
	if msgs, _ := batch.ControlMessages(0); msgs != nil {
		t.Errorf("ControlMessages without control buffers = %v", msgs)
	}
}

// TestMMsgDontWait: MSG_DONTWAIT makes RecvMMsg and SendMMsg on a blocking
// socket return EAGAIN instead of waiting, as RecvMsg and SendMsg do.
func TestMMsgDontWait(t *testing.T) {
	a, b := mustPair(t, unix.SOCK_DGRAM)
	a.SetBlocking(true)
	b.SetBlocking(true)
	batch := NewMMsgBatch(2, 8)
	if _, err := b.RecvMMsg(batch, unix.MSG_DONTWAIT); !errnoIs(err, unix.EAGAIN) {
		t.Errorf("RecvMMsg(MSG_DONTWAIT) on an empty socket: %v, want EAGAIN", err)
	}
	// Fill a's send queue (b's receive queue) without waiting.
	batch.N[0] = 8
	batch.SetName(0, nil) // the connected peer
	var err error
	for i := 0; i < 1<<20 && err == nil; i++ {
		_, err = a.SendMMsg(batch, []int{0}, unix.MSG_DONTWAIT)
	}
	if !errnoIs(err, unix.EAGAIN) {
		t.Errorf("SendMMsg(MSG_DONTWAIT) on a full socket: %v, want EAGAIN", err)
	}
	if n, err := b.RecvMMsg(batch, unix.MSG_DONTWAIT); n != 2 || err != nil {
		t.Errorf("RecvMMsg(MSG_DONTWAIT) on a full socket = %d, %v; want 2, nil", n, err)
	}
}

// udpPair returns a UDP socket bound on loopback and a client connected to
// it.
func udpPair(t *testing.T) (srv, cli *Socket) {
	t.Helper()
	srv = mustNew(t, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err := srv.Bind(&InetAddr{IP: netip.MustParseAddr("127.0.0.1")}); err != nil {
		t.Fatal(err)
	}
	addr, _ := srv.SockName()
	cli = mustNew(t, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err := cli.Connect(addr); err != nil {
		t.Fatal(err)
	}
	cli.SetTimeout(10 * time.Second)
	return srv, cli
}

// TestRecvMMsgLoop echoes a ping-pong inside RecvMMsgLoop's callback, as
// echod does, in each wait mode: the callback sees every datagram once, in
// order, and RecvMMsgLoop returns nil when it says stop, with the last
// batch in b.
func TestRecvMMsgLoop(t *testing.T) {
	for _, tc := range []struct {
		name    string
		timeout time.Duration // -1: blocking mode
	}{
		{"forever", Forever}, // a short batch waits in the poller, without another recvmmsg
		{"timeout", 10 * time.Second},
		{"blocking", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, cli := udpPair(t)
			srv.SetTimeout(tc.timeout)
			const rounds = 50
			errc := make(chan error, 1)
			go func() {
				for i := range rounds {
					msg := []byte{'p', byte(i)}
					if _, err := cli.Send(msg, 0); err != nil {
						errc <- err
						return
					}
					got, err := cli.Recv(16, 0)
					if err != nil {
						errc <- err
						return
					}
					if !bytes.Equal(got, msg) {
						errc <- fmt.Errorf("round %d: echo %q, want %q", i, got, msg)
						return
					}
				}
				errc <- nil
			}()
			b := NewMMsgBatch(4, 16)
			var seen []byte
			err := srv.RecvMMsgLoop(b, 0, func(n int) bool {
				idx := make([]int, n)
				for i := range n {
					seen = append(seen, b.Bufs[i][1])
					idx[i] = i
				}
				if sent, err := srv.SendMMsg(b, idx, unix.MSG_DONTWAIT); sent != n || err != nil {
					t.Errorf("SendMMsg = %d, %v; want %d", sent, err, n)
					return false
				}
				return len(seen) < rounds
			})
			if err != nil {
				t.Fatalf("RecvMMsgLoop: %v", err)
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			want := make([]byte, rounds)
			for i := range want {
				want[i] = byte(i)
			}
			if diff := cmp.Diff(want, seen); diff != "" {
				t.Errorf("datagrams seen (-want +got):\n%s", diff)
			}
			if got := string(b.Bufs[0][:b.N[0]]); got != string([]byte{'p', rounds - 1}) {
				t.Errorf("last batch holds %q", got)
			}
		})
	}
}

// TestRecvMMsgLoopFullBatches: datagrams queued beyond the batch's size
// come in full batches, then a short one; a deadline (timeout mode) ends
// the loop when nothing more comes, and Close ends a loop in Forever.
func TestRecvMMsgLoopFullBatches(t *testing.T) {
	srv, cli := udpPair(t)
	for i := range 5 {
		if _, err := cli.Send([]byte{byte(i)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	srv.SetTimeout(Forever)
	b := NewMMsgBatch(2, 8)
	var sizes []int
	err := srv.RecvMMsgLoop(b, 0, func(n int) bool {
		sizes = append(sizes, n)
		return len(sizes) < 3
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2, 2, 1}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}

	srv.SetTimeout(time.Millisecond)
	err = srv.RecvMMsgLoop(b, 0, func(n int) bool {
		t.Errorf("callback with %d datagrams on an empty socket", n)
		return true
	})
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("RecvMMsgLoop past its deadline: %v, want os.ErrDeadlineExceeded", err)
	}

	srv.SetTimeout(Forever)
	done := make(chan error, 1)
	go func() { done <- srv.RecvMMsgLoop(b, 0, func(int) bool { return true }) }()
	srv.Close()
	if err := <-done; !errnoIs(err, unix.EBADF) {
		t.Errorf("RecvMMsgLoop on a closed socket: %v, want EBADF", err)
	}
	if err := srv.RecvMMsgLoop(b, 1<<40, nil); err == nil {
		t.Error("RecvMMsgLoop with flags beyond a C int: no error")
	}
}

// TestRecvMMsgLoopHeaders: the loop readies for the next receive only the
// headers a batch and its callback's sends used, so a send that pointed
// header 0 at another message's buffer, cut to that message's length,
// must not shape the next receive: a longer datagram after a short echo
// comes whole, into Bufs[0], with its source. Sends from the callback go
// directly on the loop's descriptor and report errors as the poller's
// path does (a wrong address family, a closed socket).
func TestRecvMMsgLoopHeaders(t *testing.T) {
	srv, cli := udpPair(t)
	srv.SetTimeout(Forever)
	for _, m := range []string{"aaaaa", "bbbbbb", "ccccccc"} {
		if _, err := cli.Send([]byte(m), 0); err != nil {
			t.Fatal(err)
		}
	}
	cliAddr, err := cli.SockName()
	if err != nil {
		t.Fatal(err)
	}
	long := bytes.Repeat([]byte("L"), 40)
	b := NewMMsgBatch(4, 64)
	b.SetControlSize(32)
	v6 := make([]byte, unix.SizeofSockaddrInet6)
	binary.NativeEndian.PutUint16(v6, unix.AF_INET6)
	round := 0
	err = srv.RecvMMsgLoop(b, 0, func(n int) bool {
		round++
		switch round {
		case 1:
			if n != 3 {
				t.Fatalf("first batch of %d, want 3", n)
			}
			// Echo only the third: header 0 now points at Bufs[2], 7 bytes.
			if sent, err := srv.SendMMsg(b, []int{2}, unix.MSG_DONTWAIT); sent != 1 || err != nil {
				t.Fatalf("SendMMsg = %d, %v", sent, err)
			}
			// The same error from the loop's direct send and from the
			// poller's path.
			saved := append([]byte(nil), b.Name(1)...)
			b.SetName(1, v6)
			_, errLoop := srv.SendMMsg(b, []int{1}, unix.MSG_DONTWAIT)
			if !errnoIs(errLoop, unix.EAFNOSUPPORT) {
				t.Errorf("SendMMsg to an IPv6 address from the callback: %v, want EAFNOSUPPORT", errLoop)
			}
			b.SetName(1, saved)
			if _, err := cli.Send(long, 0); err != nil {
				t.Fatal(err)
			}
			return true
		case 2:
			if n != 1 || b.N[0] != len(long) || !bytes.Equal(b.Bufs[0][:b.N[0]], long) || b.Flags[0]&unix.MSG_TRUNC != 0 {
				t.Fatalf("second batch: n=%d, Bufs[0] %q, flags %#x; want 1 datagram %q", n, b.Bufs[0][:b.N[0]], b.Flags[0], long)
			}
			if from, err := b.From(0); err != nil || from.String() != cliAddr.String() {
				t.Errorf("second batch from %v, %v; want %v", from, err, cliAddr)
			}
			if sent, err := srv.SendMMsg(b, []int{0}, unix.MSG_DONTWAIT); sent != 1 || err != nil {
				t.Fatalf("SendMMsg = %d, %v", sent, err)
			}
			// Close from another goroutine marks the Socket closed at
			// once and closes the descriptor when the loop's receive
			// lets go of it.
			closed := make(chan struct{})
			go func() { srv.Close(); close(closed) }()
			for srv.fd.Load() >= 0 {
				runtime.Gosched()
			}
			t.Cleanup(func() { <-closed })
			if _, err := srv.SendMMsg(b, []int{0}, unix.MSG_DONTWAIT); !errnoIs(err, unix.EBADF) {
				t.Errorf("SendMMsg from the callback after Close: %v, want EBADF", err)
			}
			return false
		}
		t.Fatalf("callback round %d", round)
		return false
	})
	if err != nil {
		t.Fatalf("RecvMMsgLoop: %v", err)
	}
	for _, want := range [][]byte{[]byte("ccccccc"), long} {
		got, err := cli.Recv(100, 0)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("echo %q, %v; want %q", got, err, want)
		}
	}
	// Outside the loop, the poller's path gives the same error.
	b2 := NewMMsgBatch(1, 8)
	b2.SetName(0, v6)
	other, _ := udpPair(t)
	if _, err := other.SendMMsg(b2, []int{0}, unix.MSG_DONTWAIT); !errnoIs(err, unix.EAFNOSUPPORT) {
		t.Errorf("SendMMsg to an IPv6 address: %v, want EAFNOSUPPORT", err)
	}
}
