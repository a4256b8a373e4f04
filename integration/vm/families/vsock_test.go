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
	if err := srv.Listen(5); err != nil {
		t.Fatal(err)
	}
	cli := newSocket(t, unix.AF_VSOCK, unix.SOCK_STREAM, 0)
	if err := cli.Connect(srvAddr); err != nil {
		t.Fatalf("connect %v: %v", srvAddr, err)
	}
	conn, connAddr, err := srv.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sameAddr(t, "client getpeername", srvAddr, peerName(t, cli))
	sameAddr(t, "accepted address = client getsockname", sockName(t, cli), connAddr)
	if a := connAddr.(*sockcore.VSockAddr); a.CID != unix.VMADDR_CID_LOCAL || a.Port == unix.VMADDR_PORT_ANY {
		t.Errorf("client address %v: want CID 1 and a bound port", a)
	}
	send(t, cli, msg)
	sameBytes(t, "message", msg, recv(t, conn))
	send(t, conn, []byte("reply"))
	sameBytes(t, "reply", []byte("reply"), recv(t, cli))
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
// has only the loopback transport (no virtio-vsock device), for which the
// kernel answers VMADDR_CID_ANY.
func TestVSockLocalCID(t *testing.T) {
	testenv.RequireVM(t)
	cid, err := sockcore.VSockLocalCID()
	if err != nil {
		t.Fatal(err)
	}
	if cid != unix.VMADDR_CID_ANY {
		t.Errorf("local CID %d, want VMADDR_CID_ANY (%d) without a guest-to-host transport", cid, uint32(unix.VMADDR_CID_ANY))
	}
}
