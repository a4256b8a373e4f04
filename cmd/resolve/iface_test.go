package main

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/nlmsg"
)

// body returns the payload of a message built by fill.
func body(t *testing.T, fixed []byte, fill func(e *nlmsg.Encoder)) []byte {
	t.Helper()
	e := nlmsg.NewEncoder(0, 0, 0)
	e.Fixed(fixed)
	fill(e)
	b, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b[nlmsg.HeaderLen:]
}

func TestParseLinkAndText(t *testing.T) {
	ifi := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint16(ifi[2:], unix.ARPHRD_ETHER)
	binary.NativeEndian.PutUint32(ifi[4:], 7)
	binary.NativeEndian.PutUint32(ifi[8:], unix.IFF_UP|unix.IFF_BROADCAST|unix.IFF_NOARP)
	link, err := parseLink(body(t, ifi, func(e *nlmsg.Encoder) {
		e.String(unix.IFLA_IFNAME, "dum0")
		e.Uint32(unix.IFLA_MTU, 1400)
		e.Uint8(unix.IFLA_OPERSTATE, 2)
		e.Attr(unix.IFLA_ADDRESS, []byte{2, 0, 0, 0, 0, 9})
		e.Nest(unix.IFLA_LINKINFO)
		e.String(unix.IFLA_INFO_KIND, "dummy")
		e.End()
	}))
	if err != nil {
		t.Fatal(err)
	}
	ifa := []byte{unix.AF_INET6, 48, 0, unix.RT_SCOPE_UNIVERSE, 7, 0, 0, 0}
	binary.NativeEndian.PutUint32(ifa[4:], 7)
	index, addr, ok, err := parseAddr(body(t, ifa, func(e *nlmsg.Encoder) {
		e.Attr(unix.IFA_ADDRESS, []byte{0x20, 1, 0xd, 0xb8, 14: 0, 15: 7})
	}))
	if err != nil || !ok || index != 7 {
		t.Fatalf("parseAddr = %d, %v, %v", index, ok, err)
	}
	link.Addrs = append(link.Addrs, addr)
	want := ifaceInfo{Index: 7, Name: "dum0", Kind: "dummy", LinkType: "ether", Flags: []string{"NO-CARRIER", "BROADCAST", "NOARP", "UP"},
		State: "DOWN", MTU: 1400, MAC: "02:00:00:00:00:09", Addrs: []ifaceAddr{{"inet6", "2001:db8::7", 48, "global"}}}
	if d := cmp.Diff(want, link); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	wantText := "7 dum0 kind=dummy state=DOWN mtu=1400 mac=02:00:00:00:00:09 <NO-CARRIER,BROADCAST,NOARP,UP>\n" +
		"    inet6 2001:db8::7/48 scope global\n"
	if d := cmp.Diff(wantText, ifaceText([]ifaceInfo{link})); d != "" {
		t.Errorf("text (-want +got):\n%s", d)
	}
	if _, err := parseLink(ifi[:4]); err == nil {
		t.Error("parseLink of 4 bytes: no error")
	}
	if _, _, _, err := parseAddr(ifa[:4]); err == nil {
		t.Error("parseAddr of 4 bytes: no error")
	}
}

// FuzzIfaceParse feeds RTM_NEWLINK and RTM_NEWADDR bodies to the parsers
// (seeds in testdata/fuzz/FuzzIfaceParse); nothing may panic.
func FuzzIfaceParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		if l, err := parseLink(b); err == nil {
			_ = ifaceText([]ifaceInfo{l})
		}
		_, _, _, _ = parseAddr(b)
	})
}
