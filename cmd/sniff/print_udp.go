package main

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// UDP (tcpdump's print-udp.c).

func printUDP(c *pctx, data []byte) {
	u := &c.d.ly.udp
	if len(data) < 4 {
		c.addrPair()
		c.b.WriteString(" [|udp]")
		return
	}
	if u.DecodeFromBytes(data, nilDF) != nil {
		c.sport, c.dport = binary.BigEndian.Uint16(data), binary.BigEndian.Uint16(data[2:])
		c.ends()
		c.b.WriteString(" [|udp]")
		return
	}
	c.sport, c.dport = uint16(u.SrcPort), uint16(u.DstPort)
	c.f["proto"], c.f["sport"], c.f["dport"] = "UDP", int(u.SrcPort), int(u.DstPort)
	c.ends()
	if c.ipv6 {
		c.b.WriteString(c.v6Checksum("udp", u.Checksum, u.Contents, u.Payload))
	} else if c.d.vv && !c.frag {
		// tcpdump -vv checks UDP over IPv4 too; 0 is no checksum.
		if u.Checksum == 0 {
			c.b.WriteString("[no cksum] ")
		} else if seg := segment(u.Contents, u.Payload, c.l4); seg != nil {
			if sum := pseudoChecksum(c.src, c.dst, c.proto, seg); sum != 0 {
				fmt.Fprintf(c.b, "[bad udp cksum 0x%04x -> 0x%04x!] ", u.Checksum, shouldBe(u.Checksum, sum))
			} else {
				c.b.WriteString("[udp sum ok] ")
			}
		}
	}
	// tcpdump prints the length the UDP header gives and hands the
	// printers above the part of it the IP layer holds.
	c.ulen = int(u.Length) - 8
	if c.ulen < 0 {
		c.ulen = len(u.Payload)
	}
	c.length = min(c.ulen, c.l4-8)
	if c.d.quiet || !c.nextPort(udpSpace, u.Payload) {
		c.udpLength()
	}
}

// udpLength is the line's end for a datagram no printer decodes.
func (c *pctx) udpLength() {
	var buf [32]byte
	c.b.Write(strconv.AppendInt(append(buf[:0], "UDP, length "...), int64(c.ulen), 10))
}
