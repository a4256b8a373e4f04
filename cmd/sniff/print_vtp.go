package main

import (
	"fmt"
	"net"
)

// Cisco VLAN Trunking Protocol in SNAP under Cisco's OUI, protocol ID
// 0x2003 (tcpdump 4.99's print-vtp.c): version, message type and length;
// with -v the domain, the summary's revision, updater, timestamp and
// digest, a subset's VLANs and their TLVs, an advertisement request's
// start value. gopacket has no VTP layer.

var vtpMessages = map[byte]string{1: "Summary advertisement", 2: "Subset advertisement", 3: "Advertisement request",
	4: "Join message"}

var vtpHeaderField = map[byte]string{1: "Followers", 2: "Seq number", 3: "Rsvd", 4: "Rsvd"}

var vtpVLANTypes = map[byte]string{1: "Ethernet", 2: "FDDI", 3: "TrCRF", 4: "FDDI-net", 5: "TrBRF"}

var vtpVLANStatus = map[byte]string{0: "Operational", 1: "Suspended"}

var vtpVLANTLVs = map[byte]string{1: "Source-Routing Ring Number TLV", 2: "Source-Routing Bridge Number TLV",
	3: "STP type TLV", 4: "Parent VLAN TLV", 5: "Translationally bridged VLANs TLV", 6: "Pruning TLV",
	7: "Bridge Type TLV", 8: "Max ARP Hop Count TLV", 9: "Max STE Hop Count TLV", 10: "Backup CRF Mode TLV"}

func printVTP(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "VTP"
	length := c.length
	proto := "vtp"
	defer ndCatchJmp(c, &proto)
	f := ndBuf(p)
	// invalid is tcpdump's nd_print_invalid, then the check that the
	// capture holds the whole packet.
	invalid := func() {
		b.WriteString(" (invalid)")
		f.need(0, length)
	}
	if length < 36 {
		invalid()
		return
	}
	f.need(0, 36)
	typ := byte(f.u8(1))
	fmt.Fprintf(b, "VTPv%d, Message %s (0x%02x), length %d", f.u8(0), tokOr(vtpMessages, typ, "Unknown message type"), typ, length)
	if !c.verbose {
		f.need(0, length)
		return
	}
	b.WriteString("\n\tDomain name: ")
	ml := int(f.u8(3))
	if ml < 1 || ml > 32 {
		fmt.Fprintf(b, " [invalid MgmtD Len %d]", ml)
		invalid()
		return
	}
	f.jnp(b, 4, ml)
	fmt.Fprintf(b, ", %s: %d", tokOr(vtpHeaderField, typ, "Unknown"), f.u8(2))
	o := 36
	switch typ {
	case 1:
		fmt.Fprintf(b, "\n\t  Config Rev %x, Updater %s", f.u32(o), net.IP(f.bytes(o+4, 4)))
		o += 8
		fmt.Fprintf(b, ", Timestamp 0x%08x 0x%08x 0x%08x", f.u32(o), f.u32(o+4), f.u32(o+8))
		o += 12
		fmt.Fprintf(b, ", MD5 digest: %08x%08x%08x%08x", f.u32(o), f.u32(o+4), f.u32(o+8), f.u32(o+12))
	case 2:
		fmt.Fprintf(b, ", Config Rev %x", f.u32(o))
		o += 4
		for o < length {
			vl := int(f.u8(o))
			if vl == 0 {
				break
			}
			f.need(o, vl)
			if vl < 12 {
				invalid()
				return
			}
			fmt.Fprintf(b, "\n\tVLAN info status %s, type %s, VLAN-id %d, MTU %d, SAID 0x%08x, Name ",
				tokOr(vtpVLANStatus, byte(f.u8(o+1)), "Unknown"), tokOr(vtpVLANTypes, byte(f.u8(o+2)), "Unknown"),
				f.u16(o+4), f.u16(o+6), f.u32(o+8))
			nl := int(f.u8(o + 3))
			padded := 4 * ((nl + 3) / 4)
			vl, o = vl-12, o+12
			if vl < padded {
				invalid()
				return
			}
			f.jnp(b, o, nl)
			vl, o = vl-padded, o+padded
			for vl > 0 {
				if vl < 2 {
					invalid()
					return
				}
				t, tl := byte(f.u8(o)), int(f.u8(o+1))
				fmt.Fprintf(b, "\n\t\t%s (0x%04x) TLV", tokOr(vtpVLANTLVs, t, "Unknown"), t)
				if vl < tl*2+2 {
					b.WriteString(" (TLV goes past the end of the packet)")
					invalid()
					return
				}
				f.need(o, tl*2+2)
				if tl != 1 {
					fmt.Fprintf(b, " (invalid TLV length %d != 1)", tl)
					invalid()
					return
				}
				v := uint16(f.u16(o + 2))
				switch t {
				case 9:
					fmt.Fprintf(b, ", %d", v)
				case 6:
					fmt.Fprintf(b, ", %s (%d)", map[bool]string{true: "Enabled", false: "Disabled"}[v == 1], v)
				case 3:
					fmt.Fprintf(b, ", %s (%d)", tokOr(map[uint16]string{1: "SRT", 2: "SRB", 3: "Auto"}, v, "Unknown"), v)
				case 7:
					fmt.Fprintf(b, ", %s (%d)", map[bool]string{true: "SRB", false: "SRT"}[v == 1], v)
				case 10:
					fmt.Fprintf(b, ", %s (%d)", map[bool]string{true: "Backup", false: "Not backup"}[v == 1], v)
				default:
					hexLines(b, f[o:o+2+tl*2], "\n\t\t  ")
				}
				vl, o = vl-2-tl*2, o+2+tl*2
			}
		}
	case 3:
		fmt.Fprintf(b, "\n\tStart value: %d", f.u32(o))
	}
}
