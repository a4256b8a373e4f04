package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
)

// DHCPv6 (tcpdump 4.99's print-dhcp6.c) on UDP ports 546 and 547: the
// message type on the line, the options with -v. gopacket's DHCPv6 layer
// rejects what tcpdump prints in part (short options) and keeps no
// nesting text, so the options are read here.

var dhcp6MsgTypes = map[byte]string{1: "solicit", 2: "advertise", 3: "request", 4: "confirm", 5: "renew", 6: "rebind",
	7: "reply", 8: "release", 9: "decline", 10: "reconfigure", 11: "inf-req", 12: "relay-fwd", 13: "relay-reply",
	14: "leasequery", 15: "leasequery-reply"}

var dhcp6OptNames = map[uint16]string{1: "client-ID", 2: "server-ID", 3: "IA_NA", 4: "IA_TA", 5: "IA_ADDR",
	6: "option-request", 7: "preference", 8: "elapsed-time", 9: "relay-message", 11: "authentication",
	12: "server-unicast", 13: "status-code", 14: "rapid-commit", 15: "user-class", 16: "vendor-class",
	17: "vendor-specific-info", 18: "interface-ID", 19: "reconfigure-message", 20: "reconfigure-accept",
	21: "SIP-servers-domain", 22: "SIP-servers-address", 23: "DNS-server", 24: "DNS-search-list", 25: "IA_PD",
	26: "IA_PD-prefix", 31: "SNTP-servers", 32: "lifetime", 27: "NIS-server", 28: "NIS+-server", 29: "NIS-domain-name",
	30: "NIS+-domain-name", 33: "BCMCS-domain-name", 34: "BCMCS-server", 36: "Geoconf-Civic", 37: "Remote-ID",
	38: "Subscriber-ID", 39: "Client-FQDN", 40: "PANA-agent", 41: "POSIX-timezone", 42: "POSIX-tz-database",
	43: "Echo-request-option", 44: "Lease-query", 45: "LQ-client-data", 46: "Clt-time", 47: "LQ-relay-data",
	48: "LQ-client-link", 56: "NTP-server", 64: "AFTR-Name", 112: "MUD-URL"}

var dhcp6StatusCodes = map[uint16]string{0: "Success", 1: "UnspecFail", 2: "NoAddrsAvail", 3: "NoBinding",
	4: "NotOnLink", 5: "UseMulticast", 6: "NoPrefixAvail", 7: "UnknownQueryType", 8: "MalformedQuery",
	9: "NotConfigured", 10: "NotAllowed"}

func dhcp6OptName(t uint16) string {
	if n, ok := dhcp6OptNames[t]; ok {
		return n
	}
	return fmt.Sprintf("opt_%d", t)
}

func printDHCP6(c *pctx, p []byte) {
	c.f["proto"] = "DHCPv6"
	c.b.WriteString("dhcp6")
	dhcp6Msg(c, p[:min(len(p), c.length)], len(p) < c.length)
}

// dhcp6Msg prints a message held in p; cut: the capture ended before the
// message did.
func dhcp6Msg(c *pctx, p []byte, cut bool) {
	b := c.b
	if len(p) < 4 {
		b.WriteString(" [|dhcp6]")
		return
	}
	t := p[0]
	name, ok := dhcp6MsgTypes[t]
	if !ok {
		name = fmt.Sprintf("msgtype-%d", t)
	}
	if !c.verbose {
		b.WriteString(" " + name)
		return
	}
	b.WriteString(" " + name + " (")
	if t != 12 && t != 13 {
		fmt.Fprintf(b, "xid=%x", binary.BigEndian.Uint32(p)&0xffffff)
		dhcp6Opts(c, p[4:], cut)
	} else {
		if len(p) < 34 {
			b.WriteString(" [|dhcp6]")
			return
		}
		fmt.Fprintf(b, "linkaddr=%s peeraddr=%s", net.IP(p[2:18]), net.IP(p[18:34]))
		dhcp6Opts(c, p[34:], cut)
	}
	b.WriteByte(')')
}

// dhcp6Opts prints options; an option running past p ends them with
// [|dhcp6], and the caller goes on (tcpdump's dhcp6opt_print).
func dhcp6Opts(c *pctx, p []byte, cut bool) {
	b := c.b
	trunc := func() {
		b.WriteString(" [|dhcp6]")
	}
	for len(p) > 0 {
		if len(p) < 4 {
			trunc()
			return
		}
		t, n := binary.BigEndian.Uint16(p), int(binary.BigEndian.Uint16(p[2:]))
		if len(p) < 4+n {
			trunc()
			return
		}
		v := p[4 : 4+n]
		fmt.Fprintf(b, " (%s", dhcp6OptName(t))
		bad := func() { b.WriteString(" ?)") }
		switch t {
		case 1, 2:
			if n < 2 {
				bad()
				break
			}
			switch binary.BigEndian.Uint16(v) {
			case 1:
				if n < 8 {
					bad()
					break
				}
				fmt.Fprintf(b, " hwaddr/time type %d time %d %x)", binary.BigEndian.Uint16(v[2:]), binary.BigEndian.Uint32(v[4:]), v[8:])
			case 2:
				if n < 10 {
					bad()
					break
				}
				// tcpdump 4.99.3 prints the enterprise number and the
				// identifier's first 4 bytes as one hex string.
				fmt.Fprintf(b, " vid %x)", v[2:10])
			case 3:
				if n < 4 {
					bad()
					break
				}
				fmt.Fprintf(b, " hwaddr type %d %x)", binary.BigEndian.Uint16(v[2:]), v[4:])
			default:
				fmt.Fprintf(b, " type %d)", binary.BigEndian.Uint16(v))
			}
		case 5:
			if n < 24 {
				bad()
				break
			}
			fmt.Fprintf(b, " %s pltime:%d vltime:%d", net.IP(v[:16]), binary.BigEndian.Uint32(v[16:]), binary.BigEndian.Uint32(v[20:]))
			if n > 24 {
				dhcp6Opts(c, v[24:], false)
			}
			b.WriteByte(')')
		case 6, 43:
			if n%2 != 0 {
				bad()
				break
			}
			for i := 0; i < n; i += 2 {
				b.WriteString(" " + dhcp6OptName(binary.BigEndian.Uint16(v[i:])))
			}
			b.WriteByte(')')
		case 7:
			if n != 1 {
				bad()
				break
			}
			fmt.Fprintf(b, " %d)", v[0])
		case 8:
			if n != 2 {
				bad()
				break
			}
			fmt.Fprintf(b, " %d)", binary.BigEndian.Uint16(v))
		case 9:
			b.WriteString(" (dhcp6")
			dhcp6Msg(c, v, false)
			b.WriteByte(')')
		case 11:
			dhcp6Auth(b, v)
		case 14, 20:
			b.WriteByte(')')
		case 18, 38:
			b.WriteByte(' ')
			fmt.Fprintf(b, "%x...)", v[:min(n, 10)])
		case 19:
			if n != 1 {
				bad()
				break
			}
			switch v[0] {
			case 5:
				b.WriteString(" for renew)")
			case 11:
				b.WriteString(" for inf-req)")
			default:
				fmt.Fprintf(b, " for ???(%02x))", v[0])
			}
		case 22, 23, 31, 27, 28, 34, 40, 48:
			if n%16 != 0 {
				bad()
				break
			}
			for i := 0; i < n; i += 16 {
				fmt.Fprintf(b, " %s", net.IP(v[i:i+16]))
			}
			b.WriteByte(')')
		case 21, 24:
			for q := v; len(q) > 0; {
				b.WriteByte(' ')
				rest, ok := fqdnPrint(b, q)
				if !ok {
					trunc()
					return
				}
				q = rest
			}
			b.WriteByte(')')
		case 13:
			if n < 2 {
				bad()
				break
			}
			code := binary.BigEndian.Uint16(v)
			s := "INVALID code"
			if code <= 255 {
				s = tokOr(dhcp6StatusCodes, code, fmt.Sprintf("code%d", code))
			}
			fmt.Fprintf(b, " %s)", s)
		case 3, 25:
			if n < 12 {
				bad()
				break
			}
			fmt.Fprintf(b, " IAID:%d T1:%d T2:%d", binary.BigEndian.Uint32(v), binary.BigEndian.Uint32(v[4:]), binary.BigEndian.Uint32(v[8:]))
			if n > 12 {
				dhcp6Opts(c, v[12:], false)
			}
			b.WriteByte(')')
		case 4:
			if n < 4 {
				bad()
				break
			}
			fmt.Fprintf(b, " IAID:%d", binary.BigEndian.Uint32(v))
			if n > 4 {
				dhcp6Opts(c, v[4:], false)
			}
			b.WriteByte(')')
		case 26:
			if n < 25 {
				bad()
				break
			}
			fmt.Fprintf(b, " %s/%d pltime:%d vltime:%d", net.IP(v[9:25]), v[8], binary.BigEndian.Uint32(v), binary.BigEndian.Uint32(v[4:]))
			if n > 25 {
				dhcp6Opts(c, v[25:], false)
			}
			b.WriteByte(')')
		case 32, 46:
			if n != 4 {
				bad()
				break
			}
			fmt.Fprintf(b, " %d)", binary.BigEndian.Uint32(v))
		case 37:
			if n < 4 {
				bad()
				break
			}
			fmt.Fprintf(b, " %d %x...)", binary.BigEndian.Uint32(v), v[4:min(n, 14)])
		default:
			b.WriteByte(')')
		}
		p = p[4+n:]
	}
	if cut {
		trunc()
	}
}

// fqdnPrint prints the uncompressed domain name at the start of p as
// tcpdump's fqdn_print ("corpus.test.", "." for the root) and returns
// what follows it; !ok when the name runs past p (what there is of the
// label printed) or is compressed.
func fqdnPrint(b *strings.Builder, p []byte) (rest []byte, ok bool) {
	if len(p) == 0 {
		return nil, false
	}
	if p[0] == 0 {
		b.WriteByte('.')
		return p[1:], true
	}
	for len(p) > 0 && p[0] != 0 {
		n := int(p[0])
		if n&0xc0 != 0 {
			return nil, false
		}
		if len(p) < 1+n {
			fnPrint(b, p[1:])
			return nil, false
		}
		fnPrint(b, p[1:1+n])
		b.WriteByte('.')
		p = p[1+n:]
	}
	if len(p) == 0 {
		return nil, false
	}
	return p[1:], true
}

// dhcp6Auth prints an authentication option's value (after its name).
func dhcp6Auth(b *strings.Builder, v []byte) {
	if len(v) < 11 {
		b.WriteString(" ?)")
		return
	}
	proto, alg, rdm := v[0], v[1], v[2]
	switch proto {
	case 2:
		b.WriteString(" proto: delayed")
	case 3:
		b.WriteString(" proto: reconfigure")
	default:
		fmt.Fprintf(b, " proto: %d", proto)
	}
	if alg == 1 {
		b.WriteString(", alg: HMAC-MD5")
	} else {
		fmt.Fprintf(b, ", alg: %d", alg)
	}
	if rdm == 0 {
		b.WriteString(", RDM: mono")
	} else {
		fmt.Fprintf(b, ", RDM: %d", rdm)
	}
	b.WriteString(", RD:")
	for i := 3; i < 11; i += 2 {
		fmt.Fprintf(b, " %04x", binary.BigEndian.Uint16(v[i:]))
	}
	info := v[11:]
	switch proto {
	case 2:
		if len(info) == 0 {
			break
		}
		if len(info) < 20 {
			b.WriteString(" ??")
			break
		}
		realm := len(info) - 20
		if realm > 0 {
			fmt.Fprintf(b, ", realm: %x", info[:realm])
		}
		fmt.Fprintf(b, ", key ID: %08x, HMAC-MD5:", binary.BigEndian.Uint32(info[realm:]))
		for i := realm + 4; i < realm+20; i += 4 {
			fmt.Fprintf(b, " %08x", binary.BigEndian.Uint32(info[i:]))
		}
	case 3:
		if len(info) != 17 {
			b.WriteString(" ??")
			break
		}
		switch info[0] {
		case 1:
			b.WriteString(" reconfig-key")
		case 2:
			b.WriteString(" type: HMAC-MD5")
		default:
			b.WriteString(" type: ??")
		}
		b.WriteString(" value:")
		for i := 1; i < 17; i += 4 {
			fmt.Fprintf(b, " %08x", binary.BigEndian.Uint32(info[i:]))
		}
	default:
		b.WriteString(" ??")
	}
	b.WriteByte(')')
}
