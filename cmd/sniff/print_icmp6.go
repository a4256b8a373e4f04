package main

import (
	"encoding/binary"
	"fmt"
	"github.com/gopacket/gopacket/layers"
	"net"
)

// ICMPv6 (tcpdump's print-icmp6.c).

func printICMP6(c *pctx, data []byte) {
	m := &c.d.ly.icmp6
	if m.DecodeFromBytes(data, nilDF) != nil {
		c.addrPair()
		fmt.Fprintf(c.b, "ip-proto-%d %d", c.proto, c.l4)
		return
	}
	c.f["proto"] = "ICMP6"
	sum := c.v6Checksum("icmp6", m.Checksum, m.Contents, m.Payload)
	c.addrPair()
	fmt.Fprintf(c.b, "%sICMP6, %s", sum, icmp6Text(m))
	if !c.verbose { // -v shows the length in the IPv6 header instead
		fmt.Fprintf(c.b, ", length %d", c.l4)
	}
}

// icmp6Text is the ICMPv6 message as tcpdump names it, without the length.
func icmp6Text(c *layers.ICMPv6) string {
	p := c.Payload
	switch c.TypeCode.Type() {
	case layers.ICMPv6TypeEchoRequest, layers.ICMPv6TypeEchoReply:
		kind := "request"
		if c.TypeCode.Type() == layers.ICMPv6TypeEchoReply {
			kind = "reply"
		}
		if len(p) >= 4 {
			return fmt.Sprintf("echo %s, id %d, seq %d", kind, binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]))
		}
	case layers.ICMPv6TypeNeighborSolicitation:
		if len(p) >= 20 {
			return fmt.Sprintf("neighbor solicitation, who has %s", net.IP(p[4:20]))
		}
	case layers.ICMPv6TypeNeighborAdvertisement:
		if len(p) >= 20 {
			return fmt.Sprintf("neighbor advertisement, tgt is %s", net.IP(p[4:20]))
		}
	case layers.ICMPv6TypeRouterSolicitation:
		return "router solicitation"
	case layers.ICMPv6TypeRouterAdvertisement:
		return "router advertisement"
	case layers.ICMPv6TypeDestinationUnreachable:
		return "destination unreachable" + unreach6(c.TypeCode.Code(), p)
	case 143:
		if len(p) >= 4 {
			return fmt.Sprintf("multicast listener report v2, %d group record(s)", binary.BigEndian.Uint16(p[2:]))
		}
		return "multicast listener report v2"
	}
	return fmt.Sprintf("type %d", c.TypeCode.Type())
}

// unreach6 is what tcpdump adds to "destination unreachable": the reason
// and what was unreachable, from the quoted packet (4 unused bytes, then
// the IPv6 header and the upper layer).
func unreach6(code uint8, p []byte) string {
	if len(p) < 44 || p[4]>>4 != 6 {
		return ""
	}
	src, dst := net.IP(p[12:28]), net.IP(p[28:44])
	switch code {
	case 0:
		return ", unreachable route " + dst.String()
	case 1:
		return ",  unreachable prohibited " + dst.String()
	case 2:
		return ", beyond scope " + dst.String() + ", source address " + src.String()
	case 3:
		return ", unreachable address " + dst.String()
	case 4:
		next := p[10]
		if (next == 6 || next == 17) && len(p) >= 48 {
			proto := map[byte]string{6: "tcp", 17: "udp"}[next]
			return fmt.Sprintf(", unreachable port, %s %s port %d", dst, proto, binary.BigEndian.Uint16(p[46:]))
		}
		return ", unreachable port"
	}
	return fmt.Sprintf(", unknown unreach code (%d)", code)
}
