package main

import (
	"fmt"
	"strings"
)

// LISP control messages on UDP port 4342 (tcpdump 4.99's print-lisp.c):
// Map-Register and Map-Notify with their EID records and locators, other
// types by name. Each record starts a line of its own with one space, as
// tcpdump's do. gopacket has no LISP layer.

var lispTypes = map[uint32]string{0: "LISP-Reserved", 1: "LISP-Map-Request", 2: "LISP-Map-Reply",
	3: "LISP-Map-Register", 4: "LISP-Map-Notify", 8: "LISP-Encapsulated-Contol-Message"}

var lispRegisterFlags = []bitName{{0x08000000, "P-Proxy-Map-Reply"}, {0x04000000, "S-LISP-SEC-Capable"},
	{0x02000000, "I-xTR-ID-Present"}, {0x01000000, "R-Build-For-RTR"}, {0x00000100, "M-Want-Map-Notify"}}

var lispNotifyFlags = []bitName{{0x08000000, "I-xTR-ID-Present"}, {0x04000000, "R-Build-For-RTR"}}

var lispAuthTypes = map[uint32]string{0: "None", 1: "SHA1", 2: "SHA256"}

var lispActions = map[uint32]string{0: "No-Action", 1: "Natively-Forward", 2: "Send-Map-Request", 3: "Drop"}

var lispLocFlags = []bitName{{0x0004, "Local-Locator"}, {0x0002, "RLoc-Probed"}, {0x0001, "Reachable"}}

func printLISP(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "LISP"
	proto := "lisp"
	defer ndCatch(c, &proto)
	f := ndBuf(p)
	const hdrLen, eidLen, locLen = 16, 12, 8
	f.need(0, hdrLen)
	typ := f.u8(0) >> 4
	b.WriteString(tok(lispTypes, typ, "unknown-type-%u") + ",")
	if c.verbose {
		switch typ {
		case 3:
			fmt.Fprintf(b, " flags [%s],", flagNames(f.u32(0), lispRegisterFlags))
		case 4:
			fmt.Fprintf(b, " flags [%s],", flagNames(f.u32(0), lispNotifyFlags))
		}
	}
	if typ != 3 && typ != 4 {
		return
	}
	xtr := typ == 3 && f.u8(0)&2 != 0 || typ == 4 && f.u8(0)&8 != 0
	authLen := int(f.u16(14))
	records := f.u8(3)
	if c.verbose {
		fmt.Fprintf(b, "\n    %d record(s), Authentication %s,", records, tok(lispAuthTypes, f.u16(12), "unknown-type"))
		f.hexPrint(b, "\n    Authentication-Data: ", hdrLen, authLen)
	} else {
		fmt.Fprintf(b, " %d record(s),", records)
	}
	o := hdrLen + authLen
	if records == 0 {
		b.WriteString(" (invalid)")
		return
	}
	for ; c.length > o && records != 0; records-- {
		f.need(o, eidLen)
		b.WriteByte('\n')
		e := o
		o += eidLen
		if c.verbose {
			fmt.Fprintf(b, "      Record TTL %d,", f.u32(e))
			if f.u8(e+6)&0x10 != 0 {
				b.WriteString(" Authoritative,")
			} else {
				b.WriteString(" Non-Authoritative,")
			}
			fmt.Fprintf(b, " %s,", tok(lispActions, f.u8(e+6)>>5, "unknown"))
			fmt.Fprintf(b, " Map Version: %d,", f.u16(e+8)&0x0fff)
		}
		switch f.u16(e + 10) {
		case 1:
			fmt.Fprintf(b, " EID %s/%d,", f.ip4(o), f.u8(e+5))
			o += 4
		case 2:
			fmt.Fprintf(b, " EID %s/%d,", f.ip6(o), f.u8(e+5))
			o += 16
		default: // LCAF: tcpdump stops here
			return
		}
		locs := f.u8(e + 4)
		fmt.Fprintf(b, " %d locator(s)", locs)
		for ; locs != 0; locs-- {
			f.need(o, locLen)
			l := o
			o += locLen
			if c.verbose {
				b.WriteString("\n       ")
			}
			switch f.u16(l + 6) {
			case 1:
				f.need(o, 4)
				fmt.Fprintf(b, " LOC %s", f.ip4(l+8))
				o += 4
			case 2:
				f.need(o, 16)
				fmt.Fprintf(b, " LOC %s", f.ip6(l+8))
				o += 16
			}
			if c.verbose {
				fmt.Fprintf(b, "\n          Priority/Weight %d/%d, Multicast Priority/Weight %d/%d,",
					f.u8(l), f.u8(l+1), f.u8(l+2), f.u8(l+3))
				fmt.Fprintf(b, " flags [%s],", flagNames(f.u16(l+4), lispLocFlags))
			}
		}
	}
	if xtr {
		if !f.has(o, 24) {
			b.WriteString(" (invalid)")
			return
		}
		f.hexPrint(b, "\n    xTR-ID: ", o, 16)
		fmt.Fprintf(b, "\n    SITE-ID: %d", f.u64(o+16))
	} else if o < len(f) {
		f.hexPrint(b, "\n    Data: ", o, len(f)-o)
	}
}

// hexPrint is tcpdump's hex_print: n bytes from o as 16-bit words, eight
// a line, each line after indent with its offset; what the capture lacks
// ends the printer (a read past the capture) after what it holds.
func (p ndBuf) hexPrint(b *strings.Builder, indent string, o, n int) {
	avail := min(n, p.avail(o))
	if avail > 0 {
		hexLines(b, p[o:o+avail], indent)
	}
	if avail < n {
		panic(ndTrunc{})
	}
}
