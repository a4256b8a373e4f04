package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/nlmsg"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// ifaceInfo is one interface of `resolve iface` (its JSON is documented in
// README's resolve section).
type ifaceInfo struct {
	Index    int         `json:"index"`
	Name     string      `json:"name"`
	Kind     string      `json:"kind"`      // IFLA_INFO_KIND; "loopback" for lo; "" for a plain device
	LinkType string      `json:"link_type"` // as ip: ether, loopback, none, or the ARPHRD number
	Flags    []string    `json:"flags"`     // as ip: LOOPBACK, BROADCAST, ..., UP, LOWER_UP
	State    string      `json:"state"`     // IFLA_OPERSTATE as ip: UP, DOWN, UNKNOWN, LOWERLAYERDOWN, ...
	MTU      int         `json:"mtu"`
	MAC      string      `json:"mac,omitempty"` // IFLA_ADDRESS, absent when the device has none
	Addrs    []ifaceAddr `json:"addrs"`
}

type ifaceAddr struct {
	Family    string `json:"family"` // inet or inet6
	Local     string `json:"local"`
	PrefixLen int    `json:"prefixlen"`
	Scope     string `json:"scope"` // global, site, link, host, nowhere or the number
}

// ip's flag names and order (iproute2 ip/ipaddress.c print_link_flags).
var ifFlagNames = []struct {
	bit  uint32
	name string
}{
	{unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_BROADCAST, "BROADCAST"}, {unix.IFF_POINTOPOINT, "POINTOPOINT"},
	{unix.IFF_MULTICAST, "MULTICAST"}, {unix.IFF_NOARP, "NOARP"}, {unix.IFF_ALLMULTI, "ALLMULTI"},
	{unix.IFF_PROMISC, "PROMISC"}, {unix.IFF_MASTER, "MASTER"}, {unix.IFF_SLAVE, "SLAVE"},
	{unix.IFF_DEBUG, "DEBUG"}, {unix.IFF_DYNAMIC, "DYNAMIC"}, {unix.IFF_AUTOMEDIA, "AUTOMEDIA"},
	{unix.IFF_PORTSEL, "PORTSEL"}, {unix.IFF_NOTRAILERS, "NOTRAILERS"}, {unix.IFF_UP, "UP"},
	{unix.IFF_LOWER_UP, "LOWER_UP"}, {unix.IFF_DORMANT, "DORMANT"}, {unix.IFF_ECHO, "ECHO"},
}

// RFC 2863 operational states, linux/if.h IF_OPER_*.
var operStates = []string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}

var linkTypes = map[uint16]string{
	unix.ARPHRD_ETHER: "ether", unix.ARPHRD_LOOPBACK: "loopback", unix.ARPHRD_NONE: "none",
	unix.ARPHRD_SIT: "sit", unix.ARPHRD_TUNNEL: "ipip", unix.ARPHRD_TUNNEL6: "tunnel6",
	unix.ARPHRD_IPGRE: "gre", unix.ARPHRD_IP6GRE: "gre6", unix.ARPHRD_CAN: "can", unix.ARPHRD_VOID: "void",
}

var scopeNames = map[uint8]string{
	unix.RT_SCOPE_UNIVERSE: "global", unix.RT_SCOPE_SITE: "site", unix.RT_SCOPE_LINK: "link",
	unix.RT_SCOPE_HOST: "host", unix.RT_SCOPE_NOWHERE: "nowhere",
}

// interfaces reads every interface and its addresses with two
// NETLINK_ROUTE dumps (RTM_GETLINK, RTM_GETADDR), in the kernel's order.
func interfaces() ([]ifaceInfo, error) {
	s, err := sockcore.New(unix.AF_NETLINK, unix.SOCK_RAW, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	links, err := dump(s, unix.RTM_GETLINK, unix.SizeofIfInfomsg, 1)
	if err != nil {
		return nil, fmt.Errorf("RTM_GETLINK dump: %w", err)
	}
	var out []ifaceInfo
	byIndex := map[int]int{}
	for _, m := range links {
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		info, err := parseLink(m.Data)
		if err != nil {
			return nil, err
		}
		byIndex[info.Index] = len(out)
		out = append(out, info)
	}
	addrs, err := dump(s, unix.RTM_GETADDR, unix.SizeofIfAddrmsg, 2)
	if err != nil {
		return nil, fmt.Errorf("RTM_GETADDR dump: %w", err)
	}
	for _, m := range addrs {
		if m.Header.Type != unix.RTM_NEWADDR {
			continue
		}
		index, a, ok, err := parseAddr(m.Data)
		if err != nil {
			return nil, err
		}
		if i, found := byIndex[index]; ok && found {
			out[i].Addrs = append(out[i].Addrs, a)
		}
	}
	return out, nil
}

// dump runs one AF_UNSPEC dump whose family header is hdrLen bytes.
func dump(s *sockcore.Socket, typ uint16, hdrLen int, seq uint32) ([]nlmsg.Message, error) {
	e := nlmsg.NewEncoder(typ, nlmsg.FRequest|nlmsg.FDump, seq)
	e.Fixed(make([]byte, hdrLen))
	req, err := e.Bytes()
	if err != nil {
		return nil, err
	}
	return sockcore.NetlinkExchange(s, req)
}

// parseLink decodes the body of an RTM_NEWLINK (struct ifinfomsg + attributes).
func parseLink(b []byte) (ifaceInfo, error) {
	if len(b) < unix.SizeofIfInfomsg {
		return ifaceInfo{}, fmt.Errorf("RTM_NEWLINK of %d bytes", len(b))
	}
	arphrd := binary.NativeEndian.Uint16(b[2:])
	flags := binary.NativeEndian.Uint32(b[8:])
	info := ifaceInfo{Index: int(int32(binary.NativeEndian.Uint32(b[4:]))), Flags: []string{}, Addrs: []ifaceAddr{}, State: operStates[0]}
	info.LinkType = linkTypes[arphrd]
	if info.LinkType == "" {
		info.LinkType = strconv.Itoa(int(arphrd))
	}
	if flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING == 0 {
		info.Flags = append(info.Flags, "NO-CARRIER")
	}
	for _, f := range ifFlagNames {
		if flags&f.bit != 0 {
			info.Flags = append(info.Flags, f.name)
		}
	}
	as, err := nlmsg.ParseAttrs(b[unix.SizeofIfInfomsg:])
	if err != nil {
		return info, err
	}
	for _, a := range as {
		switch a.Kind() {
		case unix.IFLA_IFNAME:
			info.Name = a.String()
		case unix.IFLA_MTU:
			v, _ := a.Uint32()
			info.MTU = int(v)
		case unix.IFLA_OPERSTATE:
			if v, err := a.Uint8(); err == nil && int(v) < len(operStates) {
				info.State = operStates[v]
			}
		case unix.IFLA_ADDRESS:
			if len(a.Data) > 0 {
				info.MAC = net.HardwareAddr(a.Data).String()
			}
		case unix.IFLA_LINKINFO:
			in, _ := a.Nested()
			if k, ok := nlmsg.Find(in, unix.IFLA_INFO_KIND); ok {
				info.Kind = k.String()
			}
		}
	}
	if info.Kind == "" && arphrd == unix.ARPHRD_LOOPBACK {
		info.Kind = "loopback"
	}
	return info, nil
}

// parseAddr decodes the body of an RTM_NEWADDR (struct ifaddrmsg +
// attributes); ok is false for families other than inet and inet6.
func parseAddr(b []byte) (index int, a ifaceAddr, ok bool, err error) {
	if len(b) < unix.SizeofIfAddrmsg {
		return 0, a, false, fmt.Errorf("RTM_NEWADDR of %d bytes", len(b))
	}
	fam, plen, scope := b[0], b[1], b[3]
	index = int(binary.NativeEndian.Uint32(b[4:]))
	as, err := nlmsg.ParseAttrs(b[unix.SizeofIfAddrmsg:])
	if err != nil {
		return index, a, false, err
	}
	// IFA_LOCAL is the interface's own address; IPv6 sends IFA_ADDRESS only.
	v, found := nlmsg.Find(as, unix.IFA_LOCAL)
	if !found {
		v, found = nlmsg.Find(as, unix.IFA_ADDRESS)
	}
	ip, isIP := netip.AddrFromSlice(v.Data)
	if !found || !isIP || (fam != unix.AF_INET && fam != unix.AF_INET6) {
		return index, a, false, nil
	}
	a = ifaceAddr{Family: familyName(int(fam)), Local: ip.String(), PrefixLen: int(plen), Scope: scopeNames[scope]}
	if a.Scope == "" {
		a.Scope = strconv.Itoa(int(scope))
	}
	return index, a, true, nil
}

// ifaceText is the readable form: a line per interface, then its addresses.
func ifaceText(l []ifaceInfo) string {
	var b strings.Builder
	for _, i := range l {
		fmt.Fprintf(&b, "%d %s", i.Index, i.Name)
		if i.Kind != "" {
			fmt.Fprintf(&b, " kind=%s", i.Kind)
		}
		fmt.Fprintf(&b, " state=%s mtu=%d", i.State, i.MTU)
		if i.MAC != "" {
			fmt.Fprintf(&b, " mac=%s", i.MAC)
		}
		fmt.Fprintf(&b, " <%s>\n", strings.Join(i.Flags, ","))
		for _, a := range i.Addrs {
			fmt.Fprintf(&b, "    %-5s %s/%d scope %s\n", a.Family, a.Local, a.PrefixLen, a.Scope)
		}
	}
	return b.String()
}
