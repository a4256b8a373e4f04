package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
)

// BOOTP and DHCPv4 (tcpdump's print-bootp.c). gopacket's DHCPv4 layer
// rejects messages tcpdump prints (short vendor areas, bad options), so
// the message is read here.

// bootpTags names the RFC 1048 options; the first byte of each is how
// tcpdump prints the data: i addresses, l and L 32-bit numbers, s 16-bit,
// b dotted bytes, x hex bytes, a text, B booleans, p address pairs,
// $ its own way.
var bootpTags = map[byte]string{
	0: " PAD", 1: "iSubnet-Mask", 2: "LTime-Zone", 3: "iDefault-Gateway", 4: "iTime-Server",
	5: "iIEN-Name-Server", 6: "iDomain-Name-Server", 7: "iLOG", 8: "iCS", 9: "iLPR-Server", 10: "iIM",
	11: "iRL", 12: "aHostname", 13: "sBS", 255: " END", 14: "aDP", 15: "aDomain-Name", 16: "iSS",
	17: "aRP", 18: "aEP", 19: "BIPF", 20: "BSRT", 21: "pPF", 22: "sRSZ", 23: "bTTL", 24: "lMTU-Timeout",
	25: "sMTU-Table", 26: "sMTU", 27: "BLSN", 28: "iBR", 29: "BMD", 30: "BMS", 31: "BRouter-Discovery",
	32: "iRSA", 33: "pStatic-Route", 34: "BUT", 35: "lAT", 36: "BIE", 37: "bTT", 38: "lKI", 39: "BKG",
	40: "aYD", 41: "iYS", 42: "iNTP", 43: "bVendor-Option", 44: "iNetbios-Name-Server", 45: "iWDD",
	46: "$Netbios-Node", 47: "aNetbios-Scope", 48: "iXFS", 49: "iXDM", 64: "sN+D", 65: "iN+S", 68: "iMH",
	69: "iSMTP", 70: "iPOP3", 71: "iNNTP", 72: "iWWW", 73: "iFG", 74: "iIRC", 75: "iSTS", 76: "iSTDA",
	50: "iRequested-IP", 51: "lLease-Time", 52: "$OO", 66: "aTFTP", 67: "aBF", 53: " DHCP-Message",
	54: "iServer-ID", 55: "bParameter-Request", 56: "aMSG", 57: "sMSZ", 58: "lRN", 59: "lRB",
	60: "aVendor-Class", 61: "$Client-ID", 98: "aUAP", 116: "BNOAUTO", 78: "bSLP-DA", 79: "bSLP-SCOPE",
	117: "sNSSEARCH", 77: "$User-Class", 118: "iSUBNET", 121: "$Classless-Static-Route",
	249: "$Classless-Static-Route-Microsoft", 150: "iTFTP-Server-Address", 80: "aSLP-NA", 81: "$FQDN",
	82: "$Agent-Information", 83: "bARMT", 84: "bAMSK", 88: "aTZSTR", 89: "bFQDNS", 90: "bAUTH",
	91: "iVINES", 92: "sRANK", 93: "sARCH", 94: "bNDI", 97: "bGUID", 95: "aLDAP", 96: "i6o4",
	100: "aPOSIX-TZ", 101: "aTZ-Name", 110: "bIPX", 112: "iNI", 113: "aNITAG", 114: "aURL", 115: "bFAIL",
	161: "aMUD-URL",
}

var dhcpMsgTypes = []string{1: "Discover", 2: "Offer", 3: "Request", 4: "Decline", 5: "ACK", 6: "NACK", 7: "Release", 8: "Inform"}

func printBOOTP(c *pctx, p []byte) {
	b := c.b
	if len(p) < 1 {
		b.WriteString(" [|bootp]")
		return
	}
	op := p[0]
	switch op {
	case 1:
		b.WriteString("BOOTP/DHCP, Request")
	case 2:
		b.WriteString("BOOTP/DHCP, Reply")
	default:
		fmt.Fprintf(b, "BOOTP/DHCP, unknown (0x%02x)", op)
	}
	if len(p) < 3 {
		b.WriteString(" [|bootp]")
		return
	}
	htype, hlen := p[1], p[2]
	if htype == 1 && hlen == 6 && op == 1 {
		if len(p) < 34 {
			b.WriteString(" [|bootp]")
			return
		}
		fmt.Fprintf(b, " from %s", net.HardwareAddr(p[28:34]))
	}
	fmt.Fprintf(b, ", length %d", c.length)
	if !c.verbose {
		return
	}
	if len(p) < 10 {
		b.WriteString(" [|bootp]")
		return
	}
	if htype != 1 {
		fmt.Fprintf(b, ", htype %d", htype)
	}
	if htype != 1 || hlen != 6 {
		fmt.Fprintf(b, ", hlen %d", hlen)
	}
	if p[3] != 0 {
		fmt.Fprintf(b, ", hops %d", p[3])
	}
	if x := binary.BigEndian.Uint32(p[4:]); x != 0 {
		fmt.Fprintf(b, ", xid 0x%x", x)
	}
	if s := binary.BigEndian.Uint16(p[8:]); s != 0 {
		fmt.Fprintf(b, ", secs %d", s)
	}
	if len(p) < 12 {
		b.WriteString(" [|bootp]")
		return
	}
	if binary.BigEndian.Uint16(p[10:])&0x8000 != 0 {
		b.WriteString(", Flags [Broadcast]")
	} else {
		b.WriteString(", Flags [none]")
	}
	if c.d.vv {
		fmt.Fprintf(b, " (0x%04x)", binary.BigEndian.Uint16(p[10:]))
	}
	for i, name := range []string{"Client-IP", "Your-IP", "Server-IP", "Gateway-IP"} {
		o := 12 + 4*i
		if len(p) < o+4 {
			b.WriteString(" [|bootp]")
			return
		}
		if a := p[o : o+4]; binary.BigEndian.Uint32(a) != 0 {
			fmt.Fprintf(b, "\n\t  %s %s", name, net.IP(a))
		}
	}
	if htype == 1 && hlen == 6 {
		if len(p) < 34 {
			b.WriteString(" [|bootp]")
			return
		}
		fmt.Fprintf(b, "\n\t  Client-Ethernet-Address %s", net.HardwareAddr(p[28:34]))
	}
	for _, f := range []struct {
		name     string
		off, len int
	}{{"sname", 44, 64}, {"file", 108, 128}} {
		if len(p) < f.off+1 {
			b.WriteString(" [|bootp]")
			return
		}
		if p[f.off] == 0 {
			continue
		}
		fmt.Fprintf(b, "\n\t  %s \"", f.name)
		field := p[f.off:min(len(p), f.off+f.len)]
		if i := strings.IndexByte(string(field), 0); i >= 0 {
			field = field[:i]
		} else if len(field) < f.len {
			fnPrint(b, field)
			b.WriteString("\"[|bootp]")
			return
		}
		fnPrint(b, field)
		b.WriteByte('"')
	}
	if len(p) < 240 {
		b.WriteString(" [|bootp]")
		return
	}
	v := p[236:]
	switch {
	case string(v[:4]) == "\x63\x82\x53\x63":
		rfc1048(b, v)
	case string(v[:4]) == "CMU\x00":
		b.WriteString(" vend-cmu")
	default:
		if x := binary.BigEndian.Uint32(v); x != 0 {
			fmt.Fprintf(b, "\n\t  Vendor-#0x%x", x)
		}
	}
}

// rfc1048 prints the DHCP options after the magic cookie at v.
func rfc1048(b *strings.Builder, v []byte) {
	b.WriteString("\n\t  Vendor-rfc1048 Extensions")
	fmt.Fprintf(b, "\n\t    Magic Cookie 0x%08x", binary.BigEndian.Uint32(v))
	v = v[4:]
	for len(v) > 0 {
		tag := v[0]
		v = v[1:]
		if tag == 0 {
			continue
		}
		if tag == 255 {
			return
		}
		spec, ok := bootpTags[tag]
		if !ok {
			spec = "?Unknown"
		}
		kind, name := spec[0], spec[1:]
		if len(v) < 1 {
			b.WriteString("|[rfc1048]")
			return
		}
		n := int(v[0])
		v = v[1:]
		fmt.Fprintf(b, "\n\t    %s (%d), length %d", name, tag, n)
		if n > 0 {
			b.WriteString(": ")
		}
		if len(v) < n {
			fmt.Fprintf(b, "[|rfc1048 %d]", n)
			return
		}
		d := v[:n]
		v = v[n:]
		if tag == 53 && n == 1 {
			if int(d[0]) < len(dhcpMsgTypes) && dhcpMsgTypes[d[0]] != "" {
				b.WriteString(dhcpMsgTypes[d[0]])
			} else {
				fmt.Fprintf(b, "Unknown (%d)", d[0])
			}
			continue
		}
		if tag == 55 {
			for i, t := range d {
				if i%4 == 0 {
					b.WriteString("\n\t      ")
				} else {
					b.WriteString(", ")
				}
				name := "Unknown"
				if s, ok := bootpTags[t]; ok {
					name = s[1:]
				}
				fmt.Fprintf(b, "%s (%d)", name, t)
			}
			continue
		}
		if kind == '?' {
			switch {
			case n&1 != 0:
				kind = 'b'
			case n&2 != 0:
				kind = 's'
			default:
				kind = 'l'
			}
		}
		left := 0
		switch kind {
		case 'a':
			b.WriteByte('"')
			fnPrint(b, d)
			b.WriteByte('"')
		case 'i', 'l', 'L':
			for i := 0; i+4 <= len(d); i += 4 {
				if i > 0 {
					b.WriteByte(',')
				}
				switch kind {
				case 'i':
					b.WriteString(net.IP(d[i : i+4]).String())
				case 'L':
					fmt.Fprintf(b, "%d", int32(binary.BigEndian.Uint32(d[i:])))
				default:
					fmt.Fprintf(b, "%d", binary.BigEndian.Uint32(d[i:]))
				}
			}
			left = len(d) % 4
		case 'p':
			for i := 0; i+8 <= len(d); i += 8 {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(b, "(%s:%s)", net.IP(d[i:i+4]), net.IP(d[i+4:i+8]))
			}
			left = len(d) % 8
		case 's':
			for i := 0; i+2 <= len(d); i += 2 {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(b, "%d", binary.BigEndian.Uint16(d[i:]))
			}
			left = len(d) % 2
		case 'B':
			for i, x := range d {
				if i > 0 {
					b.WriteByte(',')
				}
				switch x {
				case 0:
					b.WriteByte('N')
				case 1:
					b.WriteByte('Y')
				default:
					fmt.Fprintf(b, "%d?", x)
				}
			}
		case '$':
			left = bootpSpecial(b, tag, d)
		default: // b, x
			for i, x := range d {
				if i > 0 {
					b.WriteByte('.')
				}
				fmt.Fprintf(b, "%d", x)
			}
		}
		if left > 0 {
			fmt.Fprintf(b, "\n\t  trailing data length %d", left)
		}
	}
}

// bootpSpecial prints the options with a layout of their own; it returns
// the bytes left over.
func bootpSpecial(b *strings.Builder, tag byte, d []byte) int {
	switch tag {
	case 46, 52: // Netbios-Node, OO
		if len(d) < 1 {
			b.WriteString("ERROR: length < 1 bytes")
			return 0
		}
		names := map[byte]string{1: "b-node", 2: "p-node", 4: "m-node", 8: "h-node"}
		if tag == 52 {
			names = map[byte]string{1: "file", 2: "sname", 3: "file+sname"}
		}
		if s, ok := names[d[0]]; ok {
			b.WriteString(s)
		} else {
			fmt.Fprintf(b, "#%d", d[0])
		}
		return len(d) - 1
	case 61: // Client-ID
		if len(d) < 1 {
			b.WriteString("ERROR: length < 1 bytes")
			return 0
		}
		if d[0] == 0 {
			b.WriteByte('"')
			fnPrint(b, d[1:])
			b.WriteByte('"')
			return 0
		}
		hw := map[byte]string{1: "ether", 6: "ieee802", 7: "arcnet", 0xf: "frelay", 0x17: "strip", 0x18: "ieee1394"}
		if s, ok := hw[d[0]]; ok {
			b.WriteString(s + " ")
		} else {
			fmt.Fprintf(b, "hardware-type %d, ", d[0])
		}
		for i, x := range d[1:] {
			if i > 0 {
				b.WriteByte(':')
			}
			fmt.Fprintf(b, "%02x", x)
		}
		return 0
	case 81: // FQDN
		if len(d) < 3 {
			b.WriteString("ERROR: length < 3 bytes")
			return 0
		}
		if d[0] != 0 {
			var f []byte
			for i, ch := range "SOEN" {
				if d[0]&(1<<i) != 0 {
					f = append(f, byte(ch))
				}
			}
			fmt.Fprintf(b, "[%s] ", f)
		}
		if d[1] != 0 || d[2] != 0 {
			fmt.Fprintf(b, "%d/%d ", d[1], d[2])
		}
		b.WriteByte('"')
		fnPrint(b, d[3:])
		b.WriteByte('"')
		return 0
	case 121, 249: // classless static routes
		if len(d) < 5 {
			b.WriteString("ERROR: length < 5 bytes")
			return 0
		}
		for first := true; len(d) > 0; first = false {
			if !first {
				b.WriteByte(',')
			}
			w := int(d[0])
			d = d[1:]
			if w > 32 {
				fmt.Fprintf(b, "[ERROR: Mask width (%d) > 32]", w)
				return 0
			}
			sig := (w + 7) / 8
			if len(d) < sig+4 {
				fmt.Fprintf(b, "[ERROR: Remaining length (%d) < %d bytes]", len(d), sig+4)
				return 0
			}
			b.WriteByte('(')
			if w == 0 {
				b.WriteString("default")
			} else {
				for i := range 4 {
					if i > 0 {
						b.WriteByte('.')
					}
					if i < sig {
						fmt.Fprintf(b, "%d", d[i])
					} else {
						b.WriteByte('0')
					}
				}
				fmt.Fprintf(b, "/%d", w)
			}
			fmt.Fprintf(b, ":%s)", net.IP(d[sig:sig+4]))
			d = d[sig+4:]
		}
		return 0
	}
	fmt.Fprintf(b, "[unknown special tag %d, size %d]", tag, len(d))
	return 0
}

// fnPrint writes bytes as tcpdump's fn_print_char does: M- for bytes
// above 0x7f, ^X for control characters.
func fnPrint(b *strings.Builder, d []byte) {
	for _, ch := range d {
		if ch >= 0x80 {
			b.WriteString("M-")
			ch &= 0x7f
		}
		if ch < 0x20 || ch == 0x7f {
			b.WriteByte('^')
			ch ^= 0x40
		}
		b.WriteByte(ch)
	}
}
