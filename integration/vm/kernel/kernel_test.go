package kernel

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
)

// timeout bounds every wait for a packet; the guest runs under TCG, so it is
// generous.
const timeout = 10 * time.Second

// socket opens a socket and closes it when the test ends.
func socket(t *testing.T, family, typ, proto int, hint string) int {
	t.Helper()
	fd, err := unix.Socket(family, typ|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		t.Fatalf("socket(%d, %d, %d): %v (%s)", family, typ, proto, err, hint)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// wait blocks until fd is readable or the timeout passes.
func wait(t *testing.T, fd int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("fd %d: nothing to read after %v", fd, timeout)
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, int(left/time.Millisecond)+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			t.Fatalf("poll fd %d: %v", fd, err)
		}
		if n > 0 {
			return
		}
	}
}

// read waits for fd to be readable and reads at most n bytes.
func read(t *testing.T, fd, n int) []byte {
	t.Helper()
	wait(t, fd)
	b := make([]byte, n)
	m, err := unix.Read(fd, b)
	if err != nil {
		t.Fatalf("read fd %d: %v", fd, err)
	}
	return b[:m]
}

func TestInterfaces(t *testing.T) {
	testenv.RequireVM(t)
	for _, name := range []string{"vcan0", "vcan1", "vxcan0", "vxcan1"} {
		t.Run(name, func(t *testing.T) {
			ifi, err := net.InterfaceByName(name)
			if err != nil {
				t.Fatalf("interface %s: %v (the guest init creates it)", name, err)
			}
			if ifi.Flags&net.FlagUp == 0 {
				t.Errorf("interface %s is down", name)
			}
		})
	}
}

// TestSocketOpens opens one socket per family, type and protocol the VM tier
// exists for.
func TestSocketOpens(t *testing.T) {
	testenv.RequireVM(t)
	for _, tc := range []struct {
		name               string
		family, typ, proto int
		hint               string
	}{
		{"CAN_RAW", unix.AF_CAN, unix.SOCK_RAW, unix.CAN_RAW, "modprobe can_raw"},
		{"CAN_BCM", unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_BCM, "modprobe can_bcm"},
		{"CAN_ISOTP", unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_ISOTP, "modprobe can_isotp"},
		{"CAN_J1939", unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_J1939, "modprobe can_j1939"},
		{"ALG", unix.AF_ALG, unix.SOCK_SEQPACKET, 0, "modprobe af_alg"},
		{"TIPC_RDM", unix.AF_TIPC, unix.SOCK_RDM, 0, "modprobe tipc"},
		{"RDS", unix.AF_RDS, unix.SOCK_SEQPACKET, 0, "modprobe rds"},
		{"VSOCK_STREAM", unix.AF_VSOCK, unix.SOCK_STREAM, 0, "modprobe vsock_loopback"},
		{"QIPCRTR_DGRAM", unix.AF_QIPCRTR, unix.SOCK_DGRAM, 0, "modprobe qrtr"},
		{"BLUETOOTH_HCI", unix.AF_BLUETOOTH, unix.SOCK_RAW, unix.BTPROTO_HCI, "modprobe bluetooth"},
		{"SCTP_STREAM", unix.AF_INET, unix.SOCK_STREAM, unix.IPPROTO_SCTP, "modprobe crc32c_generic sctp"},
		{"SCTP_SEQPACKET", unix.AF_INET6, unix.SOCK_SEQPACKET, unix.IPPROTO_SCTP, "modprobe crc32c_generic sctp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			socket(t, tc.family, tc.typ, tc.proto, tc.hint)
		})
	}
}

// TestRoundTrips sends data through each family and reads it back.
func TestRoundTrips(t *testing.T) {
	testenv.RequireVM(t)
	for _, tc := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"CAN_RAW/vcan0", func(t *testing.T) { canRoundTrip(t, "vcan0", "vcan0") }},
		{"CAN_RAW/vxcan0-vxcan1", func(t *testing.T) { canRoundTrip(t, "vxcan0", "vxcan1") }},
		{"ALG/hash-sha256", algHash},
		{"TIPC/RDM", tipcRDM},
		{"RDS/loopback", rdsLoopback},
		{"VSOCK/loopback-stream", vsockLoopback},
		{"QIPCRTR/dgram", qipcrtrDgram},
		{"BLUETOOTH/vhci", bluetoothVHCI},
	} {
		t.Run(tc.name, tc.run)
	}
}

// canFrame encodes struct can_frame (linux/can.h): id, length, three bytes of
// padding, eight data bytes.
func canFrame(id uint32, data []byte) []byte {
	f := make([]byte, 16)
	binary.LittleEndian.PutUint32(f, id)
	f[4] = byte(len(data))
	copy(f[8:], data)
	return f
}

func canSocket(t *testing.T, ifname string) int {
	t.Helper()
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		t.Fatalf("interface %s: %v", ifname, err)
	}
	fd := socket(t, unix.AF_CAN, unix.SOCK_RAW, unix.CAN_RAW, "modprobe can_raw")
	if err := unix.Bind(fd, &unix.SockaddrCAN{Ifindex: ifi.Index}); err != nil {
		t.Fatalf("bind CAN_RAW to %s: %v", ifname, err)
	}
	return fd
}

// canRoundTrip sends one frame on from and expects it on a second socket bound
// to to: the CAN core's local loopback on vcan, the peer on vxcan.
func canRoundTrip(t *testing.T, from, to string) {
	tx := canSocket(t, from)
	rx := canSocket(t, to)
	want := canFrame(0x123, []byte{0xde, 0xad, 0xbe, 0xef})
	if _, err := unix.Write(tx, want); err != nil {
		t.Fatalf("write frame on %s: %v", from, err)
	}
	if got := read(t, rx, 16); !bytes.Equal(got, want) {
		t.Errorf("frame on %s = % x, want % x", to, got, want)
	}
}

// algHash hashes "abc" with the kernel's sha256 and checks it against the
// FIPS 180-2 vector and crypto/sha256.
func algHash(t *testing.T) {
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	fd := socket(t, unix.AF_ALG, unix.SOCK_SEQPACKET, 0, "modprobe af_alg algif_hash")
	if err := unix.Bind(fd, &unix.SockaddrALG{Type: "hash", Name: "sha256"}); err != nil {
		t.Fatalf("bind AF_ALG hash sha256: %v (modprobe algif_hash)", err)
	}
	// unix.Accept would close the descriptor: it cannot decode an AF_ALG peer.
	op, _, errno := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(fd), 0, 0, unix.SOCK_CLOEXEC, 0, 0)
	if errno != 0 {
		t.Fatalf("accept AF_ALG: %v", errno)
	}
	defer unix.Close(int(op))
	if _, err := unix.Write(int(op), []byte("abc")); err != nil {
		t.Fatalf("write to AF_ALG: %v", err)
	}
	// No wait: algif_hash does not implement poll, and the read does not block.
	sum := make([]byte, sha256.Size)
	n, err := unix.Read(int(op), sum)
	if err != nil {
		t.Fatalf("read from AF_ALG: %v", err)
	}
	sum = sum[:n]
	if got := hex.EncodeToString(sum); got != want {
		t.Errorf("AF_ALG sha256(abc) = %s, want %s", got, want)
	}
	if ref := sha256.Sum256([]byte("abc")); !bytes.Equal(sum, ref[:]) {
		t.Errorf("AF_ALG sha256(abc) = %x, crypto/sha256 says %x", sum, ref)
	}
}

// tipcRDM binds a service name and sends it one message.
func tipcRDM(t *testing.T) {
	const service, instance = 18888, 17
	srv := socket(t, unix.AF_TIPC, unix.SOCK_RDM, 0, "modprobe tipc")
	bind := &unix.SockaddrTIPC{
		Scope: unix.TIPC_NODE_SCOPE,
		Addr:  &unix.TIPCServiceRange{Type: service, Lower: instance, Upper: instance},
	}
	if err := unix.Bind(srv, bind); err != nil {
		t.Fatalf("bind TIPC service {%d, %d}: %v", service, instance, err)
	}
	cli := socket(t, unix.AF_TIPC, unix.SOCK_RDM, 0, "modprobe tipc")
	to := &unix.SockaddrTIPC{Addr: &unix.TIPCServiceName{Type: service, Instance: instance}}
	want := []byte("tipc hello")
	if err := unix.Sendto(cli, want, 0, to); err != nil {
		t.Fatalf("sendto TIPC service {%d, %d}: %v", service, instance, err)
	}
	if got := read(t, srv, 64); !bytes.Equal(got, want) {
		t.Errorf("TIPC received %q, want %q", got, want)
	}
}

// rdsBound opens an RDS socket bound to 127.0.0.1 on a kernel-chosen port.
func rdsBound(t *testing.T) (int, *unix.SockaddrInet4) {
	t.Helper()
	fd := socket(t, unix.AF_RDS, unix.SOCK_SEQPACKET, 0, "modprobe rds")
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("bind RDS to 127.0.0.1: %v (modprobe rds_tcp)", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname RDS: %v", err)
	}
	in, ok := sa.(*unix.SockaddrInet4)
	if !ok {
		t.Fatalf("getsockname RDS = %T, want *unix.SockaddrInet4", sa)
	}
	return fd, in
}

func rdsLoopback(t *testing.T) {
	rx, addr := rdsBound(t)
	tx, _ := rdsBound(t)
	want := []byte("rds hello")
	if err := unix.Sendto(tx, want, 0, addr); err != nil {
		t.Fatalf("sendto RDS %v:%d: %v", addr.Addr, addr.Port, err)
	}
	if got := read(t, rx, 64); !bytes.Equal(got, want) {
		t.Errorf("RDS received %q, want %q", got, want)
	}
}

// vsockLoopback does one request and reply over a stream through CID 1
// (VMADDR_CID_LOCAL, the vsock_loopback transport).
func vsockLoopback(t *testing.T) {
	ln := socket(t, unix.AF_VSOCK, unix.SOCK_STREAM, 0, "modprobe vsock_loopback")
	if err := unix.Bind(ln, &unix.SockaddrVM{CID: unix.VMADDR_CID_LOCAL, Port: unix.VMADDR_PORT_ANY}); err != nil {
		t.Fatalf("bind VSOCK CID 1: %v (modprobe vsock_loopback)", err)
	}
	if err := unix.Listen(ln, 1); err != nil {
		t.Fatalf("listen VSOCK: %v", err)
	}
	sa, err := unix.Getsockname(ln)
	if err != nil {
		t.Fatalf("getsockname VSOCK: %v", err)
	}
	port := sa.(*unix.SockaddrVM).Port
	cli := socket(t, unix.AF_VSOCK, unix.SOCK_STREAM, 0, "modprobe vsock_loopback")
	if err := unix.Connect(cli, &unix.SockaddrVM{CID: unix.VMADDR_CID_LOCAL, Port: port}); err != nil {
		t.Fatalf("connect VSOCK 1:%d: %v", port, err)
	}
	wait(t, ln)
	srv, _, err := unix.Accept4(ln, unix.SOCK_CLOEXEC)
	if err != nil {
		t.Fatalf("accept VSOCK: %v", err)
	}
	defer unix.Close(srv)
	if _, err := unix.Write(cli, []byte("ping")); err != nil {
		t.Fatalf("write VSOCK: %v", err)
	}
	if got := read(t, srv, 16); string(got) != "ping" {
		t.Fatalf("VSOCK server read %q, want %q", got, "ping")
	}
	if _, err := unix.Write(srv, []byte("pong")); err != nil {
		t.Fatalf("write VSOCK reply: %v", err)
	}
	if got := read(t, cli, 16); string(got) != "pong" {
		t.Errorf("VSOCK client read %q, want %q", got, "pong")
	}
}

// sockaddrQRTR is struct sockaddr_qrtr (linux/qrtr.h); golang.org/x/sys/unix
// has no Sockaddr for AF_QIPCRTR.
type sockaddrQRTR struct {
	Family uint16
	_      uint16
	Node   uint32
	Port   uint32
}

func qrtrCall(t *testing.T, op string, trap uintptr, fd int, b []byte, sa *sockaddrQRTR) {
	t.Helper()
	size := uint32(unsafe.Sizeof(*sa))
	var errno unix.Errno
	switch trap {
	case unix.SYS_BIND:
		_, _, errno = unix.Syscall(trap, uintptr(fd), uintptr(unsafe.Pointer(sa)), uintptr(size))
	case unix.SYS_GETSOCKNAME:
		_, _, errno = unix.Syscall(trap, uintptr(fd), uintptr(unsafe.Pointer(sa)), uintptr(unsafe.Pointer(&size)))
	case unix.SYS_SENDTO:
		_, _, errno = unix.Syscall6(trap, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0,
			uintptr(unsafe.Pointer(sa)), uintptr(size))
	}
	if errno != 0 {
		t.Fatalf("%s AF_QIPCRTR: %v", op, errno)
	}
}

// qipcrtrDgram sends a datagram to a port on the local node.
func qipcrtrDgram(t *testing.T) {
	rx := socket(t, unix.AF_QIPCRTR, unix.SOCK_DGRAM, 0, "modprobe qrtr")
	var local sockaddrQRTR
	qrtrCall(t, "getsockname", unix.SYS_GETSOCKNAME, rx, nil, &local)
	// Port 0: the kernel picks one.
	qrtrCall(t, "bind", unix.SYS_BIND, rx, nil, &sockaddrQRTR{Family: unix.AF_QIPCRTR, Node: local.Node})
	qrtrCall(t, "getsockname", unix.SYS_GETSOCKNAME, rx, nil, &local)
	tx := socket(t, unix.AF_QIPCRTR, unix.SOCK_DGRAM, 0, "modprobe qrtr")
	want := []byte("qrtr hello")
	qrtrCall(t, "sendto", unix.SYS_SENDTO, tx, want, &sockaddrQRTR{Family: unix.AF_QIPCRTR, Node: local.Node, Port: local.Port})
	if got := read(t, rx, 64); !bytes.Equal(got, want) {
		t.Errorf("QIPCRTR received %q on node %d port %d, want %q", got, local.Node, local.Port, want)
	}
}

// bluetoothVHCI binds a raw HCI socket and creates a virtual controller
// through /dev/vhci.
func bluetoothVHCI(t *testing.T) {
	fd := socket(t, unix.AF_BLUETOOTH, unix.SOCK_RAW, unix.BTPROTO_HCI, "modprobe bluetooth")
	const hciDevNone = 0xffff // HCI_DEV_NONE, net/bluetooth/hci.h
	if err := unix.Bind(fd, &unix.SockaddrHCI{Dev: hciDevNone, Channel: unix.HCI_CHANNEL_RAW}); err != nil {
		t.Fatalf("bind HCI raw socket: %v", err)
	}
	fi, err := os.Stat("/dev/vhci")
	if err != nil {
		t.Fatalf("/dev/vhci: %v (modprobe hci_vhci)", err)
	}
	if fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/vhci is %v, want a character device", fi.Mode())
	}
	vhci, err := unix.Open("/dev/vhci", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open /dev/vhci: %v", err)
	}
	defer unix.Close(vhci)
	// HCI_VENDOR_PKT 0xff with HCI_PRIMARY creates a controller; the reply is
	// 0xff, the type, and the new index as little-endian uint16.
	if _, err := unix.Write(vhci, []byte{0xff, 0x00}); err != nil {
		t.Fatalf("create vhci controller: %v", err)
	}
	reply := read(t, vhci, 4)
	if len(reply) != 4 || reply[0] != 0xff {
		t.Fatalf("vhci reply % x, want ff 00 <index>", reply)
	}
	name := "hci" + strconv.Itoa(int(binary.LittleEndian.Uint16(reply[2:])))
	if _, err := os.Stat(filepath.Join("/sys/class/bluetooth", name)); err != nil {
		t.Errorf("vhci created %s but: %v", name, err)
	}
}
