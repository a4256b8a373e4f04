package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
)

// Cisco Discovery Protocol (tcpdump 4.99's print-cdp.c), in SNAP under
// Cisco's OUI. Without -v tcpdump prints the Device-ID and a hex dump of
// every other TLV; sniff does the same. gopacket's CiscoDiscovery layer
// rejects what tcpdump prints in part (short TLVs), so the TLVs are read
// here.

// cdpTLV is a row of tcpdump's cdptlvs: a TLV type's name, printer and
// value length bounds (0: none).
type cdpTLV struct {
	name     string
	print    func(b *strings.Builder, v []byte)
	min, max int
}

var cdpTLVs = map[uint16]cdpTLV{
	0x01: {"Device-ID", cdpString, 0, 0},
	0x02: {"Address", cdpAddr, 0, 0},
	0x03: {"Port-ID", cdpString, 0, 0},
	0x04: {"Capability", cdpCapability, 4, 4},
	0x05: {"Version String", cdpVersion, 0, 0},
	0x06: {"Platform", cdpString, 0, 0},
	0x07: {"Prefixes", cdpPrefixes, 0, 0},
	0x08: {"Protocol-Hello option", nil, 0, 0},
	0x09: {"VTP Management Domain", cdpString, 0, 0},
	0x0a: {"Native VLAN ID", func(b *strings.Builder, v []byte) {
		fmt.Fprintf(b, "%d", binary.BigEndian.Uint16(v))
	}, 2, 2},
	0x0b: {"Duplex", func(b *strings.Builder, v []byte) {
		b.WriteString(map[bool]string{true: "full", false: "half"}[v[0] != 0])
	}, 1, 1},
	0x0e: {"ATA-186 VoIP VLAN assignment", cdpATA186, 3, 3},
	0x0f: {"ATA-186 VoIP VLAN request", cdpATA186, 2, 3},
	0x10: {"power consumption", cdpPower, 1, 3},
	0x11: {"MTU", func(b *strings.Builder, v []byte) {
		fmt.Fprintf(b, "%d bytes", binary.BigEndian.Uint32(v))
	}, 4, 4},
	0x12: {"AVVID trust bitmap", cdpUint8x, 1, 1},
	0x13: {"AVVID untrusted ports CoS", cdpUint8x, 1, 1},
	0x14: {"System Name", cdpString, 0, 0},
	0x15: {"System Object ID (not decoded)", nil, 0, 0},
	0x16: {"Management Addresses", cdpAddr, 4, 0},
	0x17: {"Physical Location", func(b *strings.Builder, v []byte) {
		fmt.Fprintf(b, "0x%02x", v[0])
		if len(v) > 1 {
			b.WriteByte('/')
			fnPrint(b, v[1:])
		}
	}, 1, 0},
}

func printCDP(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "CDP"
	length := c.length
	if length < 4 {
		fmt.Fprintf(b, " (packet length %d < 4) (invalid)", length)
		if len(p) < length {
			b.WriteString(" [|cdp]")
		}
		return
	}
	if len(p) < 4 {
		b.WriteString(" [|cdp]")
		return
	}
	fmt.Fprintf(b, "CDPv%d, ttl: %ds", p[0], p[1])
	if c.verbose {
		fmt.Fprintf(b, ", checksum: 0x%04x (unverified), length %d", binary.BigEndian.Uint16(p[2:]), length)
	}
	p, n := p[4:], length-4
	invalid := func() {
		b.WriteString(" (invalid)")
		if len(p) < n {
			b.WriteString(" [|cdp]")
		}
	}
	for n > 0 {
		if n < 4 {
			fmt.Fprintf(b, " (remaining packet length %d < 4)", n)
			invalid()
			return
		}
		if len(p) < 4 {
			b.WriteString(" [|cdp]")
			return
		}
		typ, tl := binary.BigEndian.Uint16(p), int(binary.BigEndian.Uint16(p[2:]))
		info, known := cdpTLVs[typ]
		name := info.name
		if !known {
			name = "unknown field type"
		}
		if tl < 4 {
			if c.verbose {
				fmt.Fprintf(b, "\n\t%s (0x%02x), TLV length: %d byte%s (too short)", name, typ, tl, plural(tl))
			} else {
				fmt.Fprintf(b, ", %s TLV length %d too short", name, tl)
			}
			invalid()
			return
		}
		if tl > n {
			fmt.Fprintf(b, " (TLV length %d > %d)", tl, n)
			invalid()
			return
		}
		p, n, tl = p[4:], n-4, tl-4
		if !c.verbose && typ == 1 {
			b.WriteString(", Device-ID ")
		} else if c.verbose {
			fmt.Fprintf(b, "\n\t%s (0x%02x), value length: %d byte%s: ", name, typ, tl, plural(tl))
		}
		if len(p) < tl { // the capture ends inside the value
			shown := known && (c.verbose || typ == 1) && !(info.min > 0 && tl < info.min || info.max > 0 && tl > info.max)
			switch {
			case shown && isCDPString(typ):
				// tcpdump prints what there is after the quote.
				b.WriteByte('\'')
				fnPrint(b, p)
			case shown && typ == 0x05:
				cdpVersion(b, p)
			}
			b.WriteString(" [|cdp]")
			return
		}
		v := p[:tl]
		covered := false
		if known {
			if info.min > 0 && tl < info.min || info.max > 0 && tl > info.max {
				b.WriteString(" (malformed TLV)")
			} else if c.verbose || typ == 1 {
				if info.print != nil {
					info.print(b, v)
				}
				covered = true
			}
		}
		if !covered {
			hexLines(b, v, "\n\t  ")
		}
		p, n = p[tl:], n-tl
	}
	if !c.verbose {
		fmt.Fprintf(b, ", length %d", length)
	}
}

func isCDPString(typ uint16) bool {
	switch typ {
	case 0x01, 0x03, 0x06, 0x09, 0x14:
		return true
	}
	return false
}

func cdpString(b *strings.Builder, v []byte) {
	b.WriteByte('\'')
	fnPrint(b, v)
	b.WriteByte('\'')
}

func cdpCapability(b *strings.Builder, v []byte) {
	x := binary.BigEndian.Uint32(v)
	caps := []bitName{{0x01, "Router"}, {0x02, "Transparent Bridge"}, {0x04, "Source Route Bridge"}, {0x08, "L2 Switch"},
		{0x10, "L3 capable"}, {0x20, "IGMP snooping"}, {0x40, "L1 capable"}}
	fmt.Fprintf(b, "(0x%08x): %s", x, flagNames(x, caps))
}

func cdpVersion(b *strings.Builder, v []byte) {
	b.WriteString("\n\t  ")
	for _, ch := range v {
		if ch == '\n' {
			b.WriteString("\n\t  ")
		} else {
			fnPrint(b, []byte{ch})
		}
	}
}

func cdpATA186(b *strings.Builder, v []byte) {
	if len(v) == 2 {
		fmt.Fprintf(b, "unknown 0x%04x", binary.BigEndian.Uint16(v))
	} else {
		fmt.Fprintf(b, "app %d, vlan %d", v[0], binary.BigEndian.Uint16(v[1:]))
	}
}

func cdpPower(b *strings.Builder, v []byte) {
	var x uint32
	for _, d := range v {
		x = x<<8 | uint32(d)
	}
	fmt.Fprintf(b, "%1.2fW", float64(x)/1000.0)
}

func cdpUint8x(b *strings.Builder, v []byte) {
	fmt.Fprintf(b, "0x%02x", v[0])
}

// cdpAddr prints an Address or Management Addresses TLV (tcpdump's
// cdp_print_addr). A malformed one ends with tcpdump's note on what is
// missing; the TLVs after it are still printed.
func cdpAddr(b *strings.Builder, p []byte) {
	l := len(p)
	if l < 4 {
		b.WriteString(" (not enough space for num)")
		return
	}
	num := binary.BigEndian.Uint32(p)
	p, l = p[4:], l-4
	ip6 := []byte{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd}
	for num != 0 {
		if l < 2 {
			b.WriteString(" (not enough space for PT+PL)")
			return
		}
		pt, pl := p[0], int(p[1])
		p, l = p[2:], l-2
		if l < pl+2 {
			b.WriteString(" (not enough space for P+AL)")
			return
		}
		al := int(binary.BigEndian.Uint16(p[pl:]))
		switch {
		case pt == 1 && pl == 1 && p[0] == 0xcc && al == 4, pt == 2 && pl == 8 && string(p[:8]) == string(ip6) && al == 16:
			p, l = p[pl+2:], l-pl-2
			if l < al {
				b.WriteString(" (not enough space for A)")
				return
			}
			if al == 4 {
				fmt.Fprintf(b, "IPv4 (%d) %s", num, net.IP(p[:4]))
			} else {
				fmt.Fprintf(b, "IPv6 (%d) %s", num, net.IP(p[:16]))
			}
			p, l = p[al:], l-al
		default:
			fmt.Fprintf(b, "pt=0x%02x, pl=%d, pb=", pt, pl)
			for _, x := range p[:pl] {
				fmt.Fprintf(b, " %02x", x)
			}
			fmt.Fprintf(b, ", al=%d, a=", al)
			p, l = p[pl+2:], l-pl-2
			if l < al {
				b.WriteString(" (not enough space for A)")
				return
			}
			for _, x := range p[:al] {
				fmt.Fprintf(b, " %02x", x)
			}
			p, l = p[al:], l-al
		}
		num--
		if num != 0 {
			b.WriteByte(' ')
		}
	}
	if l != 0 {
		fmt.Fprintf(b, " (%d bytes of stray data)", l)
	}
}

func cdpPrefixes(b *strings.Builder, p []byte) {
	if len(p)%5 != 0 {
		fmt.Fprintf(b, " [length %d is not a multiple of 5]", len(p))
		return
	}
	fmt.Fprintf(b, " IPv4 Prefixes (%d):", len(p)/5)
	for ; len(p) > 0; p = p[5:] {
		fmt.Fprintf(b, " %d.%d.%d.%d/%d", p[0], p[1], p[2], p[3], p[4])
	}
}
