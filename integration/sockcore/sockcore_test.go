// Package sockcore_test is the host-integration tier for pkg/sockcore: each
// test gets its own network namespaces joined by veth (root).
package sockcore_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
	"golang.org/x/sys/unix"
)

// twoHosts returns a server and a client namespace joined by veth0 (server,
// 10.1.0.1, fd00::1, fe80::1) and veth1 (client, 10.1.0.2, fd00::2, fe80::2).
func twoHosts(t *testing.T) (srv, cli *testenv.NetNS) {
	t.Helper()
	srv, cli = testenv.NewNetNS(t), testenv.NewNetNS(t)
	testenv.Veth(t, srv, cli,
		[]string{"10.1.0.1/24", "fd00::1/64", "fe80::1/64"},
		[]string{"10.1.0.2/24", "fd00::2/64", "fe80::2/64"})
	return srv, cli
}

// in runs fn inside ns and fails the test on error.
func in(t *testing.T, ns *testenv.NetNS, fn func() error) {
	t.Helper()
	if err := ns.Do(fn); err != nil {
		t.Fatal(err)
	}
}

// TestCreateServerDualStack: a dual-stack server (IPV6_V6ONLY=0) accepts
// IPv4 and IPv6 clients from another namespace; without dual stack
// (IPV6_V6ONLY=1, set explicitly) the IPv4 client is refused.
func TestCreateServerDualStack(t *testing.T) {
	srv, cli := twoHosts(t)
	// With the namespace's default flipped, IPV6_V6ONLY=0 on the dual-stack
	// server shows it was set explicitly (the unit tests show the same for
	// IPV6_V6ONLY=1 under the default 0).
	if out, err := srv.Command("sysctl", "-qw", "net.ipv6.bindv6only=1").CombinedOutput(); err != nil {
		t.Fatalf("sysctl net.ipv6.bindv6only=1: %v: %s", err, out)
	}
	var dual, v6only *sockcore.Socket
	in(t, srv, func() (err error) {
		if dual, err = sockcore.CreateServer("", "8080", sockcore.WithDualStack()); err != nil {
			return err
		}
		v6only, err = sockcore.CreateServer("", "8081", sockcore.WithServerFamily(unix.AF_INET6))
		return err
	})
	defer dual.Close()
	defer v6only.Close()
	for _, tt := range []struct {
		s    *sockcore.Socket
		want int
	}{{dual, 0}, {v6only, 1}} {
		if v, err := tt.s.GetsockoptInt(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY); err != nil || v != tt.want {
			t.Errorf("IPV6_V6ONLY = %d, %v; want %d", v, err, tt.want)
		}
	}
	dual.SetTimeout(10 * time.Second)
	tests := []struct {
		host     string
		wantPeer string
	}{
		{"10.1.0.1", "::ffff:10.1.0.2"},
		{"fd00::1", "fd00::2"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			var c *sockcore.Socket
			in(t, cli, func() (err error) {
				c, err = sockcore.CreateConnection(context.Background(), tt.host, "8080", sockcore.WithTimeout(10*time.Second))
				return err
			})
			defer c.Close()
			s, peer, err := dual.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := peer.(*sockcore.Inet6Addr).IP.String(); got != tt.wantPeer {
				t.Errorf("peer %v; want %s", peer, tt.wantPeer)
			}
			if err := c.SendAll([]byte("over veth"), 0); err != nil {
				t.Fatal(err)
			}
			s.SetTimeout(10 * time.Second)
			if got, err := s.Recv(100, 0); err != nil || string(got) != "over veth" {
				t.Errorf("Recv = %q, %v", got, err)
			}
		})
	}
	in(t, cli, func() error {
		_, err := sockcore.CreateConnection(context.Background(), "10.1.0.1", "8081", sockcore.WithTimeout(10*time.Second))
		if !errors.Is(err, unix.ECONNREFUSED) {
			t.Errorf("IPv4 client of an IPV6_V6ONLY server: %v; want ECONNREFUSED", err)
		}
		return nil
	})
}

// TestCreateConnectionUnreachable: each way an address can fail is
// reported with the address: a route that rejects at once, a neighbour
// that never answers (the timeout), and a refused port; and ConnectEx
// gives EWOULDBLOCK when its timeout expires. Falling through several
// addresses of one host is TestCreateConnectionFallThrough in the unit
// tier (the interim GetAddrInfo gives one address per host).
func TestCreateConnectionUnreachable(t *testing.T) {
	srv, cli := twoHosts(t)
	cli.MustIP(t, "route", "add", "unreachable", "10.9.0.0/24")
	var l *sockcore.Socket
	in(t, srv, func() (err error) {
		l, err = sockcore.CreateServer("10.1.0.1", "9000")
		return err
	})
	defer l.Close()
	tests := []struct {
		name    string
		host    string
		port    string
		timeout time.Duration
		want    error
	}{
		{"unreachable route", "10.9.0.1", "80", 10 * time.Second, unix.EHOSTUNREACH},
		{"silent neighbour", "10.1.0.99", "80", 200 * time.Millisecond, os.ErrDeadlineExceeded},
		{"refused", "10.1.0.1", "81", 10 * time.Second, unix.ECONNREFUSED},
		{"listening", "10.1.0.1", "9000", 10 * time.Second, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in(t, cli, func() error {
				s, err := sockcore.CreateConnection(context.Background(), tt.host, tt.port, sockcore.WithTimeout(tt.timeout))
				if tt.want == nil {
					if err != nil {
						t.Errorf("CreateConnection: %v", err)
					} else {
						s.Close()
					}
					return nil
				}
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.host) {
					t.Errorf("CreateConnection(%s) = %v; want %v naming the address", tt.host, err, tt.want)
				}
				return nil
			})
		})
	}
	in(t, cli, func() error {
		s, err := sockcore.New(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err != nil {
			return err
		}
		defer s.Close()
		s.SetTimeout(200 * time.Millisecond)
		if e := s.ConnectEx(&sockcore.InetAddr{IP: netip.MustParseAddr("10.1.0.99"), Port: 80}); e != unix.EWOULDBLOCK {
			t.Errorf("ConnectEx to a silent neighbour = %v; want EWOULDBLOCK", e)
		}
		n, err := sockcore.New(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
		if err != nil {
			return err
		}
		defer n.Close()
		if err := n.Connect(&sockcore.InetAddr{IP: netip.MustParseAddr("10.1.0.99"), Port: 80}); !errors.Is(err, unix.EINPROGRESS) {
			t.Errorf("non-blocking Connect = %v; want EINPROGRESS", err)
		}
		return nil
	})
}

// TestCreateConnectionCancel: cancelling the context ends a connect that
// would otherwise wait (blocking mode, silent neighbour).
func TestCreateConnectionCancel(t *testing.T) {
	_, cli := twoHosts(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- cli.Do(func() error {
			_, err := sockcore.CreateConnection(ctx, "10.1.0.99", "80")
			return err
		})
	}()
	waitConnecting(t)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("CreateConnection after cancel = %v; want context.Canceled", err)
	}
}

// waitConnecting waits until a goroutine is parked in the poller inside
// sockcore's connect.
func waitConnecting(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); runtime.Gosched() {
		n := runtime.Stack(buf, true)
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			if strings.Contains(g, "[IO wait") && strings.Contains(g, "sockcore.(*Socket).connect") {
				return
			}
		}
	}
	t.Fatal("no connect is waiting")
}

// TestUDPLinkLocalScope: link-local IPv6 needs the scope id; RecvFrom
// reports the peer's with the receiving interface's index, and the
// %iface form resolves inside the namespace.
func TestUDPLinkLocalScope(t *testing.T) {
	srv, cli := twoHosts(t)
	var r *sockcore.Socket
	var rIndex int
	in(t, srv, func() (err error) {
		ifi, err := net.InterfaceByName("veth0")
		if err != nil {
			return err
		}
		rIndex = ifi.Index
		if r, err = sockcore.New(unix.AF_INET6, unix.SOCK_DGRAM, 0); err != nil {
			return err
		}
		return r.Bind(&sockcore.Inet6Addr{IP: netip.MustParseAddr("fe80::1"), Port: 5353, ScopeID: uint32(rIndex)})
	})
	defer r.Close()
	r.SetTimeout(10 * time.Second)
	var sIndex int
	in(t, cli, func() error {
		ifi, err := net.InterfaceByName("veth1")
		if err != nil {
			return err
		}
		sIndex = ifi.Index
		s, err := sockcore.New(unix.AF_INET6, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.Bind(&sockcore.Inet6Addr{IP: netip.MustParseAddr("fe80::2"), Port: 6000, ScopeID: uint32(sIndex)}); err != nil {
			return err
		}
		u, err := sockcore.New(unix.AF_INET6, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer u.Close()
		if err := u.Connect(&sockcore.Inet6Addr{IP: netip.MustParseAddr("fe80::1"), Port: 5353}); !errors.Is(err, unix.EINVAL) {
			t.Errorf("Connect to a link-local address without scope = %v; want EINVAL", err)
		}
		if _, err := s.SendTo([]byte("by index"), 0, &sockcore.Inet6Addr{IP: netip.MustParseAddr("fe80::1"), Port: 5353, ScopeID: uint32(sIndex)}); err != nil {
			return err
		}
		_, err = s.SendTo([]byte("by name"), 0, &sockcore.Inet6Addr{IP: netip.MustParseAddr("fe80::1%veth1"), Port: 5353})
		return err
	})
	for _, want := range []string{"by index", "by name"} {
		got, from, err := r.RecvFrom(100, 0)
		if err != nil {
			t.Fatal(err)
		}
		f := from.(*sockcore.Inet6Addr)
		if string(got) != want || f.IP != netip.MustParseAddr("fe80::2") || f.Port != 6000 || int(f.ScopeID) != rIndex {
			t.Errorf("RecvFrom = %q from %+v; want %q from fe80::2 port 6000 scope %d", got, f, want, rIndex)
		}
	}
}
