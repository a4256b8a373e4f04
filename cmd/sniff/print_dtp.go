package main

import (
	"fmt"
	"net"
)

// Cisco Dynamic Trunking Protocol in SNAP under Cisco's OUI, protocol ID
// 0x2004 (tcpdump 4.99's print-dtp.c): the version and length; with -v
// each TLV, the domain, status, type and neighbour decoded. gopacket has
// no DTP layer.

var dtpTLVs = map[uint16]string{1: "Domain", 2: "Status", 3: "DTP type", 4: "Neighbor"}

func printDTP(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "DTP"
	length := c.length
	proto := "dtp"
	defer ndCatchJmp(c, &proto)
	f := ndBuf(p)
	if length < 1 {
		b.WriteString("[zero packet length] (invalid)")
		return
	}
	fmt.Fprintf(b, "DTPv%d, length %d", f.u8(0), length)
	if !c.verbose {
		return
	}
	o, n := 1, length-1
	invalid := func() {
		b.WriteString(" (invalid)")
		f.need(o, n)
	}
	for n > 0 {
		if n < 4 {
			fmt.Fprintf(b, "[%d bytes remaining]", n)
			invalid()
			return
		}
		typ, tl := uint16(f.u16(o)), int(f.u16(o+2))
		if typ == 0 {
			return
		}
		fmt.Fprintf(b, "\n\t%s (0x%04x) TLV, length %d", tokOr(dtpTLVs, typ, "Unknown"), typ, tl)
		if tl < 4 || tl > n {
			fmt.Fprintf(b, "[invalid TLV length %d]", tl)
			invalid()
			return
		}
		switch typ {
		case 1:
			b.WriteString(", ")
			f.jnp(b, o+4, tl-4)
		case 2, 3:
			if tl != 5 {
				invalid()
				return
			}
			fmt.Fprintf(b, ", 0x%x", f.u8(o+4))
		case 4:
			if tl != 10 {
				invalid()
				return
			}
			b.WriteString(", " + net.HardwareAddr(f.bytes(o+4, 6)).String())
		default:
			f.need(o, tl)
		}
		o, n = o+tl, n-tl
	}
}
