package main

import (
	"encoding/binary"
	"fmt"
)

// IEEE 802.2 LLC in 802.3 frames (tcpdump's print-llc.c) and the spanning
// tree BPDUs it carries (print-stp.c). gopacket's STP layer has no RSTP or
// MSTP fields, so BPDUs are read here.

// printLLC prints an 802.3 frame's LLC payload, c.length bytes by its
// length field. Without -e tcpdump prints the LLC header only for what
// it has no printer for.
func printLLC(c *pctx, p []byte) {
	if len(p) < 3 {
		c.b.WriteString("[|llc]")
		return
	}
	if c.depth == 0 {
		c.s.payload = p[3:] // -x shows what follows the LLC header
	}
	if c.link {
		fmt.Fprintf(c.b, "LLC, dsap %s (0x%02x) %s, ssap %s (0x%02x) %s, ctrl 0x%02x: ",
			sapName(p[0]), p[0]&0xfe, map[bool]string{false: "Individual", true: "Group"}[p[0]&1 != 0],
			sapName(p[1]), p[1]&0xfe, map[bool]string{false: "Command", true: "Response"}[p[1]&1 != 0], p[2])
	}
	c.llcCtrl = p[2]
	if !c.next(llcSpace, uint32(p[0])<<8|uint32(p[1]), p[3:]) {
		llcUnknown(c, p)
	}
}

// llcUnknown is the line for an LLC header whose payload sniff has no
// printer for; p is the frame from the LLC header on.
func llcUnknown(c *pctx, p []byte) {
	fmt.Fprintf(c.b, "LLC, dsap Unknown (0x%02x) %s, ssap Unknown (0x%02x) %s, ctrl 0x%02x, length %d",
		p[0]&0xfe, map[bool]string{false: "Individual", true: "Group"}[p[0]&1 != 0],
		p[1]&0xfe, map[bool]string{false: "Command", true: "Response"}[p[1]&1 != 0], p[2], c.length)
}

// snapPIDNames names the protocol IDs of the OUIs SNAP dispatches on
// (tcpdump's oui_to_struct_tok).
var snapPIDNames = map[uint32]map[uint16]string{
	0x00000c: {0x2000: "CDP", 0x2003: "VTP", 0x2004: "DTP", 0x0111: "UDLD", 0x010b: "PVST", 0x010c: "VLAN Bridge"},
}

// printSNAP prints a SNAP header's payload (tcpdump's snap_print) by its
// OUI and protocol ID: under Cisco's OUI from the printers' ciscoSpace
// rows.
func printSNAP(c *pctx, p []byte) {
	if c.llcCtrl != 0x03 || len(p) < 5 || c.length < 8 {
		llcUnknown(c, []byte{0xaa, 0xaa, c.llcCtrl})
		return
	}
	oui := uint32(p[0])<<16 | uint32(p[1])<<8 | uint32(p[2])
	pid := binary.BigEndian.Uint16(p[3:])
	length := c.length
	c.length -= 8
	if c.link {
		kind := "pid"
		if oui == 0 {
			kind = "ethertype"
		}
		fmt.Fprintf(c.b, "oui %s (0x%06x), %s %s (0x%04x), length %d: ", ouiName(oui), oui, kind,
			tokOr(snapPIDNames[oui], pid, "Unknown"), pid, c.length)
	}
	if oui != 0x00000c || !c.next(ciscoSpace, uint32(pid), p[5:]) {
		c.length = length
		llcUnknown(c, []byte{0xaa, 0xaa, c.llcCtrl})
	}
}

// sapName names an LLC service access point (tcpdump's llc_values).
func sapName(sap byte) string {
	names := map[byte]string{0x00: "Null", 0x02: "LLC Sub-Layer Management", 0x06: "IP", 0x42: "STP", 0x4e: "Manufacturing Message Service",
		0x7e: "ISO8208", 0x80: "Xerox Network Systems", 0x86: "Nestar", 0x8e: "Active Station List", 0x98: "ARP",
		0xaa: "SNAP", 0xbc: "Banyan Vines", 0xe0: "IPX", 0xf0: "NetBeui", 0xf4: "IBM Net Management", 0xf8: "Remote Program Load",
		0xfa: "Ungermann-Bass", 0xfe: "OSI"}
	if n, ok := names[sap&0xfe]; ok {
		return n
	}
	return "Unknown"
}

var stpFlags = []bitName{{0x01, "Topology change"}, {0x02, "Proposal"}, {0x10, "Learn"}, {0x20, "Forward"},
	{0x40, "Agreement"}, {0x80, "Topology change ACK"}}

func printSTP(c *pctx, p []byte) {
	b := c.b
	n := c.length - 3
	if n < 4 || len(p) < 4 || binary.BigEndian.Uint16(p) != 0 {
		b.WriteString(" (invalid)")
		return
	}
	c.f["proto"] = "STP"
	ver, typ := p[2], p[3]
	protos := map[byte]string{0: "802.1d", 2: "802.1w", 3: "802.1s", 4: "802.1Q/SPB BPDU"}
	name, ok := protos[ver]
	if !ok {
		fmt.Fprintf(b, "STP Unknown STP protocol (0x%02x)", ver)
		return
	}
	b.WriteString("STP " + name)
	switch typ {
	case 0:
		b.WriteString(", Config")
	case 2:
		b.WriteString(", Rapid STP")
	case 0x80:
		b.WriteString(", Topology Change")
		return
	default:
		fmt.Fprintf(b, ", Unknown BPDU Type (0x%02x)", typ)
		return
	}
	if n < 35 || len(p) < 35 {
		b.WriteString(" (invalid)")
		return
	}
	flags := p[4]
	fmt.Fprintf(b, ", Flags [%s], bridge-id %s.%04x, length %d", flagNames(uint32(flags), stpFlags), bridgeID(p[17:25]), binary.BigEndian.Uint16(p[25:]), n)
	if !c.verbose {
		return
	}
	t := func(o int) float64 { return float64(binary.BigEndian.Uint16(p[o:])) / 256 }
	fmt.Fprintf(b, "\n\tmessage-age %.2fs, max-age %.2fs, hello-time %.2fs, forwarding-delay %.2fs", t(27), t(29), t(31), t(33))
	fmt.Fprintf(b, "\n\troot-id %s, root-pathcost %d", bridgeID(p[5:13]), binary.BigEndian.Uint32(p[13:]))
	if ver == 2 {
		fmt.Fprintf(b, ", port-role %s", [...]string{"Unknown", "Alternate", "Root", "Designated"}[flags>>2&3])
	}
}

func bridgeID(p []byte) string {
	return fmt.Sprintf("%02x%02x.%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7])
}
