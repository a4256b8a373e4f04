package sockcore

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestTIPCAddrRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		a   *TIPCAddr
		raw []byte // little-endian hosts
	}{
		// CPython's TIPCTest: srvaddr and sendaddr.
		{&TIPCAddr{AddrType: unix.TIPC_ADDR_NAMESEQ, V1: 2000, V2: 200, V3: 210, Scope: unix.TIPC_CLUSTER_SCOPE},
			[]byte{30, 0, 1, 2, 0xd0, 7, 0, 0, 200, 0, 0, 0, 210, 0, 0, 0}},
		{&TIPCAddr{AddrType: unix.TIPC_ADDR_NAME, V1: 2000, V2: 205},
			[]byte{30, 0, 2, 0, 0xd0, 7, 0, 0, 205, 0, 0, 0, 0, 0, 0, 0}},
		// struct tipc_socket_addr is {ref, node}; Python's v1 is the node.
		{&TIPCAddr{AddrType: unix.TIPC_ADDR_ID, V1: 0x1001, V2: 77, Scope: unix.TIPC_NODE_SCOPE},
			[]byte{30, 0, 3, 3, 77, 0, 0, 0, 1, 0x10, 0, 0, 0, 0, 0, 0}},
	} {
		t.Run(tc.a.String(), func(t *testing.T) {
			b, err := EncodeSockaddr(tc.a)
			if err != nil {
				t.Fatal(err)
			}
			if isLittleEndian() {
				if diff := cmp.Diff(tc.raw, b); diff != "" {
					t.Errorf("encoding (-want +got):\n%s", diff)
				}
			}
			got, err := DecodeSockaddr(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(Addr(tc.a), got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := EncodeSockaddr(&TIPCAddr{AddrType: 9}); err == nil {
		t.Error("TIPC address type 9 encoded")
	}
	if _, err := DecodeSockaddr([]byte{30, 0, 1, 2}); err == nil {
		t.Error("a 4-byte AF_TIPC sockaddr decoded")
	}
}

func TestQIPCRTRAddrRoundTrip(t *testing.T) {
	for _, a := range []*QIPCRTRAddr{{}, {Node: 1, Port: 0x4000}, {Node: 0xffffffff, Port: 0xfffffffe}} {
		t.Run(a.String(), func(t *testing.T) {
			b, err := EncodeSockaddr(a)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != 12 {
				t.Errorf("encoded %d bytes, want 12", len(b))
			}
			got, err := DecodeSockaddr(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(Addr(a), got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := DecodeSockaddr([]byte{42, 0, 0, 0, 1, 0, 0, 0}); err == nil {
		t.Error("an 8-byte AF_QIPCRTR sockaddr decoded")
	}
}

// TestUnknownFamilyRawAddr: a family without a decoder (AF_IUCV, s390 only)
// decodes to RawAddr and encodes back to the same bytes.
func TestUnknownFamilyRawAddr(t *testing.T) {
	b := []byte{unix.AF_IUCV, 0, 1, 2, 3}
	if !isLittleEndian() {
		b[0], b[1] = 0, unix.AF_IUCV
	}
	got, err := DecodeSockaddr(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Addr(&RawAddr{Fam: unix.AF_IUCV, Data: []byte{1, 2, 3}}), got); diff != "" {
		t.Errorf("decode (-want +got):\n%s", diff)
	}
	enc, err := EncodeSockaddr(got)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, enc); diff != "" {
		t.Errorf("re-encoding (-want +got):\n%s", diff)
	}
}

func TestFamilyOptionsByName(t *testing.T) {
	for _, tc := range []struct {
		name       string
		level, opt int
	}{
		{"TIPC_IMPORTANCE", unix.SOL_TIPC, 127},
		{"TIPC_CONN_TIMEOUT", unix.SOL_TIPC, 130},
		{"TIPC_NODELAY", unix.SOL_TIPC, 138},
		{"RDS_RECVERR", unix.SOL_RDS, 5},
		{"SO_RDS_TRANSPORT", unix.SOL_RDS, 8},
		{"SCTP_NODELAY", 132, 3},
		{"SCTP_MAXSEG", 132, 13},
		{"SO_VM_SOCKETS_BUFFER_SIZE", unix.AF_VSOCK, 0},
		{"SO_VM_SOCKETS_BUFFER_MIN_SIZE", unix.AF_VSOCK, 1},
		{"SO_VM_SOCKETS_BUFFER_MAX_SIZE", unix.AF_VSOCK, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			level, opt, ok := SockoptByName(tc.name)
			if !ok || level != tc.level || opt != tc.opt {
				t.Errorf("SockoptByName = %d, %d, %v; want %d, %d, true", level, opt, ok, tc.level, tc.opt)
			}
		})
	}
	for name, want := range map[string]int{
		"TIPC_ADDR_NAMESEQ": 1, "TIPC_ADDR_NAME": 2, "TIPC_ADDR_ID": 3, "TIPC_CLUSTER_SCOPE": 2,
		"VMADDR_CID_ANY": 0xffffffff, "VMADDR_CID_LOCAL": 1, "VMADDR_CID_HOST": 2,
		"IOCTL_VM_SOCKETS_GET_LOCAL_CID": 0x7b9, "SOL_SCTP": 132, "SOL_TIPC": 271, "SOL_RDS": 276,
	} {
		if got, ok := ConstantByName(name); !ok || got != want {
			t.Errorf("ConstantByName(%s) = %d, %v; want %d", name, got, ok, want)
		}
	}
}

// TestMissingFamilyNamesModule: where the kernel lacks TIPC (this host),
// New gives a NotSupportedError naming the module.
func TestMissingFamilyNamesModule(t *testing.T) {
	s, err := New(unix.AF_TIPC, unix.SOCK_RDM, 0)
	if err == nil {
		s.Close()
		t.Skip("this kernel has TIPC: the VM tier checks it")
	}
	var ns *NotSupportedError
	if !errors.As(err, &ns) {
		t.Fatalf("New(AF_TIPC) = %T %v, want *NotSupportedError", err, err)
	}
	if !strings.Contains(err.Error(), "tipc") || !strings.Contains(err.Error(), "AF_TIPC") {
		t.Errorf("error %q does not name AF_TIPC and the tipc module", err)
	}
	if !errors.Is(err, unix.EAFNOSUPPORT) {
		t.Errorf("error %v does not unwrap to EAFNOSUPPORT", err)
	}
}

func isLittleEndian() bool { return binary.NativeEndian.Uint16([]byte{1, 0}) == 1 }
