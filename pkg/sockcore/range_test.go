package sockcore

import (
	"errors"
	"math"
	"net/netip"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRangeErrors feeds every range-checked integer a value that a C int
// (or the field's own range) cannot hold: each must fail with ErrRange (or
// the family's range error) before the system call, where the kernel would
// have seen it truncated.
func TestRangeErrors(t *testing.T) {
	ln := mustListen(t, unix.AF_INET, 1)
	c, _ := tcpPair(t, unix.AF_INET)
	big := 1<<32 + 1
	cases := []struct {
		name string
		fn   func() error
	}{
		{"shutdown how 1<<32+1", func() error { return c.Shutdown(big) }},
		{"shutdown how 2+1<<32", func() error { return c.Shutdown(2 + 1<<32) }},
		{"setsockopt value 1<<31", func() error { return c.SetsockoptInt(unix.SOL_SOCKET, unix.SO_REUSEADDR, 1<<31) }},
		{"setsockopt rcvbuf 1<<32+4096", func() error { return c.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF, 1<<32+4096) }},
		{"setsockopt level", func() error { return c.SetsockoptInt(big, unix.SO_REUSEADDR, 1) }},
		{"setsockopt option", func() error { return c.SetsockoptInt(unix.SOL_SOCKET, big, 1) }},
		{"setsockopt bytes level", func() error { return c.SetsockoptBytes(big, 1, []byte{1}) }},
		{"setsockopt null optlen", func() error { return c.SetsockoptNull(unix.SOL_SOCKET, 1, math.MaxUint32+1) }},
		{"getsockopt option", func() error { _, err := c.GetsockoptInt(unix.SOL_SOCKET, big); return err }},
		{"getsockopt bytes level", func() error { _, err := c.GetsockoptBytes(big, 1, 4); return err }},
		{"listen backlog 1<<31", func() error { return ln.Listen(1 << 31) }},
		{"send flags", func() error { _, err := c.Send([]byte("x"), big); return err }},
		{"sendall flags", func() error { return c.SendAll([]byte("x"), big) }},
		{"recv flags", func() error { _, err := c.Recv(1, big); return err }},
		{"sendmsg flags", func() error { _, err := c.SendMsg([][]byte{[]byte("x")}, nil, big, nil); return err }},
		{"recvmsg flags", func() error { _, _, _, _, err := c.RecvMsg(1, 0, big); return err }},
		{"socket family", func() error { _, err := New(big, unix.SOCK_STREAM, 0); return err }},
		{"socket proto", func() error { _, err := New(unix.AF_INET, unix.SOCK_STREAM, big); return err }},
		{"getaddrinfo family", func() error {
			h, p := "127.0.0.1", "1"
			_, err := GetAddrInfo(&h, &p, big, 0, 0, 0)
			return err
		}},
		{"getnameinfo flowinfo", func() error {
			_, _, err := GetNameInfo(&Inet6Addr{IP: netip.IPv6Loopback(), FlowInfo: 0xffffffff}, NI_NUMERICHOST)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.fn(); !errors.Is(err, ErrRange) {
				t.Errorf("got %v, want ErrRange", err)
			}
		})
	}
	// Nothing reached the kernel: the write side is still open.
	if _, err := c.Send([]byte("x"), 0); err != nil {
		t.Errorf("send after the refused shutdowns: %v", err)
	}
	if v, _ := c.GetsockoptInt(unix.SOL_SOCKET, unix.SO_REUSEADDR); v != 0 {
		t.Errorf("SO_REUSEADDR = %d after a refused setsockopt, want 0", v)
	}
}

func TestIfIndexToNameENXIO(t *testing.T) {
	if _, err := IfIndexToName(999999); !errors.Is(err, unix.ENXIO) {
		t.Errorf("IfIndexToName(999999) = %v, want ENXIO as glibc", err)
	}
}

// TestCreateConnectionProto: as Python, the socket is made with the
// protocol getaddrinfo returned, and Dup keeps it.
func TestCreateConnectionProto(t *testing.T) {
	ln := mustListen(t, unix.AF_INET, 1)
	a, err := ln.SockName()
	if err != nil {
		t.Fatal(err)
	}
	port := a.(*InetAddr).Port
	c, err := CreateConnection(t.Context(), "127.0.0.1", strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d, err := c.Dup()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if c.Proto() != unix.IPPROTO_TCP || d.Proto() != unix.IPPROTO_TCP {
		t.Errorf("Proto() = %d, Dup().Proto() = %d, want %d", c.Proto(), d.Proto(), unix.IPPROTO_TCP)
	}
}
