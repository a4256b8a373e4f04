package main

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// Tunnels: GRE (tcpdump's print-gre.c), VXLAN (print-vxlan.c) and Geneve
// (print-geneve.c). gopacket has GRE, VXLAN and Geneve layers, but they
// stop at what tcpdump prints (GRE routing, Geneve option classes), so the
// headers are read here; the inner packet goes through the printers again.

// encap prints an encapsulated payload: an Ethernet frame for the
// Transparent Ethernet Bridging type, else by its ethertype; unknown is
// printed when there is no printer.
func (c *pctx) encap(t layers.EthernetType, p []byte, length int, unknown string) {
	if c.depth >= maxDepth {
		c.b.WriteString(" [|encapsulation]")
		return
	}
	c.depth++
	c.length = length
	switch {
	case t == 0x6558:
		printEther(c, p)
	case !c.next(etherSpace, uint32(t), p):
		c.b.WriteString(unknown)
	}
	c.depth--
}

// maxDepth bounds tunnels in tunnels: a 64 KiB packet of GRE headers
// would nest thousands deep.
const maxDepth = 16

func printVXLAN(c *pctx, p []byte) {
	if len(p) < 8 {
		c.b.WriteString("VXLAN [|vxlan]")
		return
	}
	flag := byte('.')
	if p[0]&0x08 != 0 {
		flag = 'I'
	}
	fmt.Fprintf(c.b, "VXLAN, flags [%c] (0x%02x), vni %d\n", flag, p[0], binary.BigEndian.Uint32(p[4:])>>8)
	c.encap(0x6558, p[8:], c.length-8, "")
}

// geneveClasses names Geneve option classes (tcpdump's format_opt_class).
var geneveClasses = map[uint16]string{0x0100: "Linux", 0x0101: "Open vSwitch (OVS)",
	0x0102: "Open Virtual Networking (OVN)", 0x0103: "In-band Network Telemetry (INT)", 0x0104: "VMware"}

func printGeneve(c *pctx, p []byte) {
	b := c.b
	b.WriteString("Geneve")
	if len(p) < 8 {
		b.WriteString(" [|geneve]")
		return
	}
	if v := p[0] >> 6; v != 0 {
		fmt.Fprintf(b, " ERROR: unknown-version %d", v)
		return
	}
	prot := layers.EthernetType(binary.BigEndian.Uint16(p[2:]))
	flags := ""
	if p[1]&0x80 != 0 {
		flags += "O"
	}
	if p[1]&0x40 != 0 {
		flags += "C"
	}
	if flags == "" {
		flags = "none"
	}
	fmt.Fprintf(b, ", Flags [%s], vni 0x%x", flags, binary.BigEndian.Uint32(p[4:])>>8)
	if p[7] != 0 {
		fmt.Fprintf(b, ", rsvd 0x%x", p[7])
	}
	if c.link {
		fmt.Fprintf(b, ", proto %s (0x%04x)", tunnelProtoName(prot), uint16(prot))
	}
	optLen := int(p[0]&0x3f) * 4
	length := c.length - 8
	if length < optLen {
		fmt.Fprintf(b, " truncated-geneve - %d bytes missing", optLen-length)
		return
	}
	if len(p) < 8+optLen {
		b.WriteString(" [|geneve]")
		return
	}
	if optLen > 0 {
		b.WriteString(", options [")
		if c.verbose {
			geneveOptions(b, p[8:8+optLen], c.d.vv)
		} else {
			fmt.Fprintf(b, "%d bytes", optLen)
		}
		b.WriteByte(']')
	}
	if c.verbose {
		b.WriteString("\n\t")
	} else {
		b.WriteString(": ")
	}
	c.encap(prot, p[8+optLen:], length-optLen, fmt.Sprintf("geneve-proto-0x%x", uint16(prot)))
}

// geneveOptions prints Geneve's options; with -vv (vv) each one's data in
// 32-bit words.
func geneveOptions(b *strings.Builder, o []byte, vv bool) {
	sep := ""
	for len(o) >= 4 {
		class, typ := binary.BigEndian.Uint16(o), o[2]
		n := 4 + int(o[3]&0x1f)*4
		name, ok := geneveClasses[class]
		switch {
		case ok:
		case class <= 0x00ff:
			name = "Standard"
		case class >= 0xfff0:
			name = "Experimental"
		default:
			name = "Unknown"
		}
		crit := ""
		if typ&0x80 != 0 {
			crit = "(C)"
		}
		fmt.Fprintf(b, "%sclass %s (0x%x) type 0x%x%s len %d", sep, name, class, typ, crit, n)
		if n > len(o) {
			b.WriteString(" [bad length]")
			return
		}
		if vv && n > 4 {
			b.WriteString(" data")
			for i := 4; i+4 <= n; i += 4 {
				fmt.Fprintf(b, " %08x", binary.BigEndian.Uint32(o[i:]))
			}
		}
		o = o[n:]
		sep = ", "
	}
}

// tunnelProtoName names an encapsulated protocol as tcpdump -e does.
func tunnelProtoName(t layers.EthernetType) string {
	switch t {
	case 0x6558:
		return "TEB"
	case 0x8847:
		return "MPLS unicast"
	case 0x8848:
		return "MPLS multicast"
	}
	if n := ethertypeName(t); n != "Unknown" {
		return n
	}
	return "unknown"
}

var greFlags = []bitName{{0x8000, "checksum present"}, {0x4000, "routing present"}, {0x2000, "key present"},
	{0x1000, "sequence# present"}, {0x0800, "source routing present"}, {0x0700, "recursion count"}, {0x0080, "ack present"}}

func printGRE(c *pctx, p []byte) {
	b := c.b
	c.addrPair()
	c.f["proto"] = "GRE"
	if len(p) < 2 {
		b.WriteString("[|gre]")
		return
	}
	flags := binary.BigEndian.Uint16(p)
	ver := flags & 7
	fmt.Fprintf(b, "GREv%d", ver)
	if ver != 0 {
		fmt.Fprintf(b, " ERROR: unknown-version")
		return
	}
	if c.verbose {
		fmt.Fprintf(b, ", Flags [%s]", flagNames(uint32(flags), greFlags))
	}
	if len(p) < 4 {
		b.WriteString(" [|gre]")
		return
	}
	prot := layers.EthernetType(binary.BigEndian.Uint16(p[2:]))
	q := p[4:]
	length := c.length - 4
	need := func(n int) bool {
		if len(q) < n {
			b.WriteString(" [|gre]")
			return false
		}
		return true
	}
	if flags&0xc000 != 0 {
		if !need(4) {
			return
		}
		if c.verbose {
			fmt.Fprintf(b, ", sum 0x%x", binary.BigEndian.Uint16(q))
		}
		fmt.Fprintf(b, ", off 0x%x", binary.BigEndian.Uint16(q[2:]))
		q, length = q[4:], length-4
	}
	if flags&0x2000 != 0 {
		if !need(4) {
			return
		}
		fmt.Fprintf(b, ", key=0x%x", binary.BigEndian.Uint32(q))
		q, length = q[4:], length-4
	}
	if flags&0x1000 != 0 {
		if !need(4) {
			return
		}
		fmt.Fprintf(b, ", seq %d", binary.BigEndian.Uint32(q))
		q, length = q[4:], length-4
	}
	if flags&0x4000 != 0 {
		// Source route entries (RFC 1701): address family, offset,
		// length, then the entry, until a null one.
		for {
			if !need(4) {
				return
			}
			n := int(q[3])
			q, length = q[4:], length-4
			if n == 0 {
				break
			}
			if !need(n) {
				return
			}
			q, length = q[n:], length-n
		}
	}
	if c.link {
		fmt.Fprintf(b, ", proto %s (0x%04x)", tunnelProtoName(prot), uint16(prot))
	}
	fmt.Fprintf(b, ", length %d", c.length)
	if c.verbose {
		b.WriteString("\n\t")
	} else {
		b.WriteString(": ")
	}
	c.encap(prot, q, length, fmt.Sprintf("gre-proto-0x%x", uint16(prot)))
}

// printOTV is Overlay Transport Virtualization on UDP port 8472
// (tcpdump's print-otv.c): a VXLAN-like header, then the Ethernet frame
// on a line of its own.
func printOTV(c *pctx, p []byte) {
	b := c.b
	proto := "otv"
	defer ndCatch(c, &proto)
	f := ndBuf(p)
	b.WriteString("OTV, ")
	if c.length < 8 {
		fmt.Fprintf(b, "[length %d < 8] (invalid)", c.length)
		f.need(0, c.length)
		return
	}
	flag := byte('.')
	if f.u8(0)&0x08 != 0 {
		flag = 'I'
	}
	fmt.Fprintf(b, "flags [%c] (0x%02x), ", flag, f.u8(0))
	fmt.Fprintf(b, "overlay %d, ", f.u24(1))
	fmt.Fprintf(b, "instance %d\n", f.u24(4))
	f.need(7, 1)
	c.encap(0x6558, p[8:], c.length-8, "")
}

// printIPIP is IPv4 in IP (IP protocol 4) and printIP6inIP IPv6 in IP (41):
// the outer addresses, then the inner packet through the printers again
// (tcpdump's ip_demux_print).
func printIPIP(c *pctx, p []byte)    { c.ipInIP(p, printIPv4) }
func printIP6inIP(c *pctx, p []byte) { c.ipInIP(p, printIPv6) }

func (c *pctx) ipInIP(p []byte, inner printer) {
	c.addrPair()
	if c.depth >= maxDepth {
		c.b.WriteString(" [|encapsulation]")
		return
	}
	c.depth++
	inner(c, p)
	c.depth--
}
