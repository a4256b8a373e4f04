package main

import (
	"fmt"
	"strings"
)

// PIM on IP protocol 103 (tcpdump 4.99's print-pim.c): version, type and
// length; with -v PIMv2's checksum and each message: hello options,
// register (the flags and the packet it carries, printed again),
// register-stop, join/prune, graft, bootstrap, assert, candidate-RP
// advertisement, prune refresh, DF election; with -vv a hello's address
// list and each option's hex. Other versions by their header only.
// gopacket has no PIM layer: the messages are read here through ndBuf.

var pimv2Types = map[uint32]string{0: "Hello", 1: "Register", 2: "Register Stop", 3: "Join / Prune",
	4: "Bootstrap", 5: "Assert", 6: "Graft", 7: "Graft Acknowledgement", 8: "Candidate RP Advertisement",
	9: "Prune Refresh", 10: "DF Election", 11: "ECMP Redirect"}

var pimv2HelloOptions = map[uint32]string{1: "Hold Time", 2: "LAN Prune Delay", 18: "DR Priority (Old)",
	19: "DR Priority", 20: "Generation ID", 21: "State Refresh Capability", 22: "Bi-Directional Capability",
	24: "Address List", 65001: "Address List (Old)"}

var pimv2DFElection = map[uint32]string{1: "Offer", 2: "Winner", 3: "Backoff", 4: "Pass"}

// pimx is one PIM message's printing state.
type pimx struct {
	c       *pctx
	b       *strings.Builder
	p       ndBuf
	addrLen int // the RFC 2117 unicast address length, 0 for encoded addresses
}

func printPIM(c *pctx, data []byte) {
	c.addrPair()
	c.f["proto"] = "PIM"
	proto := "pim"
	defer ndCatch(c, &proto)
	p := ndBuf(data)
	length := c.length
	ver := p.u8(0) >> 4
	if ver != 2 {
		fmt.Fprintf(c.b, "PIMv%d, length %d", ver, length)
		return
	}
	typ := p.u8(0) & 0xf
	name := tok(pimv2Types, typ, "Unknown Type")
	if !c.verbose {
		fmt.Fprintf(c.b, "PIMv2, %s, length %d", name, length)
		return
	}
	fmt.Fprintf(c.b, "PIMv2, length %d\n\t%s", length, name)
	proto = "pimv2"
	x := &pimx{c: c, b: c.b, p: p}
	if !x.v2(typ, length) {
		c.b.WriteString(" [|pimv2]")
	}
}

// inetSum is the Internet checksum of b: 0 when b's checksum field is right.
func inetSum(b []byte) uint16 {
	var sum uint32
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// cksum is pimv2_check_checksum over n bytes: "correct", "incorrect" or
// "unverified" when the capture does not hold them.
func (x *pimx) cksum(n int) string {
	if !x.p.has(0, n) {
		return "unverified"
	}
	var s uint16
	if x.c.ipv6 {
		s = pseudoChecksum(x.c.src, x.c.dst, 103, x.p[:n])
	} else {
		s = inetSum(x.p[:n])
	}
	if s != 0 {
		return "incorrect"
	}
	return "correct"
}

// addr is pimv2_addr_print: kind 'u' unicast, 'g' group, 's' source; the
// bytes it took, or -1 when it is malformed or length does not hold it.
func (x *pimx) addr(o, length int, kind byte) int {
	p, b := x.p, x.b
	alen, hdr := x.addrLen, 0
	v6 := false
	if alen == 0 {
		if length < 2 {
			return -1
		}
		switch p.u8(o) {
		case 1:
			alen = 4
		case 2:
			alen, v6 = 16, true
		default:
			return -1
		}
		if p.u8(o+1) != 0 {
			return -1
		}
		hdr = 2
	} else {
		switch alen {
		case 4:
		case 16:
			v6 = true
		default:
			return -1
		}
	}
	o += hdr
	length -= hdr
	ip := func(o int) string {
		if v6 {
			return p.ip6(o)
		}
		return p.ip4(o)
	}
	if kind == 'u' {
		if length < alen || !p.has(o, alen) {
			return -1
		}
		b.WriteString(ip(o))
		return hdr + alen
	}
	if length < alen+2 || !p.has(o, alen+2) {
		return -1
	}
	b.WriteString(ip(o + 2))
	if m := p.u8(o + 1); (!v6 && m != 32) || (v6 && m != 128) {
		fmt.Fprintf(b, "/%d", m)
	}
	if f := p.u8(o); f != 0 {
		if kind == 'g' {
			fmt.Fprintf(b, "(0x%02x)", f)
		} else {
			b.WriteString("(")
			for _, s := range []struct {
				bit uint32
				c   string
			}{{4, "S"}, {2, "W"}, {1, "R"}} {
				if f&s.bit != 0 {
					b.WriteString(s.c)
				}
			}
			if f&0xf8 != 0 {
				fmt.Fprintf(b, "+0x%02x", f&0xf8)
			}
			b.WriteString(")")
		}
	}
	return hdr + 2 + alen
}

// v2 is pimv2_print after the type; false when it ends with [|pimv2].
func (x *pimx) v2(typ uint32, length int) bool {
	p, b := x.p, x.b
	if length < 2 {
		fmt.Fprintf(b, "[length %d < 2] (invalid)", length)
		return true
	}
	x.addrLen = int(p.u8(1) & 0xf)
	if x.addrLen != 0 {
		b.WriteString(", RFC2117-encoding")
	}
	if length < 4 {
		fmt.Fprintf(b, "[length %d < 4] (invalid)", length)
		return true
	}
	sum := p.u16(2)
	fmt.Fprintf(b, ", cksum 0x%04x ", sum)
	if sum == 0 {
		b.WriteString("(unverified)")
	} else {
		st := ""
		if typ == 1 { // the header only, or (RFC 4601) the whole message
			if st = x.cksum(8); st == "incorrect" {
				st = x.cksum(length)
			}
		} else {
			st = x.cksum(length)
		}
		b.WriteString("(" + st + ")")
	}
	o := 4
	length -= 4
	// step prints an address and moves past it.
	step := func(kind byte) bool {
		n := x.addr(o, length, kind)
		if n < 0 {
			return false
		}
		o += n
		length -= n
		return true
	}
	switch typ {
	case 0:
		for length > 0 {
			if length < 4 {
				return false
			}
			ot, ol := p.u16(o), int(p.u16(o+2))
			fmt.Fprintf(b, "\n\t  %s Option (%d), length %d, Value: ", tok(pimv2HelloOptions, ot, "Unknown"), ot, ol)
			o += 4
			length -= 4
			if length < ol || !p.has(o, ol) {
				return false
			}
			switch ot {
			case 1:
				if ol != 2 {
					fmt.Fprintf(b, "[option length %d != 2] (invalid)", ol)
					return true
				}
				b.WriteString(relts(p.u16(o)))
			case 2:
				if ol != 4 {
					fmt.Fprintf(b, "[option length %d != 4] (invalid)", ol)
					return true
				}
				d := p.u16(o)
				fmt.Fprintf(b, "\n\t    T-bit=%d, LAN delay %dms, Override interval %dms", d>>15, d&0x7fff, p.u16(o+2))
			case 18, 19:
				switch ol {
				case 0:
					b.WriteString("Bi-Directional Capability (Old)")
				case 4:
					fmt.Fprintf(b, "%d", p.u32(o))
				default:
					fmt.Fprintf(b, "[option length %d != 4] (invalid)", ol)
					return true
				}
			case 20:
				if ol != 4 {
					fmt.Fprintf(b, "[option length %d != 4] (invalid)", ol)
					return true
				}
				fmt.Fprintf(b, "0x%08x", p.u32(o))
			case 21:
				if ol != 4 {
					fmt.Fprintf(b, "[option length %d != 4] (invalid)", ol)
					return true
				}
				fmt.Fprintf(b, "v%d", p.u8(o))
				if p.u8(o+1) != 0 {
					b.WriteString(", interval " + relts(p.u8(o+1)))
				}
				if p.u16(o+2) != 0 {
					fmt.Fprintf(b, " ?0x%04x?", p.u16(o+2))
				}
			case 22:
			case 24, 65001:
				if x.c.d.vv {
					for q, ql := o, length; q < o+ol; {
						b.WriteString("\n\t    ")
						n := x.addr(q, ql, 'u')
						if n < 0 {
							return false
						}
						q += n
						ql -= n
					}
				}
			default:
				if !x.c.d.vv {
					hexLines(b, p[o:o+ol], "\n\t    ")
				}
			}
			if x.c.d.vv {
				hexLines(b, p[o:o+ol], "\n\t    ")
			}
			o += ol
			length -= ol
		}
	case 1:
		if length < 4 || !p.has(o, 4) {
			return false
		}
		flags := "none"
		switch p.u32(o) {
		case 0x80000000:
			flags = "Border"
		case 0x40000000:
			flags = "Null"
		}
		fmt.Fprintf(b, ", Flags [ %s ]\n\t", flags)
		o += 4
		length -= 4
		if length == 0 {
			return false
		}
		switch v := p.u8(o) >> 4; v {
		case 0:
			fmt.Fprintf(b, "IP-Null-header %s > %s", p.ip4(o+12), p.ip4(o+16))
		case 4:
			x.c.encap(0x0800, p[o:], length, "")
		case 6:
			x.c.encap(0x86dd, p[o:], length, "")
		default:
			fmt.Fprintf(b, "IP ver %d", v)
		}
	case 2:
		b.WriteString(" group=")
		if !step('g') {
			return false
		}
		b.WriteString(" source=")
		if !step('u') {
			return false
		}
	case 3, 6, 7:
		if typ != 7 {
			b.WriteString(", upstream-neighbor: ")
			if !step('u') {
				return false
			}
		}
		if length < 4 || !p.has(o, 4) {
			return false
		}
		ngroup, hold := int(p.u8(o+1)), p.u16(o+2)
		fmt.Fprintf(b, "\n\t  %d group(s)", ngroup)
		if typ != 7 {
			if hold == 0xffff {
				b.WriteString(", holdtime: infinite")
			} else {
				b.WriteString(", holdtime: " + relts(hold))
			}
		}
		o += 4
		length -= 4
		for i := range ngroup {
			fmt.Fprintf(b, "\n\t    group #%d: ", i+1)
			if !step('g') {
				return false
			}
			if length < 4 || !p.has(o, 4) {
				return false
			}
			nj, np := int(p.u16(o)), int(p.u16(o+2))
			fmt.Fprintf(b, ", joined sources: %d, pruned sources: %d", nj, np)
			o += 4
			length -= 4
			for j := range nj {
				fmt.Fprintf(b, "\n\t      joined source #%d: ", j+1)
				if !step('s') {
					return false
				}
			}
			for j := range np {
				fmt.Fprintf(b, "\n\t      pruned source #%d: ", j+1)
				if !step('s') {
					return false
				}
			}
		}
	case 4:
		if length < 2 {
			return false
		}
		fmt.Fprintf(b, " tag=%x", p.u16(o))
		o += 2
		length -= 2
		if length < 1 {
			return false
		}
		fmt.Fprintf(b, " hashmlen=%d", p.u8(o))
		if length < 2 || !p.has(o+2, 1) {
			return false
		}
		fmt.Fprintf(b, " BSRprio=%d", p.u8(o+1))
		o += 2
		length -= 2
		b.WriteString(" BSR=")
		if !step('u') {
			return false
		}
		for i := 0; length > 0; i++ {
			fmt.Fprintf(b, " (group%d: ", i)
			if !step('g') {
				return false
			}
			if length < 1 {
				return false
			}
			fmt.Fprintf(b, " RPcnt=%d", p.u8(o))
			if length < 2 {
				return false
			}
			frp := int(p.u8(o + 1))
			fmt.Fprintf(b, " FRPcnt=%d", frp)
			if length < 4 {
				return false
			}
			o += 4
			length -= 4
			for j := 0; j < frp && length > 0; j++ {
				fmt.Fprintf(b, " RP%d=", j)
				if !step('u') {
					return false
				}
				if length < 2 {
					return false
				}
				b.WriteString(",holdtime=" + relts(p.u16(o)))
				if length < 3 {
					return false
				}
				fmt.Fprintf(b, ",prio=%d", p.u8(o+2))
				if length < 4 {
					return false
				}
				o += 4
				length -= 4
			}
			b.WriteString(")")
		}
	case 5:
		b.WriteString(" group=")
		if !step('g') {
			return false
		}
		b.WriteString(" src=")
		if !step('u') {
			return false
		}
		if length < 8 || !p.has(o, 8) {
			return false
		}
		if p.u8(o)&0x80 != 0 {
			b.WriteString(" RPT")
		}
		fmt.Fprintf(b, " pref=%d metric=%d", p.u32(o)&0x7fffffff, p.u32(o+4))
	case 8:
		if length < 1 {
			return false
		}
		n := int(p.u8(o))
		fmt.Fprintf(b, " prefix-cnt=%d", n)
		if length < 2 {
			return false
		}
		fmt.Fprintf(b, " prio=%d", p.u8(o+1))
		if length < 4 {
			return false
		}
		b.WriteString(" holdtime=" + relts(p.u16(o+2)))
		o += 4
		length -= 4
		b.WriteString(" RP=")
		if !step('u') {
			return false
		}
		for i := 0; i < n && length > 0; i++ {
			fmt.Fprintf(b, " Group%d=", i)
			if !step('g') {
				return false
			}
		}
	case 9:
		b.WriteString(" src=")
		if !step('u') {
			return false
		}
		b.WriteString(" grp=")
		if !step('g') {
			return false
		}
		b.WriteString(" forwarder=")
		if !step('u') {
			return false
		}
		if length < 2 {
			return false
		}
		b.WriteString(" TUNR " + relts(p.u16(o)))
	case 10:
		sub := p.u8(1) >> 4
		fmt.Fprintf(b, "\n\t  %s,", tok(pimv2DFElection, sub, "Unknown"))
		b.WriteString(" rpa=")
		if !step('u') {
			return false
		}
		fmt.Fprintf(b, " sender pref=%d sender metric=%d", p.u32(o), p.u32(o+4))
		o += 8
		if length -= 8; length < 0 { // tcpdump's unsigned length wraps
			length += 1 << 32
		}
		if sub == 3 || sub == 4 {
			w := "new winner"
			if sub == 3 {
				w = "offer"
			}
			fmt.Fprintf(b, "\n\t  %s addr=", w)
			if !step('u') {
				return false
			}
			fmt.Fprintf(b, " %s pref=%d", w, p.u32(o))
			fmt.Fprintf(b, " %s metric=%d", w, p.u32(o+4))
			o += 8
			if sub == 3 {
				fmt.Fprintf(b, " interval %dms", p.u16(o))
			}
		}
	default:
		fmt.Fprintf(b, " [type %d]", typ)
	}
	return true
}
