package sockcore

import (
	"bytes"
	"net/netip"
	"testing"

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

func errnoIs(err error, e unix.Errno) bool { return errnoOf(err) == e }
