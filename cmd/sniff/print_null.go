package main

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// BSD loopback: LINKTYPE_NULL and LINKTYPE_LOOP, a 4-byte address family
// before the packet (tcpdump's print-null.c, which prints both).

const (
	linkTypeNull = 0
	linkTypeLoop = 108
)

// bsdAFNames is tcpdump's bsd_af_values.
var bsdAFNames = map[uint32]string{
	2: "IPv4", 6: "NS", 7: "ISO", 16: "Appletalk", 23: "IPX",
	24: "IPv6", 28: "IPv6", 30: "IPv6",
}

func printNull(c *pctx, data []byte) {
	if len(data) < 4 {
		c.b.WriteString(" [|null]")
		return
	}
	// The family is in the byte order of the machine that wrote it
	// (LINKTYPE_LOOP: network order): tcpdump reads it in its own and
	// swaps it when the upper 16 bits are not zero.
	family := binary.LittleEndian.Uint32(data)
	if family&0xffff0000 != 0 {
		family = bits.ReverseBytes32(family)
	}
	hdr := fmt.Sprintf("AF %s (%d), length %d: ", tokOr(bsdAFNames, family, "Unknown"), family, c.wire)
	if c.link {
		c.s.link = hdr
	}
	c.length -= 4
	payload := data[4:]
	c.s.payload = payload
	switch family {
	case 2:
		printIPv4(c, payload)
	case 24, 28, 30:
		printIPv6(c, payload)
	default:
		if !c.link {
			c.b.WriteString(hdr)
		}
		c.defaultPrint(payload)
	}
}
