package main

import (
	"fmt"
	"net"

	"github.com/gopacket/gopacket/layers"
)

// segment returns the l4 bytes of a transport header and its payload,
// which lie one after the other in the decoded packet, or nil when the
// capture holds less.
func segment(contents, payload []byte, l4 int) []byte {
	if len(contents) == 0 || len(contents)+len(payload) < l4 || cap(contents) < l4 || l4 < len(contents) {
		return nil
	}
	return contents[:l4:l4]
}

// pseudoChecksum is the Internet checksum over seg and the IPv4 or IPv6
// pseudo-header: 0 when seg's checksum field is right.
func pseudoChecksum(src, dst net.IP, proto uint8, seg []byte) uint16 {
	return pseudoChecksumLen(src, dst, proto, len(seg), seg)
}

// pseudoChecksumLen is pseudoChecksum over the first bytes of a segment
// of n bytes (DCCP's partial checksum coverage).
func pseudoChecksumLen(src, dst net.IP, proto uint8, n int, seg []byte) uint16 {
	var sum uint32
	add := func(b []byte) {
		for len(b) >= 2 {
			sum += uint32(b[0])<<8 | uint32(b[1])
			b = b[2:]
		}
		if len(b) == 1 {
			sum += uint32(b[0]) << 8
		}
	}
	if s4, d4 := src.To4(), dst.To4(); s4 != nil && d4 != nil {
		add(s4)
		add(d4)
	} else {
		add(src.To16())
		add(dst.To16())
	}
	sum += uint32(proto) + uint32(n)>>16 + uint32(n)&0xffff
	add(seg)
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// shouldBe is tcpdump's in_cksum_shouldbe: the checksum that would have
// been right, from the stored one and the computed sum.
func shouldBe(stored, computed uint16) uint16 {
	v := uint32(stored) + uint32(computed)
	v = v&0xffff + v>>16
	v = v&0xffff + v>>16
	return uint16(v)
}

// tcpChecksum returns tcpdump's -v checksum text for the current segment
// (", cksum 0x1234 (correct)" or "(incorrect -> 0x5678)"), or "" without
// -v or when the segment was not captured whole.
func (c *pctx) tcpChecksum() string {
	t := &c.d.ly.tcp
	if !c.verbose || c.frag {
		return ""
	}
	src, dst := c.src, c.dst
	seg := segment(t.Contents, t.Payload, c.l4)
	if seg == nil {
		return ""
	}
	if c := pseudoChecksum(src, dst, uint8(layers.IPProtocolTCP), seg); c != 0 {
		return fmt.Sprintf(", cksum 0x%04x (incorrect -> 0x%04x)", t.Checksum, shouldBe(t.Checksum, c))
	}
	return fmt.Sprintf(", cksum 0x%04x (correct)", t.Checksum)
}

// v6Checksum returns tcpdump's -v verdict for UDP and ICMPv6 over IPv6
// ("[udp sum ok] ", "[bad icmp6 cksum 0x1234 -> 0x5678!] "), and with -vv
// for UDP over IPv4 too ("[no cksum] " when there is none), or "".
func (c *pctx) v6Checksum(name string, stored uint16, contents, payload []byte) string {
	src, dst, proto := c.src, c.dst, c.proto
	if !c.verbose || c.frag {
		return ""
	}
	if !c.ipv6 {
		if !c.d.vv || name != "udp" {
			return ""
		}
		if stored == 0 {
			return "[no cksum] "
		}
	}
	seg := segment(contents, payload, c.l4)
	if seg == nil {
		return ""
	}
	if c := pseudoChecksum(src, dst, proto, seg); c != 0 {
		return fmt.Sprintf("[bad %s cksum 0x%04x -> 0x%04x!] ", name, stored, shouldBe(stored, c))
	}
	return "[" + name + " sum ok] "
}
