package sockcore

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"

	"golang.org/x/net/nettest"
	"golang.org/x/sys/unix"
)

// TestConnConformance runs x/net's net.Conn conformance suite (deadlines,
// concurrent close, ordering) over the adapter.
func TestConnConformance(t *testing.T) {
	for _, fam := range []int{unix.AF_UNIX, unix.AF_INET, unix.AF_INET6} {
		t.Run(FamilyName(fam), func(t *testing.T) {
			nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
				var a, b *Socket
				if fam == unix.AF_UNIX {
					a, b, err = Pair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
					if err != nil {
						return nil, nil, nil, err
					}
				} else {
					a, b = tcpPair(t, fam)
				}
				c1, c2 = a.Conn(), b.Conn()
				return c1, c2, func() { c1.Close(); c2.Close() }, nil
			})
		})
	}
}

func TestListenerAdapter(t *testing.T) {
	l := mustListen(t, unix.AF_INET6, 4)
	ln := l.Listener()
	if got, ok := ln.Addr().(*net.TCPAddr); !ok || !got.IP.Equal(net.IPv6loopback) || got.Port == 0 {
		t.Fatalf("Addr() = %#v", ln.Addr())
	}
	errc := make(chan error, 1)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			errc <- err
			return
		}
		defer c.Close()
		_, err = c.Write([]byte("over net.Conn"))
		errc <- err
	}()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "over net.Conn" {
		t.Errorf("ReadAll = %q, %v", got, err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if c.RemoteAddr().String() == "" || c.LocalAddr().(*net.TCPAddr).Port != ln.Addr().(*net.TCPAddr).Port {
		t.Errorf("addresses local %v remote %v", c.LocalAddr(), c.RemoteAddr())
	}
	// Accept blocked in another goroutine returns net.ErrClosed on Close.
	acc := make(chan error, 1)
	go func() { _, err := ln.Accept(); acc <- err }()
	waitBlocked(t, "TestListenerAdapter.func2")
	ln.Close()
	if err := <-acc; !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close = %v; want net.ErrClosed", err)
	}
}

func TestReaderWriter(t *testing.T) {
	a, b := mustPair(t, unix.SOCK_STREAM)
	data := bytes.Repeat([]byte("abc"), 100000)
	errc := make(chan error, 1)
	go func() {
		_, err := io.Copy(a, bytes.NewReader(data))
		a.Shutdown(unix.SHUT_WR)
		errc <- err
	}()
	got, err := io.ReadAll(b)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("ReadAll: %d bytes, %v; want %d bytes", len(got), err, len(data))
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n, err := b.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v", n, err)
	}
	// Datagrams: an empty datagram is not the end of the stream.
	x, y := mustPair(t, unix.SOCK_DGRAM)
	x.Write(nil)
	if n, err := y.Read(make([]byte, 4)); n != 0 || err != nil {
		t.Errorf("Read of an empty datagram = %d, %v; want 0, nil", n, err)
	}
}
