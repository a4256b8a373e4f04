package families

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// rdsTransTCP is RDS_TRANS_TCP (linux/rds.h).
const rdsTransTCP = 2

func rdsPair(t *testing.T, port int, transport int) (a, b *sockcore.Socket, aa, ba sockcore.Addr) {
	t.Helper()
	aa = &sockcore.InetAddr{IP: netip.MustParseAddr("127.0.0.1"), Port: port}
	ba = &sockcore.InetAddr{IP: netip.MustParseAddr("127.0.0.1"), Port: port + 1}
	a = newSocket(t, unix.AF_RDS, unix.SOCK_SEQPACKET, 0)
	b = newSocket(t, unix.AF_RDS, unix.SOCK_SEQPACKET, 0)
	if transport >= 0 {
		intOption(t, a, "SO_RDS_TRANSPORT", transport)
		intOption(t, b, "SO_RDS_TRANSPORT", transport)
	}
	bind(t, a, aa)
	bind(t, b, ba)
	sameAddr(t, "getsockname after bind", aa, sockName(t, a))
	sameAddr(t, "getsockname after bind", ba, sockName(t, b))
	return a, b, aa, ba
}

// TestRDS: sendto and recvfrom between two RDS sockets on 127.0.0.1, first
// with the transport the kernel picks (loopback), then forced to TCP
// (rds_tcp).
func TestRDS(t *testing.T) {
	testenv.RequireVM(t)
	for _, tc := range []struct {
		name      string
		port      int
		transport int
	}{{"default", 4000, -1}, {"tcp", 4010, rdsTransTCP}} {
		t.Run(tc.name, func(t *testing.T) {
			a, b, aa, ba := rdsPair(t, tc.port, tc.transport)
			datagrams(t, a, b, aa, ba)
		})
	}
}

func TestRDSOptions(t *testing.T) {
	testenv.RequireVM(t)
	s := newSocket(t, unix.AF_RDS, unix.SOCK_SEQPACKET, 0)
	intOption(t, s, "RDS_RECVERR", 1)
	intOption(t, s, "RDS_RECVERR", 0)
	intOption(t, s, "SO_RDS_TRANSPORT", rdsTransTCP)
}
