package sockcore

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"slices"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The "myhostname" NSS source answers as systemd 252's nss-myhostname
// (Debian bookworm's libnss-myhostname) does, from what the kernel says
// through NETLINK_ROUTE:
//
//   - the host name, and the host name with one trailing dot (case
//     matters): the machine's addresses, else 127.0.0.2 and ::1;
//   - localhost, localhost.localdomain, *.localhost and
//     *.localhost.localdomain (with or without a trailing dot, any case):
//     127.0.0.1 and ::1, canonical name "localhost";
//   - _gateway: the gateways of the default routes of the main table;
//   - _outbound: the local addresses the kernel picks to reach them;
//   - reverse: 127.0.0.2 (the host name), 127.0.0.1 and ::1 (localhost),
//     any local address (the host name, with every local address of the
//     family), a gateway (_gateway, with every gateway of the family).

// localAddr is systemd's struct local_address.
type localAddr struct {
	ifindex  int
	scope    uint8
	priority uint32
	weight   uint32
	addr     netip.Addr
}

// compareLocalAddr is systemd's address_compare: IPv4 first, then the
// lowest scope, priority, highest weight, lowest interface index and the
// address bytes.
func compareLocalAddr(a, b localAddr) int {
	if a.addr.Is4() != b.addr.Is4() {
		if a.addr.Is4() {
			return -1
		}
		return 1
	}
	switch {
	case a.scope != b.scope:
		return cmpInt(int(a.scope), int(b.scope))
	case a.priority != b.priority:
		return cmpInt(int(a.priority), int(b.priority))
	case a.weight != b.weight:
		return cmpInt(int(b.weight), int(a.weight))
	case a.ifindex != b.ifindex:
		return cmpInt(a.ifindex, b.ifindex)
	}
	return bytes.Compare(a.addr.AsSlice(), b.addr.AsSlice())
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func familyOf(a netip.Addr) int {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// localAddresses is systemd's local_addresses(NULL, 0, af): the addresses
// of every interface but those of host or nowhere scope and deprecated
// ones, sorted by compareLocalAddr.
func localAddresses(af int) ([]localAddr, error) {
	var list []localAddr
	err := netlinkDump(unix.RTM_GETADDR, unix.RTM_NEWADDR, unix.SizeofIfAddrmsg, func(body []byte) {
		ifa := (*unix.IfAddrmsg)(unsafe.Pointer(&body[0]))
		fam := int(ifa.Family)
		if (af != unix.AF_UNSPEC && af != fam) || ifa.Flags&unix.IFA_F_DEPRECATED != 0 {
			return
		}
		if ifa.Scope == unix.RT_SCOPE_HOST || ifa.Scope == unix.RT_SCOPE_NOWHERE {
			return
		}
		var local, address netip.Addr
		rtAttrs(body[unix.SizeofIfAddrmsg:], func(typ uint16, val []byte) {
			a, ok := addrOfFamily(fam, val)
			if !ok {
				return
			}
			switch typ {
			case unix.IFA_LOCAL:
				local = a
			case unix.IFA_ADDRESS:
				address = a
			}
		})
		if !local.IsValid() {
			local = address
		}
		if !local.IsValid() {
			return
		}
		list = append(list, localAddr{ifindex: int(ifa.Index), scope: ifa.Scope, addr: local})
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(list, compareLocalAddr)
	return list, nil
}

func addrOfFamily(fam int, val []byte) (netip.Addr, bool) {
	switch {
	case fam == unix.AF_INET && len(val) == 4:
		return netip.AddrFrom4([4]byte(val)), true
	case fam == unix.AF_INET6 && len(val) == 16:
		return netip.AddrFrom16([16]byte(val)), true
	}
	return netip.Addr{}, false
}

// rtaVia decodes an RTA_VIA attribute (struct rtvia: a family then the
// address).
func rtaVia(val []byte) (netip.Addr, bool) {
	if len(val) < 2 {
		return netip.Addr{}, false
	}
	return addrOfFamily(int(binary.NativeEndian.Uint16(val)), val[2:])
}

// localGateways is systemd's local_gateways(NULL, 0, af): the gateways of
// the unicast default routes (no source prefix) of the main table, with
// RTA_GATEWAY or RTA_VIA, and those of multipath routes with their weight.
func localGateways(af int) ([]localAddr, error) {
	var list []localAddr
	err := netlinkDump(unix.RTM_GETROUTE, unix.RTM_NEWROUTE, unix.SizeofRtMsg, func(body []byte) {
		rtm := (*unix.RtMsg)(unsafe.Pointer(&body[0]))
		if rtm.Dst_len != 0 || rtm.Src_len != 0 || rtm.Type != unix.RTN_UNICAST {
			return
		}
		fam := int(rtm.Family)
		if af != unix.AF_UNSPEC && af != fam {
			return
		}
		table := uint32(rtm.Table)
		var prio, oif uint32
		var gw, via netip.Addr
		hasOIF := false
		var multipath []byte
		rtAttrs(body[unix.SizeofRtMsg:], func(typ uint16, val []byte) {
			switch typ {
			case unix.RTA_TABLE:
				if len(val) == 4 {
					table = binary.NativeEndian.Uint32(val)
				}
			case unix.RTA_PRIORITY:
				if len(val) == 4 {
					prio = binary.NativeEndian.Uint32(val)
				}
			case unix.RTA_OIF:
				if len(val) == 4 {
					oif, hasOIF = binary.NativeEndian.Uint32(val), true
				}
			case unix.RTA_GATEWAY:
				gw, _ = addrOfFamily(fam, val)
			case unix.RTA_VIA:
				via, _ = rtaVia(val)
			case unix.RTA_MULTIPATH:
				multipath = val
			}
		})
		if table != unix.RT_TABLE_MAIN {
			return
		}
		add := func(ifindex int, weight uint32, gw, via netip.Addr) {
			a := gw
			if !a.IsValid() {
				a = via
			}
			if !a.IsValid() {
				return
			}
			list = append(list, localAddr{ifindex: ifindex, priority: prio, weight: weight, addr: a})
		}
		if hasOIF {
			add(int(oif), 0, gw, via)
			return
		}
		// struct rtnexthop: len u16, flags u8, hops u8, ifindex i32, then
		// attributes.
		for len(multipath) >= 8 {
			l := int(binary.NativeEndian.Uint16(multipath))
			if l < 8 || l > len(multipath) {
				break
			}
			ifindex := int(int32(binary.NativeEndian.Uint32(multipath[4:])))
			var ngw, nvia netip.Addr
			rtAttrs(multipath[8:l], func(typ uint16, val []byte) {
				switch typ {
				case unix.RTA_GATEWAY:
					ngw, _ = addrOfFamily(fam, val)
				case unix.RTA_VIA:
					nvia, _ = rtaVia(val)
				}
			})
			add(ifindex, uint32(multipath[3])+1, ngw, nvia)
			multipath = multipath[min((l+3)&^3, len(multipath)):]
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(list, compareLocalAddr)
	return list, nil
}

// localOutbounds is systemd's local_outbounds(NULL, 0, af): for each
// default gateway, the source address the kernel picks when a UDP socket
// bound to the gateway's interface connects to it; each address once.
func localOutbounds(af int) ([]localAddr, error) {
	gws, err := localGateways(af)
	if err != nil {
		return nil, err
	}
	var list []localAddr
	for _, g := range gws {
		fam := familyOf(g.addr)
		fd, err := unix.Socket(fam, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
		if err != nil {
			return nil, os.NewSyscallError("socket", err)
		}
		a, ok := outboundAddr(fd, fam, g)
		unix.Close(fd)
		if !ok {
			continue
		}
		la := localAddr{ifindex: g.ifindex, addr: a}
		if slices.ContainsFunc(list, func(x localAddr) bool { return x.ifindex == la.ifindex && x.addr == la.addr }) {
			continue
		}
		list = append(list, la)
	}
	slices.SortStableFunc(list, compareLocalAddr)
	return list, nil
}

func outboundAddr(fd, fam int, g localAddr) (netip.Addr, bool) {
	var sa unix.Sockaddr
	if fam == unix.AF_INET {
		unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_UNICAST_IF, int(htonl(uint32(g.ifindex))))
		sa = &unix.SockaddrInet4{Port: 53, Addr: g.addr.As4()}
	} else {
		unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_IF, g.ifindex)
		sa = &unix.SockaddrInet6{Port: 53, Addr: g.addr.As16(), ZoneId: uint32(g.ifindex)}
	}
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_BINDTOIFINDEX, g.ifindex)
	if err := unix.Connect(fd, sa); err != nil {
		return netip.Addr{}, false
	}
	local, err := unix.Getsockname(fd)
	if err != nil {
		return netip.Addr{}, false
	}
	switch s := local.(type) {
	case *unix.SockaddrInet4:
		if fam == unix.AF_INET {
			return netip.AddrFrom4(s.Addr), true
		}
	case *unix.SockaddrInet6:
		if fam == unix.AF_INET6 {
			return netip.AddrFrom16(s.Addr), true
		}
	}
	return netip.Addr{}, false
}

func htonl(v uint32) uint32 {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return binary.NativeEndian.Uint32(b[:])
}

// ipv6Enabled is systemd's socket_ipv6_is_enabled: the kernel has IPv6
// and net.ipv6.conf.all.disable_ipv6 is not set.
func ipv6Enabled() bool {
	if _, err := os.Stat("/proc/net/if_inet6"); err != nil {
		return false
	}
	b, err := os.ReadFile("/proc/sys/net/ipv6/conf/all/disable_ipv6")
	if err != nil {
		return true
	}
	return strings.TrimSpace(string(b)) != "1"
}

func isLocalhostName(name string) bool {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	return n == "localhost" || n == "localhost.localdomain" ||
		strings.HasSuffix(n, ".localhost") || strings.HasSuffix(n, ".localhost.localdomain")
}

func isGatewayName(name string) bool {
	return strings.EqualFold(strings.TrimSuffix(name, "."), "_gateway")
}

func isOutboundName(name string) bool {
	return strings.EqualFold(strings.TrimSuffix(name, "."), "_outbound")
}

// myHostname is systemd's gethostname_malloc: the kernel's host name, or
// the fallback "localhost" when it is unset.
func myHostname() string {
	hn, err := GetHostname()
	if err != nil || hn == "" || hn == "(none)" {
		return "localhost"
	}
	return hn
}

var (
	localhost4  = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	myhostname4 = netip.AddrFrom4([4]byte{127, 0, 0, 2})
)

// myhostnameByName is _nss_myhostname_gethostbyname4_r (family 0) or
// _gethostbyname3_r (AF_INET, AF_INET6).
func myhostnameByName(name string, family int) hostAnswer {
	notFound := hostAnswer{status: nssNotFound, herrno: HOST_NOT_FOUND}
	if family == unix.AF_INET6 && !ipv6Enabled() {
		return notFound
	}
	var (
		canon string
		addrs []localAddr
		v4    netip.Addr // the IPv4 answer when there are no addresses
		err   error
	)
	switch {
	case isLocalhostName(name):
		canon, v4 = "localhost", localhost4
	case isGatewayName(name):
		if addrs, err = localGateways(family); err != nil || len(addrs) == 0 {
			return notFound
		}
		canon = "_gateway"
	case isOutboundName(name):
		if addrs, err = localOutbounds(family); err != nil || len(addrs) == 0 {
			return notFound
		}
		canon = "_outbound"
	default:
		hn := myHostname()
		if name != hn && name != hn+"." {
			return notFound
		}
		addrs, _ = localAddresses(family)
		canon, v4 = hn, myhostname4
	}
	a := hostAnswer{status: nssSuccess, name: canon, aliases: []string{}}
	for _, la := range addrs {
		a.addrs = append(a.addrs, la.addr)
		var scope uint32
		if la.addr.Is6() && la.addr.IsLinkLocalUnicast() {
			scope = uint32(la.ifindex)
		}
		a.scopes = append(a.scopes, scope)
	}
	if len(addrs) > 0 {
		return a
	}
	switch family {
	case 0:
		a.addrs = []netip.Addr{v4}
		if ipv6Enabled() {
			a.addrs = append(a.addrs, netip.IPv6Loopback())
		}
	case unix.AF_INET:
		a.addrs = []netip.Addr{v4}
	case unix.AF_INET6:
		a.addrs = []netip.Addr{netip.IPv6Loopback()}
		if canon != "localhost" {
			a.aliases = []string{"localhost"}
		}
	}
	a.scopes = make([]uint32, len(a.addrs))
	return a
}

// myhostnameByAddr is _nss_myhostname_gethostbyaddr2_r.
func myhostnameByAddr(a netip.Addr) (HostEnt, bool) {
	af := familyOf(a)
	var canon, additional string
	var addrs []localAddr
	fallback := myhostname4
	hostnameAlias := false
	switch {
	case a == myhostname4:
	case a == localhost4:
		canon, fallback = "localhost", localhost4
	case a.Is6() && !ipv6Enabled():
		return HostEnt{}, false
	case a == netip.IPv6Loopback():
		canon, hostnameAlias = "localhost", true
	default:
		found := false
		if l, err := localAddresses(af); err == nil && slices.ContainsFunc(l, func(x localAddr) bool { return x.addr == a }) {
			addrs, found = l, true
		} else if g, err := localGateways(af); err == nil && slices.ContainsFunc(g, func(x localAddr) bool { return x.addr == a }) {
			addrs, found, canon = g, true, "_gateway"
		}
		if !found {
			return HostEnt{}, false
		}
	}
	if canon == "" {
		canon = myHostname()
	} else if hostnameAlias {
		additional = myHostname()
	}
	h := HostEnt{Name: canon, Aliases: []string{}}
	if additional != "" {
		h.Aliases = []string{additional}
	}
	for _, la := range addrs {
		if familyOf(la.addr) == af {
			h.Addrs = append(h.Addrs, la.addr.String())
		}
	}
	if len(h.Addrs) == 0 {
		if af == unix.AF_INET {
			h.Addrs = []string{fallback.String()}
		} else {
			h.Addrs = []string{netip.IPv6Loopback().String()}
		}
	}
	return h, true
}
