package main

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// IPv4 (tcpdump's print-ip.c).

func printIPv4(c *pctx, data []byte) {
	// The header is read here as tcpdump reads it: gopacket's IPv4
	// rejects headers tcpdump prints (bad lengths, cut-short payloads).
	b := c.b
	if len(data) < 1 {
		b.WriteString(" [|ip]")
		return
	}
	if v := data[0] >> 4; v != 4 {
		if v == 6 {
			b.WriteString("IP6, wrong link-layer encapsulation (invalid)")
		} else {
			fmt.Fprintf(b, "IP%d (invalid)", v)
		}
		return
	}
	c.protoPrefix("IP ")
	if len(data) < 20 {
		b.WriteString(" [|ip]")
		return
	}
	if c.length < 20 {
		fmt.Fprintf(b, "truncated-ip %d", c.length)
		return
	}
	hlen := int(data[0]&0xf) * 4
	if hlen < 20 {
		fmt.Fprintf(b, "bad-hlen %d", hlen)
		return
	}
	total := int(binary.BigEndian.Uint16(data[2:]))
	if c.length < total {
		fmt.Fprintf(b, "truncated-ip - %d bytes missing! ", total-c.length)
	}
	if total < hlen {
		fmt.Fprintf(b, "bad-len %d", total)
		return
	}
	ip := &c.d.ly.ip4
	ip.TOS, ip.Id, ip.TTL, ip.Protocol = data[1], binary.BigEndian.Uint16(data[4:]), data[8], layers.IPProtocol(data[9])
	off := binary.BigEndian.Uint16(data[6:])
	ip.Flags, ip.FragOffset = layers.IPv4Flag(off>>13), off&0x1fff
	ip.SrcIP, ip.DstIP = data[12:16], data[16:20]
	if c.fields && c.depth == 0 {
		c.f["src"], c.f["dst"] = ip.SrcIP.String(), ip.DstIP.String()
	}
	if c.verbose {
		ecn := [...]string{"", ",ECT(1)", ",ECT(0)", ",CE"}[ip.TOS&3]
		// "(tos 0x%x%s, ttl %d, id %d, offset %d, flags [%s], proto %s (%d), length %d"
		var buf [8]byte
		b.WriteString("(tos 0x")
		b.Write(strconv.AppendUint(buf[:0], uint64(ip.TOS), 16))
		b.WriteString(ecn)
		b.WriteString(", ttl ")
		writeUint(b, uint64(ip.TTL))
		b.WriteString(", id ")
		writeUint(b, uint64(ip.Id))
		b.WriteString(", offset ")
		writeUint(b, uint64(ip.FragOffset)*8)
		b.WriteString(", flags [")
		b.WriteString(flagNames(uint32(off), ipFragFlags))
		b.WriteString("], proto ")
		b.WriteString(ipProtoName(ip.Protocol))
		b.WriteString(" (")
		writeUint(b, uint64(ip.Protocol))
		b.WriteString("), length ")
		writeUint(b, uint64(total))
		if hlen > 20 {
			if len(data) < hlen {
				b.WriteString(" [|ip]")
				return
			}
			b.WriteString(", options (")
			ipOptions(b, data[20:hlen])
			b.WriteByte(')')
		}
		if len(data) >= hlen {
			if sum := checksum(data[:hlen]); sum != 0 {
				stored := binary.BigEndian.Uint16(data[10:])
				fmt.Fprintf(b, ", bad cksum %x (->%x)!", stored, shouldBe(stored, sum))
			}
		}
		b.WriteString(")\n    ")
	}
	if len(data) < hlen {
		fmt.Fprintf(b, "%s > %s: [|ip]", ip.SrcIP, ip.DstIP)
		return
	}
	if ip.FragOffset != 0 {
		fmt.Fprintf(b, "%s > %s: ip-proto-%d", ip.SrcIP, ip.DstIP, uint8(ip.Protocol))
		return
	}
	c.src, c.dst, c.proto, c.ipv6, c.ttl, c.addrs = ip.SrcIP, ip.DstIP, uint8(ip.Protocol), false, ip.TTL, false
	c.l4 = total - hlen // on the wire, as the header gives it
	c.frag = ip.Flags&layers.IPv4MoreFragments != 0
	c.length = c.l4
	payload := data[hlen:min(len(data), total)]
	if !c.next(ipSpace, uint32(ip.Protocol), payload) {
		c.addrPair()
		fmt.Fprintf(b, " ip-proto-%d %d", uint8(ip.Protocol), c.l4)
	}
}

// ipOptions prints IPv4 options as tcpdump's ip_optprint does: their
// names, with the router alert's value when it is not 0.
func ipOptions(b *strings.Builder, o []byte) {
	names := map[byte]string{0: "EOL", 1: "NOP", 7: "RR", 68: "TS", 130: "security", 131: "LSRR", 137: "SSRR", 148: "RA", 82: "traceroute"}
	for len(o) > 0 {
		code := o[0]
		if name, ok := names[code]; ok {
			b.WriteString(name)
		} else {
			fmt.Fprintf(b, "unknown %d", code)
		}
		n := 1
		if code > 1 {
			if len(o) < 2 || o[1] < 2 {
				b.WriteString(" [bad length]")
				return
			}
			n = int(o[1])
		}
		if n > len(o) {
			fmt.Fprintf(b, " [bad length %d]", n)
			return
		}
		if code == 0 {
			return
		}
		if code == 148 {
			if n < 4 {
				fmt.Fprintf(b, " [bad length %d]", n)
			} else if v := binary.BigEndian.Uint16(o[2:]); v != 0 {
				fmt.Fprintf(b, " value %d", v)
			}
		}
		o = o[n:]
	}
}

// ipProtoNames is tcpdump's ipproto_values, the names -v prints.
var ipProtoNames = map[layers.IPProtocol]string{0: "Options", 1: "ICMP", 2: "IGMP", 4: "IPIP", 6: "TCP",
	8: "EGP", 9: "IGRP", 17: "UDP", 33: "DCCP", 41: "IPv6", 43: "Routing", 44: "Fragment", 46: "RSVP",
	47: "GRE", 50: "ESP", 51: "AH", 55: "Mobile IP", 58: "ICMPv6", 62: "Mobile IP (old)", 88: "EIGRP",
	89: "OSPF", 103: "PIM", 108: "Compressed IP", 112: "VRRP", 113: "PGM", 132: "SCTP", 135: "Mobility",
	143: "Ethernet"}

// ipProtoName names an IP protocol as tcpdump -v does.
func ipProtoName(p layers.IPProtocol) string {
	if n, ok := ipProtoNames[p]; ok {
		return n
	}
	return "unknown"
}

// ipFragFlags are tcpdump's ip_frag_values, in its order.
var ipFragFlags = []bitName{{0x2000, "+"}, {0x4000, "DF"}, {0x8000, "rsvd"}}

// trunc writes "src > dst: [|proto]", tcpdump's mark for a transport
// header the capture cut short.
func (c *pctx) trunc(proto string) {
	c.addrPair()
	fmt.Fprintf(c.b, "[|%s]", proto)
}

// protoPrefix writes "IP ", "IP6 " or "ARP, " before a packet, which
// tcpdump -e leaves out (the link header named the protocol). For the
// outer packet the text sink takes it off; here for a tunnel's inner one.
func (c *pctx) protoPrefix(p string) {
	if c.link && (c.depth > 0 || c.named) {
		return
	}
	c.b.WriteString(p)
}

// addrPair writes "src > dst: " unless the network layer has.
func (c *pctx) addrPair() {
	if c.addrs {
		return
	}
	var buf [96]byte
	o := appendIP(buf[:0], c.src)
	o = append(o, " > "...)
	o = appendIP(o, c.dst)
	c.b.Write(append(o, ": "...))
}
