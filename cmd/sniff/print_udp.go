package main

import (
	"strconv"
)

// UDP (tcpdump's print-udp.c).

func printUDP(c *pctx, data []byte) {
	u := &c.d.ly.udp
	if u.DecodeFromBytes(data, nilDF) != nil {
		c.trunc("udp")
		return
	}
	c.sport, c.dport = uint16(u.SrcPort), uint16(u.DstPort)
	c.f["proto"], c.f["sport"], c.f["dport"] = "UDP", int(u.SrcPort), int(u.DstPort)
	c.ends()
	c.b.WriteString(c.v6Checksum("udp", u.Checksum, u.Contents, u.Payload))
	c.length = int(u.Length) - 8 // the payload's length on the wire
	if c.length < 0 || int(u.Length) > c.l4 {
		c.length = len(u.Payload)
	}
	if c.d.quiet || !c.nextPort(udpSpace, u.Payload) {
		c.udpLength(u.Payload)
	}
}

// udpLength is the line's end for a datagram no printer decodes.
func (c *pctx) udpLength(payload []byte) {
	var buf [32]byte
	c.b.Write(strconv.AppendInt(append(buf[:0], "UDP, length "...), int64(len(payload)), 10))
}
