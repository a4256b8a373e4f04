package families

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

var sctpAddrs = []struct {
	name   string
	family int
	addr   func(port int) sockcore.Addr
}{
	{"ipv4", unix.AF_INET, func(port int) sockcore.Addr {
		return &sockcore.InetAddr{IP: netip.MustParseAddr("127.0.0.1"), Port: port}
	}},
	{"ipv6", unix.AF_INET6, func(port int) sockcore.Addr {
		return &sockcore.Inet6Addr{IP: netip.MustParseAddr("::1"), Port: port}
	}},
}

// TestSCTPStream: one-to-one style (SOCK_STREAM, IPPROTO_SCTP).
func TestSCTPStream(t *testing.T) {
	testenv.RequireVM(t)
	for i, fam := range sctpAddrs {
		t.Run(fam.name, func(t *testing.T) {
			srvAddr := fam.addr(5200 + i)
			srv := newSocket(t, fam.family, unix.SOCK_STREAM, unix.IPPROTO_SCTP)
			bind(t, srv, srvAddr)
			sameAddr(t, "getsockname after bind", srvAddr, sockName(t, srv))
			cli := newSocket(t, fam.family, unix.SOCK_STREAM, unix.IPPROTO_SCTP)
			conn, connAddr := connectAccept(t, srv, cli, srvAddr)
			sameAddr(t, "client getpeername", srvAddr, peerName(t, cli))
			sameAddr(t, "accepted address = client getsockname", sockName(t, cli), connAddr)
			if conn.Proto() != unix.IPPROTO_SCTP {
				t.Errorf("accepted socket protocol %d, want IPPROTO_SCTP", conn.Proto())
			}
			converse(t, cli, conn)
		})
	}
}

// TestSCTPSeqpacket: one-to-many style (SOCK_SEQPACKET): the first sendto
// sets up the association, recvfrom names the peer.
func TestSCTPSeqpacket(t *testing.T) {
	testenv.RequireVM(t)
	for i, fam := range sctpAddrs {
		t.Run(fam.name, func(t *testing.T) {
			srvAddr, cliAddr := fam.addr(5210+i), fam.addr(5220+i)
			srv := newSocket(t, fam.family, unix.SOCK_SEQPACKET, unix.IPPROTO_SCTP)
			bind(t, srv, srvAddr)
			if err := srv.Listen(5); err != nil {
				t.Fatal(err)
			}
			cli := newSocket(t, fam.family, unix.SOCK_SEQPACKET, unix.IPPROTO_SCTP)
			bind(t, cli, cliAddr)
			sameAddr(t, "getsockname after bind", cliAddr, sockName(t, cli))
			datagrams(t, cli, srv, cliAddr, srvAddr)
		})
	}
}

func TestSCTPOptions(t *testing.T) {
	testenv.RequireVM(t)
	s := newSocket(t, unix.AF_INET, unix.SOCK_STREAM, unix.IPPROTO_SCTP)
	intOption(t, s, "SCTP_NODELAY", 1)
	intOption(t, s, "SCTP_NODELAY", 0)
	intOption(t, s, "SCTP_DISABLE_FRAGMENTS", 1)
	intOption(t, s, "SCTP_I_WANT_MAPPED_V4_ADDR", 0)
	if _, err := s.GetsockoptBytes(sockcore.SOL_SCTP, 2, 8); err != nil { // SCTP_INITMSG
		t.Errorf("SCTP_INITMSG: %v", err)
	}
}
