package sockcore

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// TIPCAddr is an AF_TIPC address (struct sockaddr_tipc, linux/tipc.h):
// Python's (addr_type, v1, v2, v3[, scope]). The meaning of V1-V3 depends on
// AddrType, as in Python:
//
//	TIPC_ADDR_NAMESEQ: V1 service type, V2 lower instance, V3 upper instance
//	TIPC_ADDR_NAME:    V1 service type, V2 instance, V3 lookup domain
//	TIPC_ADDR_ID:      V1 node, V2 port reference, V3 unused (0)
//
// Scope is the binding scope (TIPC_ZONE_SCOPE, TIPC_CLUSTER_SCOPE,
// TIPC_NODE_SCOPE); the kernel treats anything but node scope as cluster
// scope, and getsockname(2) reports 0.
type TIPCAddr struct {
	AddrType   uint8
	V1, V2, V3 uint32
	Scope      int8
}

// sizeofSockaddrTIPC is sizeof(struct sockaddr_tipc): family, addrtype,
// scope and a 12-byte union.
const sizeofSockaddrTIPC = 16

// Family returns AF_TIPC.
func (a *TIPCAddr) Family() int { return unix.AF_TIPC }

func (a *TIPCAddr) String() string {
	switch a.AddrType {
	case unix.TIPC_ADDR_NAMESEQ:
		return fmt.Sprintf("{%d, %d, %d}", a.V1, a.V2, a.V3)
	case unix.TIPC_ADDR_NAME:
		return fmt.Sprintf("{%d, %d}", a.V1, a.V2)
	case unix.TIPC_ADDR_ID:
		return fmt.Sprintf("<%x:%d>", a.V1, a.V2)
	}
	return fmt.Sprintf("tipc(%d, %d, %d, %d)", a.AddrType, a.V1, a.V2, a.V3)
}

func (a *TIPCAddr) sockaddr() ([]byte, error) {
	b := make([]byte, sizeofSockaddrTIPC)
	putFamily(b, unix.AF_TIPC)
	b[2] = a.AddrType
	b[3] = byte(a.Scope)
	switch a.AddrType {
	case unix.TIPC_ADDR_NAMESEQ, unix.TIPC_ADDR_NAME:
		// struct tipc_service_range {type, lower, upper} and
		// struct tipc_name {type, instance} + domain share the layout.
		binary.NativeEndian.PutUint32(b[4:], a.V1)
		binary.NativeEndian.PutUint32(b[8:], a.V2)
		binary.NativeEndian.PutUint32(b[12:], a.V3)
	case unix.TIPC_ADDR_ID:
		// struct tipc_socket_addr {ref, node}: Python's v1 is the node.
		binary.NativeEndian.PutUint32(b[4:], a.V2)
		binary.NativeEndian.PutUint32(b[8:], a.V1)
	default:
		return nil, fmt.Errorf("sockcore: TIPC address type %d is not TIPC_ADDR_NAMESEQ, TIPC_ADDR_NAME or TIPC_ADDR_ID", a.AddrType)
	}
	return b, nil
}

func decodeTIPC(b []byte) (Addr, error) {
	if len(b) < sizeofSockaddrTIPC {
		return nil, fmt.Errorf("sockcore: AF_TIPC sockaddr of %d bytes", len(b))
	}
	a := &TIPCAddr{AddrType: b[2], Scope: int8(b[3])}
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[i:]) }
	switch a.AddrType {
	case unix.TIPC_ADDR_ID:
		a.V1, a.V2 = u(8), u(4)
	default:
		a.V1, a.V2, a.V3 = u(4), u(8), u(12)
	}
	return a, nil
}
