package main

import (
	"fmt"
	"math"
	"strings"
)

// BGP on TCP port 179, either end (tcpdump 4.99's print-bgp.c): ": BGP",
// and with -v every message the segment holds, found by its marker:
// OPEN with its optional parameters and capabilities, UPDATE with
// withdrawn routes, path attributes (MP_REACH/MP_UNREACH for IPv4 and
// IPv6 unicast, multicast and labeled unicast) and NLRI, NOTIFICATION
// with its codes and shutdown communication, KEEPALIVE, ROUTE-REFRESH; a
// message the capture cuts is "[|BGP Type]". With -vv each attribute
// and capability also as hex. gopacket has no BGP layer: the messages
// are read here. Not decoded (as "no AFI/SAFI decoder" and hex, where
// tcpdump decodes them): VPN, EVPN, multicast VPN, MDT, route target
// and L2VPN/VPLS NLRI and their next hops; PMSI tunnel, tunnel
// encapsulation, AIGP and attribute-set attributes are decoded.

var bgpMsgTypes = map[uint32]string{1: "Open", 2: "Update", 3: "Notification", 4: "Keepalive", 5: "Route Refresh"}

var bgpAttrTypes = map[uint32]string{1: "Origin", 2: "AS Path", 17: "AS4 Path", 3: "Next Hop",
	4: "Multi Exit Discriminator", 5: "Local Preference", 6: "Atomic Aggregate", 7: "Aggregator",
	18: "Aggregator4", 8: "Community", 9: "Originator ID", 10: "Cluster List", 11: "DPA", 12: "Advertisers",
	13: "RCID Path / Cluster ID", 14: "Multi-Protocol Reach NLRI", 15: "Multi-Protocol Unreach NLRI",
	16: "Extended Community", 22: "PMSI Tunnel", 23: "Tunnel Encapsulation", 24: "Traffic Engineering",
	25: "IPv6 Extended Community", 26: "Accumulated IGP Metric", 27: "PE Distinguisher Label",
	28: "Entropy Label", 32: "Large Community", 128: "Attribute Set", 255: "Reserved for development"}

var bgpSegOpen = map[uint32]string{2: "", 1: "{ ", 3: "( ", 4: "({ "}
var bgpSegClose = map[uint32]string{2: "", 1: "}", 3: ")", 4: "})"}

var bgpOptTypes = map[uint32]string{1: "Authentication Information", 2: "Capabilities Advertisement"}

var bgpCapCodes = map[uint32]string{1: "Multiprotocol Extensions", 2: "Route Refresh",
	3: "Cooperative Route Filtering", 4: "Multiple Routes to a Destination", 5: "Extended Next Hop Encoding",
	8: "Multiple Labels", 64: "Graceful Restart", 65: "32-Bit AS Number", 67: "Dynamic Capability",
	68: "Multisession BGP", 69: "Multiple Paths", 70: "Enhanced Route Refresh", 71: "Long-lived Graceful Restart",
	128: "Route Refresh (Cisco)"}

var bgpNotifyMajor = map[uint32]string{1: "Message Header Error", 2: "OPEN Message Error",
	3: "UPDATE Message Error", 4: "Hold Timer Expired", 5: "Finite State Machine Error", 6: "Cease",
	7: "Capability Message Error"}

var bgpNotifyMinor = map[uint32]map[uint32]string{
	1: {1: "Connection Not Synchronized", 2: "Bad Message Length", 3: "Bad Message Type"},
	2: {1: "Unsupported Version Number", 2: "Bad Peer AS", 3: "Bad BGP Identifier",
		4: "Unsupported Optional Parameter", 5: "Authentication Failure", 6: "Unacceptable Hold Time",
		7: "Capability Message Error"},
	3: {1: "Malformed Attribute List", 2: "Unrecognized Well-known Attribute", 3: "Missing Well-known Attribute",
		4: "Attribute Flags Error", 5: "Attribute Length Error", 6: "Invalid ORIGIN Attribute",
		7: "AS Routing Loop", 8: "Invalid NEXT_HOP Attribute", 9: "Optional Attribute Error",
		10: "Invalid Network Field", 11: "Malformed AS_PATH"},
	5: {0: "Unspecified Error", 1: "In OpenSent State", 2: "In OpenConfirm State", 3: "In Established State"},
	6: {1: "Maximum Number of Prefixes Reached", 2: "Administrative Shutdown", 3: "Peer Unconfigured",
		4: "Administrative Reset", 5: "Connection Rejected", 6: "Other Configuration Change",
		7: "Connection Collision Resolution"},
	7: {1: "Invalid Action Value", 2: "Invalid Capability Length", 3: "Malformed Capability Value",
		4: "Unsupported Capability Code"},
}

var bgpOrigins = map[uint32]string{0: "IGP", 1: "EGP", 2: "Incomplete"}

var bgpSAFIs = map[uint32]string{0: "Reserved", 1: "Unicast", 2: "Multicast", 3: "Unicast+Multicast",
	4: "labeled Unicast", 64: "Tunnel", 65: "VPLS", 66: "MDT", 70: "EVPN", 128: "labeled VPN Unicast",
	129: "labeled VPN Multicast", 130: "labeled VPN Unicast+Multicast", 132: "Route Target Routing Information",
	5: "Multicast VPN"}

// bgpAFIs is tcpdump's af_values.
var bgpAFIs = map[uint32]string{1: "IPv4", 2: "IPv6", 3: "NSAP", 4: "HDLC", 5: "BBN 1822", 6: "802", 7: "E.163",
	8: "E.164", 9: "F.69", 10: "X.121", 11: "Novell IPX", 12: "Appletalk", 13: "Decnet IV", 14: "Banyan Vines",
	15: "E.164 with NSAP subaddress", 196: "Layer-2 VPN", 25: "VPLS"}

var bgpAddPathSR = map[uint32]string{1: "Receive", 2: "Send", 3: "Both"}

var bgpExtCommTypes = map[uint32]string{0x0002: "target", 0x0102: "target", 0x0202: "target",
	0x0003: "origin", 0x0103: "origin", 0x0203: "origin", 0x4004: "link-BW", 0x0005: "ospf-domain",
	0x0105: "ospf-domain", 0x0205: "ospf-domain", 0x8005: "ospf-domain", 0x0306: "ospf-route-type",
	0x8000: "ospf-route-type", 0x030c: "encapsulation", 0x0107: "ospf-router-id", 0x8001: "ospf-router-id",
	0x800a: "layer2-info", 0x8800: "eigrp-general-route (flag, tag)", 0x8801: "eigrp-route-metric (AS, delay)",
	0x8802: "eigrp-route-metric (reliability, nexthop, bandwidth)", 0x8803: "eigrp-route-metric (load, MTU)",
	0x8804: "eigrp-external-route (remote-AS, remote-ID)",
	0x8805: "eigrp-external-route (remote-proto, remote-metric)", 0x0009: "source-AS",
	0x010b: "vrf-route-import", 0x000a: "l2vpn-id", 0xf10a: "l2vpn-id"}

var bgpExtCommFlags = []bitName{{0x8000, "vendor-specific"}, {0x4000, "non-transitive"}}

var bgpEncapTunnels = map[uint32]string{1: "L2TPv3 over IP", 2: "GRE", 3: "Transmit Tunnel", 4: "IPsec",
	5: "IP in IP with IPsec", 6: "MPLS in IP with IPsec", 7: "IP in IP", 8: "VXLAN", 9: "NVGRE", 10: "MPLS",
	11: "MPLS in GRE", 12: "VXLAN GPE", 13: "MPLS in UDP", 14: "IPv6", 15: "SR TE", 16: "Bare", 17: "SR"}

var bgpOSPFRouteTypes = map[uint32]string{1: "Router", 2: "Network", 3: "Summary", 5: "External",
	7: "NSSA External", 129: "MPLS-VPN Sham"}

// l2vpnEncaps is tcpdump's l2vpn_encaps_values.
var l2vpnEncaps = map[uint32]string{0: "Reserved", 1: "Frame Relay", 2: "ATM AAL5 SDU VCC transport",
	3: "ATM transparent cell transport", 4: "Ethernet (VLAN) Tagged Mode", 5: "Ethernet Raw Mode", 6: "Cisco HDLC",
	7: "PPP", 8: "SONET/SDH Circuit Emulation Service over MPLS", 9: "ATM n-to-one VCC cell transport",
	10: "ATM n-to-one VPC cell transport", 11: "IP Layer2 Transport", 12: "ATM one-to-one VCC Cell Mode",
	13: "ATM one-to-one VPC Cell Mode", 14: "ATM AAL5 PDU VCC transport", 15: "Frame-Relay Port mode",
	16: "SONET/SDH Circuit Emulation over Packet", 17: "Structure-agnostic E1 over Packet",
	18: "Structure-agnostic T1 (DS1) over Packet", 19: "Structure-agnostic E3 over Packet",
	20: "Structure-agnostic T3 (DS3) over Packet", 21: "CESoPSN basic mode", 22: "TDMoIP basic mode",
	23: "CESoPSN TDM with CAS", 24: "TDMoIP TDM with CAS", 25: "Frame Relay DLCI", 0x40: "IP-interworking"}

var bgpPMSITunnels = map[uint32]string{1: "RSVP-TE P2MP LSP", 2: "LDP P2MP LSP", 3: "PIM-SSM Tree",
	4: "PIM-SM Tree", 5: "PIM-Bidir Tree", 6: "Ingress Replication", 7: "LDP MP2MP LSP"}

// bgpx is one BGP segment's printing state.
type bgpx struct {
	c *pctx
	b *strings.Builder
	p ndBuf
}

func (x *bgpx) trunc() { x.b.WriteString(" [|bgp]") }

func printBGP(c *pctx, data []byte) {
	c.f["proto"] = "BGP"
	c.b.WriteString(": BGP")
	if !c.verbose {
		return
	}
	proto := "bgp"
	defer ndCatch(c, &proto)
	x := &bgpx{c: c, b: c.b, p: ndBuf(data[:min(len(data), c.length)])}
	p, start := 0, 0
	for p < len(x.p) {
		if x.p[p] != 0xff {
			p++
			continue
		}
		if !x.p.has(p, 16) {
			break
		}
		marker := true
		for _, v := range x.p[p : p+16] {
			if v != 0xff {
				marker = false
				break
			}
		}
		if !marker {
			p++
			continue
		}
		if !x.p.has(p, 19) {
			x.trunc()
			return
		}
		if start != p {
			x.trunc()
		}
		hlen := int(x.p.u16(p + 16))
		if hlen < 19 {
			fmt.Fprintf(x.b, "\nmessage length %d < %d (invalid)", hlen, 19)
			break
		}
		if !x.p.has(p, hlen) {
			fmt.Fprintf(x.b, "\n[|BGP %s]", tok(bgpMsgTypes, x.p.u8(p+18), "Unknown Message Type"))
			break
		}
		x.pdu(p, hlen)
		p += hlen
		start = p
	}
}

// hex is tcpdump's print_unknown_data: n bytes at o as hex lines, as many
// as the capture holds.
func (x *bgpx) hex(o, n int, indent string) {
	if !x.p.has(o, 0) {
		x.b.WriteString(indent + "Dissector error: print_unknown_data called with pointer past end of packet")
		return
	}
	hexLines(x.b, x.p[o:o+min(n, x.p.avail(o))], indent)
}

func (x *bgpx) pdu(o, length int) {
	typ := x.p.u8(o + 18)
	fmt.Fprintf(x.b, "\n\t%s Message (%d), length: %d", tok(bgpMsgTypes, typ, "Unknown"), typ, length)
	switch typ {
	case 1:
		x.open(o, length)
	case 2:
		x.update(o, length)
	case 3:
		x.notification(o, length)
	case 4:
	case 5:
		x.routeRefresh(o, length)
	default:
		fmt.Fprintf(x.b, "\n\t  no Message %d decoder", typ)
		x.hex(o, length, "\n\t  ")
	}
}

func (x *bgpx) afi(v uint32) string  { return tok(bgpAFIs, v, "Unknown") }
func (x *bgpx) safi(v uint32) string { return tok(bgpSAFIs, v, "Unknown") }

func (x *bgpx) open(o, length int) {
	p := x.p
	if !p.has(o, 29) || length < 29 {
		x.trunc()
		return
	}
	fmt.Fprintf(x.b, "\n\t  Version %d, my AS %d, Holdtime %ds, ID %s", p.u8(o+19), p.u16(o+20), p.u16(o+22), p.ip4(o+24))
	optslen := int(p.u8(o + 28))
	fmt.Fprintf(x.b, "\n\t  Optional parameters, length: %d", optslen)
	opt := o + 29
	length -= 29
	for i := 0; i < optslen; {
		if !p.has(opt+i, 2) || length < 2+i {
			x.trunc()
			return
		}
		typ, l := p.u8(opt+i), int(p.u8(opt+i+1))
		if 2+i+l > optslen {
			fmt.Fprintf(x.b, "\n\t     Option %d, length: %d, goes past the end of the options", typ, l)
			break
		}
		fmt.Fprintf(x.b, "\n\t    Option %s (%d), length: %d", tok(bgpOptTypes, typ, "Unknown"), typ, l)
		if typ == 2 {
			x.capabilities(opt+2+i, l)
		} else {
			fmt.Fprintf(x.b, "\n\t      no decoder for option %d", typ)
		}
		i += 2 + l
	}
}

// afiSafi prints "AFI name (n), SAFI name (n)" from an AFI at o and a SAFI at o+s.
func (x *bgpx) afiSafi(o, s int) string {
	a, f := x.p.u16(o), x.p.u8(o+s)
	return fmt.Sprintf("AFI %s (%d), SAFI %s (%d)", x.afi(a), a, x.safi(f), f)
}

func (x *bgpx) capabilities(o, capsLen int) {
	p, b := x.p, x.b
	for i := 0; i < capsLen; {
		if !p.has(o+i, 2) {
			x.trunc()
			return
		}
		typ, l := p.u8(o+i), int(p.u8(o+i+1))
		fmt.Fprintf(b, "\n\t      %s (%d), length: %d", tok(bgpCapCodes, typ, "Unknown"), typ, l)
		if !p.has(o+2+i, l) {
			x.trunc()
			return
		}
		at := o + i + 2
		switch typ {
		case 1:
			if l < 4 {
				b.WriteString(" (too short, < 4)")
				return
			}
			b.WriteString("\n\t\t" + x.afiSafi(at, 3))
		case 8:
			for t, off := l, at; t >= 4; t, off = t-4, off+4 {
				fmt.Fprintf(b, "\n\t\t%s, Count: %d", x.afiSafi(off, 2), p.u8(off+3))
			}
		case 64:
			if l < 2 {
				b.WriteString(" (too short, < 2)")
				return
			}
			flags := "none"
			if p.u8(at)&0x80 != 0 {
				flags = "R"
			}
			fmt.Fprintf(b, "\n\t\tRestart Flags: [%s], Restart Time %ds", flags, p.u16(at)&0xfff)
			for t, off := l-2, at+2; t >= 4; t, off = t-4, off+4 {
				fwd := "no"
				if p.u8(off+3)&0x80 != 0 {
					fwd = "yes"
				}
				fmt.Fprintf(b, "\n\t\t  %s, Forwarding state preserved: %s", x.afiSafi(off, 2), fwd)
			}
		case 2, 71, 128:
		case 65:
			if l < 4 {
				b.WriteString(" (too short, < 4)")
				return
			}
			fmt.Fprintf(b, "\n\t\t 4 Byte AS %d", p.u32(at))
		case 69:
			if l == 0 {
				b.WriteString(" (bogus)")
				break
			}
			for t, off := l, at; t != 0; t, off = t-4, off+4 {
				if t < 4 {
					b.WriteString(" (invalid)")
					break
				}
				fmt.Fprintf(b, "\n\t\t%s, Send/Receive: %s", x.afiSafi(off, 2), tok(bgpAddPathSR, p.u8(off+3), "Bogus (0x%02x)"))
			}
		default:
			fmt.Fprintf(b, "\n\t\tno decoder for Capability %d", typ)
			if !x.c.d.vv {
				x.hex(at, l, "\n\t\t")
			}
		}
		if x.c.d.vv && l != 0 {
			x.hex(at, l, "\n\t\t")
		}
		i += 2 + l
	}
}

// prefix is decode_prefix4/6 (bits 32 or 128): the prefix and its size,
// -1 for an illegal length, -2 when itemlen does not hold it.
func (x *bgpx) prefix(o, itemlen, bits int) (string, int) {
	if itemlen < 1 {
		return "", -2
	}
	plen := int(x.p.u8(o))
	if plen > bits {
		return "", -1
	}
	n := (plen + 7) / 8
	if itemlen-1 < n {
		return "", -2
	}
	return x.addr(x.p.bytes(o+1, n), plen, bits) + "/" + fmt.Sprint(plen), 1 + n
}

// addr is an address of bits whose first bytes are a and plen bits count.
func (x *bgpx) addr(a []byte, plen, bits int) string {
	buf := make(ndBuf, bits/8)
	copy(buf, a)
	if plen%8 != 0 {
		buf[len(a)-1] &= byte(int(0xff00) >> (plen % 8))
	}
	if bits == 32 {
		return buf.ip4(0)
	}
	return buf.ip6(0)
}

// labeledPrefix is decode_labeled_prefix4/6: -1 illegal, -2 not
// captured, -3 itemlen too short.
func (x *bgpx) labeledPrefix(o, itemlen, bits int) (string, int) {
	if !x.p.has(o, 4) {
		return "", -2
	}
	if itemlen < 4 {
		return "", -3
	}
	plen := int(x.p.u8(o))
	if plen < 24 {
		return "", -1
	}
	plen -= 24
	if plen > bits {
		return "", -1
	}
	n := (plen + 7) / 8
	if bits == 32 && itemlen-4 < n {
		return "", -3
	}
	a := x.addr(x.p.bytes(o+4, n), plen, bits)
	bos := "(BOGUS: Bottom of Stack NOT set!)"
	if x.p.u8(o+3)&1 != 0 {
		bos = "(bottom)"
	}
	return fmt.Sprintf("%s/%d, label:%d %s", a, plen, x.p.u24(o+1)>>4, bos), 4 + n
}

// addPath is check_add_path: whether the NLRI at o (length bytes) looks
// like it carries path identifiers.
func (x *bgpx) addPath(o, length, maxLen int) bool {
	if length < 5 {
		return false
	}
	off := 0
	for off < length {
		off += 4
		if !x.p.has(o+off, 1) {
			break
		}
		pl := int(x.p.u8(o + off))
		if pl > maxLen {
			return false
		}
		off += 1 + (pl+7)/8
	}
	if off > length {
		return false
	}
	for off = 0; off < length; {
		if !x.p.has(o+off, 1) {
			break
		}
		pl := int(x.p.u8(o + off))
		if pl < 1 || pl > maxLen {
			return true
		}
		off += 1 + (pl+7)/8
	}
	return off > length
}

func (x *bgpx) update(o, length int) {
	p, b := x.p, x.b
	if !p.has(o, 19) || length < 19 {
		x.trunc()
		return
	}
	q := o + 19
	length -= 19
	if !p.has(q, 2) || length < 2 {
		x.trunc()
		return
	}
	wlen := int(p.u16(q))
	q += 2
	length -= 2
	if wlen > 1 {
		if !p.has(q, wlen) || length < wlen {
			x.trunc()
			return
		}
		b.WriteString("\n\t  Withdrawn routes:")
		ap := x.addPath(q, wlen, 32)
		for wlen != 0 {
			var id uint32
			if ap {
				if wlen < 4 {
					q += wlen
					length -= wlen
					break
				}
				id = p.u32(q)
				q += 4
				length -= 4
				wlen -= 4
			}
			s, n := x.prefix(q, wlen, 32)
			if n == -1 {
				b.WriteString("\n\t    (illegal prefix length)")
				break
			} else if n == -2 {
				x.trunc()
				return
			}
			b.WriteString("\n\t    " + s)
			if ap {
				fmt.Fprintf(b, "   Path Id: %d", id)
			}
			q += n
			length -= n
			wlen -= n
		}
	} else {
		if !p.has(q, wlen) || length < wlen {
			x.trunc()
			return
		}
		q += wlen
		length -= wlen
	}
	if !p.has(q, 2) || length < 2 {
		x.trunc()
		return
	}
	alen := int(p.u16(q))
	q += 2
	length -= 2
	if wlen == 0 && alen == 0 && length == 0 {
		b.WriteString("\n\t  End-of-Rib Marker (empty NLRI)")
		return
	}
	if alen != 0 {
		if length < alen {
			x.trunc()
			return
		}
		for alen != 0 {
			if !p.has(q, 2) || length < 2 {
				x.trunc()
				return
			}
			if alen < 2 {
				b.WriteString("\n\t  [path attrs too short]")
				q += alen
				length -= alen
				break
			}
			flags, typ := p.u8(q), p.u8(q+1)
			q += 2
			alen -= 2
			length -= 2
			ll := 1
			if flags&0x10 != 0 {
				ll = 2
			}
			if !p.has(q, ll) || length < ll {
				x.trunc()
				return
			}
			if alen < ll {
				b.WriteString("\n\t  [path attrs too short]")
				q += alen
				length -= alen
				break
			}
			al := int(p.u8(q))
			if ll == 2 {
				al = int(p.u16(q))
			}
			q += ll
			alen -= ll
			length -= ll
			fmt.Fprintf(b, "\n\t  %s (%d), length: %d", tok(bgpAttrTypes, typ, "Unknown Attribute"), typ, al)
			if flags != 0 {
				b.WriteString(", Flags [" + bgpAttrFlags(flags) + "]: ")
			}
			if alen < al {
				b.WriteString(" [path attrs too short]")
				q += alen
				length -= alen
				break
			}
			if length < al {
				x.trunc()
				return
			}
			if !x.attr(typ, q, al, 0) {
				x.trunc()
				return
			}
			q += al
			alen -= al
			length -= al
		}
	}
	if length != 0 {
		ap := x.addPath(q, length, 32)
		b.WriteString("\n\t  Updated routes:")
		for length != 0 {
			var id uint32
			if ap {
				if !p.has(q, 4) || length < 4 {
					x.trunc()
					return
				}
				id = p.u32(q)
				q += 4
				length -= 4
			}
			s, n := x.prefix(q, length, 32)
			if n == -1 {
				b.WriteString("\n\t    (illegal prefix length)")
				break
			} else if n == -2 {
				x.trunc()
				return
			}
			b.WriteString("\n\t    " + s)
			if ap {
				fmt.Fprintf(b, "   Path Id: %d", id)
			}
			q += n
			length -= n
		}
	}
}

func bgpAttrFlags(f uint32) string {
	s := ""
	for _, fl := range []struct {
		bit uint32
		c   string
	}{{0x80, "O"}, {0x40, "T"}, {0x20, "P"}, {0x10, "E"}} {
		if f&fl.bit != 0 {
			s += fl.c
		}
	}
	if f&0xf != 0 {
		s += fmt.Sprintf("+%x", f&0xf)
	}
	return s
}

// asSize is bgp_attr_get_as_size: 2 when the AS path parses with 2-byte
// AS numbers, else 4.
func (x *bgpx) asSize(typ uint32, o, l int) int {
	if typ == 17 {
		return 4
	}
	t := o
	for t < o+l {
		seg := x.p.u8(t)
		if seg < 1 || seg > 4 {
			return 4
		}
		t += 2 + int(x.p.u8(t+1))*2
	}
	if t == o+l {
		return 2
	}
	return 4
}

// bgpKnownAF is the AFI/SAFI pairs this printer decodes the NLRI of.
func bgpKnownAF(af, safi uint32) bool {
	return (af == 1 || af == 2) && (safi == 1 || safi == 2 || safi == 3 || safi == 4)
}

// mpAF is bgp_mp_af_print: 0, -1 for a pair without decoder (printed as hex).
func (x *bgpx) mpAF(o, l int) (af, safi uint32, ret int) {
	af, safi = x.p.u16(o), x.p.u8(o+2)
	vendor := ""
	if safi > 128 {
		vendor = "vendor specific "
	}
	fmt.Fprintf(x.b, "\n\t    AFI: %s (%d), %sSAFI: %s (%d)", tok(bgpAFIs, af, "Unknown AFI"), af, vendor,
		tok(bgpSAFIs, safi, "Unknown SAFI"), safi)
	if bgpKnownAF(af, safi) {
		return af, safi, 0
	}
	if !x.p.has(o, l) {
		return af, safi, -2
	}
	fmt.Fprintf(x.b, "\n\t    no AFI %d / SAFI %d decoder", af, safi)
	if !x.c.d.vv {
		x.hex(o, l, "\n\t    ")
	}
	return af, safi, -1
}

// nlri is bgp_nlri_print for the pairs bgpKnownAF names; len is the
// attribute's whole length, as tcpdump passes it.
func (x *bgpx) nlri(af, safi uint32, o, l int, ap4, ap6 bool) int {
	bits, ap := 32, ap4
	if af == 2 {
		bits, ap = 128, ap6
	}
	if safi == 4 {
		s, n := x.labeledPrefix(o, l, bits)
		switch n {
		case -1:
			x.b.WriteString("\n\t    (illegal prefix length)")
		case -2:
			return -2
		case -3:
		default:
			x.b.WriteString("\n\t      " + s)
		}
		return n
	}
	var id uint32
	if ap {
		id = x.p.u32(o)
		o += 4
	}
	s, n := x.prefix(o, l, bits)
	switch n {
	case -1:
		x.b.WriteString("\n\t    (illegal prefix length)")
	case -2:
	default:
		x.b.WriteString("\n\t      " + s)
	}
	if ap {
		fmt.Fprintf(x.b, "   Path Id: %d", id)
		n += 4
	}
	return n
}

// attr is bgp_attr_print: false when the attribute is cut short.
func (x *bgpx) attr(typ uint32, o, l, level int) bool {
	p, b := x.p, x.b
	t, tlen := o, l
	switch typ {
	case 1:
		if l != 1 {
			b.WriteString("invalid len")
		} else {
			b.WriteString(tok(bgpOrigins, p.u8(t), "Unknown Origin Typecode"))
		}
	case 2, 17:
		if l%2 != 0 {
			b.WriteString("invalid len")
			break
		}
		if l == 0 {
			b.WriteString("empty")
			break
		}
		size := x.asSize(typ, o, l)
		for t < o+l {
			seg := p.u8(t)
			b.WriteString(tok(bgpSegOpen, seg, "?"))
			for i := 0; i < int(p.u8(t+1))*size; i += size {
				if !p.has(t+2+i, size) {
					return false
				}
				if size == 2 {
					fmt.Fprintf(b, "%d ", p.u16(t+i+2))
				} else {
					fmt.Fprintf(b, "%d ", p.u32(t+i+2))
				}
			}
			b.WriteString(tok(bgpSegClose, seg, "?"))
			t += 2 + int(p.u8(t+1))*size
		}
	case 3, 9:
		if l != 4 {
			b.WriteString("invalid len")
		} else {
			b.WriteString(p.ip4(t))
		}
	case 4, 5:
		if l != 4 {
			b.WriteString("invalid len")
		} else {
			fmt.Fprintf(b, "%d", p.u32(t))
		}
	case 6:
		if l != 0 {
			b.WriteString("invalid len")
		}
	case 7:
		if l != 6 && l != 8 {
			b.WriteString("invalid len")
			break
		}
		if !p.has(t, l) {
			return false
		}
		if l == 6 {
			fmt.Fprintf(b, " AS #%d, origin %s", p.u16(t), p.ip4(t+2))
		} else {
			fmt.Fprintf(b, " AS #%d, origin %s", p.u32(t), p.ip4(t+4))
		}
	case 18:
		if l != 8 {
			b.WriteString("invalid len")
			break
		}
		fmt.Fprintf(b, " AS #%d, origin %s", p.u32(t), p.ip4(t+4))
	case 8:
		if l%4 != 0 {
			b.WriteString("invalid len")
			break
		}
		for ; tlen != 0; tlen, t = tlen-4, t+4 {
			if !p.has(t, 4) {
				return false
			}
			switch comm := p.u32(t); comm {
			case 0xffffff01:
				b.WriteString(" NO_EXPORT")
			case 0xffffff02:
				b.WriteString(" NO_ADVERTISE")
			case 0xffffff03:
				b.WriteString(" NO_EXPORT_SUBCONFED")
			default:
				sep := ""
				if tlen > 4 {
					sep = ", "
				}
				fmt.Fprintf(b, "%d:%d%s", comm>>16, comm&0xffff, sep)
			}
		}
	case 10:
		if l%4 != 0 {
			b.WriteString("invalid len")
			break
		}
		for ; tlen != 0; tlen, t = tlen-4, t+4 {
			sep := ""
			if tlen > 4 {
				sep = ", "
			}
			b.WriteString(p.ip4(t) + sep)
		}
	case 14:
		if !p.has(t, 3) {
			return false
		}
		if tlen < 3 {
			return false
		}
		af, safi, ret := x.mpAF(t, tlen)
		if ret == -2 {
			return false
		}
		if ret < 0 {
			break
		}
		t += 3
		tlen -= 3
		if !p.has(t, 1) || tlen < 1 {
			return false
		}
		nhlen := int(p.u8(t))
		t++
		tlen--
		if nhlen != 0 {
			if tlen < nhlen {
				return false
			}
			b.WriteString("\n\t    nexthop: ")
			for tnh, nnh := nhlen, 0; tnh != 0; nnh++ {
				if nnh > 0 {
					b.WriteString(", ")
				}
				size := 4
				if af == 2 {
					size = 16
				}
				if tnh < size {
					b.WriteString("invalid len")
					t += tnh
					tlen -= tnh
					tnh = 0
					continue
				}
				if size == 4 {
					b.WriteString(p.ip4(t))
				} else {
					b.WriteString(p.ip6(t))
				}
				t += size
				tlen -= size
				tnh -= size
			}
		}
		fmt.Fprintf(b, ", nh-length: %d", nhlen)
		if tlen < 1 {
			return false
		}
		snpa := p.u8(t)
		t++
		tlen--
		if snpa != 0 {
			fmt.Fprintf(b, "\n\t    %d SNPA", snpa)
			for ; snpa != 0; snpa-- {
				if tlen < 1 {
					return false
				}
				sl := int(p.u8(t))
				fmt.Fprintf(b, "\n\t      %d bytes", sl)
				t++
				tlen--
				if tlen < sl || !p.has(t, sl) {
					return false
				}
				t += sl
				tlen -= sl
			}
		} else {
			b.WriteString(", no SNPA")
		}
		return x.nlris(af, safi, t, o, l)
	case 15:
		if !p.has(t, 3) {
			return false
		}
		af, safi, ret := x.mpAF(t, tlen)
		if ret == -2 {
			return false
		}
		if ret < 0 {
			break
		}
		if l == 3 {
			b.WriteString("\n\t      End-of-Rib Marker (empty NLRI)")
		}
		return x.nlris(af, safi, t+3, o, l)
	case 16:
		if l%8 != 0 {
			b.WriteString("invalid len")
			break
		}
		for ; tlen != 0; tlen, t = tlen-8, t+8 {
			if !p.has(t, 2) {
				return false
			}
			ec := p.u16(t)
			fmt.Fprintf(b, "\n\t    %s (0x%04x), Flags [%s]", tok(bgpExtCommTypes, ec, "unknown extd community typecode"),
				ec, flagNames(ec, bgpExtCommFlags))
			if !p.has(t, 8) {
				return false
			}
			b.WriteString(": ")
			x.extCommunity(t)
		}
	case 22:
		if !p.has(t, 5) || tlen < 5 {
			return false
		}
		flags, tt := p.u8(t), p.u8(t+1)
		fl := "none"
		if flags&1 != 0 {
			fl = "Leaf Information required"
		}
		fmt.Fprintf(b, "\n\t    Tunnel-type %s (%d), Flags [%s], MPLS Label %d", tok(bgpPMSITunnels, tt, "Unknown"), tt, fl, p.u24(t+2)>>4)
		t += 5
		tlen -= 5
		switch tt {
		case 4, 5:
			fmt.Fprintf(b, "\n\t      Sender %s, P-Group %s", p.ip4(t), p.ip4(t+4))
		case 3:
			fmt.Fprintf(b, "\n\t      Root-Node %s, P-Group %s", p.ip4(t), p.ip4(t+4))
		case 6:
			fmt.Fprintf(b, "\n\t      Tunnel-Endpoint %s", p.ip4(t))
		case 2, 7:
			fmt.Fprintf(b, "\n\t      Root-Node %s, LSP-ID 0x%08x", p.ip4(t), p.u32(t+4))
		case 1:
			fmt.Fprintf(b, "\n\t      Extended-Tunnel-ID %s, P2MP-ID 0x%08x", p.ip4(t), p.u32(t+4))
		default:
			if !x.c.d.vv {
				x.hex(t, tlen, "\n\t      ")
			}
		}
	case 26:
		for tlen >= 3 {
			at, al := p.u8(t), int(p.u16(t+1))
			t += 3
			tlen -= 3
			name := "Unknown"
			if at == 1 {
				name = "AIGP"
			}
			fmt.Fprintf(b, "\n\t    %s TLV (%d), length %d", name, at, al)
			if al < 3 {
				return false
			}
			al -= 3
			if tlen < al {
				return false
			}
			if at == 1 {
				if al < 8 {
					return false
				}
				fmt.Fprintf(b, ", metric %d", p.u64(t))
			} else if !x.c.d.vv {
				x.hex(t, al, "\n\t      ")
			}
			t += al
			tlen -= al
		}
	case 128:
		if !p.has(t, 4) || l < 4 {
			return false
		}
		fmt.Fprintf(b, "\n\t    Origin AS: %d", p.u32(t))
		t += 4
		l -= 4
		for l != 0 {
			if !p.has(t, 2) {
				return false
			}
			if l < 2 {
				b.WriteString(" [path attr too short]")
				t += l
				break
			}
			flags, at := p.u8(t), p.u8(t+1)
			t += 2
			l -= 2
			ll := 1
			if flags&0x10 != 0 {
				ll = 2
			}
			if !p.has(t, ll) {
				return false
			}
			if l < ll {
				b.WriteString(" [path attr too short]")
				t += l
				break
			}
			al := int(p.u8(t))
			if ll == 2 {
				al = int(p.u16(t))
			}
			t += ll
			l -= ll
			fmt.Fprintf(b, "\n\t      %s (%d), length: %d", tok(bgpAttrTypes, at, "Unknown Attribute"), at, al)
			if flags != 0 {
				b.WriteString(", Flags [" + bgpAttrFlags(flags) + "]")
			}
			b.WriteString(": ")
			if l < al {
				b.WriteString(" [path attr too short]")
				t += l
				break
			}
			if level == 10 {
				b.WriteString("(too many nested levels, not recursing)")
			} else if !x.attr(at, t, al, level+1) {
				return false
			}
			t += al
			l -= al
		}
		// tcpdump's len is now what remains: the -vv hex below sees it.
		if x.c.d.vv && l != 0 {
			if !p.has(t, l) {
				return false
			}
			x.hex(t, l, "\n\t    ")
		}
		return true
	case 32:
		if l == 0 || l%12 != 0 {
			b.WriteString("invalid len")
			break
		}
		b.WriteString("\n\t    ")
		for ; l != 0; l, t = l-12, t+12 {
			sep := ""
			if l > 12 {
				sep = ", "
			}
			fmt.Fprintf(b, "%d:%d:%d%s", p.u32(t), p.u32(t+4), p.u32(t+8), sep)
		}
		return true // tcpdump's len is 0 here: no -vv hex
	default:
		if !p.has(o, l) {
			return false
		}
		fmt.Fprintf(b, "\n\t    no Attribute %d decoder", typ)
		if !x.c.d.vv {
			x.hex(o, l, "\n\t    ")
		}
	}
	if x.c.d.vv && l != 0 {
		if !p.has(o, l) {
			return false
		}
		x.hex(o, l, "\n\t    ")
	}
	return true
}

// nlris prints the NLRI of an MP_REACH/MP_UNREACH attribute (at o, l
// bytes) from t on.
func (x *bgpx) nlris(af, safi uint32, t, o, l int) bool {
	ap4 := x.addPath(t, l-(t-o), 32)
	ap6 := x.addPath(t, l-(t-o), 128)
	for t < o+l {
		n := x.nlri(af, safi, t, l, ap4, ap6)
		if n == -2 {
			return false
		}
		if n < 0 {
			break
		}
		t += n
	}
	if x.c.d.vv && l != 0 {
		if !x.p.has(o, l) {
			return false
		}
		x.hex(o, l, "\n\t    ")
	}
	return true
}

func (x *bgpx) extCommunity(o int) {
	p, b := x.p, x.b
	switch p.u16(o) {
	case 0x0002, 0x0003, 0x000a:
		fmt.Fprintf(b, "%d:%d (= %s)", p.u16(o+2), p.u32(o+4), p.ip4(o+4))
	case 0x0102, 0x0103, 0xf10a, 0x010b:
		fmt.Fprintf(b, "%s:%d", p.ip4(o+2), p.u16(o+6))
	case 0x0202, 0x0203:
		fmt.Fprintf(b, "%d:%d", p.u32(o+2), p.u16(o+6))
	case 0x4004:
		bw := math.Float32frombits(p.u32(o + 4))
		fmt.Fprintf(b, "bandwidth: %.3f Mbps", float64(bw*8/1000000))
	case 0x0005, 0x0105, 0x0205, 0x8005, 0x0107, 0x8001:
		b.WriteString(p.ip4(o + 2))
	case 0x0306, 0x8000:
		rt := p.u8(o + 6)
		e2, e1 := "", ""
		if p.u8(o+7)&1 != 0 {
			e2 = "E2"
		}
		if rt == 5 || rt == 7 {
			e1 = "E1"
		}
		fmt.Fprintf(b, "area:%s, router-type:%s, metric-type:%s%s", p.ip4(o+2), tok(bgpOSPFRouteTypes, rt, "unknown (0x%02x)"), e2, e1)
	case 0x800a:
		fmt.Fprintf(b, "%s Control Flags [0x%02x]:MTU %d", tok(l2vpnEncaps, p.u8(o+2), "unknown encaps"), p.u8(o+3), p.u16(o+4))
	case 0x0009:
		fmt.Fprintf(b, "AS %d", p.u16(o+2))
	case 0x030c:
		fmt.Fprintf(b, "Tunnel type: %s", tok(bgpEncapTunnels, p.u16(o+6), "unknown encaps"))
	default:
		fmt.Fprintf(b, "%02x%02x%02x%02x%02x%02x", p.u8(o+2), p.u8(o+3), p.u8(o+4), p.u8(o+5), p.u8(o+6), p.u8(o+7))
	}
}

func (x *bgpx) notification(o, length int) {
	p, b := x.p, x.b
	if !p.has(o, 21) {
		x.trunc()
		return
	}
	if length < 21 {
		return
	}
	major, minor := p.u8(o+19), p.u8(o+20)
	fmt.Fprintf(b, ", %s (%d)", tok(bgpNotifyMajor, major, "Unknown Error"), major)
	switch major {
	case 1, 2, 3, 6:
		b.WriteString(",")
	case 5, 7:
	default:
		return
	}
	fmt.Fprintf(b, " subcode %s (%d)", tok(bgpNotifyMinor[major], minor, "Unknown"), minor)
	if major != 6 {
		return
	}
	t := o + 21
	if minor == 1 && length >= 21+7 {
		fmt.Fprintf(b, ", AFI %s (%d), SAFI %s (%d), Max Prefixes: %d", x.afi(p.u16(t)), p.u16(t),
			x.safi(p.u8(t+2)), p.u8(t+2), p.u32(t+3))
	}
	if (minor == 2 || minor == 4) && length >= 21+1 {
		n := int(p.u8(t))
		rem := 0
		switch {
		case n > length-22:
			b.WriteString(", invalid Shutdown Communication length")
		case n == 0:
			b.WriteString(", empty Shutdown Communication")
			rem = 1
		default:
			fmt.Fprintf(b, ", Shutdown Communication (length: %d): \"", n)
			ndPrintn(b, p, t+1, n)
			b.WriteString("\"")
			rem = n + 1
		}
		if left := length - (rem + 21); left > 0 {
			fmt.Fprintf(b, ", Data: (length: %d)", left)
			hexLines(b, p.bytes(t+rem, left), "\n\t\t")
		}
	}
}

// ndPrintn is tcpdump's nd_printn: n bytes at o, unprintable ones as
// "M-" and "^" escapes.
func ndPrintn(b *strings.Builder, p ndBuf, o, n int) {
	k := min(n, p.avail(o))
	if k > 0 {
		fnPrint(b, p[o:o+k])
	}
	if k < n {
		panic(ndTrunc{}) // what the capture held is printed first
	}
}

func (x *bgpx) routeRefresh(o, length int) {
	if !x.p.has(o, 23) {
		x.trunc()
		return
	}
	if length < 23 {
		return
	}
	x.b.WriteString("\n\t  " + x.afiSafi(o+19, 3))
	if x.c.d.vv {
		if !x.p.has(o, length) {
			x.trunc()
			return
		}
		x.hex(o, length, "\n\t  ")
	}
}
