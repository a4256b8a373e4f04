package main

import "fmt"

// Cisco UniDirectional Link Detection in SNAP under Cisco's OUI, protocol
// ID 0x0111 (tcpdump 4.99's print-udld.c): version, opcode, flags and
// length; with -v the checksum and each TLV. gopacket has no UDLD layer.

var udldCodes = map[byte]string{0: "Reserved", 1: "Probe message", 2: "Echo message", 3: "Flush message"}

var udldFlags = []bitName{{0x01, "RT"}, {0x02, "RSY"}, {0x04, "MBZ-2"}, {0x08, "MBZ-3"}, {0x10, "MBZ-4"}, {0x20, "MBZ-5"},
	{0x40, "MBZ-6"}, {0x80, "MBZ-7"}}

var udldTLVs = map[uint16]string{1: "Device-ID TLV", 2: "Port-ID TLV", 3: "Echo TLV", 4: "Message Interval TLV",
	5: "Timeout Interval TLV", 6: "Device Name TLV", 7: "Sequence Number TLV"}

func printUDLD(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "UDLD"
	length := c.length
	proto := "udld"
	defer ndCatchJmp(c, &proto)
	f := ndBuf(p)
	o, n := 0, length
	invalid := func() {
		b.WriteString(" (invalid)")
		f.need(o, n)
	}
	if length < 4 {
		invalid()
		return
	}
	code := byte(f.u8(0)) & 0x1f
	fmt.Fprintf(b, "UDLDv%d, Code %s (%x), Flags [%s] (0x%02x), length %d", f.u8(0)>>5,
		tokOr(udldCodes, code, "Reserved"), code, flagNames(uint32(f.u8(1)), udldFlags), f.u8(1), length)
	if !c.verbose {
		f.need(o, n)
		return
	}
	fmt.Fprintf(b, "\n\tChecksum 0x%04x (unverified)", f.u16(2))
	o, n = 4, n-4
	for n > 0 {
		if n < 4 {
			invalid()
			return
		}
		typ, tl := uint16(f.u16(o)), int(f.u16(o+2))
		fmt.Fprintf(b, "\n\t%s (0x%04x) TLV, length %d", tokOr(udldTLVs, typ, "Unknown"), typ, tl)
		if tl <= 4 || tl > n {
			invalid()
			return
		}
		o, n, tl = o+4, n-4, tl-4
		switch typ {
		case 1, 2, 6:
			b.WriteString(", ")
			f.jnp(b, o, tl)
		case 3: // tcpdump's nd_printjn: each byte while the capture holds it
			b.WriteString(", ")
			for i := range tl {
				fnPrint(b, []byte{byte(f.u8(o + i))})
			}
		case 4, 5:
			if tl != 1 {
				invalid()
				return
			}
			fmt.Fprintf(b, ", %ds", f.u8(o))
		case 7:
			if tl != 4 {
				invalid()
				return
			}
			fmt.Fprintf(b, ", %d", f.u32(o))
		default:
			f.need(o, tl)
		}
		o, n = o+tl, n-tl
	}
}
