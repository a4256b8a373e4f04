package main

import (
	"fmt"
	"strings"
)

// OSPFv3 on IP protocol 89 over IPv6 (tcpdump 4.99's print-ospf6.c):
// version, type and length; with -v the router ID, area and instance,
// a hello's options, timers and designated routers, a DB description's
// options, flags, MTU and sequence, LLS and authentication trailers; with
// -vv a hello's neighbors, the LSA headers of DB descriptions, requests
// and acks, and the LSAs of updates (router, network, inter-area prefix,
// external, link and intra-area prefix LSAs decoded, others as hex).
// printOSPF hands it the IPv6 packets. gopacket's OSPFv3 layer rejects
// malformed packets tcpdump prints: read here through ndBuf. Link-local
// grace and TE LSAs go to OSPFv2's printers, as in tcpdump.

var ospf6Options = []bitName{{0x01, "V6"}, {0x02, "External"}, {0x04, "Deprecated"}, {0x08, "NSSA"},
	{0x10, "Router"}, {0x20, "Demand Circuit"}, {0x100, "AFs Support"}, {0x200, "LLS"},
	{0x400, "Authentication Trailer"}}

var ospf6RLAFlags = []bitName{{0x01, "ABR"}, {0x02, "External"}, {0x04, "Virtual-Link Endpoint"},
	{0x08, "Deprecated"}, {0x10, "NSSA Translator"}}

// tcpdump tests OSPFv2's E bit (0x80000000) here, not OSPFv3's (0x04000000).
var ospf6ASLAFlags = []bitName{{0x80000000, "External Type 2"}, {0x02000000, "Forwarding"}, {0x01000000, "Tag"}}

var ospf6LSATypes = map[uint32]string{1: "Router", 2: "Network", 3: "Inter-Area Prefix", 4: "Inter-Area Router",
	5: "External", 6: "Deprecated", 7: "NSSA", 8: "Link", 9: "Intra-Area Prefix", 10: "Intra-Area TE", 11: "Grace",
	12: "Router Information", 13: "Inter-AS-TE", 14: "Layer 1 VPN"}

var ospf6Scopes = map[uint32]string{0: "Link Local", 0x2000: "Area Local", 0x4000: "Domain Wide"}

var ospf6DDFlags = []bitName{{0x04, "Init"}, {0x02, "More"}, {0x01, "Master"}, {0x10, "IPv6 MTU"}}

var ospf6PrefixOptions = []bitName{{0x01, "No Unicast"}, {0x02, "Local address"}, {0x04, "Deprecated"},
	{0x08, "Propagate"}, {0x10, "Down"}, {0x20, "N-bit"}}

// ospf6x is one OSPFv3 packet's printing state.
type ospf6x struct {
	c *pctx
	b *strings.Builder
	p ndBuf
}

func printOSPF6(c *pctx, data []byte) {
	proto := "ospf3"
	defer ndCatch(c, &proto)
	x := &ospf6x{c: c, b: c.b, p: ndBuf(data)}
	if !x.print(c.length) {
		c.b.WriteString(" [|ospf3]")
	}
}

// print is ospf6_print; false when it ends with [|ospf3].
func (x *ospf6x) print(length int) bool {
	p, b := x.p, x.b
	typ := p.u8(1)
	name, known := map[uint32]string{1: "Hello", 2: "Database Description", 3: "LS-Request", 4: "LS-Update",
		5: "LS-Ack"}[typ]
	if !known {
		name = fmt.Sprintf("unknown packet type (%d)", typ)
	}
	fmt.Fprintf(b, "OSPFv%d, %s, length %d", p.u8(0), name, length)
	if !known || !x.c.verbose {
		return true
	}
	datalen := int(p.u16(2))
	if datalen > length {
		fmt.Fprintf(b, " [len %d]", datalen)
		return true
	}
	fmt.Fprintf(b, "\n\tRouter-ID %s", p.ip4(4))
	if p.u32(8) != 0 {
		fmt.Fprintf(b, ", Area %s", p.ip4(8))
	} else {
		b.WriteString(", Backbone Area")
	}
	if inst := p.u8(14); inst != 0 {
		fmt.Fprintf(b, ", Instance %d", inst)
	}
	if p.u8(0) != 3 {
		return true
	}
	return x.v3(typ, datalen) && x.trailer(typ, datalen, length-datalen)
}

// lsType is ospf6_print_ls_type for the type at o and the LSA ID at id.
func (x *ospf6x) lsType(t uint32, id int) {
	u := ""
	if t&0x8000 != 0 {
		u = ", transitive"
	}
	fmt.Fprintf(x.b, "\n\t    %s LSA (%d), %s Scope%s, LSA-ID %s", tok(ospf6LSATypes, t&0x1fff, "Unknown"), t&0x1fff,
		tok(ospf6Scopes, t&0x6000, "Unknown"), u, x.p.ip4(id))
}

// lsHeader is ospf6_print_lshdr; false when the header passes end.
func (x *ospf6x) lsHeader(o, end int) bool {
	p := x.p
	if o+20 > end {
		return false
	}
	fmt.Fprintf(x.b, "\n\t  Advertising Router %s, seq 0x%08x, age %ds, length %d", p.ip4(o+8), p.u32(o+12),
		p.u16(o), uint64(int64(p.u16(o+18))-20))
	x.lsType(p.u16(o+2), o+4)
	return true
}

// prefix is ospf6_print_lsaprefix: the bytes it took, -1 when cut short.
func (x *ospf6x) prefix(o, l int) int {
	p, b := x.p, x.b
	if l < 4 {
		return -1
	}
	l -= 4
	p.need(o, 4)
	plen := int(p.u8(o))
	words := (plen + 31) / 32
	if words*4 > 16 {
		fmt.Fprintf(b, " bogus prefixlen /%d", plen)
		return -1
	}
	if l < words*4 {
		return -1
	}
	var a [16]byte
	copy(a[:], p.bytes(o+4, words*4))
	fmt.Fprintf(b, "\n\t\t%s/%d", ndBuf(a[:]).ip6(0), plen)
	if opt := p.u8(o + 1); opt != 0 {
		fmt.Fprintf(b, ", Options [%s]", flagNames(opt, ospf6PrefixOptions))
	}
	fmt.Fprintf(b, ", metric %d", p.u16(o+2))
	return 4 + words*4
}

// prefixes prints n prefixes (n < 0: until l runs out) from o.
func (x *ospf6x) prefixes(o, l, n int) bool {
	for ; n != 0 && (n > 0 || l != 0); n-- {
		k := x.prefix(o, l)
		if k < 0 {
			return false
		}
		o += k
		l -= k
	}
	return true
}

// lsa is ospf6_print_lsa; false when it is cut short.
func (x *ospf6x) lsa(o, end int) bool {
	p, b := x.p, x.b
	if !x.lsHeader(o, end) {
		return false
	}
	length := int(p.u16(o + 18))
	if length < 20 || o+length > end {
		return false
	}
	l := length - 20
	t := o + 20
	switch p.u16(o + 2) {
	case 0x2001:
		if l < 4 {
			return false
		}
		l -= 4
		fmt.Fprintf(b, "\n\t      Options [%s], RLA-Flags [%s]", flagNames(p.u32(t), ospf6Options), flagNames(p.u8(t), ospf6RLAFlags))
		for r := t + 4; l != 0; r += 16 {
			if l < 16 {
				return false
			}
			l -= 16
			p.need(r, 16)
			kind := ""
			switch lt := p.u8(r); lt {
			case 4:
				kind = "Virtual Link: Neighbor Router-ID"
			case 1:
				kind = "Neighbor Router-ID"
			case 2:
				kind = "Neighbor Network-ID"
			default:
				fmt.Fprintf(b, "\n\t      Unknown Router Links Type 0x%02x", lt)
				return true
			}
			fmt.Fprintf(b, "\n\t      %s %s\n\t      Neighbor Interface-ID %s, Interface %s, metric %d", kind,
				p.ip4(r+12), p.ip4(r+8), p.ip4(r+4), p.u16(r+2))
		}
	case 0x2002:
		if l < 4 {
			return false
		}
		l -= 4
		fmt.Fprintf(b, "\n\t      Options [%s]\n\t      Connected Routers:", flagNames(p.u32(t), ospf6Options))
		for a := t + 4; l != 0; a += 4 {
			if l < 4 {
				return false
			}
			l -= 4
			b.WriteString("\n\t\t" + p.ip4(a))
		}
	case 0x2003:
		if l < 4 {
			return false
		}
		fmt.Fprintf(b, ", metric %d", p.u32(t)&0xffffff)
		return x.prefixes(t+4, l-4, -1)
	case 0x4005:
		if l < 4 {
			return false
		}
		l -= 4
		flags := p.u32(t)
		fmt.Fprintf(b, "\n\t     Flags [%s] metric %d", flagNames(flags, ospf6ASLAFlags), flags&0xffffff)
		pfx := t + 4
		k := x.prefix(pfx, l)
		if k < 0 {
			return false
		}
		l -= k
		q := pfx + k
		if flags&0x02000000 != 0 {
			if l < 16 {
				return false
			}
			l -= 16
			b.WriteString(" forward " + p.ip6(q))
			q += 16
		}
		if flags&0x01000000 != 0 {
			if l < 4 {
				return false
			}
			l -= 4
			b.WriteString(" tag " + p.ip4(q))
			q += 4
		}
		if p.u8(pfx+2) != 0 {
			if l < 4 {
				return false
			}
			b.WriteString(" RefLSID: " + p.ip4(q))
		}
	case 0x0008:
		if l < 4 {
			return false
		}
		l -= 4
		p.need(t, 4)
		fmt.Fprintf(b, "\n\t      Options [%s]", flagNames(p.u32(t), ospf6Options))
		if l < 20 {
			return false
		}
		l -= 20
		n := int(p.u32(t + 20))
		fmt.Fprintf(b, "\n\t      Priority %d, Link-local address %s, Prefixes %d:", p.u8(t), p.ip6(t+4), n)
		return n == 0 || x.prefixes(t+24, l, n)
	case 0x2009:
		if l < 4 {
			return false
		}
		l -= 4
		p.need(t+8, 4)
		x.lsType(p.u16(t+2), t+4)
		if l < 2 {
			return false
		}
		l -= 2
		n := int(p.u16(t))
		fmt.Fprintf(b, "\n\t      Prefixes %d:", n)
		return n == 0 || x.prefixes(t+12, l, n)
	case 0x000b, 0x000a: // grace and TE LSAs, as OSPFv2's opaque ones; ended early: [|ospf3]
		r := &ospfBuf{p: p}
		if p.u16(o+2) == 0x000b {
			ospfGrace(x.c, r, t, l)
		} else {
			ospfTE(x.c, r, t, l)
		}
		return r.done
	default:
		if !p.has(t, 0) {
			b.WriteString("\n\t      Dissector error: print_unknown_data called with pointer past end of packet")
			return false
		}
		hexLines(b, p[t:t+min(l, p.avail(t))], "\n\t      ")
	}
	return true
}

// v3 is ospf6_decode_v3; false when it ends with [|ospf3].
func (x *ospf6x) v3(typ uint32, end int) bool {
	p, b := x.p, x.b
	vv := x.c.d.vv
	switch typ {
	case 1:
		fmt.Fprintf(b, "\n\tOptions [%s]", flagNames(p.u32(20), ospf6Options))
		fmt.Fprintf(b, "\n\t  Hello Timer %ds, Dead Timer %ds, Interface-ID %s, Priority %d", p.u16(24), p.u16(26),
			p.ip4(16), p.u8(20))
		if p.u32(28) != 0 {
			fmt.Fprintf(b, "\n\t  Designated Router %s", p.ip4(28))
		}
		if p.u32(32) != 0 {
			fmt.Fprintf(b, ", Backup Designated Router %s", p.ip4(32))
		}
		if vv {
			b.WriteString("\n\t  Neighbor List:")
			for a := 36; a < end; a += 4 {
				b.WriteString("\n\t    " + p.ip4(a))
			}
		}
	case 2:
		fmt.Fprintf(b, "\n\tOptions [%s]", flagNames(p.u32(16), ospf6Options))
		fmt.Fprintf(b, ", DD Flags [%s]", flagNames(p.u8(23), ospf6DDFlags))
		fmt.Fprintf(b, ", MTU %d, DD-Sequence 0x%08x", p.u16(20), p.u32(24))
		if vv {
			for h := 28; h < end; h += 20 {
				if !x.lsHeader(h, end) {
					return false
				}
			}
		}
	case 3:
		if vv {
			for r := 16; r < end; r += 12 {
				p.need(r, 12)
				fmt.Fprintf(b, "\n\t  Advertising Router %s", p.ip4(r+8))
				x.lsType(p.u16(r+2), r+4)
			}
		}
	case 4:
		if vv {
			n := int32(p.u32(16))
			for a := 20; a < end && n != 0; n-- {
				if !x.lsa(a, end) {
					return false
				}
				a += int(p.u16(a + 18))
			}
		}
	case 5:
		if vv {
			for h := 16; h < end; h += 20 {
				if !x.lsHeader(h, end) {
					return false
				}
			}
		}
	}
	return true
}

// trailer is ospf6_decode_v3_trailer: LLS data (hellos and DB
// descriptions with the L bit) and the authentication trailer, n bytes
// from o.
func (x *ospf6x) trailer(typ uint32, o, n int) bool {
	p, b := x.p, x.b
	lls := 0
	if (typ == 1 && p.u32(20)&0x200 != 0) || (typ == 2 && p.u32(16)&0x200 != 0) {
		if n != 0 {
			if n < 4 {
				return false
			}
			fmt.Fprintf(b, "\n\tLLS Checksum 0x%04x", p.u16(o))
			dl := int(p.u16(o + 2))
			fmt.Fprintf(b, ", Data Length %d", dl)
			if dl < 4 || dl > n || !p.has(o+4, dl-4) {
				return false
			}
			lls = dl
		}
	}
	o += lls
	n -= lls
	if n == 0 {
		return true
	}
	if n < 16 {
		return false
	}
	fmt.Fprintf(b, "\n\tAuthentication Type %s", tok(map[uint32]string{1: "HMAC"}, p.u16(o), "unknown (0x%04x)"))
	al := int(p.u16(o + 2))
	fmt.Fprintf(b, ", Length %d", al)
	if al < 16 || al > n {
		return false
	}
	fmt.Fprintf(b, ", SAID %d", p.u16(o+6))
	fmt.Fprintf(b, ", CSN 0x%08x", p.u32(o+8))
	fmt.Fprintf(b, ":%08x", p.u32(o+12))
	if !p.has(o+16, al-16) {
		return false
	}
	if x.c.d.vv {
		hexLines(b, p[o+16:o+al], "\n\tAuthentication Data ")
	}
	return true
}
