package families

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// TestQIPCRTR: an unbound socket has port 0; bind gives the port asked for;
// connect autobinds the client, whose datagram arrives from that address.
func TestQIPCRTR(t *testing.T) {
	testenv.RequireVM(t)
	cli := newSocket(t, unix.AF_QIPCRTR, unix.SOCK_DGRAM, 0)
	unbound, ok := sockName(t, cli).(*sockcore.QIPCRTRAddr)
	if !ok {
		t.Fatalf("getsockname %#v is not a QIPCRTRAddr", sockName(t, cli))
	}
	if unbound.Port != 0 {
		t.Errorf("unbound socket has port %d, want 0", unbound.Port)
	}
	srvAddr := &sockcore.QIPCRTRAddr{Node: unbound.Node, Port: 0x5000}
	srv := newSocket(t, unix.AF_QIPCRTR, unix.SOCK_DGRAM, 0)
	bind(t, srv, srvAddr)
	sameAddr(t, "getsockname after bind", srvAddr, sockName(t, srv))

	if err := cli.Connect(srvAddr); err != nil {
		t.Fatalf("connect %v: %v", srvAddr, err)
	}
	bound := sockName(t, cli).(*sockcore.QIPCRTRAddr)
	if bound.Port == 0 || bound.Node != unbound.Node {
		t.Errorf("after connect getsockname %v: want node %d and a port", bound, unbound.Node)
	}
	sameAddr(t, "getpeername", srvAddr, peerName(t, cli))
	datagrams(t, cli, srv, bound, srvAddr)
}
