package main

import (
	"encoding/binary"
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
	c.b.WriteString(c.v6Checksum("udp", u.Checksum, u.Contents, u.Payload))
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

// printRX is AFS Rx on UDP ports 7000-7009 (tcpdump's rx_print), so far
// only a datagram too short for Rx's 28-byte header, as tcpdump marks it;
// a longer one is still plain UDP here.
func printRX(c *pctx, data []byte) {
	if len(data) >= 28 {
		c.udpLength()
		return
	}
	c.b.WriteString(" [|rx] (")
	c.b.WriteString(strconv.Itoa(c.ulen))
	c.b.WriteByte(')')
}
