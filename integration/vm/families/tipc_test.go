package families

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// CPython test_socket's TIPC service: TIPC_STYPE, TIPC_LOWER, TIPC_UPPER.
const (
	tipcType  = 2000
	tipcLower = 200
	tipcUpper = 210
)

var (
	tipcSrvAddr  = &sockcore.TIPCAddr{AddrType: unix.TIPC_ADDR_NAMESEQ, V1: tipcType, V2: tipcLower, V3: tipcUpper, Scope: unix.TIPC_CLUSTER_SCOPE}
	tipcSendAddr = &sockcore.TIPCAddr{AddrType: unix.TIPC_ADDR_NAME, V1: tipcType, V2: tipcLower + (tipcUpper-tipcLower)/2}
)

// TestTIPCRDM is CPython's TIPCTest.testRDM: a reliable datagram to the
// middle of the server's name sequence arrives from the client's socket ID.
func TestTIPCRDM(t *testing.T) {
	testenv.RequireVM(t)
	srv := newSocket(t, unix.AF_TIPC, unix.SOCK_RDM, 0)
	cli := newSocket(t, unix.AF_TIPC, unix.SOCK_RDM, 0)
	intOption(t, srv, "SO_REUSEADDR", 1)
	bind(t, srv, tipcSrvAddr)
	sendTo(t, cli, msg, tipcSendAddr)
	got, from := recvFrom(t, srv)
	sameBytes(t, "message", msg, got)
	sameAddr(t, "sender address = client getsockname", sockName(t, cli), from)
	if a, ok := from.(*sockcore.TIPCAddr); !ok || a.AddrType != unix.TIPC_ADDR_ID {
		t.Errorf("sender address %#v is not TIPC_ADDR_ID", from)
	}
	// The answer goes back to the socket ID.
	sendTo(t, srv, []byte("answer"), from)
	got, from = recvFrom(t, cli)
	sameBytes(t, "answer", []byte("answer"), got)
	sameAddr(t, "answer from the server's getsockname", sockName(t, srv), from)
}

// TestTIPCConnected is CPython's TIPCThreadableTest for SOCK_STREAM, and the
// same for SOCK_SEQPACKET: accept returns the client's getsockname.
func TestTIPCConnected(t *testing.T) {
	testenv.RequireVM(t)
	for _, typ := range []struct {
		name string
		typ  int
	}{{"stream", unix.SOCK_STREAM}, {"seqpacket", unix.SOCK_SEQPACKET}} {
		t.Run(typ.name, func(t *testing.T) {
			srv := newSocket(t, unix.AF_TIPC, typ.typ, 0)
			intOption(t, srv, "SO_REUSEADDR", 1)
			bind(t, srv, tipcSrvAddr)
			cli := newSocket(t, unix.AF_TIPC, typ.typ, 0)
			conn, connAddr := connectAccept(t, srv, cli, tipcSendAddr)
			sameAddr(t, "accepted address = client getsockname", sockName(t, cli), connAddr)
			sameAddr(t, "client getpeername = connection getsockname", sockName(t, conn), peerName(t, cli))
			converse(t, cli, conn)
		})
	}
}

func TestTIPCOptions(t *testing.T) {
	testenv.RequireVM(t)
	s := newSocket(t, unix.AF_TIPC, unix.SOCK_STREAM, 0)
	intOption(t, s, "TIPC_IMPORTANCE", unix.TIPC_HIGH_IMPORTANCE)
	intOption(t, s, "TIPC_IMPORTANCE", unix.TIPC_CRITICAL_IMPORTANCE)
	intOption(t, s, "TIPC_CONN_TIMEOUT", 5000)
	// The droppable flags are for connectionless sockets: a stream refuses
	// them (ENOPROTOOPT).
	level, opt, _ := sockcore.SockoptByName("TIPC_SRC_DROPPABLE")
	if err := s.SetsockoptInt(level, opt, 1); !errors.Is(err, unix.ENOPROTOOPT) {
		t.Errorf("TIPC_SRC_DROPPABLE on a stream: %v, want ENOPROTOOPT", err)
	}
	rdm := newSocket(t, unix.AF_TIPC, unix.SOCK_RDM, 0)
	intOption(t, rdm, "TIPC_SRC_DROPPABLE", 1)
	intOption(t, rdm, "TIPC_DEST_DROPPABLE", 1)
	intOption(t, rdm, "TIPC_DEST_DROPPABLE", 0)
	if _, err := s.GetsockoptInt(unix.SOL_TIPC, unix.TIPC_SOCK_RECVQ_DEPTH); err != nil {
		t.Errorf("TIPC_SOCK_RECVQ_DEPTH: %v", err)
	}
}
