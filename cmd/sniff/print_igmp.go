package main

import (
	"encoding/binary"
	"fmt"
	"net"
)

// IGMP v1, v2 and v3 (tcpdump's print-igmp.c). gopacket's IGMP layer
// decodes v3 reports but not as tcpdump names their records, so the
// message is read here.

func printIGMP(c *pctx, p []byte) {
	b := c.b
	c.addrPair()
	c.f["proto"] = "IGMP"
	n := c.length
	if len(p) < 1 {
		b.WriteString("[|igmp]")
		return
	}
	need := func(k int) bool {
		if len(p) < k {
			b.WriteString(" [|igmp]")
			return false
		}
		return true
	}
	if c.d.quiet {
		b.WriteString("igmp")
		return
	}
	switch p[0] {
	case 0x11:
		b.WriteString("igmp query")
		if n >= 12 {
			if !need(12) {
				return
			}
			b.WriteString(" v3")
			mrc := int(p[1])
			mrt := mrc
			if mrc >= 128 {
				mrt = (mrc&0x0f | 0x10) << ((mrc&0x70)>>4 + 3)
			}
			if mrc != 100 {
				if mrt < 600 {
					fmt.Fprintf(b, " [max resp time %.1fs]", float64(mrt)*0.1)
				} else {
					fmt.Fprintf(b, " [max resp time %ds]", mrt/10)
				}
			}
			if binary.BigEndian.Uint32(p[4:]) == 0 {
				break
			}
			fmt.Fprintf(b, " [gaddr %s", net.IP(p[4:8]))
			if ns := int(binary.BigEndian.Uint16(p[10:])); ns > 0 {
				if n < 12+ns*4 {
					b.WriteString(" [invalid number of sources]")
				} else if c.d.vv && len(p) >= 12+ns*4 { // -vv: the sources themselves
					b.WriteString(" {")
					for i := range ns {
						b.WriteString(" " + net.IP(p[12+4*i:16+4*i]).String())
					}
					b.WriteString(" }")
				} else {
					fmt.Fprintf(b, ", %d source(s)", ns)
				}
			}
			b.WriteByte(']')
			break
		}
		if !need(8) {
			return
		}
		if p[1] != 0 {
			b.WriteString(" v2")
			if p[1] != 100 {
				fmt.Fprintf(b, " [max resp time %d]", p[1])
			}
		} else {
			b.WriteString(" v1")
		}
		if binary.BigEndian.Uint32(p[4:]) != 0 {
			fmt.Fprintf(b, " [gaddr %s]", net.IP(p[4:8]))
		}
		if n != 8 {
			fmt.Fprintf(b, " [len %d]", n)
		}
	case 0x12, 0x16, 0x17:
		if !need(8) {
			return
		}
		name := map[byte]string{0x12: "igmp v1 report", 0x16: "igmp v2 report", 0x17: "igmp leave"}[p[0]]
		fmt.Fprintf(b, "%s %s", name, net.IP(p[4:8]))
	case 0x22:
		b.WriteString("igmp v3 report")
		if !need(8) {
			return
		}
		ng := int(binary.BigEndian.Uint16(p[6:]))
		fmt.Fprintf(b, ", %d group record(s)", ng)
		if !c.verbose {
			break
		}
		kinds := []string{1: "is_in", 2: "is_ex", 3: "to_in", 4: "to_ex", 5: "allow", 6: "block"}
		g := 8
		for range ng {
			if !need(g + 8) {
				return
			}
			fmt.Fprintf(b, " [gaddr %s", net.IP(p[g+4:g+8]))
			if k := p[g]; int(k) < len(kinds) && kinds[k] != "" {
				b.WriteString(" " + kinds[k])
			} else {
				fmt.Fprintf(b, "  [v3-report-#%d]", k)
			}
			ns := int(binary.BigEndian.Uint16(p[g+2:]))
			if n < g+8+ns*4 {
				fmt.Fprintf(b, " [invalid number of sources %d]", ns)
				return
			}
			if c.d.vv { // -vv: the sources themselves
				if !need(g + 8 + ns*4) {
					return
				}
				b.WriteString(" {")
				for i := range ns {
					b.WriteString(" " + net.IP(p[g+8+4*i:g+12+4*i]).String())
				}
				b.WriteString(" }]")
			} else {
				fmt.Fprintf(b, ", %d source(s)]", ns)
			}
			g += 8 + ns*4
		}
	default:
		fmt.Fprintf(b, "igmp-%d", p[0])
	}
	if c.verbose && n > 0 && len(p) >= n && len(p) >= 4 && checksum(p[:n]) != 0 {
		fmt.Fprintf(b, " bad igmp cksum %x!", binary.BigEndian.Uint16(p[2:]))
	}
}
