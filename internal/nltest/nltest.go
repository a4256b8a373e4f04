// Package nltest holds the AF_NETLINK tests of sockcore as functions, so
// the unit tier (pkg/sockcore), the host tier (integration/sockcore) and
// the kernel VM tier (integration/vm/netlink) run the same code.
package nltest

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/nlmsg"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// Open returns a netlink socket of protocol proto with NETLINK_EXT_ACK on,
// closed when the test ends.
func Open(t testing.TB, proto int) *sockcore.Socket {
	t.Helper()
	s, err := sockcore.New(unix.AF_NETLINK, unix.SOCK_RAW, proto)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.SetsockoptInt(unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1); err != nil {
		t.Fatal(err)
	}
	s.SetTimeout(10 * time.Second)
	return s
}

// Links dumps RTM_GETLINK and returns index → name.
func Links(t testing.TB, s *sockcore.Socket) map[int32]string {
	t.Helper()
	e := nlmsg.NewEncoder(unix.RTM_GETLINK, nlmsg.FRequest|nlmsg.FDump, 1)
	e.Fixed(make([]byte, unix.SizeofIfInfomsg))
	req, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sockcore.NetlinkExchange(s, req)
	if err != nil {
		t.Fatalf("RTM_GETLINK dump: %v", err)
	}
	out := map[int32]string{}
	for _, m := range ms {
		if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
			t.Fatalf("dump gave message type %d of %d bytes", m.Header.Type, len(m.Data))
		}
		as, err := nlmsg.ParseAttrs(m.Data[unix.SizeofIfInfomsg:])
		if err != nil {
			t.Fatal(err)
		}
		name, _ := nlmsg.Find(as, unix.IFLA_IFNAME)
		out[int32(binary.NativeEndian.Uint32(m.Data[4:]))] = name.String()
	}
	return out
}

// BindAutoPID: bind (0, 0) and SockName is (pid, 0) with the port id the
// kernel assigned (non-zero, the same on every call); an explicit
// (pid, groups) round-trips through EncodeSockaddr/DecodeSockaddr.
func BindAutoPID(t *testing.T) {
	s := Open(t, unix.NETLINK_ROUTE)
	if err := s.Bind(&sockcore.NetlinkAddr{}); err != nil {
		t.Fatal(err)
	}
	a, err := s.SockName()
	if err != nil {
		t.Fatal(err)
	}
	nl, ok := a.(*sockcore.NetlinkAddr)
	if !ok || nl.PID == 0 || nl.Groups != 0 {
		t.Fatalf("SockName after bind (0,0) = %#v, want (kernel pid, 0)", a)
	}
	// The first netlink socket of a process usually gets its pid.
	t.Logf("kernel-assigned port id %d (process %d)", nl.PID, os.Getpid())
	again, err := s.SockName()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a, again); d != "" {
		t.Errorf("SockName changed (-want +got):\n%s", d)
	}
	for _, want := range []*sockcore.NetlinkAddr{{}, {PID: 4242, Groups: 0x11}, {PID: 0xffffffff, Groups: 0xffffffff}} {
		b, err := sockcore.EncodeSockaddr(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sockcore.DecodeSockaddr(b)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(sockcore.Addr(want), got); d != "" {
			t.Errorf("round trip (-want +got):\n%s", d)
		}
	}
	// A second socket asking for the same port id is refused.
	s2 := Open(t, unix.NETLINK_ROUTE)
	if err := s2.Bind(&sockcore.NetlinkAddr{PID: nl.PID}); !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("second bind to port id %d = %v, want EADDRINUSE", nl.PID, err)
	}
}

// DumpListsLo: an RTM_GETLINK dump lists lo at index 1, on SOCK_RAW and
// SOCK_DGRAM sockets alike.
func DumpListsLo(t *testing.T) {
	for _, typ := range []int{unix.SOCK_RAW, unix.SOCK_DGRAM} {
		s, err := sockcore.New(unix.AF_NETLINK, typ, unix.NETLINK_ROUTE)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if got := Links(t, s)[1]; got != "lo" {
			t.Errorf("type %d: interface 1 is %q, want lo", typ, got)
		}
	}
}

// GenlFamily: CTRL_CMD_GETFAMILY for "nlctrl" on NETLINK_GENERIC answers
// with the controller's own id, GENL_ID_CTRL.
func GenlFamily(t *testing.T) {
	s := Open(t, unix.NETLINK_GENERIC)
	e := nlmsg.NewEncoder(unix.GENL_ID_CTRL, nlmsg.FRequest|nlmsg.FAck, 5)
	e.Fixed([]byte{unix.CTRL_CMD_GETFAMILY, 1, 0, 0}) // struct genlmsghdr: cmd, version, reserved
	e.String(unix.CTRL_ATTR_FAMILY_NAME, "nlctrl")
	req, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sockcore.NetlinkExchange(s, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || len(ms[0].Data) < 4 || ms[0].Data[0] != unix.CTRL_CMD_NEWFAMILY {
		t.Fatalf("got %d messages, want one CTRL_CMD_NEWFAMILY", len(ms))
	}
	as, err := nlmsg.ParseAttrs(ms[0].Data[4:])
	if err != nil {
		t.Fatal(err)
	}
	type family struct {
		Name string
		ID   uint16
	}
	var got family
	if a, ok := nlmsg.Find(as, unix.CTRL_ATTR_FAMILY_NAME); ok {
		got.Name = a.String()
	}
	if a, ok := nlmsg.Find(as, unix.CTRL_ATTR_FAMILY_ID); ok {
		got.ID, _ = a.Uint16()
	}
	if d := cmp.Diff(family{"nlctrl", unix.GENL_ID_CTRL}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, ok := nlmsg.Find(as, unix.CTRL_ATTR_OPS); !ok {
		t.Error("no CTRL_ATTR_OPS nest")
	}
}

// ExtAck: an RTM_NEWLINK whose IFLA_MTU is 2 bytes instead of 4 fails
// with EINVAL and an extended ACK naming the attribute by its offset.
// Root: runs in its own network namespace.
func ExtAck(t *testing.T) {
	ns := testenv.NewNetNS(t)
	var s *sockcore.Socket
	if err := ns.Do(func() error { s = Open(t, unix.NETLINK_ROUTE); return nil }); err != nil {
		t.Fatal(err)
	}
	e := nlmsg.NewEncoder(unix.RTM_NEWLINK, nlmsg.FRequest|nlmsg.FAck|nlmsg.FCreate|nlmsg.FExcl, 9)
	e.Fixed(make([]byte, unix.SizeofIfInfomsg))
	e.String(unix.IFLA_IFNAME, "bad0") // 4 + 5 → 12 bytes
	e.Attr(unix.IFLA_MTU, []byte{0xdc, 0x05})
	req, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	mtuOffset := uint32(nlmsg.HeaderLen + unix.SizeofIfInfomsg + 12)
	_, err = sockcore.NetlinkExchange(s, req)
	var nerr *nlmsg.Error
	if !errors.As(err, &nerr) {
		t.Fatalf("RTM_NEWLINK with a 2-byte IFLA_MTU: %v, want an *nlmsg.Error", err)
	}
	t.Logf("kernel said: %v", nerr)
	if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ERANGE) {
		t.Errorf("errno %v, want EINVAL or ERANGE", nerr.Errno)
	}
	if nerr.Msg == "" {
		t.Error("no NLMSGERR_ATTR_MSG although NETLINK_EXT_ACK is on")
	}
	if !nerr.HasOffs || nerr.Offset != mtuOffset {
		t.Errorf("NLMSGERR_ATTR_OFFS = %d (present %v), want %d (IFLA_MTU)", nerr.Offset, nerr.HasOffs, mtuOffset)
	}
	if nerr.Request.Seq != 9 || nerr.Request.Type != unix.RTM_NEWLINK {
		t.Errorf("error answers %+v, want the RTM_NEWLINK of seq 9", nerr.Request)
	}
}

// Membership: a socket that joined RTNLGRP_IPV4_IFADDR with
// NETLINK_ADD_MEMBERSHIP receives the RTM_NEWADDR notification for an
// address the test adds (by netlink) inside its own namespace; after
// NETLINK_DROP_MEMBERSHIP and GET_STRICT_CHK round trip. Root.
func Membership(t *testing.T) {
	ns := testenv.NewNetNS(t)
	var mon, ctl *sockcore.Socket
	if err := ns.Do(func() error {
		mon, ctl = Open(t, unix.NETLINK_ROUTE), Open(t, unix.NETLINK_ROUTE)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := mon.Bind(&sockcore.NetlinkAddr{}); err != nil {
		t.Fatal(err)
	}
	if err := mon.SetsockoptInt(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, unix.RTNLGRP_IPV4_IFADDR); err != nil {
		t.Fatal(err)
	}
	if err := ctl.SetsockoptInt(unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, 1); err != nil {
		t.Fatal(err)
	}
	if v, err := ctl.GetsockoptInt(unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK); err != nil || v != 1 {
		t.Errorf("NETLINK_GET_STRICT_CHK reads %d, %v; want 1", v, err)
	}
	want := netip.MustParseAddr("10.77.0.1")
	addAddr(t, ctl, 1, want, 8)
	for {
		b, from, err := mon.RecvFrom(65536, 0)
		if err != nil {
			t.Fatalf("waiting for RTM_NEWADDR: %v", err)
		}
		if d := cmp.Diff(sockcore.Addr(&sockcore.NetlinkAddr{PID: 0, Groups: 1 << (unix.RTNLGRP_IPV4_IFADDR - 1)}), from); d != "" {
			t.Errorf("notification sender (-want +got):\n%s", d)
		}
		ms, err := nlmsg.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := newAddr(t, ms); ok {
			if got != want {
				t.Errorf("RTM_NEWADDR for %v, want %v", got, want)
			}
			break
		}
	}
	if err := mon.SetsockoptInt(unix.SOL_NETLINK, unix.NETLINK_DROP_MEMBERSHIP, unix.RTNLGRP_IPV4_IFADDR); err != nil {
		t.Fatal(err)
	}
}

// addAddr adds ip/plen to interface index with RTM_NEWADDR (acked).
func addAddr(t testing.TB, s *sockcore.Socket, index uint32, ip netip.Addr, plen uint8) {
	t.Helper()
	fam := uint8(unix.AF_INET)
	if ip.Is6() {
		fam = unix.AF_INET6
	}
	e := nlmsg.NewEncoder(unix.RTM_NEWADDR, nlmsg.FRequest|nlmsg.FAck|nlmsg.FCreate|nlmsg.FExcl, 2)
	ifa := []byte{fam, plen, 0, unix.RT_SCOPE_UNIVERSE, 0, 0, 0, 0} // struct ifaddrmsg
	binary.NativeEndian.PutUint32(ifa[4:], index)
	e.Fixed(ifa)
	e.Attr(unix.IFA_LOCAL, ip.AsSlice())
	e.Attr(unix.IFA_ADDRESS, ip.AsSlice())
	req, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sockcore.NetlinkExchange(s, req); err != nil {
		t.Fatalf("RTM_NEWADDR %v: %v", ip, err)
	}
}

func newAddr(t testing.TB, ms []nlmsg.Message) (netip.Addr, bool) {
	for _, m := range ms {
		if m.Header.Type != unix.RTM_NEWADDR || len(m.Data) < unix.SizeofIfAddrmsg {
			continue
		}
		as, err := nlmsg.ParseAttrs(m.Data[unix.SizeofIfAddrmsg:])
		if err != nil {
			t.Fatal(err)
		}
		if a, ok := nlmsg.Find(as, unix.IFA_LOCAL); ok {
			ip, _ := netip.AddrFromSlice(a.Data)
			return ip, true
		}
	}
	return netip.Addr{}, false
}
