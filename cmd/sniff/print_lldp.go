package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
)

// IEEE 802.1AB LLDP (tcpdump's print-lldp.c): the system name on the
// line, every TLV with -v, the IEEE 802.1, 802.3, TIA (LLDP-MED) and IANA
// organisation TLVs decoded. gopacket's LinkLayerDiscovery layer keeps
// no TLV order and rejects what tcpdump prints in part, so the TLVs are
// read here.

var lldpTLVNames = map[uint]string{0: "End", 1: "Chassis ID", 2: "Port ID", 3: "Time to Live", 4: "Port Description",
	5: "System Name", 6: "System Description", 7: "System Capabilities", 8: "Management Address", 127: "Organization specific"}

var lldpChassisSubtypes = map[byte]string{1: "Chassis component", 2: "Interface alias", 3: "Port component",
	4: "MAC address", 5: "Network address", 6: "Interface name", 7: "Local"}

var lldpPortSubtypes = map[byte]string{1: "Interface alias", 2: "Port component", 3: "MAC address",
	4: "Network Address", 5: "Interface Name", 6: "Agent circuit ID", 7: "Local"}

var lldpCaps = []bitName{{1 << 0, "Other"}, {1 << 1, "Repeater"}, {1 << 2, "Bridge"}, {1 << 3, "WLAN AP"},
	{1 << 4, "Router"}, {1 << 5, "Telephone"}, {1 << 6, "Docsis"}, {1 << 7, "Station Only"}}

// ouiNames is tcpdump's oui_values, in its order (the first row of a
// value wins: 00:80:c2 is "Ethernet bridged").
var ouiNames = []struct {
	oui  uint32
	name string
}{
	{0x000000, "Ethernet"}, {0x00000c, "Cisco"}, {0x00005e, "IANA"}, {0x000081, "Nortel Networks SONMP"},
	{0x0000f8, "Cisco bridged"}, {0x0080c2, "Ethernet bridged"}, {0x00a03e, "ATM Forum"}, {0x0050fc, "DOCSIS Spanning Tree"},
	{0x080007, "Appletalk"}, {0x009069, "Juniper"}, {0x080009, "Hewlett-Packard"}, {0x00120f, "IEEE 802.3 Private"},
	{0x0012bb, "ANSI/TIA"}, {0x001b21, "DCBX"}, {0x002320, "Nicira Networks"}, {0x5c16c7, "Big Switch Networks"},
}

func ouiName(oui uint32) string {
	for _, o := range ouiNames {
		if o.oui == oui {
			return o.name
		}
	}
	return "Unknown"
}

// afNames is tcpdump's af_values (address family numbers) as far as
// LLDP's management addresses use them.
var afNames = map[byte]string{1: "IPv4", 2: "IPv6", 3: "NSAP", 4: "HDLC", 5: "BBN 1822", 6: "802", 7: "E.163",
	8: "E.164", 9: "F.69", 10: "X.121", 11: "IPX", 12: "Appletalk", 13: "Decnet IV", 14: "Banyan Vines", 15: "E.164 with NSAP subaddress"}

func printLLDP(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "LLDP"
	fmt.Fprintf(b, "LLDP, length %d", c.length)
	tlen := c.length
	for tlen >= 2 {
		if len(p) < 2 {
			b.WriteString(" [|lldp]")
			return
		}
		tlv := binary.BigEndian.Uint16(p)
		typ, n := uint(tlv>>9), int(tlv&0x1ff)
		tlen -= 2
		p = p[2:]
		if c.verbose {
			name, ok := lldpTLVNames[typ]
			if !ok {
				name = "Unknown"
			}
			fmt.Fprintf(b, "\n\t%s TLV (%d), length %d", name, typ, n)
		}
		if typ == 0 || n == 0 {
			return
		}
		if len(p) < n || tlen < n {
			b.WriteString(" [|lldp]")
			return
		}
		v := p[:n]
		hexdump, ok := lldpTLV(c, typ, v)
		if !ok {
			b.WriteString(" [|lldp]")
			return
		}
		if c.d.vv || (c.verbose && hexdump) { // -vv: every TLV's value in hex
			hexLines(b, v, "\n\t  ")
		}
		tlen -= n
		p = p[n:]
	}
}

// lldpTLV prints one TLV's value; hexdump asks for a hex dump after it,
// !ok for a TLV too short for its kind (tcpdump's goto trunc).
func lldpTLV(c *pctx, typ uint, v []byte) (hexdump, ok bool) {
	b := c.b
	if typ == 5 { // the system name, also without -v
		b.WriteString(": ")
		printzp(b, v)
		return false, true
	}
	if !c.verbose {
		return typ > 8 && typ != 127, true
	}
	switch typ {
	case 1, 2:
		if len(v) < 2 {
			return false, false
		}
		names, mac, addr := lldpChassisSubtypes, byte(4), byte(5)
		if typ == 2 {
			names, mac, addr = lldpPortSubtypes, 3, 4
		}
		name, known := names[v[0]]
		if !known {
			name = "Unknown"
		}
		fmt.Fprintf(b, "\n\t  Subtype %s (%d): ", name, v[0])
		switch {
		case v[0] == mac:
			if len(v) < 7 {
				return false, false
			}
			b.WriteString(net.HardwareAddr(v[1:7]).String())
		case v[0] == addr:
			s, ok := lldpNetAddr(v[1:])
			if !ok {
				return false, false
			}
			b.WriteString(s)
		case known:
			printzp(b, v[1:])
		default:
			return true, true
		}
	case 3:
		if len(v) < 2 {
			return false, false
		}
		fmt.Fprintf(b, ": TTL %ds", binary.BigEndian.Uint16(v))
	case 4:
		b.WriteString(": ")
		printzp(b, v)
	case 6:
		b.WriteString("\n\t  ")
		printzp(b, v)
	case 7:
		if len(v) < 4 {
			return false, false
		}
		cap, ena := binary.BigEndian.Uint16(v), binary.BigEndian.Uint16(v[2:])
		fmt.Fprintf(b, "\n\t  System  Capabilities [%s] (0x%04x)", flagNames(uint32(cap), lldpCaps), cap)
		fmt.Fprintf(b, "\n\t  Enabled Capabilities [%s] (0x%04x)", flagNames(uint32(ena), lldpCaps), ena)
	case 8:
		return false, lldpMgmtAddr(b, v)
	case 127:
		if len(v) < 3 {
			return false, false
		}
		oui := uint32(v[0])<<16 | uint32(v[1])<<8 | uint32(v[2])
		fmt.Fprintf(b, ": OUI %s (0x%06x)", ouiName(oui), oui)
		switch oui {
		case 0x0080c2:
			return lldp8021(b, v), true
		case 0x00120f:
			return lldp8023(b, v), true
		case 0x00005e:
			return lldpIANA(b, v), true
		case 0x0012bb:
			return lldpTIA(b, v), true
		case 0x001b21:
			return lldpDCBX(b, v, c.d.vv), true
		}
		return true, true
	default:
		return true, true
	}
	return false, true
}

// printzp writes at most len(d) bytes, up to the first NUL, as tcpdump's
// nd_printzp.
func printzp(b *strings.Builder, d []byte) {
	for i, ch := range d {
		if ch == 0 {
			d = d[:i]
			break
		}
	}
	fnPrint(b, d)
}

func tokOr[K comparable](names map[K]string, k K, def string) string {
	if n, ok := names[k]; ok {
		return n
	}
	return def
}

// lldpNetAddr is tcpdump's lldp_network_addr_print: "AFI IPv4 (1): addr".
func lldpNetAddr(v []byte) (string, bool) {
	if len(v) < 1 {
		return "", false
	}
	af, a := v[0], v[1:]
	name := tokOr(afNames, af, "Unknown")
	var s string
	switch af {
	case 1:
		if len(a) < 4 {
			return "", false
		}
		s = net.IP(a[:4]).String()
	case 2:
		if len(a) < 16 {
			return "", false
		}
		s = net.IP(a[:16]).String()
	case 6:
		if len(a) < 6 {
			return "", false
		}
		s = net.HardwareAddr(a[:6]).String()
	default:
		return fmt.Sprintf("AFI %s (%d), no AF printer !", name, af), true
	}
	return fmt.Sprintf("AFI %s (%d): %s", name, af, s), true
}

func lldpMgmtAddr(b *strings.Builder, v []byte) bool {
	if len(v) < 1 {
		return false
	}
	alen := int(v[0])
	v = v[1:]
	if len(v) < alen {
		return false
	}
	s, ok := lldpNetAddr(v[:alen])
	if !ok {
		return false
	}
	fmt.Fprintf(b, "\n\t  Management Address length %d, %s", alen, s)
	v = v[alen:]
	if len(v) < 5 {
		return false
	}
	names := map[byte]string{2: "Interface Index", 3: "System Port Number"}
	fmt.Fprintf(b, "\n\t  %s Interface Numbering (%d): %d", tokOr(names, v[0], "Unknown"), v[0], binary.BigEndian.Uint32(v[1:]))
	v = v[5:]
	if len(v) > 0 {
		olen := int(v[0])
		if len(v) < 1+olen {
			return false
		}
		if olen > 0 {
			fmt.Fprintf(b, "\n\t  OID length %d", olen)
			printzp(b, v[1:1+olen])
		}
	}
	return true
}

var lldp8021Subtypes = map[byte]string{1: "Port VLAN Id", 2: "Port and Protocol VLAN ID", 3: "VLAN name",
	4: "Protocol Identity", 7: "Link aggregation", 8: "Congestion Notification", 9: "ETS Configuration", 10: "ETS Recommendation",
	11: "Priority Flow Control Configuration", 12: "Application Priority", 13: "EVB", 14: "CDCP"}

// lldp8021 prints the IEEE 802.1 organisation TLVs whose layout is plain
// (VLANs, protocol identity); the DCB ones get tcpdump's hex dump.
func lldp8021(b *strings.Builder, v []byte) bool {
	st, ok := lldpSubtype(b, v, 4, lldp8021Subtypes)
	if !ok {
		return false
	}
	switch st {
	case 1:
		if len(v) < 6 {
			return false
		}
		fmt.Fprintf(b, "\n\t    port vlan id (PVID): %d", binary.BigEndian.Uint16(v[4:]))
	case 2:
		if len(v) < 7 {
			return false
		}
		fmt.Fprintf(b, "\n\t    port and protocol vlan id (PPVID): %d, flags [%s] (0x%02x)", binary.BigEndian.Uint16(v[5:]),
			flagNames(uint32(v[4]), []bitName{{2, "supported"}, {4, "enabled"}}), v[4])
	case 3:
		if len(v) < 6 {
			return false
		}
		fmt.Fprintf(b, "\n\t    vlan id (VID): %d", binary.BigEndian.Uint16(v[4:]))
		if len(v) < 7 || len(v) < 7+int(v[6]) {
			return false
		}
		b.WriteString("\n\t    vlan name: ")
		printzp(b, v[7:7+int(v[6])])
	case 4:
		if len(v) < 5 || len(v) < 5+int(v[4]) {
			return false
		}
		b.WriteString("\n\t    protocol identity: ")
		printzp(b, v[5:5+int(v[4])])
	case 7:
		if len(v) < 9 {
			return false
		}
		fmt.Fprintf(b, "\n\t    aggregation status [%s], aggregation port ID %d",
			flagNames(uint32(v[4]), []bitName{{1, "supported"}, {2, "enabled"}}), binary.BigEndian.Uint32(v[5:]))
	case 8:
		if len(v) < 6 {
			return false
		}
		bits8(b, "Pre-Priority CNPV Indicator", v[4])
		bits8(b, "Pre-Priority Ready Indicator", v[5])
	case 9, 10:
		if len(v) < 25 {
			return false
		}
		if st == 9 {
			t := v[4]
			fmt.Fprintf(b, "\n\t    Willing:%d, CBS:%d, RES:%d, Max TCs:%d", t>>7, (t>>6)&0x02, (t>>3)&0x07, t&0x07)
		} else {
			fmt.Fprintf(b, "\n\t    RES: %d", v[4])
		}
		p := v[5:]
		b.WriteString("\n\t    Priority Assignment Table\n\t     Priority : 0   1   2   3   4   5   6   7\n\t     Value    : ")
		fmt.Fprintf(b, "%-3d %-3d %-3d %-3d %-3d %-3d %-3d %-3d", p[0]>>4, p[0]&0xf, p[1]>>4, p[1]&0xf, p[2]>>4, p[2]&0xf, p[3]>>4, p[3]&0xf)
		b.WriteString("\n\t    TC Bandwidth Table\n\t     TC%   : 0   1   2   3   4   5   6   7\n\t     Value : ")
		row8(b, v[9:17])
		b.WriteString("\n\t    TSA Assignment Table\n\t     Traffic Class: 0   1   2   3   4   5   6   7\n\t     Value        : ")
		row8(b, v[17:25])
	case 11:
		if len(v) < 6 {
			return false
		}
		t := v[4]
		fmt.Fprintf(b, "\n\t    Willing: %d, MBC: %d, RES: %d, PFC cap:%d ", t>>7, (t>>6)&0x01, (t>>4)&0x03, t&0x0f)
		bits8(b, "PFC Enable", v[5])
	case 12:
		if len(v) < 5 {
			return false
		}
		fmt.Fprintf(b, "\n\t    RES: %d", v[4])
		n := len(v) - 5
		if n == 0 || n%3 != 0 {
			return false
		}
		b.WriteString("\n\t    Application Priority Table")
		for i := 0; i < n; i += 3 {
			t := v[5+i]
			fmt.Fprintf(b, "\n\t      Priority: %d, RES: %d, Sel: %d, Protocol ID: %d", t>>5, (t>>3)&0x03, t&0x07, binary.BigEndian.Uint16(v[6+i:]))
		}
	case 13:
		if len(v) < 9 {
			return false
		}
		t := v[4]
		fmt.Fprintf(b, "\n\t    EVB Bridge Status\n\t      RES: %d, BGID: %d, RRCAP: %d, RRCTR: %d", t>>3, (t>>2)&1, (t>>1)&1, t&1)
		t = v[5]
		fmt.Fprintf(b, "\n\t    EVB Station Status\n\t      RES: %d, SGID: %d, RRREQ: %d,RRSTAT: %d", t>>4, (t>>3)&1, (t>>2)&1, t&3)
		fmt.Fprintf(b, "\n\t    R: %d, RTE: %d, ", v[6]>>5, v[6]&0x1f)
		t = v[7]
		modes := map[byte]string{0: "Not Supported", 1: "EVB Bridge", 2: "EVB Station", 3: "Reserved for future Standardization"}
		fmt.Fprintf(b, "EVB Mode: %s [%d]\n\t    ROL: %d, RWD: %d, ", modes[t>>6], t>>6, (t>>5)&1, t&0x1f)
		t = v[8]
		fmt.Fprintf(b, "RES: %d, ROL: %d, RKA: %d", t>>6, (t>>5)&1, t&0x1f)
	case 14:
		if len(v) < 8 {
			return false
		}
		t := v[4]
		fmt.Fprintf(b, "\n\t    Role: %d, RES: %d, Scomp: %d ChnCap: %d", t>>7, (t>>4)&0x07, (t>>3)&0x01, binary.BigEndian.Uint16(v[6:])&0x0fff)
		n := len(v) - 8
		if n%3 != 0 {
			return false
		}
		for i := 0; i < n; i += 3 {
			x := uint32(v[8+i])<<16 | uint32(v[9+i])<<8 | uint32(v[10+i])
			fmt.Fprintf(b, "\n\t    SCID: %d, SVID: %d", x>>12, x&0xfff)
		}
	default:
		return true
	}
	return false
}

// bits8 prints the eight bits of v, lowest first, under title.
func bits8(b *strings.Builder, title string, v byte) {
	fmt.Fprintf(b, "\n\t    %s\n\t     Priority : 0  1  2  3  4  5  6  7\n\t     Value    : ", title)
	for i := range 8 {
		fmt.Fprintf(b, "%-2d ", (v>>i)&1)
	}
}

func row8(b *strings.Builder, p []byte) {
	fmt.Fprintf(b, "%-3d %-3d %-3d %-3d %-3d %-3d %-3d %-3d", p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7])
}

var lldpMAUTypes = []string{"Unknown", "AUI", "10BASE_5", "FOIRL", "10BASE2", "10BASET duplex mode unknown", "10BASEFP",
	"10BASEFB", "10BASEFL duplex mode unknown", "10BROAD36", "10BASET hdx", "10BASET fdx", "10BASEFL hdx", "10BASEFL fdx",
	"100BASET4", "100BASETX hdx", "100BASETX fdx", "100BASEFX hdx", "100BASEFX fdx", "100BASET2 hdx", "100BASET2 fdx",
	"1000BASEX hdx", "1000BASEX fdx", "1000BASELX hdx", "1000BASELX fdx", "1000BASESX hdx", "1000BASESX fdx",
	"1000BASECX hdx", "1000BASECX fdx", "1000BASET hdx", "1000BASET fdx", "10GBASEX", "10GBASELX4", "10GBASER",
	"10GBASEER", "10GBASELR", "10GBASESR", "10GBASEW", "10GBASEEW", "10GBASELW", "10GBASESW"}

var lldpPMDCaps = []bitName{{1 << 14, "10BASE-T hdx"}, {1 << 13, "10BASE-T fdx"}, {1 << 12, "100BASE-T4"},
	{1 << 11, "100BASE-TX hdx"}, {1 << 10, "100BASE-TX fdx"}, {1 << 9, "100BASE-T2 hdx"}, {1 << 8, "100BASE-T2 fdx"},
	{1 << 7, "Pause for fdx links"}, {1 << 6, "Asym PAUSE for fdx"}, {1 << 5, "Sym PAUSE for fdx"},
	{1 << 4, "Asym and Sym PAUSE for fdx"}, {1 << 3, "1000BASE-{X LX SX CX} hdx"}, {1 << 2, "1000BASE-{X LX SX CX} fdx"},
	{1 << 1, "1000BASE-T hdx"}, {1 << 0, "1000BASE-T fdx"}}

func lldp8023(b *strings.Builder, v []byte) bool {
	st, ok := lldpSubtype(b, v, 4, map[byte]string{1: "MAC/PHY configuration/status", 2: "Power via MDI", 3: "Link aggregation", 4: "Max frame size"})
	if !ok {
		return false
	}
	switch st {
	case 1:
		if len(v) < 9 {
			return false
		}
		fmt.Fprintf(b, "\n\t    autonegotiation [%s] (0x%02x)", flagNames(uint32(v[4]), []bitName{{1, "supported"}, {2, "enabled"}}), v[4])
		pmd := binary.BigEndian.Uint16(v[5:])
		pmdNames := flagNames(uint32(pmd), lldpPMDCaps)
		if pmdNames == "none" {
			pmdNames = "unknown"
		}
		fmt.Fprintf(b, "\n\t    PMD autoneg capability [%s] (0x%04x)", pmdNames, pmd)
		mau := binary.BigEndian.Uint16(v[7:])
		name := "unknown"
		if int(mau) < len(lldpMAUTypes) {
			name = lldpMAUTypes[mau]
		}
		fmt.Fprintf(b, "\n\t    MAU type %s (0x%04x)", name, mau)
	case 2:
		if len(v) < 7 {
			return false
		}
		mdi := []bitName{{1, "PSE"}, {2, "supported"}, {4, "enabled"}, {8, "can be controlled"}}
		pairs := map[byte]string{1: "signal", 2: "spare"}
		classes := map[byte]string{1: "class0", 2: "class1", 3: "class2", 4: "class3", 5: "class4"}
		fmt.Fprintf(b, "\n\t    MDI power support [%s], power pair %s, power class %s", flagNames(uint32(v[4]), mdi),
			tokOr(pairs, v[5], "unknown"), tokOr(classes, v[6], "unknown"))
	case 3:
		if len(v) < 9 {
			return false
		}
		fmt.Fprintf(b, "\n\t    aggregation status [%s], aggregation port ID %d",
			flagNames(uint32(v[4]), []bitName{{1, "supported"}, {2, "enabled"}}), binary.BigEndian.Uint32(v[5:]))
	case 4:
		if len(v) < 6 {
			return false
		}
		fmt.Fprintf(b, "\n\t    MTU size %d", binary.BigEndian.Uint16(v[4:]))
	default:
		return true
	}
	return false
}

func lldpIANA(b *strings.Builder, v []byte) bool {
	st, ok := lldpSubtype(b, v, 8, map[byte]string{1: "MUD-URL"})
	if !ok {
		return false
	}
	if st != 1 {
		return true
	}
	b.WriteString("\n\t  MUD-URL=")
	fnPrint(b, v[4:])
	return false
}

var lldpTIASubtypes = map[byte]string{1: "LLDP-MED Capabilities", 2: "Network policy", 3: "Location identification",
	4: "Extended power-via-MDI", 5: "Inventory - hardware revision", 6: "Inventory - firmware revision",
	7: "Inventory - software revision", 8: "Inventory - serial number", 9: "Inventory - manufacturer name",
	10: "Inventory - model name", 11: "Inventory - asset ID"}

var lldpTIAInventory = map[byte]string{5: "Hardware revision", 6: "Firmware revision", 7: "Software revision",
	8: "Serial number", 9: "Manufacturer name", 10: "Model name", 11: "Asset ID"}

var lldpCATypes = map[byte]string{1: "national subdivisions (state,canton,region,province,prefecture)",
	2: "county, parish, gun, district", 3: "city, township, shi", 4: "city division, borough, city district, ward chou",
	5: "neighborhood, block", 6: "street"}

func lldpTIA(b *strings.Builder, v []byte) bool {
	st, ok := lldpSubtype(b, v, 4, lldpTIASubtypes)
	if !ok {
		return false
	}
	switch st {
	case 1:
		if len(v) < 7 {
			return false
		}
		caps := []bitName{{1, "LLDP-MED capabilities"}, {2, "network policy"}, {4, "location identification"},
			{8, "extended power via MDI-PSE"}, {16, "extended power via MDI-PD"}, {32, "Inventory"}}
		c := binary.BigEndian.Uint16(v[4:])
		fmt.Fprintf(b, "\n\t    Media capabilities [%s] (0x%04x)", flagNames(uint32(c), caps), c)
		types := map[byte]string{1: "endpoint class 1", 2: "endpoint class 2", 3: "endpoint class 3", 4: "network connectivity"}
		fmt.Fprintf(b, "\n\t    Device type [%s] (0x%02x)", tokOr(types, v[6], "unknown"), v[6])
	case 2:
		if len(v) < 8 {
			return false
		}
		apps := map[byte]string{1: "voice", 2: "voice signaling", 3: "guest voice", 4: "guest voice signaling",
			5: "softphone voice", 6: "video conferencing", 7: "streaming video", 8: "video signaling"}
		fmt.Fprintf(b, "\n\t    Application type [%s] (0x%02x)", tokOr(apps, v[4], "none"), v[4])
		fmt.Fprintf(b, ", Flags [%s]", flagNames(uint32(v[5]), []bitName{{0x80, "Unknown"}, {0x40, "Tagged"}, {0x20, "reserved"}}))
		x, y := binary.BigEndian.Uint16(v[5:]), binary.BigEndian.Uint16(v[6:])
		fmt.Fprintf(b, "\n\t    Vlan id %d, L2 priority %d, DSCP value %d", (x&0x1ffe)>>1, (y&0x01ff)>>6, y&0x3f)
	case 3:
		return lldpTIALocation(b, v)
	case 4:
		if len(v) < 7 {
			return false
		}
		typ := "PSE device"
		if v[4]&3 != 0 { // tcpdump's "& 0xC0 >> 6", as C groups it
			typ = "PD device"
		}
		sources := map[byte]string{1: "PSE - primary power source", 2: "local - backup power source", 3: "PSE+local - reserved"}
		prios := map[byte]string{1: "critical", 2: "high", 3: "low"}
		fmt.Fprintf(b, "\n\t    Power type [%s], Power source [%s]", typ, tokOr(sources, (v[4]&0x30)>>4, "none"))
		fmt.Fprintf(b, "\n\t    Power priority [%s] (0x%02x)", tokOr(prios, v[4]&0x0f, "none"), v[4]&0x0f)
		if pw := binary.BigEndian.Uint16(v[5:]); pw < 1024 {
			fmt.Fprintf(b, ", Power %.1f Watts", float64(float32(pw)/10))
		} else {
			fmt.Fprintf(b, ", Power %d (Reserved)", pw)
		}
	case 5, 6, 7, 8, 9, 10, 11:
		fmt.Fprintf(b, "\n\t  %s ", lldpTIAInventory[st])
		printzp(b, v[4:])
	default:
		return true
	}
	return false
}

func lldpTIALocation(b *strings.Builder, v []byte) bool {
	if len(v) < 5 {
		return false
	}
	f := v[4]
	formats := map[byte]string{1: "coordinate-based LCI", 2: "civic address LCI", 3: "ECS ELIN"}
	fmt.Fprintf(b, "\n\t    Location data format %s (0x%02x)", tokOr(formats, f, "unknown"), f)
	latlon := func(p []byte) uint64 { return uint64(p[0]&3)<<32 | uint64(binary.BigEndian.Uint32(p[1:])) }
	switch f {
	case 1:
		if len(v) < 21 {
			return false
		}
		fmt.Fprintf(b, "\n\t    Latitude resolution %d, latitude value %d", v[5]>>2, latlon(v[5:]))
		fmt.Fprintf(b, "\n\t    Longitude resolution %d, longitude value %d", v[10]>>2, latlon(v[10:]))
		alt := map[byte]string{1: "meters", 2: "floors"}
		fmt.Fprintf(b, "\n\t    Altitude type %s (%d)", tokOr(alt, v[15]>>4, "unknown"), v[15]>>4)
		fmt.Fprintf(b, "\n\t    Altitude resolution %d, altitude value 0x%x", (binary.BigEndian.Uint16(v[15:])>>6)&0x3f,
			binary.BigEndian.Uint32(v[16:])&0x3fffffff)
		datums := map[byte]string{1: "World Geodesic System 1984", 2: "North American Datum 1983 (NAVD88)", 3: "North American Datum 1983 (MLLW)"}
		fmt.Fprintf(b, "\n\t    Datum %s (0x%02x)", tokOr(datums, v[20], "unknown"), v[20])
	case 2:
		if len(v) < 6 {
			return false
		}
		n := int(v[5])
		if n < 3 || len(v) < 7+n {
			return false
		}
		what := map[byte]string{0: "location of DHCP server", 1: "location of the network element believed to be closest to the client",
			2: "location of the client"}
		fmt.Fprintf(b, "\n\t    LCI length %d, LCI what %s (0x%02x), Country-code ", n, tokOr(what, v[6], "unknown"), v[6])
		printzp(b, v[7:9])
		n -= 3
		p := v[9:]
		for n > 0 {
			if n < 2 {
				return false
			}
			ct, cl := p[0], int(p[1])
			p, n = p[2:], n-2
			fmt.Fprintf(b, "\n\t      CA type '%s' (%d), length %d: ", tokOr(lldpCATypes, ct, "unknown"), ct, cl)
			if ct == 0 || cl == 0 || n < cl {
				return false
			}
			printzp(b, p[:cl])
			p, n = p[cl:], n-cl
		}
	case 3:
		b.WriteString("\n\t    ECS ELIN id ")
		printzp(b, v[5:])
	default:
		b.WriteString("\n\t    Location ID ")
		hexLines(b, v[5:], "\n\t      ")
	}
	return false
}

// lldpDCBX prints DCBX 1.01's control and feature TLVs
// (tcpdump's lldp_private_dcbx_print); with -vv (vv) each one's value in hex.
func lldpDCBX(b *strings.Builder, v []byte, vv bool) bool {
	st, ok := lldpSubtype(b, v, 4, map[byte]string{1: "DCB Capability Exchange Protocol Rev 1", 2: "DCB Capability Exchange Protocol Rev 1.01"})
	if !ok {
		return false
	}
	if st == 1 {
		return true
	}
	hexdump := false
	bit := func(x, m byte) int {
		if x&m != 0 {
			return 1
		}
		return 0
	}
	info := func(t []byte) {
		fmt.Fprintf(b, "\n\t      Oper_Version: %d\n\t      Max_Version: %d", t[0], t[1])
		fmt.Fprintf(b, "\n\t      Info block(0x%02X): Enable bit: %d, Willing bit: %d, Error Bit: %d", t[2], bit(t[2], 0x80), bit(t[2], 0x40), bit(t[2], 0x20))
		fmt.Fprintf(b, "\n\t      SubType: %d", t[3])
	}
	for p := v[4:]; len(p) >= 2; {
		h := binary.BigEndian.Uint16(p)
		typ, n := h>>9, int(h&0x1ff)
		hexdump = false
		p = p[2:]
		if typ == 0 || n == 0 || len(p) < n {
			break
		}
		t := p[:n]
		switch typ {
		case 1:
			if n < 10 {
				return hexdump
			}
			fmt.Fprintf(b, "\n\t    Control - Protocol Control (type 0x1, length %d)", n)
			fmt.Fprintf(b, "\n\t      Oper_Version: %d\n\t      Max_Version: %d", t[0], t[1])
			fmt.Fprintf(b, "\n\t      Sequence Number: %d\n\t      Acknowledgement Number: %d", binary.BigEndian.Uint32(t[2:]), binary.BigEndian.Uint32(t[6:]))
		case 2:
			if n < 17 {
				return hexdump
			}
			fmt.Fprintf(b, "\n\t    Feature - Priority Group (type 0x2, length %d)", n)
			info(t)
			b.WriteString("\n\t      Priority Allocation")
			pg := binary.BigEndian.Uint32(t[4:])
			for i := range 8 {
				fmt.Fprintf(b, "\n\t          PgId_%d: %d", i, pg>>(28-4*i)&0xf)
			}
			b.WriteString("\n\t      Priority Group Allocation")
			for i := range 8 {
				fmt.Fprintf(b, "\n\t          Pg percentage[%d]: %d", i, t[8+i])
			}
			fmt.Fprintf(b, "\n\t      NumTCsSupported: %d", t[16])
		case 3:
			if n < 6 {
				return hexdump
			}
			fmt.Fprintf(b, "\n\t    Feature - Priority Flow Control (type 0x3, length %d)", n)
			info(t)
			fmt.Fprintf(b, "\n\t      PFC Config (0x%02X)", t[4])
			for i := range 8 {
				st := "Disabled"
				if t[4]&(1<<i) != 0 {
					st = "Enabled"
				}
				fmt.Fprintf(b, "\n\t          Priority Bit %d: %s", i, st)
			}
			fmt.Fprintf(b, "\n\t      NumTCPFCSupported: %d", t[5])
		case 4:
			if n < 4 {
				return hexdump
			}
			fmt.Fprintf(b, "\n\t    Feature - Application (type 0x4, length %d)", n)
			info(t)
			for m := t[4:]; len(m) >= 6; m = m[6:] {
				u := uint32(m[2])<<16 | uint32(m[3])<<8 | uint32(m[4])
				kind := "L2 EtherType"
				if u>>22 != 0 {
					kind = "Socket Number"
				}
				fmt.Fprintf(b, "\n\t      Application Value\n\t          Application Protocol ID: 0x%04x", binary.BigEndian.Uint16(m))
				fmt.Fprintf(b, "\n\t          SF (0x%x) Application Protocol ID is %s\n\t          OUI: 0x%06x", u>>22, kind, u&0x3fffff)
				fmt.Fprintf(b, "\n\t          User Priority Map: 0x%02x", m[5])
			}
		default:
			hexdump = true
		}
		if vv || hexdump {
			hexLines(b, t, "\n\t    ")
		}
		p = p[n:]
	}
	return hexdump
}

// lldpSubtype prints an organisation TLV's subtype line, for a TLV of at
// least bytes (OUI, subtype and what the organisation's printer reads
// first); !ok for a shorter one, which tcpdump leaves at the OUI.
func lldpSubtype(b *strings.Builder, v []byte, least int, names map[byte]string) (byte, bool) {
	if len(v) < least {
		return 0, false
	}
	fmt.Fprintf(b, "\n\t  %s Subtype (%d)", tokOr(names, v[3], "unknown"), v[3])
	return v[3], true
}
