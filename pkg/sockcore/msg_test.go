package sockcore

import (
	"encoding/binary"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sys/unix"
)

// TestRecvMsgIntoScatter is the recvmsg_into example of Python's socket
// documentation.
func TestRecvMsgIntoScatter(t *testing.T) {
	a, b := mustPair(t, unix.SOCK_STREAM)
	if err := a.SendAll([]byte("Mary had a little lamb"), 0); err != nil {
		t.Fatal(err)
	}
	b1 := []byte("----")
	b2 := []byte("0123456789")
	b3 := []byte("--------------")
	n, anc, flags, from, err := b.RecvMsgInto([][]byte{b1, b2[2:9], b3}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	type res struct {
		N, Flags   int
		Anc        []ControlMessage
		B1, B2, B3 string
	}
	want := res{N: 22, B1: "Mary", B2: "01 had a 9", B3: "little lamb---"}
	got := res{n, flags, anc, string(b1), string(b2), string(b3)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	// Python returns None as the address on a connected AF_UNIX stream;
	// Linux reports an unnamed peer.
	if from != nil && from.String() != (&UnixAddr{}).String() {
		t.Errorf("address %v; want none or unnamed", from)
	}
}

func creds() []byte {
	b := make([]byte, 12)
	binary.NativeEndian.PutUint32(b[0:], uint32(os.Getpid()))
	binary.NativeEndian.PutUint32(b[4:], uint32(os.Getuid()))
	binary.NativeEndian.PutUint32(b[8:], uint32(os.Getgid()))
	return b
}

func fdData(fds ...int) []byte {
	b := make([]byte, 4*len(fds))
	for i, fd := range fds {
		binary.NativeEndian.PutUint32(b[4*i:], uint32(fd))
	}
	return b
}

// sameFile reports whether two descriptors refer to the same file.
func sameFile(t *testing.T, a, b int) bool {
	t.Helper()
	var sa, sb unix.Stat_t
	if err := unix.Fstat(a, &sa); err != nil {
		t.Fatalf("fstat %d: %v", a, err)
	}
	if err := unix.Fstat(b, &sb); err != nil {
		t.Fatalf("fstat %d: %v", b, err)
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino
}

// TestSendMsgGatherControlAddress: gathered buffers, two control messages
// (SCM_RIGHTS and SCM_CREDENTIALS) and a destination address in one call.
func TestSendMsgGatherControlAddress(t *testing.T) {
	r := mustNew(t, unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err := r.Bind(&UnixAddr{}); err != nil {
		t.Fatal(err)
	}
	if err := r.SetsockoptInt(unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
		t.Fatal(err)
	}
	ra, _ := r.SockName()
	s := mustNew(t, unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err := s.Bind(&UnixAddr{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	anc := []ControlMessage{
		{Level: unix.SOL_SOCKET, Type: unix.SCM_RIGHTS, Data: fdData(int(f.Fd()), s.Fileno())},
		{Level: unix.SOL_SOCKET, Type: unix.SCM_CREDENTIALS, Data: creds()},
	}
	n, err := s.SendMsg([][]byte{[]byte("gat"), nil, []byte("her")}, anc, 0, ra)
	if err != nil || n != 6 {
		t.Fatalf("SendMsg = %d, %v", n, err)
	}
	data, got, flags, from, err := r.RecvMsg(100, 256, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer CloseFDs(got)
	if string(data) != "gather" || flags != 0 {
		t.Errorf("data %q flags %#x; want gather, 0", data, flags)
	}
	sa, _ := s.SockName()
	if diff := cmp.Diff(sa, from, cmpAddr); diff != "" {
		t.Errorf("from (-want +got)\n%s", diff)
	}
	if len(got) != 2 {
		t.Fatalf("%d control messages; want 2: %v", len(got), got)
	}
	// The kernel puts SCM_CREDENTIALS first.
	if diff := cmp.Diff(anc[1], got[0]); diff != "" {
		t.Errorf("SCM_CREDENTIALS (-want +got)\n%s", diff)
	}
	fds := FDsOf(got)
	if len(fds) != 2 || !sameFile(t, fds[0], int(f.Fd())) || !sameFile(t, fds[1], s.Fileno()) {
		t.Errorf("received descriptors %v do not match the sent ones", fds)
	}
	for _, fd := range fds {
		if c, _ := fdFlags(t, fd); !c {
			t.Errorf("received descriptor %d is not close-on-exec", fd)
		}
	}
}

// TestRecvMsgTruncatedLastItem: a control buffer too small for the item
// keeps the part that arrived and reports MSG_CTRUNC.
func TestRecvMsgTruncatedLastItem(t *testing.T) {
	a, b := mustPair(t, unix.SOCK_DGRAM)
	b.SetsockoptInt(unix.SOL_SOCKET, unix.SO_PASSCRED, 1)
	l0, _ := CMSGLen(0)
	tests := []struct {
		name     string
		ancSize  int
		wantData []byte // nil: no item
	}{
		{"whole", 64, creds()},
		{"4 bytes of data", l0 + 4, creds()[:4]},
		{"header only", l0, []byte{}},
		{"less than a header", l0 - 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.Send([]byte("x"), 0)
			_, anc, flags, _, err := b.RecvMsg(10, tt.ancSize, 0)
			if err != nil {
				t.Fatal(err)
			}
			wantTrunc := len(tt.wantData) < 12
			if got := flags&unix.MSG_CTRUNC != 0; got != wantTrunc {
				t.Errorf("MSG_CTRUNC %v; want %v", got, wantTrunc)
			}
			var want []ControlMessage
			if tt.wantData != nil {
				want = []ControlMessage{{unix.SOL_SOCKET, unix.SCM_CREDENTIALS, tt.wantData}}
			}
			if diff := cmp.Diff(want, anc, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("control messages (-want +got)\n%s", diff)
			}
		})
	}
}

// openNull opens n descriptors on /dev/null, closed after the test unless
// the test closes them.
func openNull(t *testing.T, n int) []int {
	t.Helper()
	var fds []int
	for range n {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		fds = append(fds, fd)
	}
	return fds
}

func keys(m map[int]bool) []int {
	var k []int
	for fd := range m {
		k = append(k, fd)
	}
	slices.Sort(k)
	return k
}

// TestPassTenFDs sends 10 descriptors and receives them all, or fewer with
// MSG_CTRUNC: the returned ones are open, the kernel closed the rest, and
// nothing leaks once the returned ones are closed.
func TestPassTenFDs(t *testing.T) {
	for _, maxFDs := range []int{10, 16, 3, 1, 0} {
		t.Run("max "+itoa(maxFDs), func(t *testing.T) {
			a, b := mustPair(t, unix.SOCK_STREAM)
			sent := openNull(t, 10)
			if n, err := SendFDs(a, [][]byte{[]byte("fds")}, sent); err != nil || n != 3 {
				t.Fatalf("SendFDs = %d, %v", n, err)
			}
			for _, fd := range sent {
				unix.Close(fd)
			}
			before := openFDs(t)
			data, fds, flags, _, err := RecvFDs(b, 10, maxFDs)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != "fds" {
				t.Errorf("data %q", data)
			}
			wantN := min(maxFDs, 10)
			if len(fds) != wantN {
				t.Errorf("received %d descriptors; want %d", len(fds), wantN)
			}
			if got, want := flags&unix.MSG_CTRUNC != 0, maxFDs < 10; got != want {
				t.Errorf("MSG_CTRUNC %v; want %v", got, want)
			}
			after := openFDs(t)
			var added []int
			for fd := range after {
				if !before[fd] {
					added = append(added, fd)
				}
			}
			slices.Sort(added)
			want := slices.Clone(fds)
			slices.Sort(want)
			if diff := cmp.Diff(want, added); diff != "" {
				t.Errorf("descriptors opened by RecvFDs (-returned +opened)\n%s", diff)
			}
			for _, fd := range fds {
				if c, _ := fdFlags(t, fd); !c {
					t.Errorf("descriptor %d is not close-on-exec", fd)
				}
				unix.Close(fd)
			}
			if diff := cmp.Diff(keys(before), keys(openFDs(t))); diff != "" {
				t.Errorf("descriptors leaked (-before +after)\n%s", diff)
			}
		})
	}
}

func itoa(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

func TestRecvMsgArgs(t *testing.T) {
	a, _ := mustPair(t, unix.SOCK_STREAM)
	if _, _, _, _, err := a.RecvMsg(-1, 0, 0); err == nil {
		t.Error("RecvMsg(-1) succeeded")
	}
	if _, _, _, _, err := a.RecvMsg(1, -1, 0); err == nil {
		t.Error("RecvMsg with a negative ancillary size succeeded")
	}
	if _, _, _, _, err := RecvFDs(a, 1, -1); err == nil {
		t.Error("RecvFDs(maxFDs -1) succeeded")
	}
	if _, err := a.SendMsg(nil, []ControlMessage{{Data: make([]byte, socklenTLimit)}}, 0, nil); err == nil {
		t.Error("SendMsg with an oversized control message succeeded")
	}
}

// TestBuildParseControl: items laid out at CMSG_SPACE spacing parse back.
func TestBuildParseControl(t *testing.T) {
	msgs := []ControlMessage{
		{unix.SOL_SOCKET, unix.SCM_RIGHTS, fdData(1, 2, 3)},
		{unix.IPPROTO_IP, unix.IP_TTL, []byte{64, 0, 0, 0}},
		{1, 2, []byte{}},
		{unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT, []byte{1, 2, 3, 4, 5}},
	}
	b, err := BuildControl(msgs)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, m := range msgs {
		sp, _ := CMSGSpace(len(m.Data))
		want += sp
	}
	if len(b) != want {
		t.Errorf("BuildControl: %d bytes; want %d", len(b), want)
	}
	got, trunc := ParseControl(b)
	if diff := cmp.Diff(msgs, got, cmpopts.EquateEmpty()); diff != "" || trunc {
		t.Errorf("ParseControl truncated %v (-want +got)\n%s", trunc, diff)
	}
	if fds := FDsOf(got); !slices.Equal(fds, []int{1, 2, 3}) {
		t.Errorf("FDsOf = %v", fds)
	}
}

// TestControlSeqInPlace: ControlSeq and FindControl return slices of the
// buffer itself and allocate nothing (they run once a datagram in echod
// and canrelay's bridge).
func TestControlSeqInPlace(t *testing.T) {
	b, err := BuildControl([]ControlMessage{
		{unix.SOL_SOCKET, unix.SO_RXQ_OVFL, []byte{7, 0, 0, 0}},
		{unix.SOL_IP, unix.IP_TTL, []byte{64, 0, 0, 0}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, ok := FindControl(b, unix.SOL_IP, unix.IP_TTL)
	if !ok || len(d) != 4 || &d[0] != &b[len(b)-unix.CmsgSpace(4)+unix.CmsgLen(0)] {
		t.Fatalf("FindControl(IP_TTL) = %v, %v: not the buffer's own bytes", d, ok)
	}
	if _, ok := FindControl(b, unix.SOL_IPV6, unix.IPV6_PKTINFO); ok {
		t.Error("FindControl found an item that is not there")
	}
	n := 0
	allocs := testing.AllocsPerRun(100, func() {
		for m := range ControlSeq(b) {
			n += len(m.Data)
		}
		if d, ok := FindControl(b, unix.SOL_SOCKET, unix.SO_RXQ_OVFL); ok {
			n += int(d[0])
		}
	})
	if allocs != 0 || n == 0 {
		t.Errorf("ControlSeq and FindControl: %v allocations a run, want 0", allocs)
	}
}
