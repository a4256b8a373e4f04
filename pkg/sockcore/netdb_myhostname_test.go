package sockcore

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestMyhostnameNames(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		local, gateway, outbound bool
	}{
		{"localhost", true, false, false},
		{"LOCALHOST.", true, false, false},
		{"localhost.localdomain", true, false, false},
		{"localhost.localdomain.", true, false, false},
		{"foo.localhost", true, false, false},
		{"a.b.LocalHost.", true, false, false},
		{"foo.localhost.localdomain", true, false, false},
		{"localhostx", false, false, false},
		{"xlocalhost", false, false, false},
		{"localhost..", false, false, false},
		{"_gateway", false, true, false},
		{"_Gateway.", false, true, false},
		{"gateway", false, false, false},
		{"_outbound", false, false, true},
		{"_OUTBOUND.", false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := isLocalhostName(tc.name); got != tc.local {
				t.Errorf("isLocalhostName = %v, want %v", got, tc.local)
			}
			if got := isGatewayName(tc.name); got != tc.gateway {
				t.Errorf("isGatewayName = %v, want %v", got, tc.gateway)
			}
			if got := isOutboundName(tc.name); got != tc.outbound {
				t.Errorf("isOutboundName = %v, want %v", got, tc.outbound)
			}
		})
	}
}

func TestCompareLocalAddr(t *testing.T) {
	a := func(s string, ifindex int, scope uint8, prio, weight uint32) localAddr {
		return localAddr{ifindex: ifindex, scope: scope, priority: prio, weight: weight, addr: netip.MustParseAddr(s)}
	}
	want := []localAddr{
		a("10.0.0.2", 1, 0, 0, 0),
		a("10.0.0.1", 2, 0, 0, 0),
		a("10.0.0.3", 2, 0, 5, 0),
		a("169.254.1.1", 1, unix.RT_SCOPE_LINK, 0, 0),
		a("2001:db8::2", 3, 0, 0, 9),
		a("2001:db8::1", 3, 0, 0, 1),
		a("2001:db8::3", 3, 0, 0, 1),
		a("fe80::1", 2, unix.RT_SCOPE_LINK, 0, 0),
	}
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortStableFunc(got, compareLocalAddr)
	if diff := cmp.Diff(want, got, cmp.Comparer(func(x, y localAddr) bool { return x == y })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestMyhostnameLocalhost: localhost needs no address but loopback.
func TestMyhostnameLocalhost(t *testing.T) {
	a := myhostnameByName("localhost", unix.AF_INET)
	if a.status != nssSuccess || a.name != "localhost" || !slices.Equal(a.addrs, []netip.Addr{localhost4}) {
		t.Errorf("localhost AF_INET: %+v", a)
	}
	a = myhostnameByName("nobody.invalid", 0)
	if a.status != nssNotFound || a.herrno != HOST_NOT_FOUND {
		t.Errorf("nobody.invalid: %+v, want NOTFOUND", a)
	}
	h, ok := myhostnameByAddr(myhostname4)
	if hn := myHostname(); !ok || h.Name != hn || !slices.Equal(h.Addrs, []string{"127.0.0.2"}) {
		t.Errorf("127.0.0.2: %+v %v, want %s", h, ok, hn)
	}
	if _, ok := myhostnameByAddr(netip.MustParseAddr("192.0.2.250")); ok {
		t.Errorf("192.0.2.250 found")
	}
}
