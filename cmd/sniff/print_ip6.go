package main

import (
	"fmt"

	"github.com/gopacket/gopacket/layers"
)

// IPv6 and its extension headers (tcpdump's print-ip6.c).

func printIPv6(c *pctx, data []byte) {
	ly := &c.d.ly
	ip := &ly.ip6
	if ip.DecodeFromBytes(data, nilDF) != nil {
		c.unknownEther(layers.EthernetTypeIPv6)
		return
	}
	if c.fields {
		c.f["src"], c.f["dst"] = ip.SrcIP.String(), ip.DstIP.String()
	}
	if c.verbose {
		c.b.WriteString("IP6 (")
		if ip.TrafficClass != 0 {
			fmt.Fprintf(c.b, "class 0x%02x, ", ip.TrafficClass)
		}
		if ip.FlowLabel != 0 { // tcpdump leaves out a zero flow label
			fmt.Fprintf(c.b, "flowlabel 0x%05x, ", ip.FlowLabel)
		}
		fmt.Fprintf(c.b, "hlim %d, next-header %s (%d) payload length: %d) ",
			ip.HopLimit, ipProtoName(ip.NextHeader), uint8(ip.NextHeader), ip.Length)
	} else {
		c.b.WriteString("IP6 ")
	}
	// gopacket decodes a hop-by-hop header inside IPv6; the others are
	// walked here up to the upper layer.
	next, payload := ip.NextHeader, ip.Payload
	c.extHdrs = ""
	if ip.HopByHop != nil {
		next = ip.HopByHop.NextHeader
		if !c.verbose { // -v would print the options too
			c.extHdrs = "HBH "
		}
	}
walk:
	for {
		switch next {
		case layers.IPProtocolIPv6HopByHop, layers.IPProtocolIPv6Routing, layers.IPProtocolIPv6Destination:
			if ly.ext.DecodeFromBytes(payload, nilDF) != nil {
				break walk
			}
			if !c.verbose {
				switch next {
				case layers.IPProtocolIPv6HopByHop:
					c.extHdrs += "HBH "
				case layers.IPProtocolIPv6Destination:
					c.extHdrs += "DSTOPT "
				}
			}
			next, payload = ly.ext.NextHeader, ly.ext.Payload
		case layers.IPProtocolIPv6Fragment:
			if ly.frag.DecodeFromBytes(payload, nilDF) != nil {
				break walk
			}
			next, payload = ly.frag.NextHeader, ly.frag.Payload
		default:
			break walk
		}
	}
	c.src, c.dst, c.proto, c.ipv6, c.ttl = ip.SrcIP, ip.DstIP, uint8(next), true, ip.HopLimit
	c.l4 = len(payload)
	c.length = c.l4
	if !c.next(ipSpace, uint32(next), payload) {
		fmt.Fprintf(c.b, "%s > %s: ip-proto-%d %d", ip.SrcIP, ip.DstIP, uint8(next), c.l4)
	}
}
