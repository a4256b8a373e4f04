package main

import (
	"encoding/binary"
	"fmt"
)

// IPsec headers without keys (tcpdump 4.99's print-esp.c and print-ah.c):
// ESP's SPI and sequence number, AH's with its ICV, then AH's next header
// through the printers again (tcpdump prints the ports after it without
// the addresses). gopacket has no ESP or AH layer.

func printESP(c *pctx, p []byte) {
	b := c.b
	c.addrPair()
	c.f["proto"] = "ESP"
	if len(p) < 8 {
		b.WriteString(" [|esp]")
		return
	}
	fmt.Fprintf(b, "ESP(spi=0x%08x,seq=0x%x), length %d", binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:]), c.length)
}

func printAH(c *pctx, p []byte) {
	b := c.b
	c.addrPair()
	c.addrs = true
	c.f["proto"] = "AH"
	// tcpdump reads the length byte before it prints "AH(".
	switch len(p) {
	case 0:
		b.WriteString(" [|ah]")
		return
	case 1:
		b.WriteString("AH [|ah]")
		return
	}
	b.WriteString("AH(")
	sumlen := (int(p[1]) + 2) * 4
	if c.verbose {
		fmt.Fprintf(b, "length=%d(%d-bytes),", p[1], sumlen)
	}
	if len(p) < 8 {
		b.WriteString(" [|ah]")
		return
	}
	fmt.Fprintf(b, "spi=0x%08x,", binary.BigEndian.Uint32(p[4:]))
	if len(p) < 12 {
		b.WriteString(" [|ah]")
		return
	}
	fmt.Fprintf(b, "seq=0x%x,icv=0x", binary.BigEndian.Uint32(p[8:]))
	for i := 12; i < sumlen; i++ {
		if i >= len(p) {
			b.WriteString(" [|ah]")
			return
		}
		fmt.Fprintf(b, "%02x", p[i])
	}
	b.WriteString("): ")
	next := uint32(p[0])
	rest := p[min(sumlen, len(p)):]
	c.proto = uint8(next)
	c.l4 -= sumlen
	c.length = c.l4
	if !c.next(ipSpace, next, rest) {
		fmt.Fprintf(b, " ip-proto-%d %d", next, c.l4)
	}
}
