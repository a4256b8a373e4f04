package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// ICMPv6 (tcpdump's print-icmp6.c).

func printICMP6(c *pctx, data []byte) {
	m := &c.d.ly.icmp6
	if len(data) < 1 {
		c.addrPair()
		c.b.WriteString(" [|icmp6]")
		return
	}
	if m.DecodeFromBytes(data, nilDF) != nil || icmp6Short(data) {
		// tcpdump names the message, then marks where the capture ends.
		c.addrPair()
		fmt.Fprintf(c.b, "ICMP6, %s [|icmp6]", icmp6Name(data[0]))
		return
	}
	c.f["proto"] = "ICMP6"
	sum := c.v6Checksum("icmp6", m.Checksum, m.Contents, m.Payload)
	c.addrPair()
	t := m.TypeCode.Type()
	if c.verbose && (t >= 133 && t <= 137) {
		fmt.Fprintf(c.b, "%sICMP6, ", sum)
		ndVerbose(c.b, t, m.Payload, c.l4, c.d.vv)
		return
	}
	if t >= 130 && t <= 132 {
		fmt.Fprintf(c.b, "%sICMP6, %s", sum, icmp6Name(t))
		mld(c.b, t, m.Payload, c.l4, c.verbose, c.d.vv)
	} else {
		fmt.Fprintf(c.b, "%sICMP6, %s", sum, icmp6Text(m))
	}
	if t == 143 && c.verbose {
		mldv2Groups(c.b, m.Payload, c.d.vv)
	}
	if !c.verbose { // -v shows the length in the IPv6 header instead
		fmt.Fprintf(c.b, ", length %d", c.l4)
	}
	if _, known := icmp6Names[t]; !known {
		hexLines(c.b, data[:min(len(data), c.l4)], "\n\t")
	}
}

// icmp6Names is tcpdump's icmp6_type_values for the messages sniff
// prints.
var icmp6Names = map[uint8]string{1: "destination unreachable", 2: "packet too big", 3: "time exceeded in-transit",
	4: "parameter problem", 128: "echo request", 129: "echo reply", 130: "multicast listener query",
	131: "multicast listener report", 132: "multicast listener done", 133: "router solicitation",
	134: "router advertisement", 135: "neighbor solicitation", 136: "neighbor advertisement", 137: "redirect",
	138: "router renumbering", 139: "who-are-you request", 140: "who-are-you reply",
	141: "inverse neighbor solicitation", 142: "inverse neighbor advertisement",
	143: "multicast listener report v2", 144: "ha discovery request", 145: "ha discovery reply",
	146: "mobile router solicitation", 147: "mobile router advertisement", 155: "RPL",
	200: "mtrace response", 201: "mtrace message"}

func icmp6Name(t uint8) string {
	if n, ok := icmp6Names[t]; ok {
		return n
	}
	return fmt.Sprintf("unknown icmp6 type (%d)", t)
}

// icmp6Short: the capture ends before the fields sniff prints for the
// message (tcpdump would stop there).
func icmp6Short(p []byte) bool {
	need := map[uint8]int{128: 8, 129: 8, 130: 24, 131: 24, 132: 24, 134: 16, 135: 24, 136: 24, 137: 40, 143: 8,
		4: 48, 144: 6, 146: 6}[p[0]]
	if p[0] == 3 && len(p) >= 2 && p[1] == 0 { // in transit: the quoted destination
		need = 48
	}
	return len(p) < max(need, 4)
}

// mld prints an MLDv1 message or an MLDv2 query (tcpdump's mld6_print
// and mldv2_query_print, whose MLDv1 text has no space after the name).
// p follows the checksum; n is the message's length.
func mld(b *strings.Builder, t uint8, p []byte, n int, verbose, vv bool) {
	if t != 130 || n < 28 {
		if len(p) < 20 {
			b.WriteString(" [|icmp6]")
			return
		}
		fmt.Fprintf(b, "max resp delay: %d addr: %s", binary.BigEndian.Uint16(p), net.IP(p[4:20]))
		return
	}
	b.WriteString(" v2")
	if len(p) < 24 {
		b.WriteString(" [|icmp6]")
		return
	}
	if verbose {
		mrc := uint32(binary.BigEndian.Uint16(p))
		mrd := mrc
		if mrc >= 32768 {
			mrd = (mrc&0x0fff | 0x1000) << ((mrc&0x7000)>>12 + 3)
		}
		fmt.Fprintf(b, " [max resp delay=%d]", mrd)
	}
	fmt.Fprintf(b, " [gaddr %s", net.IP(p[4:20]))
	if verbose {
		if p[20]&0x08 != 0 {
			b.WriteString(" sflag")
		}
		qqi := uint32(p[21])
		if qqi >= 128 {
			qqi = (qqi&0x0f | 0x10) << ((qqi&0x70)>>4 + 3)
		}
		fmt.Fprintf(b, " robustness=%d qqi=%d", p[20]&7, qqi)
	}
	if ns := int(binary.BigEndian.Uint16(p[22:])); ns > 0 {
		if n < 28+16*ns {
			b.WriteString(" [invalid number of sources]")
		} else if vv && len(p) >= 24+16*ns { // -vv: the sources themselves
			b.WriteString(" {")
			for i := range ns {
				b.WriteString(" " + net.IP(p[24+16*i:40+16*i]).String())
			}
			b.WriteString(" }")
		} else {
			fmt.Fprintf(b, ", %d source(s)", ns)
		}
	}
	b.WriteByte(']')
}

// ndVerbose is a neighbor discovery message with -v: its length, its
// fields and its options, each on a line of its own. p follows the
// checksum.
func ndVerbose(b *strings.Builder, t uint8, p []byte, n int, vv bool) {
	fmt.Fprintf(b, "%s, length %d", icmp6Name(t), n)
	var opts []byte
	switch t {
	case 137:
		fmt.Fprintf(b, ", %s to %s", net.IP(p[4:20]), net.IP(p[20:36]))
		opts = p[36:]
	case 133:
		if len(p) < 4 {
			b.WriteString(" [|icmp6]")
			return
		}
		opts = p[4:]
	case 134:
		if len(p) < 12 {
			b.WriteString(" [|icmp6]")
			return
		}
		pref := [...]string{"medium", "high", "rsv", "low"}[p[1]>>3&3]
		fmt.Fprintf(b, "\n\thop limit %d, Flags [%s], pref %s, router lifetime %ds, reachable time %dms, retrans timer %dms",
			p[0], flagNames(uint32(p[1]), raFlags), pref, binary.BigEndian.Uint16(p[2:]), binary.BigEndian.Uint32(p[4:]), binary.BigEndian.Uint32(p[8:]))
		opts = p[12:]
	case 135, 136:
		if len(p) < 20 {
			b.WriteString(" [|icmp6]")
			return
		}
		if t == 135 {
			fmt.Fprintf(b, ", who has %s", net.IP(p[4:20]))
		} else {
			fmt.Fprintf(b, ", tgt is %s", net.IP(p[4:20]))
			fmt.Fprintf(b, ", Flags [%s]", flagNames(uint32(p[0]), naFlags))
		}
		opts = p[20:]
	}
	ndOptions(b, opts, vv)
}

var (
	raFlags     = []bitName{{0x80, "managed"}, {0x40, "other stateful"}, {0x20, "home agent"}}
	naFlags     = []bitName{{0x80, "router"}, {0x40, "solicited"}, {0x20, "override"}}
	prefixFlags = []bitName{{0x80, "onlink"}, {0x40, "auto"}, {0x20, "router"}}
)

var ndOptionNames = map[byte]string{1: "source link-address", 2: "destination link-address", 3: "prefix info",
	4: "redirected header", 5: "mtu", 7: "advertisement interval", 8: "homeagent information",
	24: "route info", 25: "rdnss", 31: "dnssl"}

// ndOptions prints neighbor discovery options (tcpdump's icmp6_opt_print):
// with -vv (vv) each option's body again in hex; with -v only an unknown
// option's, which ends the list.
func ndOptions(b *strings.Builder, o []byte, vv bool) {
	for len(o) > 0 {
		if len(o) < 2 || o[1] == 0 || len(o) < int(o[1])*8 {
			b.WriteString(" [|icmp6]")
			return
		}
		typ, n := o[0], int(o[1])*8
		d := o[2:n]
		name, ok := ndOptionNames[typ]
		if !ok {
			name = "unknown"
		}
		fmt.Fprintf(b, "\n\t  %s option (%d), length %d (%d): ", name, typ, n, n/8)
		switch typ {
		case 1, 2:
			for i, x := range d {
				if i > 0 {
					b.WriteByte(':')
				}
				fmt.Fprintf(b, "%02x", x)
			}
		case 3:
			if len(d) < 30 {
				b.WriteString("[|icmp6]")
				return
			}
			bad := ""
			if n != 32 {
				bad = "badlen"
			}
			fmt.Fprintf(b, "%s/%d%s, Flags [%s], valid time %s, pref. time %s", net.IP(d[14:30]), d[0], bad,
				flagNames(uint32(d[1]), prefixFlags), ndLifetime(binary.BigEndian.Uint32(d[2:])), ndLifetime(binary.BigEndian.Uint32(d[6:])))
		case 5:
			if len(d) >= 6 {
				fmt.Fprintf(b, " %d", binary.BigEndian.Uint32(d[2:]))
			}
		case 7:
			if len(d) >= 6 {
				fmt.Fprintf(b, " %dms", binary.BigEndian.Uint32(d[2:]))
			}
		case 25:
			if len(d) >= 6 {
				fmt.Fprintf(b, " lifetime %ds,", binary.BigEndian.Uint32(d[2:]))
				for a := d[6:]; len(a) >= 16; a = a[16:] {
					fmt.Fprintf(b, " addr: %s", net.IP(a[:16]))
				}
			}
		default:
			if !vv {
				hexLines(b, d, "\n\t  ")
				if !ok {
					return
				}
			}
		}
		if vv {
			hexLines(b, d, "\n\t    ")
		}
		o = o[n:]
	}
}

func ndLifetime(v uint32) string {
	if v == 0xffffffff {
		return "infinity"
	}
	return fmt.Sprintf("%ds", v)
}

// hexLines is tcpdump's print_unknown_data: 16 bytes a line, each line
// after indent with its offset.
func hexLines(b *strings.Builder, d []byte, indent string) {
	for off := 0; off < len(d); off += 16 {
		fmt.Fprintf(b, "%s0x%04x: ", indent, off)
		row := d[off:min(off+16, len(d))]
		for i := 0; i < len(row); i += 2 {
			if i+1 < len(row) {
				fmt.Fprintf(b, " %02x%02x", row[i], row[i+1])
			} else {
				fmt.Fprintf(b, " %02x", row[i])
			}
		}
	}
}

// mldv2Groups prints the group records of an MLDv2 report, as -v does;
// with -vv (vv) each record's sources instead of their count.
func mldv2Groups(b *strings.Builder, p []byte, vv bool) {
	if len(p) < 4 {
		return
	}
	n := int(binary.BigEndian.Uint16(p[2:]))
	kinds := []string{1: "is_in", 2: "is_ex", 3: "to_in", 4: "to_ex", 5: "allow", 6: "block"}
	g := p[4:]
	for range n {
		if len(g) < 20 {
			b.WriteString("[|icmp6]")
			return
		}
		fmt.Fprintf(b, " [gaddr %s", net.IP(g[4:20]))
		if int(g[0]) < len(kinds) && kinds[g[0]] != "" {
			b.WriteString(" " + kinds[g[0]])
		} else {
			fmt.Fprintf(b, "  [v2-report-#%d]", g[0])
		}
		srcs := int(binary.BigEndian.Uint16(g[2:]))
		if vv && len(g) >= 20+16*srcs {
			b.WriteString(" {")
			for i := range srcs {
				b.WriteString(" " + net.IP(g[20+16*i:36+16*i]).String())
			}
			b.WriteString(" }]")
		} else {
			fmt.Fprintf(b, ", %d source(s)]", srcs)
		}
		skip := 20 + 16*srcs + int(g[1])*4
		if len(g) < skip {
			g = nil
			continue
		}
		g = g[skip:]
	}
}

// icmp6Text is the ICMPv6 message as tcpdump names it, without the length.
func icmp6Text(c *layers.ICMPv6) string {
	p := c.Payload
	switch c.TypeCode.Type() {
	case layers.ICMPv6TypeEchoRequest, layers.ICMPv6TypeEchoReply:
		kind := "request"
		if c.TypeCode.Type() == layers.ICMPv6TypeEchoReply {
			kind = "reply"
		}
		if len(p) >= 4 {
			return fmt.Sprintf("echo %s, id %d, seq %d", kind, binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]))
		}
	case layers.ICMPv6TypeNeighborSolicitation:
		if len(p) >= 20 {
			return fmt.Sprintf("neighbor solicitation, who has %s", net.IP(p[4:20]))
		}
	case layers.ICMPv6TypeNeighborAdvertisement:
		if len(p) >= 20 {
			return fmt.Sprintf("neighbor advertisement, tgt is %s", net.IP(p[4:20]))
		}
	case layers.ICMPv6TypeRouterSolicitation:
		return "router solicitation"
	case layers.ICMPv6TypeRouterAdvertisement:
		return "router advertisement"
	case layers.ICMPv6TypeDestinationUnreachable:
		return "destination unreachable" + unreach6(c.TypeCode.Code(), p)
	case layers.ICMPv6TypePacketTooBig:
		if len(p) >= 4 {
			return fmt.Sprintf("packet too big, mtu %d", binary.BigEndian.Uint32(p))
		}
	case layers.ICMPv6TypeTimeExceeded:
		switch c.TypeCode.Code() {
		case 0:
			return "time exceeded in-transit for " + net.IP(p[28:44]).String()
		case 1:
			return "time exceeded in-transit (reassembly)"
		}
		return fmt.Sprintf("time exceeded in-transit, unknown code (%d)", c.TypeCode.Code())
	case layers.ICMPv6TypeParameterProblem:
		kinds := []string{"erroneous", "next header", "option", "incomplete header chain"}
		if code := int(c.TypeCode.Code()); code < len(kinds) {
			return fmt.Sprintf("parameter problem, %s - octet %d", kinds[code], binary.BigEndian.Uint32(p))
		}
		return fmt.Sprintf("parameter problem, code-#%d", c.TypeCode.Code())
	case layers.ICMPv6TypeRedirect:
		return fmt.Sprintf("redirect, %s to %s", net.IP(p[4:20]), net.IP(p[20:36]))
	case 141, 142, 145, 147:
		return icmp6Name(uint8(c.TypeCode.Type()))
	case 144, 146:
		return fmt.Sprintf("%s, id 0x%04x", icmp6Name(uint8(c.TypeCode.Type())), binary.BigEndian.Uint16(p))
	case 143:
		if len(p) >= 4 {
			return fmt.Sprintf("multicast listener report v2, %d group record(s)", binary.BigEndian.Uint16(p[2:]))
		}
		return "multicast listener report v2"
	}
	return fmt.Sprintf("unknown icmp6 type (%d)", c.TypeCode.Type())
}

// unreach6 is what tcpdump adds to "destination unreachable": the reason
// and what was unreachable, from the quoted packet (4 unused bytes, then
// the IPv6 header and the upper layer).
func unreach6(code uint8, p []byte) string {
	if len(p) < 44 || p[4]>>4 != 6 {
		return ""
	}
	src, dst := net.IP(p[12:28]), net.IP(p[28:44])
	switch code {
	case 0:
		return ", unreachable route " + dst.String()
	case 1:
		return ",  unreachable prohibited " + dst.String()
	case 2:
		return ", beyond scope " + dst.String() + ", source address " + src.String()
	case 3:
		return ", unreachable address " + dst.String()
	case 4:
		next := p[10]
		if (next == 6 || next == 17) && len(p) >= 48 {
			proto := map[byte]string{6: "tcp", 17: "udp"}[next]
			return fmt.Sprintf(", unreachable port, %s %s port %d", dst, proto, binary.BigEndian.Uint16(p[46:]))
		}
		return ", unreachable port"
	}
	return fmt.Sprintf(", unknown unreach code (%d)", code)
}
