package main

import (
	"encoding/binary"
	"fmt"

	"github.com/gopacket/gopacket/layers"
)

// MPLS label stacks on ethertypes 0x8847 and 0x8848 (tcpdump 4.99's
// print-mpls.c): each label entry, then IPv4 or IPv6 by the bottom label
// (0 and 3: IPv4, 2: IPv6) or, for any other label, by the payload's first
// byte; else a hex dump. gopacket's MPLS layer guesses the payload
// differently and stops at a stack without its bottom, so the entries are
// read here.

var mplsLabelNames = [...]string{"IPv4 explicit NULL", "router alert", "IPv6 explicit NULL", "implicit NULL",
	"rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd", "rsvd"}

func printMPLS(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "MPLS"
	b.WriteString("MPLS")
	length := c.length
	var entry uint32
	for depth := 0; ; depth++ {
		if length < 4 {
			b.WriteString(" (invalid)")
			return
		}
		if len(p) < 4 {
			b.WriteString(" [|mpls]")
			return
		}
		entry = binary.BigEndian.Uint32(p)
		label := entry >> 12
		sep := " "
		if depth > 0 && c.verbose {
			sep = "\n\t"
		}
		fmt.Fprintf(b, "%s(label %d", sep, label)
		if c.verbose && label < uint32(len(mplsLabelNames)) {
			fmt.Fprintf(b, " (%s)", mplsLabelNames[label])
		}
		fmt.Fprintf(b, ", tc %d", entry>>9&7)
		if entry&0x100 != 0 {
			b.WriteString(", [S]")
		}
		fmt.Fprintf(b, ", ttl %d)", entry&0xff)
		p, length = p[4:], length-4
		if entry&0x100 != 0 {
			break
		}
	}
	var t layers.EthernetType
	switch entry >> 12 {
	case 0, 3:
		t = layers.EthernetTypeIPv4
	case 2:
		t = layers.EthernetTypeIPv6
	default:
		if length < 1 {
			return
		}
		if len(p) < 1 {
			b.WriteString(" [|mpls]")
			return
		}
		switch first := p[0]; {
		case first >= 0x45 && first <= 0x4f:
			t = layers.EthernetTypeIPv4
		case first >= 0x60 && first <= 0x6f:
			t = layers.EthernetTypeIPv6
		default:
			// tcpdump's default print (OSI payloads, 0x81-0x83, too:
			// sniff has no OSI printer): a hex and ASCII dump.
			d := p[:min(len(p), length)]
			h := appendHex(nil, d, true)
			if len(h) > 0 {
				b.WriteByte('\n')
				b.Write(h[:len(h)-1])
			}
			if len(d) < length {
				b.WriteString(" [|mpls]")
			}
			return
		}
	}
	if c.verbose {
		b.WriteString("\n\t")
	} else {
		b.WriteByte(' ')
	}
	c.encap(t, p, length, "")
}
