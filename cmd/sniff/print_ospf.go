package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"strconv"
)

// OSPF version 2 on IP protocol 89 (tcpdump 4.99's print-ospf.c): the
// packet type and length, and with -v the header, authentication,
// hellos, database descriptions, LS requests, updates with their LSAs,
// acks and LLS data. Other versions by their header only; over IPv6
// (OSPFv3) the bare protocol number as before. gopacket's
// OSPF layer rejects the malformed packets tcpdump prints, so the
// packet is read here.

var ospfTypes = map[byte]string{1: "Hello", 2: "Database Description", 3: "LS-Request", 4: "LS-Update", 5: "LS-Ack"}

var ospfOptions = []bitName{{0x01, "MultiTopology"}, {0x02, "External"}, {0x04, "Multicast"}, {0x08, "NSSA"},
	{0x10, "LLS"}, {0x20, "Demand Circuit"}, {0x40, "Opaque"}, {0x80, "Up/Down"}}

var ospfAuthTypes = map[uint16]string{0: "none", 1: "simple", 2: "MD5"}

var ospfRouterFlags = []bitName{{0x01, "ABR"}, {0x02, "ASBR"}, {0x04, "Virtual"}, {0x08, "Wildcard"},
	{0x10, "Nt"}, {0x80, "Host"}}

var ospfDDFlags = []bitName{{0x04, "Init"}, {0x02, "More"}, {0x01, "Master"}, {0x08, "OOBResync"}}

var ospfLSATypes = map[uint32]string{1: "Router", 2: "Network", 3: "Summary", 4: "ASBR Summary", 5: "External",
	6: "Multicast Group", 7: "NSSA", 9: "Link Local Opaque", 10: "Area Local Opaque", 11: "Domain Wide Opaque"}

var ospfOpaqueTypes = map[uint32]string{1: "Traffic Engineering", 3: "Graceful restart", 4: "Router Information"}

var ospfTopologies = map[uint32]string{0: "default", 1: "multicast", 2: "management"}

var ospfLLSTypes = map[uint16]string{1: "Extended Options", 2: "MD5 Authentication"}

var ospfLLSOptions = []bitName{{0x01, "LSDB resync"}, {0x02, "Restart"}}

// ospfBuf reads the packet up to where tcpdump's capture ends; a read
// past it sets short, and the printer then stops with [|ospf2] as
// tcpdump's GET macros do, having printed only what came before.
type ospfBuf struct {
	p     []byte
	short bool
	done  bool // a grace or TE LSA's TLVs ran to their end (OSPFv3 ends the packet otherwise)
}

func (r *ospfBuf) has(o, n int) bool {
	if o < 0 || o+n > len(r.p) {
		r.short = true
	}
	return !r.short
}

func (r *ospfBuf) u8(o int) uint32 {
	if !r.has(o, 1) {
		return 0
	}
	return uint32(r.p[o])
}

func (r *ospfBuf) u16(o int) uint32 {
	if !r.has(o, 2) {
		return 0
	}
	return uint32(binary.BigEndian.Uint16(r.p[o:]))
}

func (r *ospfBuf) u24(o int) uint32 {
	if !r.has(o, 3) {
		return 0
	}
	return uint32(r.p[o])<<16 | uint32(binary.BigEndian.Uint16(r.p[o+1:]))
}

func (r *ospfBuf) u32(o int) uint32 {
	if !r.has(o, 4) {
		return 0
	}
	return binary.BigEndian.Uint32(r.p[o:])
}

func (r *ospfBuf) ip(o int) string {
	if !r.has(o, 4) {
		return ""
	}
	return net.IP(r.p[o : o+4]).String()
}

func ospfTok(m map[uint32]string, v uint32, def string) string {
	if s, ok := m[v]; ok {
		return s
	}
	return def
}

func printOSPF(c *pctx, p []byte) {
	b := c.b
	c.addrPair()
	if c.ipv6 { // OSPFv3: tcpdump's print-ospf6.c
		printOSPF6(c, p)
		return
	}
	c.f["proto"] = "OSPF"
	r := &ospfBuf{p: p}
	if !ospfPrint(c, r) {
		b.WriteString(" [|ospf2]")
	}
}

// ospfPrint is tcpdump's ospf_print; false when the capture ends first.
func ospfPrint(c *pctx, r *ospfBuf) bool {
	b := c.b
	length := c.length
	auth := r.u16(14)
	if r.short {
		return false
	}
	if auth == 2 { // the MD5 digest trails the packet
		length -= 16
		r.p = r.p[:len(r.p)-16]
	}
	typ, ver := r.u8(1), r.u8(0)
	if r.short {
		return false
	}
	name, known := ospfTypes[byte(typ)]
	if !known {
		name = "unknown LS-type " + strconv.Itoa(int(typ))
	}
	fmt.Fprintf(b, "OSPFv%d, %s, length %d", ver, name, length)
	if !known || !c.verbose {
		return true
	}
	olen := int(r.u16(2))
	if r.short {
		return false
	}
	if length != olen {
		fmt.Fprintf(b, " [len %d]", olen)
	}
	end := min(length, olen)
	rid := r.ip(4)
	if r.short {
		return false
	}
	b.WriteString("\n\tRouter-ID " + rid)
	area := r.u32(8)
	if r.short {
		return false
	}
	if area != 0 {
		b.WriteString(", Area " + r.ip(8))
	} else {
		b.WriteString(", Backbone Area")
	}
	if !r.has(16, 8) {
		return false
	}
	fmt.Fprintf(b, ", Authentication Type: %s (%d)", tokOr(ospfAuthTypes, uint16(auth), "unknown"), auth)
	switch auth {
	case 0:
	case 1:
		b.WriteString("\n\tSimple text password: ")
		pw := r.p[16:24]
		for i, ch := range pw {
			if ch == 0 {
				pw = pw[:i]
				break
			}
		}
		fnPrint(b, pw)
	case 2:
		fmt.Fprintf(b, "\n\tKey-ID: %d, Auth-Length: %d, Crypto Sequence Number: 0x%08x", r.u8(18), r.u8(19), r.u32(20))
	default:
		return true
	}
	if ver != 2 {
		fmt.Fprintf(b, " ospf [version %d]", ver)
		return true
	}
	if !ospfV2(c, r, typ, end) {
		return false
	}
	if length > olen {
		return ospfLLS(c, r, typ, auth, length)
	}
	return true
}

// ospfV2 prints an OSPFv2 packet's body, which ends at end.
func ospfV2(c *pctx, r *ospfBuf, typ uint32, end int) bool {
	b := c.b
	switch typ {
	case 1: // hello
		opts := r.u8(30)
		if r.short {
			return false
		}
		fmt.Fprintf(b, "\n\tOptions [%s]", flagNames(opts, ospfOptions))
		hello, dead, mask, prio := r.u16(28), r.u32(32), r.ip(24), r.u8(31)
		if r.short {
			return false
		}
		fmt.Fprintf(b, "\n\t  Hello Timer %ds, Dead Timer %ds, Mask %s, Priority %d", hello, dead, mask, prio)
		if dr := r.u32(36); r.short {
			return false
		} else if dr != 0 {
			b.WriteString("\n\t  Designated Router " + r.ip(36))
		}
		if bdr := r.u32(40); r.short {
			return false
		} else if bdr != 0 {
			b.WriteString(", Backup Designated Router " + r.ip(40))
		}
		if 44 < end {
			b.WriteString("\n\t  Neighbor List:")
		}
		for o := 44; o < end; o += 4 {
			n := r.ip(o)
			if r.short {
				return false
			}
			b.WriteString("\n\t    " + n)
		}
	case 2: // database description
		opts := r.u8(26)
		if r.short {
			return false
		}
		fmt.Fprintf(b, "\n\tOptions [%s]", flagNames(opts, ospfOptions))
		flags := r.u8(27)
		if r.short {
			return false
		}
		fmt.Fprintf(b, ", DD Flags [%s]", flagNames(flags, ospfDDFlags))
		if mtu := r.u16(24); r.short {
			return false
		} else if mtu != 0 {
			fmt.Fprintf(b, ", MTU: %d", mtu)
		}
		seq := r.u32(28)
		if r.short {
			return false
		}
		fmt.Fprintf(b, ", Sequence: 0x%08x", seq)
		for o := 32; o < end; o += 20 {
			n, ok := ospfLSAHeader(c, r, o)
			if !ok {
				return false
			}
			if n < 0 {
				break
			}
		}
	case 3: // LS request
		for o := 24; o < end; o += 12 {
			if !r.has(o, 12) {
				return false
			}
			t := r.u32(o)
			fmt.Fprintf(b, "\n\t  Advertising Router: %s, %s LSA (%d)", r.ip(o+8), ospfTok(ospfLSATypes, t, "unknown"), t)
			switch t {
			case 9, 10, 11:
				ot := r.u8(o + 4)
				fmt.Fprintf(b, ", Opaque-Type: %s LSA (%d), Opaque-ID: %d", ospfTok(ospfOpaqueTypes, ot, "unknown"), ot, r.u24(o+5))
			default:
				b.WriteString(", LSA-ID: " + r.ip(o+4))
			}
		}
	case 4: // LS update
		n := r.u32(24)
		if r.short {
			return false
		}
		fmt.Fprintf(b, ", %d LSA", n)
		if n != 1 {
			b.WriteByte('s')
		}
		o := 28
		for i := uint32(1); i <= n; i++ {
			fmt.Fprintf(b, "\n\t  LSA #%d", i)
			next, ok := ospfLSA(c, r, o)
			if !ok {
				return false
			}
			o = next
		}
	case 5: // LS ack: tcpdump 4.99.3 reads headers until one is bad or the capture ends
		for o := 24; ; o += 20 {
			n, ok := ospfLSAHeader(c, r, o)
			if !ok {
				return false
			}
			if n < 0 {
				break
			}
		}
	}
	return true
}

// ospfLSAHeader prints the LSA header at o and returns the LSA's length,
// -1 when it is shorter than the header; false when the capture ends.
func ospfLSAHeader(c *pctx, r *ospfBuf, o int) (int, bool) {
	b := c.b
	n := int(r.u16(o + 18))
	if r.short {
		return 0, false
	}
	if n < 20 {
		fmt.Fprintf(b, "\n\t    Bogus length %d < header (20)", n)
		return -1, true
	}
	adv, seq, age := r.ip(o+8), r.u32(o+12), r.u16(o)
	if r.short {
		return 0, false
	}
	fmt.Fprintf(b, "\n\t  Advertising Router %s, seq 0x%08x, age %ds, length %d", adv, seq, age, n-20)
	t := r.u8(o + 3)
	if r.short {
		return 0, false
	}
	tname := ospfTok(ospfLSATypes, t, "unknown")
	switch t {
	case 9, 10, 11:
		ot, oid := r.u8(o+4), r.u24(o+5)
		if r.short {
			return 0, false
		}
		fmt.Fprintf(b, "\n\t    %s LSA (%d), Opaque-Type %s LSA (%d), Opaque-ID %d", tname, t, ospfTok(ospfOpaqueTypes, ot, "unknown"), ot, oid)
	default:
		id := r.ip(o + 4)
		if r.short {
			return 0, false
		}
		fmt.Fprintf(b, "\n\t    %s LSA (%d), LSA-ID: %s", tname, t, id)
	}
	opts := r.u8(o + 2)
	if r.short {
		return 0, false
	}
	fmt.Fprintf(b, "\n\t    Options: [%s]", flagNames(opts, ospfOptions))
	return n, true
}

// ospfLSA prints the LSA at o and returns where it ends; false when the
// capture ends first or its length is shorter than its header (tcpdump
// stops the update there as cut short).
func ospfLSA(c *pctx, r *ospfBuf, o int) (int, bool) {
	b := c.b
	n, ok := ospfLSAHeader(c, r, o)
	if !ok || n < 0 {
		return 0, false
	}
	end, body := o+n, o+20
	topology := func(v uint32) string {
		t := (v & 0x7f000000) >> 24
		return fmt.Sprintf("topology %s (%d)", ospfTok(ospfTopologies, t, "Unknown"), t)
	}
	switch t := r.u8(o + 3); t {
	case 1: // router
		flags := r.u8(body)
		if r.short {
			return 0, false
		}
		fmt.Fprintf(b, "\n\t    Router LSA Options: [%s]", flagNames(flags, ospfRouterFlags))
		count := r.u16(body + 2)
		if !r.has(body+4, 12) {
			return 0, false
		}
		l := body + 4
		for i := count; i != 0; i-- {
			if !r.has(l, 12) {
				return 0, false
			}
			id, data := r.ip(l), r.ip(l+4)
			switch lt := r.u8(l + 8); lt {
			case 4:
				fmt.Fprintf(b, "\n\t      Virtual Link: Neighbor Router-ID: %s, Interface Address: %s", id, data)
			case 1:
				fmt.Fprintf(b, "\n\t      Neighbor Router-ID: %s, Interface Address: %s", id, data)
			case 2:
				fmt.Fprintf(b, "\n\t      Neighbor Network-ID: %s, Interface Address: %s", id, data)
			case 3:
				fmt.Fprintf(b, "\n\t      Stub Network: %s, Mask: %s", id, data)
			default:
				fmt.Fprintf(b, "\n\t      Unknown Router Link Type (%d)", lt)
				return end, true
			}
			tos := int(r.u8(l + 9))
			for k := 0; k <= tos; k++ {
				t, m := r.u8(l+8+4*k), r.u16(l+10+4*k)
				if r.short {
					return 0, false
				}
				if k == 0 {
					t = 0
				}
				fmt.Fprintf(b, "\n\t\ttopology %s (%d), metric %d", ospfTok(ospfTopologies, t, "Unknown"), t, m)
			}
			l += 12 + 4*tos
		}
	case 2: // network
		mask := r.ip(body)
		if r.short {
			return 0, false
		}
		b.WriteString("\n\t    Mask " + mask + "\n\t    Connected Routers:")
		for a := body + 4; a < end; a += 4 {
			rt := r.ip(a)
			if r.short {
				return 0, false
			}
			b.WriteString("\n\t      " + rt)
		}
	case 3, 4, 5, 7: // summary, ASBR summary, external, NSSA
		if t != 4 {
			if !r.has(body, 4) {
				return 0, false
			}
			b.WriteString("\n\t    Mask " + r.ip(body))
		}
		if !r.has(body+4, 4) {
			return 0, false
		}
		if t == 3 || t == 4 {
			for m := body + 4; m < end; m += 4 {
				v := r.u32(m)
				if r.short {
					return 0, false
				}
				fmt.Fprintf(b, "\n\t\t%s metric %d", topology(v), v&0xffffff)
			}
			break
		}
		for m := body + 4; m < end; m += 12 {
			v := r.u32(m)
			if r.short {
				return 0, false
			}
			kind := 1
			if v&0x80000000 != 0 {
				kind = 2
			}
			fmt.Fprintf(b, "\n\t\t%s, type %d, metric", topology(v), kind)
			if v&0xffffff == 0xffffff {
				b.WriteString(" infinite")
			} else {
				fmt.Fprintf(b, " %d", v&0xffffff)
			}
			if fwd := r.u32(m + 4); r.short {
				return 0, false
			} else if fwd != 0 {
				b.WriteString(", forward " + r.ip(m+4))
			}
			if tag := r.u32(m + 8); r.short {
				return 0, false
			} else if tag != 0 {
				b.WriteString(", tag " + r.ip(m+8))
			}
		}
	case 6: // multicast group
		for m := body; m < end; m += 8 {
			v := r.u32(m)
			if r.short {
				return 0, false
			}
			switch v {
			case 1:
				id := r.ip(m + 4)
				if r.short {
					return 0, false
				}
				b.WriteString("\n\t    Router Router-ID " + id)
			case 2:
				id := r.ip(m + 4)
				if r.short {
					return 0, false
				}
				b.WriteString("\n\t    Network Designated Router " + id)
			default:
				fmt.Fprintf(b, "\n\t    unknown VertexType (%d)", v)
			}
		}
	case 9, 10, 11:
		r.done = false
		if !ospfOpaque(c, r, r.u8(o+4), body, n-20) {
			return 0, false
		}
		if typ := r.u8(o + 4); typ != 1 && typ != 3 && typ != 4 || !r.done {
			return end, true // in hex already, or ended early: tcpdump's return before the hex dump
		}
	}
	if c.d.vv { // -vv: the LSA's body again in hex
		if !ospfUnknown(c, r, body, n-20, "\n\t    ") {
			return 0, false
		}
	}
	return end, true
}

// ospfLLS prints the link-local signalling block after the packet
// (RFC 4813), which hellos and database descriptions with the L option
// carry; false when the capture ends first.
func ospfLLS(c *pctx, r *ospfBuf, typ, auth uint32, length int) bool {
	b := c.b
	var opts uint32
	switch typ {
	case 1:
		opts = r.u8(30)
	case 2:
		opts = r.u8(26)
	default:
		return true
	}
	if r.short {
		return false
	}
	if opts&0x10 == 0 {
		return true
	}
	n := int(r.u16(2))
	d := n
	if auth == 2 {
		al := int(r.u8(19))
		d += al
		n += al
	}
	if r.short {
		return false
	}
	if n >= length {
		b.WriteString("\n\t[LLS truncated]")
		return true
	}
	sum := r.u16(d)
	if r.short {
		return false
	}
	fmt.Fprintf(b, "\n\t  LLS: checksum: 0x%04x", sum)
	ll := r.u16(d + 2)
	if r.short {
		return false
	}
	fmt.Fprintf(b, ", length: %d", ll)
	for d += 4; d < length; {
		t := r.u16(d)
		if r.short {
			return false
		}
		fmt.Fprintf(b, "\n\t    %s (%d)", tokOr(ospfLLSTypes, uint16(t), "Unknown TLV"), t)
		tl := int(r.u16(d + 2))
		if r.short {
			return false
		}
		fmt.Fprintf(b, ", length: %d", tl)
		d += 4
		switch t {
		case 1:
			if tl != 4 {
				b.WriteString(" [should be 4]")
				tl = 4
			}
			f := r.u32(d)
			if r.short {
				return false
			}
			names := "?"
			if f&3 != 0 {
				names = flagNames(f, ospfLLSOptions)
			}
			fmt.Fprintf(b, "\n\t      Options: 0x%08x [%s]", f, names)
		case 2:
			if tl != 20 {
				b.WriteString(" [should be 20]")
				tl = 20
			}
			s := r.u32(d)
			if r.short {
				return false
			}
			fmt.Fprintf(b, "\n\t      Sequence number: 0x%08x", s)
		}
		d += tl
	}
	return true
}

// ospfOpaque prints an opaque LSA's body of n bytes at o (RFC 5250):
// traffic engineering, graceful restart and router information TLVs,
// other types in hex; false when the capture ends first.
func ospfOpaque(c *pctx, r *ospfBuf, typ uint32, o, n int) bool {
	switch typ {
	case 4:
		return ospfRouterInfo(c, r, o, n)
	case 3:
		return ospfGrace(c, r, o, n)
	case 1:
		return ospfTE(c, r, o, n)
	}
	return ospfUnknown(c, r, o, n, "\n\t    ")
}

// ospfUnknown is tcpdump's print_unknown_data: n bytes at o in hex, as
// many as the capture holds.
func ospfUnknown(c *pctx, r *ospfBuf, o, n int, indent string) bool {
	if o > len(r.p) {
		c.b.WriteString(indent + "Dissector error: print_unknown_data called with pointer past end of packet")
		return false
	}
	hexLines(c.b, r.p[o:min(o+n, len(r.p))], indent)
	return true
}

var ospfRICaps = []bitName{{1, "Reserved"}, {2, "Reserved"}, {4, "Reserved"}, {8, "Reserved"},
	{16, "graceful restart capable"}, {32, "graceful restart helper"}, {64, "Stub router support"},
	{128, "Traffic engineering"}, {256, "p2p over LAN"}, {512, "path computation server"}}

// ospfRouterInfo prints a router information LSA's TLVs (RFC 7770).
func ospfRouterInfo(c *pctx, r *ospfBuf, o, n int) bool {
	b := c.b
	for rem := uint32(n); rem != 0; {
		if !r.has(o, 4) {
			return false
		}
		if rem < 4 {
			fmt.Fprintf(b, "\n\t    Remaining LS length %d < 4", rem)
			return true
		}
		t, l := r.u16(o), r.u16(o+2)
		o += 4
		rem -= 4
		name := "unknown"
		if t == 1 {
			name = "Router Capabilities"
		}
		fmt.Fprintf(b, "\n\t    %s TLV (%d), length: %d, value: ", name, t, l)
		if l > rem {
			fmt.Fprintf(b, "\n\t    Bogus length %d > remaining LS length %d", l, rem)
			return true
		}
		rem -= l // tcpdump 4.99.3 takes the TLV off unpadded
		if !r.has(o, int(l)) {
			return false
		}
		if t == 1 {
			if l != 4 {
				fmt.Fprintf(b, "\n\t    Bogus length %d != 4", l)
				return true
			}
			v := r.u32(o)
			names := flagNames(v, ospfRICaps)
			if v&0x3ff == 0 {
				names = "Unknown"
			}
			b.WriteString("Capabilities: " + names)
		} else if !c.d.vv && !ospfUnknown(c, r, o, int(l), "\n\t      ") { // hex with -v only, as tcpdump
			return true
		}
		o += int(l) // nor padded here
	}
	r.done = true
	return true
}

var ospfGraceTLVs = map[uint32]string{1: "Grace Period", 2: "Graceful restart Reason", 3: "IPv4 interface address"}

var ospfGraceReasons = map[uint32]string{0: "Unknown", 1: "Software Restart", 2: "Software Reload/Upgrade",
	3: "Control Processor Switch"}

// ospfTLVHead reads the type and length of a grace or TE LSA's TLV at
// o, rem bytes left of the LSA; more is false where tcpdump ends the LSA
// quietly: the TLV's header cut short, or less than one left.
func ospfTLVHead(c *pctx, r *ospfBuf, o int, rem uint32) (t, l uint32, more bool) {
	if !r.has(o, 4) {
		r.short = false
		return 0, 0, false
	}
	if rem < 4 {
		fmt.Fprintf(c.b, "\n\t    Remaining LS length %d < 4", rem)
		return 0, 0, false
	}
	return r.u16(o), r.u16(o + 2), true
}

// ospfGrace prints a grace LSA's TLVs (RFC 3623); tcpdump ends the LSA
// quietly where a TLV is cut short.
func ospfGrace(c *pctx, r *ospfBuf, o, n int) bool {
	b := c.b
	for rem := uint32(n); rem > 0; {
		t, l, more := ospfTLVHead(c, r, o, rem)
		if !more {
			return true
		}
		o += 4
		rem -= 4
		fmt.Fprintf(b, "\n\t    %s TLV (%d), length %d, value: ", ospfTok(ospfGraceTLVs, t, "unknown"), t, l)
		if l > rem {
			fmt.Fprintf(b, "\n\t    Bogus length %d > %d", l, rem)
			return true
		}
		if t == 0 || l == 0 {
			return true
		}
		if !r.has(o, int(l)) {
			r.short = false
			return true
		}
		switch t {
		case 1, 3:
			if l != 4 {
				fmt.Fprintf(b, "\n\t    Bogus length %d != 4", l)
				return true
			}
			if t == 1 {
				fmt.Fprintf(b, "%ds", r.u32(o))
			} else {
				b.WriteString(r.ip(o))
			}
		case 2:
			if l != 1 {
				fmt.Fprintf(b, "\n\t    Bogus length %d != 1", l)
				return true
			}
			v := r.u8(o)
			fmt.Fprintf(b, "%s (%d)", ospfTok(ospfGraceReasons, v, "Unknown"), v)
		default: // hex with -v only, as tcpdump
			if !c.d.vv && !ospfUnknown(c, r, o, int(l), "\n\t      ") {
				return true
			}
		}
		l += (4 - l%4) % 4
		rem -= l
		o += int(l)
	}
	r.done = true
	return true
}

var ospfTESubTLVs = map[uint32]string{1: "Link Type", 2: "Link ID", 3: "Local Interface IP address",
	4: "Remote Interface IP address", 5: "Traffic Engineering Metric", 6: "Maximum Bandwidth",
	7: "Maximum Reservable Bandwidth", 8: "Unreserved Bandwidth", 9: "Administrative Group",
	11: "Link Local/Remote Identifier", 14: "Link Protection Type", 15: "Interface Switching Capability",
	16: "Shared Risk Link Group", 17: "Bandwidth Constraints"}

var gmplsLinkProt = []bitName{{0x01, "Extra Traffic"}, {0x02, "Unprotected"}, {0x04, "Shared"},
	{0x08, "Dedicated 1:1"}, {0x10, "Dedicated 1+1"}, {0x20, "Enhanced"}, {0x40, "Reserved"}, {0x80, "Reserved"}}

var gmplsSwitchCaps = map[uint32]string{1: "Packet-Switch Capable-1", 2: "Packet-Switch Capable-2",
	3: "Packet-Switch Capable-3", 4: "Packet-Switch Capable-4", 51: "Layer-2 Switch Capable",
	100: "Time-Division-Multiplex", 150: "Lambda-Switch Capable", 200: "Fiber-Switch Capable"}

var gmplsEncodings = map[uint32]string{1: "Packet", 2: "Ethernet V2/DIX", 3: "ANSI/ETSI PDH", 4: "Reserved",
	5: "SDH ITU-T G.707/SONET ANSI T1.105", 6: "Reserved", 7: "Digital Wrapper", 8: "Lambda (photonic)", 9: "Fiber",
	10: "Reserved", 11: "FiberChannel"}

var diffservBCModels = map[uint32]string{0: "Russian dolls", 1: "Maximum allocation", 254: "Maximum allocation with E-LSP support"}

// mbps is an IEEE float of bytes a second in megabits, as tcpdump's
// "%.3f Mbps" prints it (float arithmetic, C's nan and inf).
func mbps(v uint32) string {
	f := math.Float32frombits(v) * 8 / 1000000
	switch {
	case f != f:
		if v&0x80000000 != 0 {
			return "-nan"
		}
		return "nan"
	case math.IsInf(float64(f), 1):
		return "inf"
	case math.IsInf(float64(f), -1):
		return "-inf"
	}
	return strconv.FormatFloat(float64(f), 'f', 3, 64)
}

// ospfTE prints a traffic engineering LSA's TLVs (RFC 3630, GMPLS
// RFC 4203); false when the capture ends first.
func ospfTE(c *pctx, r *ospfBuf, o, n int) bool {
	b := c.b
	for rem := uint32(n); rem != 0; {
		t, l, more := ospfTLVHead(c, r, o, rem)
		if !more {
			return true
		}
		o += 4
		rem -= 4
		name := "unknown"
		switch t {
		case 1:
			name = "Router Address"
		case 2:
			name = "Link"
		}
		fmt.Fprintf(b, "\n\t    %s TLV (%d), length: %d", name, t, l)
		if l > rem {
			fmt.Fprintf(b, "\n\t    Bogus length %d > %d", l, rem)
			return true
		}
		if t == 0 || l == 0 {
			return true
		}
		switch t {
		case 2:
			for sl := l; sl != 0; {
				if sl < 4 {
					fmt.Fprintf(b, "\n\t    Remaining TLV length %d < 4", sl)
					return true
				}
				st, stl := r.u16(o), r.u16(o+2)
				if r.short {
					return false
				}
				o += 4
				sl -= 4
				if st == 0 || stl == 0 {
					b.WriteString(" (invalid)")
					return true
				}
				fmt.Fprintf(b, "\n\t      %s subTLV (%d), length: %d", ospfTok(ospfTESubTLVs, st, "unknown"), st, stl)
				if sl < stl {
					fmt.Fprintf(b, "\n\t    Remaining TLV length %d < %d", sl+4, stl+4)
					return true
				}
				if !r.has(o, int(stl)) {
					r.short = false
					return true
				}
				ok, extra := ospfTESub(c, r, st, o, int(stl))
				if !ok {
					return !r.short
				}
				o += extra
				stl += (4 - stl%4) % 4
				if sl < stl {
					fmt.Fprintf(b, "\n\t    Remaining TLV length %d < %d", sl+4, stl+4)
					return true
				}
				sl -= stl
				o += int(stl)
			}
			// tcpdump 4.99.3 has counted the link TLV down to 0 here: it
			// steps over nothing more and leaves the TLV's length in
			// what remains of the LSA.
			l = 0
		case 1:
			if l < 4 {
				fmt.Fprintf(b, "\n\t    TLV length %d < 4", l)
				return true
			}
			a := r.ip(o)
			if r.short {
				return false
			}
			b.WriteString(", " + a)
		default: // hex with -v only, as tcpdump
			if !c.d.vv && !ospfUnknown(c, r, o, int(l), "\n\t      ") {
				return true
			}
		}
		l += (4 - l%4) % 4
		if l > rem {
			fmt.Fprintf(b, "\n\t    Bogus padded length %d > %d", l, rem)
			return true
		}
		rem -= l
		o += int(l)
	}
	r.done = true
	return true
}

// ospfTESub prints the value of a link TLV's sub-TLV of type t, n bytes
// at o that the capture holds; false when tcpdump ends the LSA there (it
// then sets r.short when the capture ended). extra is how far tcpdump
// 4.99.3 steps past the sub-TLV beyond its length: a shared risk link
// group's length again.
func ospfTESub(c *pctx, r *ospfBuf, t uint32, o, n int) (ok bool, extra int) {
	b := c.b
	invalid := func(why string) (bool, int) {
		b.WriteString(why + " (invalid)")
		return false, 0
	}
	switch t {
	case 9:
		if n != 4 {
			return invalid(" != 4")
		}
		fmt.Fprintf(b, ", 0x%08x", r.u32(o))
	case 2, 11:
		if n != 4 && n != 8 {
			return invalid(" != 4 && != 8")
		}
		fmt.Fprintf(b, ", %s (0x%08x)", r.ip(o), r.u32(o))
		if n == 8 {
			fmt.Fprintf(b, ", %s (0x%08x)", r.ip(o+4), r.u32(o+4))
		}
	case 3, 4:
		if n != 4 {
			return invalid(" != 4")
		}
		b.WriteString(", " + r.ip(o))
	case 6, 7:
		if n != 4 {
			return invalid(" != 4")
		}
		b.WriteString(", " + mbps(r.u32(o)) + " Mbps")
	case 8:
		if n != 32 {
			return invalid(" != 32")
		}
		for k := 0; k < 8; k++ {
			fmt.Fprintf(b, "\n\t\tTE-Class %d: %s Mbps", k, mbps(r.u32(o+4*k)))
		}
	case 17:
		if n < 4 {
			return invalid(" < 4")
		}
		m := r.u8(o)
		fmt.Fprintf(b, "\n\t\tBandwidth Constraints Model ID: %s (%d)", ospfTok(diffservBCModels, m, "unknown"), m)
		if n%4 != 0 {
			return invalid(fmt.Sprintf("\n\t\tlength %d != N x 4", n))
		}
		if n > 36 {
			return invalid(fmt.Sprintf("\n\t\tlength %d > 36", n))
		}
		for k := 0; k < (n-4)/4; k++ {
			fmt.Fprintf(b, "\n\t\t  Bandwidth constraint CT%d: %s Mbps", k, mbps(r.u32(o+4+4*k)))
		}
	case 5:
		if n != 4 {
			return invalid(" != 4")
		}
		fmt.Fprintf(b, ", Metric %d", r.u32(o))
	case 14:
		if n != 4 {
			return invalid(" != 4")
		}
		b.WriteString(", " + flagNames(r.u8(o), gmplsLinkProt))
	case 15:
		if n < 36 {
			return invalid(" < 36")
		}
		fmt.Fprintf(b, "\n\t\tInterface Switching Capability: %s", ospfTok(gmplsSwitchCaps, r.u8(o), "Unknown"))
		fmt.Fprintf(b, "\n\t\tLSP Encoding: %s\n\t\tMax LSP Bandwidth:", ospfTok(gmplsEncodings, r.u8(o+1), "Unknown"))
		for k := 0; k < 8; k++ {
			fmt.Fprintf(b, "\n\t\t  priority level %d: %s Mbps", k, mbps(r.u32(o+4+4*k)))
		}
	case 1:
		if n != 1 {
			return invalid(" != 1")
		}
		v := r.u8(o)
		name := "unknown"
		switch v {
		case 1:
			name = "Point-to-point"
		case 2:
			name = "Multi-Access"
		}
		fmt.Fprintf(b, ", %s (%d)", name, v)
	case 16:
		if n%4 != 0 {
			return invalid(" != N x 4")
		}
		if n != 0 {
			b.WriteString("\n\t\t  Shared risk group: ")
		}
		for k := 0; k < n/4; k++ {
			if k > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%d", r.u32(o+4*k))
		}
		return true, n
	default: // hex with -v only, as tcpdump
		return c.d.vv || ospfUnknown(c, r, o, n, "\n\t\t"), 0
	}
	return true, 0
}
