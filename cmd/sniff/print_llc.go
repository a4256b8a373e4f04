package main

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// IEEE 802.2 LLC in 802.3 frames (tcpdump's print-llc.c) and the spanning
// tree BPDUs it carries (print-stp.c). gopacket's STP layer has no RSTP or
// MSTP fields, so BPDUs are read here.

// printLLC prints an 802.3 frame's LLC payload, c.length bytes by its
// length field (tcpdump's llc_print). Without -e tcpdump prints the LLC
// header only for what it has no printer for.
func printLLC(c *pctx, p []byte) {
	if len(p) < 3 || c.length < 3 {
		llcTrunc(c, p)
		return
	}
	// U frames have a control byte, I and S frames a little-endian
	// control word.
	control, hdr := uint16(p[2]), 3
	if control&3 != 3 {
		if len(p) < 4 || c.length < 4 {
			llcTrunc(c, p)
			return
		}
		control, hdr = binary.LittleEndian.Uint16(p[2:]), 4
	}
	if c.depth == 0 { // -x shows what follows the LLC header, to the capture's end
		c.s.payload = c.s.payload[min(hdr, len(c.s.payload)):]
	}
	dsap, ssap := p[0]&0xfe, p[1]&0xfe
	if c.link {
		fmt.Fprintf(c.b, "LLC, dsap %s (0x%02x) %s, ssap %s (0x%02x) %s, ", sapName(dsap), dsap,
			map[bool]string{false: "Individual", true: "Group"}[p[0]&1 != 0],
			sapName(ssap), ssap, map[bool]string{false: "Command", true: "Response"}[p[1]&1 != 0])
		if hdr == 3 {
			fmt.Fprintf(c.b, "ctrl 0x%02x: ", control)
		} else {
			fmt.Fprintf(c.b, "ctrl 0x%04x: ", control)
		}
	}
	c.llcCtrl = p[2]
	c.llc = p
	if control == 0x03 && c.next(llcSpace, uint32(dsap)<<8|uint32(ssap), p[3:]) {
		return
	}
	llcUnknown(c, p, control, hdr)
}

// llcTrunc is tcpdump's line for an LLC header cut short: the mark and a
// dump of what there is.
func llcTrunc(c *pctx, p []byte) {
	if c.depth == 0 { // -x: what follows the bytes of the 802.3 length
		c.s.payload = c.s.payload[min(len(p), len(c.s.payload)):]
	}
	c.b.WriteString(" [|llc]")
	hexASCIILines(c.b, p, "\n\t") // even with -x
}

var llcCommands = map[uint16]string{0x03: "ui", 0xe3: "test", 0xaf: "xid", 0x63: "ua", 0x43: "disc", 0x0f: "dm",
	0x6f: "sabme", 0x87: "frmr"}

var llcFlags = map[uint16]string{0: "Command", 1: "Response", 0x10: "Poll", 0x11: "Final", 0x100: "Poll", 0x101: "Final"}

var llcSupervisory = map[uint16]string{0: "Receiver Ready", 1: "Receiver not Ready", 2: "Reject"}

// llcUnknown is tcpdump's text for an LLC frame sniff has no printer for
// (p the frame from the LLC header on, its control field hdr-2 bytes
// long): without -e the addresses and SAPs, then the frame's kind and,
// but for S frames and XIDs, a dump from the LLC header on.
func llcUnknown(c *pctx, p []byte, control uint16, hdr int) {
	b := c.b
	dsap, ssap := p[0]&0xfe, p[1]&0xfe
	if !c.link {
		name := func(sap byte, unknown string) string {
			if n := sapName(sap); n != "Unknown" {
				return n
			}
			return fmt.Sprintf(unknown, sap)
		}
		e := &c.d.ly.eth
		if ssap == dsap {
			fmt.Fprintf(b, "%s > %s %s ", e.SrcMAC, e.DstMAC, name(dsap, "Unknown DSAP 0x%02x"))
		} else {
			fmt.Fprintf(b, "%s %s > %s %s ", e.SrcMAC, name(ssap, "Unknown SSAP 0x%02x"), e.DstMAC,
				name(dsap, "Unknown DSAP 0x%02x"))
		}
	}
	resp := uint16(p[1] & 1)
	switch {
	case hdr == 3:
		fmt.Fprintf(b, "Unnumbered, %s, Flags [%s], length %d", tokOr(llcCommands, control&0xef, fmt.Sprintf("%02x", control&0xef)),
			tokOr(llcFlags, resp|control&0x10, "?"), c.length)
		if control&^0x10 == 0xaf { // XID: its format and two bytes, else nothing
			q := p[3:]
			switch {
			case c.length == 3:
				return
			case len(q) < 1:
				b.WriteString(" [|llc]")
				return
			case q[0] == 0x81 && (len(q) < 3 || c.length < 6):
				b.WriteString(" [|llc]")
				hexASCIILines(b, q, "\n\t")
				return
			case q[0] == 0x81:
				fmt.Fprintf(b, ": %02x %02x", q[1], q[2])
				return
			}
		}
	case control&1 == 1:
		fmt.Fprintf(b, "Supervisory, %s, rcv seq %d, Flags [%s], length %d", tokOr(llcSupervisory, control>>2&3, "?"),
			control>>9&0x7f, tokOr(llcFlags, resp|control&0x100, "?"), c.length)
		return
	default:
		fmt.Fprintf(b, "Information, send seq %d, rcv seq %d, Flags [%s], length %d", control>>1&0x7f, control>>9&0x7f,
			tokOr(llcFlags, resp|control&0x100, "?"), c.length)
	}
	c.defaultPrint(p)
}

// snapPIDNames names the protocol IDs of the OUIs SNAP dispatches on
// (tcpdump's oui_to_struct_tok).
var snapPIDNames = map[uint32]map[uint16]string{
	0x00000c: {0x2000: "CDP", 0x2003: "VTP", 0x2004: "DTP", 0x0111: "UDLD", 0x010b: "PVST", 0x010c: "VLAN Bridge"},
	0x0080c2: {0x0001: "Ethernet + FCS", 0x0007: "Ethernet w/o FCS", 0x0002: "802.4 + FCS", 0x0008: "802.4 w/o FCS",
		0x0003: "Token Ring + FCS", 0x0009: "Token Ring w/o FCS", 0x0004: "FDDI + FCS", 0x000a: "FDDI w/o FCS",
		0x0005: "802.6 + FCS", 0x000b: "802.6 w/o FCS", 0x000e: "BPDU"},
}

// printSNAP prints a SNAP header's payload (tcpdump's snap_print) by its
// OUI and protocol ID: under Cisco's OUI from the printers' ciscoSpace
// rows.
func printSNAP(c *pctx, p []byte) {
	if c.depth == 0 { // -x shows what follows the SNAP header
		c.s.payload = c.s.payload[min(5, len(c.s.payload)):]
	}
	if len(p) < 5 || c.length < 8 {
		c.b.WriteString(" [|snap]")
		return
	}
	oui := uint32(p[0])<<16 | uint32(p[1])<<8 | uint32(p[2])
	pid := binary.BigEndian.Uint16(p[3:])
	c.length -= 8
	if c.link {
		kind := "pid"
		if oui == 0 {
			kind = "ethertype"
		}
		name := tokOr(snapPIDNames[oui], pid, "Unknown")
		if oui == 0 || oui == 0xf8 || oui == 0x080007 {
			name = ethertypeName(layers.EthernetType(pid))
		}
		fmt.Fprintf(c.b, "oui %s (0x%06x), %s %s (0x%04x), length %d: ", ouiName(oui), oui, kind, name, pid, c.length)
	}
	switch {
	case oui == 0x000000 || oui == 0x0000f8:
		// RFC 1042 (and Cisco's bridged frames): the protocol ID is an
		// ethertype; with -e tcpdump names no protocol before the packet.
		start := c.b.Len()
		if c.next(etherSpace, uint32(pid), p[5:]) {
			if !c.link {
				return
			}
			s := c.b.String()
			for _, pre := range []string{"IP ", "IP6 ", "ARP, "} {
				if strings.HasPrefix(s[start:], pre) {
					c.b.Reset()
					c.b.WriteString(s[:start] + s[start+len(pre):])
					break
				}
			}
			return
		}
	case oui == 0x00000c:
		if c.next(ciscoSpace, uint32(pid), p[5:]) {
			return
		}
	case oui == 0x0080c2 && (pid == 0x0001 || pid == 0x0007):
		// RFC 2684 bridged Ethernet (with or without its FCS, which
		// tcpdump leaves on): two bytes of padding, then the frame.
		switch {
		case len(p) < 7:
			c.b.WriteString(" [|snap]")
		case len(p) < 7+14 || c.length < 2+14:
			c.b.WriteString(" [|ether]")
		default:
			c.encap(0x6558, p[7:], c.length-2, "")
		}
		return
	case oui == 0x0080c2 && pid == 0x000e: // RFC 2684 bridged BPDU
		printPVST(c, p[5:])
		return
	}
	// tcpdump's snap_print for what it cannot print: the SNAP header
	// (after the addresses without -e) and a dump from the LLC header on.
	if !c.link {
		kind := fmt.Sprintf("oui %s (0x%06x), pid %s (0x%04x)", ouiName(oui), oui, tokOr(snapPIDNames[oui], pid, "Unknown"), pid)
		if oui == 0 {
			kind = fmt.Sprintf("ethertype %s (0x%04x)", ethertypeName(layers.EthernetType(pid)), pid)
		}
		e := &c.d.ly.eth
		fmt.Fprintf(c.b, "%s > %s SNAP, %s, length %d: ", e.SrcMAC, e.DstMAC, kind, c.length)
	}
	c.defaultPrint(c.llc)
}

// printPVST prints Cisco's PVST+ and VLAN bridge BPDUs, spanning tree in
// SNAP (tcpdump's stp_print without the LLC header).
func printPVST(c *pctx, p []byte) {
	c.length += 3 // printSTP takes the LLC header off
	printSTP(c, p)
}

// sapNames is tcpdump 4.99.3's llc_values, for SAPs without their
// group or response bit.
var sapNames = map[byte]string{0x00: "Null", 0x02: "802.1B I", 0x04: "SNA", 0x06: "IP", 0x0e: "ProWay NM", 0x42: "STP",
	0x4e: "RS511", 0x7e: "ISO8208", 0x8e: "ProWay", 0xaa: "SNAP", 0xe0: "IPX", 0xf0: "NetBeui", 0xfe: "OSI"}

// sapName names an LLC service access point (tcpdump's llc_values).
func sapName(sap byte) string {
	return tokOr(sapNames, sap&0xfe, "Unknown")
}

var stpFlags = []bitName{{0x01, "Topology change"}, {0x02, "Proposal"}, {0x10, "Learn"}, {0x20, "Forward"},
	{0x40, "Agreement"}, {0x80, "Topology change ACK"}}

func printSTP(c *pctx, p []byte) {
	b := c.b
	n := c.length - 3
	f := ndBuf(p)
	proto := "stp"
	defer ndCatchJmp(c, &proto)
	if n < 4 {
		b.WriteString(" (invalid)")
		return
	}
	if f.u16(0) != 0 {
		fmt.Fprintf(b, "unknown STP version, length %d", n)
		return
	}
	c.f["proto"] = "STP"
	ver := byte(f.u8(2))
	protos := map[byte]string{0: "802.1d", 2: "802.1w", 3: "802.1s", 4: "802.1aq"}
	name, ok := protos[ver]
	if !ok {
		fmt.Fprintf(b, "STP Unknown STP protocol (0x%02x)", ver)
		return
	}
	b.WriteString("STP " + name)
	switch typ := f.u8(3); typ {
	case 0:
		b.WriteString(", Config")
	case 2:
		b.WriteString(", Rapid STP")
		if ver == 0 {
			return
		}
		if ver != 2 {
			printMSTP(c, f, n, ver)
			return
		}
		if n < 36 {
			b.WriteString(" (invalid)")
			return
		}
	case 0x80:
		b.WriteString(", Topology Change")
		return
	default:
		fmt.Fprintf(b, ", Unknown BPDU Type (0x%02x)", typ)
		return
	}
	if n < 35 {
		b.WriteString(" (invalid)")
		return
	}
	// Each field as tcpdump's GET_ macros read it: a capture cut
	// short ends the text with [|stp] where it ends.
	flags := f.u8(4)
	fmt.Fprintf(b, ", Flags [%s]", flagNames(uint32(flags), stpFlags))
	fmt.Fprintf(b, ", bridge-id %s.%04x, length %d", bridgeID(f.bytes(17, 8)), f.u16(25), n)
	if !c.verbose {
		return
	}
	t := func(o int) float64 { return float64(f.u16(o)) / 256 }
	fmt.Fprintf(b, "\n\tmessage-age %.2fs, max-age %.2fs, hello-time %.2fs, forwarding-delay %.2fs", t(27), t(29), t(31), t(33))
	fmt.Fprintf(b, "\n\troot-id %s, root-pathcost %d", bridgeID(f.bytes(5, 8)), f.u32(13))
	if ver == 2 {
		fmt.Fprintf(b, ", port-role %s", [...]string{"Unknown", "Alternate", "Root", "Designated"}[flags>>2&3])
	}
}

// printMSTP prints an MSTP BPDU (tcpdump's stp_print_mstp_bpdu): the
// CIST and, with -v, each MSTI. An SPB BPDU's own fields are not printed.
func printMSTP(c *pctx, f ndBuf, n int, ver byte) {
	b := c.b
	if n < 102 || f.u8(35) != 0 {
		b.WriteString(" (invalid)")
		return
	}
	mstpLen := int(f.u16(36)) + 2
	if n < 36+mstpLen {
		b.WriteString(" (invalid)")
		return
	}
	flags := byte(f.u8(4))
	fmt.Fprintf(b, ", CIST Flags [%s], length %d", flagNames(uint32(flags), stpFlags), n)
	if c.verbose {
		role := func(fl byte) string { return [...]string{"Unknown", "Alternate", "Root", "Designated"}[fl>>2&3] }
		fmt.Fprintf(b, "\n\tport-role %s, ", role(flags))
		fmt.Fprintf(b, "CIST root-id %s, CIST ext-pathcost %d", bridgeID(f.bytes(5, 8)), f.u32(13))
		fmt.Fprintf(b, "\n\tCIST regional-root-id %s, ", bridgeID(f.bytes(17, 8)))
		fmt.Fprintf(b, "CIST port-id %04x,", f.u16(25))
		t := func(o int) float64 { return float64(f.u16(o)) / 256 }
		fmt.Fprintf(b, "\n\tmessage-age %.2fs, max-age %.2fs, hello-time %.2fs, forwarding-delay %.2fs", t(27), t(29), t(31), t(33))
		fmt.Fprintf(b, "\n\tv3len %d, ", f.u16(36))
		b.WriteString("MCID Name ")
		f.jnp(b, 39, 32)
		fmt.Fprintf(b, ", rev %d,\n\t\tdigest %08x%08x%08x%08x, ", f.u16(71), f.u32(73), f.u32(77), f.u32(81), f.u32(85))
		fmt.Fprintf(b, "CIST int-root-pathcost %d,", f.u32(89))
		fmt.Fprintf(b, "\n\tCIST bridge-id %s, ", bridgeID(f.bytes(93, 8)))
		fmt.Fprintf(b, "CIST remaining-hops %d", f.u8(101))
		if v3 := int(f.u16(36)); v3 > 64 {
			for l, o := v3-64, 102; l >= 16; l, o = l-16, o+16 {
				fl := byte(f.u8(o))
				fmt.Fprintf(b, "\n\tMSTI %d, Flags [%s], port-role %s", f.u16(o+1)&0x0fff, flagNames(uint32(fl), stpFlags), role(fl))
				fmt.Fprintf(b, "\n\t\tMSTI regional-root-id %s, pathcost %d", bridgeID(f.bytes(o+1, 8)), f.u32(o+9))
				fmt.Fprintf(b, "\n\t\tMSTI bridge-prio %d, port-prio %d, hops %d", f.u8(o+13)>>4, f.u8(o+14)>>4, f.u8(o+15))
			}
		}
	}
	if ver == 4 {
		spbLen := int(f.u16(36+mstpLen)) + 2
		if n < 36+mstpLen+spbLen || spbLen < 87 {
			b.WriteString(" (invalid)")
			return
		}
		if c.verbose { // tcpdump's stp_print_spb_bpdu
			o := 36 + mstpLen
			fmt.Fprintf(b, "\n\tv4len %d, ", f.u16(o))
			b.WriteString("AUXMCID Name ")
			f.jnp(b, o+3, 32)
			fmt.Fprintf(b, ", Rev %d,\n\t\tdigest %08x%08x%08x%08x", f.u16(o+35), f.u32(o+37), f.u32(o+41), f.u32(o+45), f.u32(o+49))
			a, fm, cv := f.u8(o+53), f.u8(o+55), f.u8(o+56)
			fmt.Fprintf(b, "\n\tAgreement num %d, Discarded Agreement num %d, Agreement valid-flag %d,\n\tRestricted role-flag: %d, "+
				"Format id %d cap %d, Convention id %d cap %d,\n\tEdge count %d, Agreement digest %08x%08x%08x%08x%08x",
				a>>6, a>>4&3, a>>3&1, a>>2&1, fm>>4, fm, cv>>4, cv, f.u16(o+57),
				f.u32(o+67), f.u32(o+71), f.u32(o+75), f.u32(o+79), f.u32(o+83))
		}
	}
}

func bridgeID(p []byte) string {
	return fmt.Sprintf("%02x%02x.%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7])
}
