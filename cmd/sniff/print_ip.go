package main

import (
	"fmt"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// IPv4 (tcpdump's print-ip.c).

func printIPv4(c *pctx, data []byte) {
	ip := &c.d.ly.ip4
	if ip.DecodeFromBytes(data, nilDF) != nil {
		c.unknownEther(layers.EthernetTypeIPv4)
		return
	}
	if c.fields {
		c.f["src"], c.f["dst"] = ip.SrcIP.String(), ip.DstIP.String()
	}
	if c.verbose {
		flags := []string{}
		if ip.Flags&layers.IPv4DontFragment != 0 {
			flags = append(flags, "DF")
		}
		if ip.Flags&layers.IPv4MoreFragments != 0 {
			flags = append(flags, "+")
		}
		fmt.Fprintf(c.b, "IP (tos 0x%x, ttl %d, id %d, offset %d, flags [%s], proto %s (%d), length %d)\n    ",
			ip.TOS, ip.TTL, ip.Id, int(ip.FragOffset)*8, strings.Join(flagsOrNone(flags), ""),
			ipProtoName(ip.Protocol), uint8(ip.Protocol), ip.Length)
	} else {
		c.b.WriteString("IP ")
	}
	if ip.FragOffset != 0 {
		fmt.Fprintf(c.b, "%s > %s: ip-proto-%d", ip.SrcIP, ip.DstIP, uint8(ip.Protocol))
		return
	}
	c.src, c.dst, c.proto, c.ipv6 = ip.SrcIP, ip.DstIP, uint8(ip.Protocol), false
	c.l4 = len(ip.Payload)
	c.frag = ip.Flags&layers.IPv4MoreFragments != 0
	c.length = c.l4
	if !c.next(ipSpace, uint32(ip.Protocol), ip.Payload) {
		fmt.Fprintf(c.b, "%s > %s: ip-proto-%d %d", ip.SrcIP, ip.DstIP, uint8(ip.Protocol), c.l4)
	}
}

// ipProtoName names an IP protocol as tcpdump -v does.
func ipProtoName(p layers.IPProtocol) string {
	switch p {
	case layers.IPProtocolICMPv4:
		return "ICMP"
	case layers.IPProtocolICMPv6:
		return "ICMPv6"
	case layers.IPProtocolTCP, layers.IPProtocolUDP, layers.IPProtocolIGMP, layers.IPProtocolGRE, layers.IPProtocolSCTP:
		return strings.ToUpper(p.String())
	case layers.IPProtocolIPv6HopByHop:
		return "Options"
	}
	return "unknown"
}

func flagsOrNone(f []string) []string {
	if len(f) == 0 {
		return []string{"none"}
	}
	return f
}

// trunc writes "src > dst: [|proto]", tcpdump's mark for a transport
// header the capture cut short.
func (c *pctx) trunc(proto string) {
	fmt.Fprintf(c.b, "%s > %s: [|%s]", c.src, c.dst, proto)
}
