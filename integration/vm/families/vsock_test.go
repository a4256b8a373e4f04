package families

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// TestVSockStream: a stream over vsock_loopback (VMADDR_CID_LOCAL).
func TestVSockStream(t *testing.T) {
	testenv.RequireVM(t)
	srvAddr := &sockcore.VSockAddr{CID: unix.VMADDR_CID_LOCAL, Port: 5100}
	srv := newSocket(t, unix.AF_VSOCK, unix.SOCK_STREAM, 0)
	bind(t, srv, srvAddr)
	sameAddr(t, "getsockname after bind", srvAddr, sockName(t, srv))
	cli := newSocket(t, unix.AF_VSOCK, unix.SOCK_STREAM, 0)
	conn, connAddr := connectAccept(t, srv, cli, srvAddr)
	sameAddr(t, "client getpeername", srvAddr, peerName(t, cli))
	// The client is bound to VMADDR_CID_ANY and the port it was given; the
	// server sees it as VMADDR_CID_LOCAL and that port.
	local := sockName(t, cli).(*sockcore.VSockAddr)
	sameAddr(t, "accepted address", &sockcore.VSockAddr{CID: unix.VMADDR_CID_LOCAL, Port: local.Port}, connAddr)
	if local.CID != unix.VMADDR_CID_ANY || local.Port == unix.VMADDR_PORT_ANY {
		t.Errorf("client getsockname %v: want VMADDR_CID_ANY and a bound port", local)
	}
	converse(t, cli, conn)
}

// TestVSockBufferOptions: the 64-bit SO_VM_SOCKETS_BUFFER_* options at level
// AF_VSOCK, through the typed helpers and as raw 8-byte values.
func TestVSockBufferOptions(t *testing.T) {
	testenv.RequireVM(t)
	s := newSocket(t, unix.AF_VSOCK, unix.SOCK_STREAM, 0)
	for _, tc := range []struct {
		name string
		v    uint64
	}{
		{"SO_VM_SOCKETS_BUFFER_MAX_SIZE", 1 << 20},
		{"SO_VM_SOCKETS_BUFFER_MIN_SIZE", 4096},
		{"SO_VM_SOCKETS_BUFFER_SIZE", 65536},
	} {
		t.Run(tc.name, func(t *testing.T) {
			level, opt, ok := sockcore.SockoptByName(tc.name)
			if !ok || level != unix.AF_VSOCK {
				t.Fatalf("SockoptByName(%s) = %d, %d, %v", tc.name, level, opt, ok)
			}
			if err := s.SetsockoptUint64(level, opt, tc.v); err != nil {
				t.Fatal(err)
			}
			got, err := s.GetsockoptUint64(level, opt)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.v {
				t.Errorf("%s = %d after setting %d", tc.name, got, tc.v)
			}
			raw, err := s.GetsockoptBytes(level, opt, 8)
			if err != nil {
				t.Fatal(err)
			}
			if len(raw) != 8 {
				t.Errorf("%s is %d bytes, want 8", tc.name, len(raw))
			}
		})
	}
	// A 4-byte value is refused: the options are 64-bit.
	if err := s.SetsockoptInt(unix.AF_VSOCK, unix.SO_VM_SOCKETS_BUFFER_SIZE, 4096); err == nil {
		t.Error("a 4-byte SO_VM_SOCKETS_BUFFER_SIZE was accepted")
	}
}

// TestVSockLocalCID: IOCTL_VM_SOCKETS_GET_LOCAL_CID on /dev/vsock. The guest
// has no virtio-vsock device, only the loopback transport, whose CID is
// VMADDR_CID_LOCAL (6.1 and 6.12 both answer so).
func TestVSockLocalCID(t *testing.T) {
	testenv.RequireVM(t)
	cid, err := sockcore.VSockLocalCID()
	if err != nil {
		t.Fatal(err)
	}
	if cid != unix.VMADDR_CID_LOCAL {
		t.Errorf("local CID %d, want VMADDR_CID_LOCAL (1), the loopback transport's", cid)
	}
}
