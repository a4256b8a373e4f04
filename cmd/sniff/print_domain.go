package main

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// DNS (tcpdump's print-domain.c).

func printDNS(c *pctx, data []byte) {
	m := &c.d.ly.dns
	if c.d.quiet {
		c.udpLength()
		return
	}
	if c.length < 12 {
		fmt.Fprintf(c.b, "domain [length %d < 12] (invalid)", c.length)
		return
	}
	if m.DecodeFromBytes(data, nilDF) != nil {
		if len(data) < 12 {
			c.b.WriteString(" [|domain]")
			return
		}
		// tcpdump prints the header it could read, then its mark.
		id, f := binary.BigEndian.Uint16(data), binary.BigEndian.Uint16(data[2:])
		fmt.Fprintf(c.b, "%d%s", id, dnsOp(layers.DNSOpCode(f>>11&0xf)))
		if f&0x8000 == 0 {
			if f&0x0100 != 0 {
				c.b.WriteByte('+')
			}
			if f&0x0010 != 0 {
				c.b.WriteByte('%')
			}
		} else {
			c.b.WriteString(dnsRcode(layers.DNSResponseCode(f & 0xf)))
			for _, fl := range []struct {
				on bool
				c  byte
			}{{f&0x0400 != 0, '*'}, {f&0x0080 == 0, '-'}, {f&0x0200 != 0, '|'}, {f&0x0020 != 0, '$'}} {
				if fl.on {
					c.b.WriteByte(fl.c)
				}
			}
			if q := binary.BigEndian.Uint16(data[4:]); q != 1 {
				fmt.Fprintf(c.b, " [%dq]", q)
			}
			fmt.Fprintf(c.b, " %d/%d/%d", binary.BigEndian.Uint16(data[6:]), binary.BigEndian.Uint16(data[8:]), binary.BigEndian.Uint16(data[10:]))
		}
		c.b.WriteString(" [|domain]")
		return
	}
	dnsText(c.b, m, len(data), c.verbose, c.d.vv)
	c.f["dns_id"] = int(m.ID)
}

// printDNSTCP is DNS over TCP port 53: the two-byte length prefix, which
// must give the rest of the segment, then the message as over UDP after a
// space (tcpdump's domain_print with over_tcp).
func printDNSTCP(c *pctx, data []byte) {
	n := c.length
	switch {
	case n < 2:
		fmt.Fprintf(c.b, " [DNS over TCP: length %d < 2] (invalid)", n)
		return
	case len(data) < 2:
		c.b.WriteString(" [|domain]")
		return
	}
	if p := int(binary.BigEndian.Uint16(data)); p != n-2 {
		fmt.Fprintf(c.b, " [prefix length(%d) != length(%d)] (invalid)", p, n-2)
		return
	}
	c.b.WriteByte(' ')
	c.length = n - 2
	printDNS(c, data[2:])
}

// dnsText is tcpdump's DNS text (print-domain.c's ns_print): a query's id,
// flags and questions; a response's id, opcode, rcode and flags, the
// section counts and the answers (with -v each with its owner name).
// dnsText prints a DNS message; with -vv (vv) also a response's questions
// and the sections tcpdump prints only then.
func dnsText(b *strings.Builder, m *layers.DNS, n int, verbose, vv bool) {
	rrs := func(prefix string, l []layers.DNSResourceRecord) {
		for i, rr := range l {
			if i == 0 {
				b.WriteString(prefix)
			} else {
				b.WriteByte(',')
			}
			dnsRR(b, &rr, verbose)
		}
	}
	fmt.Fprintf(b, "%d%s", m.ID, dnsOp(m.OpCode))
	if !m.QR {
		if m.RD {
			b.WriteByte('+')
		}
		if m.Z&1 != 0 { // CD
			b.WriteByte('%')
		}
		if len(m.Answers) > 0 {
			fmt.Fprintf(b, " [%da]", len(m.Answers))
		}
		if len(m.Questions) != 1 {
			fmt.Fprintf(b, " [%dq]", len(m.Questions))
		}
		if len(m.Authorities) > 0 {
			fmt.Fprintf(b, " [%dn]", len(m.Authorities))
		}
		if len(m.Additionals) > 0 {
			fmt.Fprintf(b, " [%dau]", len(m.Additionals))
		}
		for _, q := range m.Questions {
			b.WriteString(" " + dnsTypeName(q.Type))
			if q.Class != layers.DNSClassIN {
				b.WriteString(" " + dnsClassName(q.Class))
			}
			b.WriteString("? " + dnsName(q.Name))
		}
		if vv {
			rrs("", m.Answers)
			rrs(" ns:", m.Authorities)
			rrs(" ar:", m.Additionals)
		}
		fmt.Fprintf(b, " (%d)", n)
		return
	}
	b.WriteString(dnsRcode(m.ResponseCode))
	if m.AA {
		b.WriteByte('*')
	}
	if !m.RA {
		b.WriteByte('-')
	}
	if m.TC {
		b.WriteByte('|')
	}
	if m.Z&2 != 0 { // AD
		b.WriteByte('$')
	}
	if len(m.Questions) != 1 {
		fmt.Fprintf(b, " [%dq]", len(m.Questions))
	}
	if vv {
		for i, q := range m.Questions {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(" q: " + dnsTypeName(q.Type))
			if q.Class != layers.DNSClassIN {
				b.WriteString(" " + dnsClassName(q.Class))
			}
			b.WriteString("? " + dnsName(q.Name))
		}
	}
	fmt.Fprintf(b, " %d/%d/%d", len(m.Answers), len(m.Authorities), len(m.Additionals))
	rrs("", m.Answers)
	if vv {
		rrs(" ns:", m.Authorities)
		rrs(" ar:", m.Additionals)
	}
	fmt.Fprintf(b, " (%d)", n)
}

// dnsRR writes one resource record as tcpdump's ns_rprint does.
func dnsRR(b *strings.Builder, rr *layers.DNSResourceRecord, verbose bool) {
	if verbose {
		b.WriteString(" " + dnsName(rr.Name))
	}
	if rr.Class != layers.DNSClassIN && rr.Type != layers.DNSTypeOPT {
		b.WriteString(" " + dnsClassName(rr.Class))
	}
	b.WriteString(" " + dnsTypeName(rr.Type))
	switch rr.Type {
	case layers.DNSTypeA, layers.DNSTypeAAAA:
		b.WriteString(" " + rr.IP.String())
	case layers.DNSTypeNS:
		b.WriteString(" " + dnsName(rr.NS))
	case layers.DNSTypeCNAME:
		b.WriteString(" " + dnsName(rr.CNAME))
	case layers.DNSTypePTR:
		b.WriteString(" " + dnsName(rr.PTR))
	case layers.DNSTypeMX:
		fmt.Fprintf(b, " %s %d", dnsName(rr.MX.Name), rr.MX.Preference)
	case layers.DNSTypeTXT:
		for _, t := range rr.TXTs {
			b.WriteString(" \"")
			for _, c := range t {
				if c >= 0x20 && c < 0x7f {
					b.WriteByte(c)
				} else {
					fmt.Fprintf(b, "\\%03o", c)
				}
			}
			b.WriteByte('"')
		}
	case layers.DNSTypeSRV:
		fmt.Fprintf(b, " %s:%d %d %d", dnsName(rr.SRV.Name), rr.SRV.Port, rr.SRV.Priority, rr.SRV.Weight)
	case layers.DNSTypeSOA:
		if verbose {
			fmt.Fprintf(b, " %s %s %d %d %d %d %d", dnsName(rr.SOA.MName), dnsName(rr.SOA.RName),
				rr.SOA.Serial, rr.SOA.Refresh, rr.SOA.Retry, rr.SOA.Expire, rr.SOA.Minimum)
		}
	case layers.DNSTypeOPT:
		fmt.Fprintf(b, " UDPsize=%d", uint16(rr.Class))
		if rr.TTL&0x8000 != 0 {
			b.WriteString(" DO")
		}
	}
}

// dnsName is a domain name as tcpdump prints it: with the final dot, "."
// for the root.
func dnsName(n []byte) string {
	if len(n) == 0 {
		return "."
	}
	for _, ch := range n {
		if ch < 0x20 || ch >= 0x7f { // escaped as tcpdump's fn_print_char does
			var b strings.Builder
			fnPrint(&b, n)
			return b.String() + "."
		}
	}
	return string(n) + "."
}

// dnsTypeNames is tcpdump 4.99's table (ns_type2str): newer types such
// as HTTPS print as "Type65" there too.
var dnsTypeNames = map[layers.DNSType]string{
	1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG", 9: "MR", 10: "NULL",
	11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO", 15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB",
	19: "X25", 20: "ISDN", 21: "RT", 22: "NSAP", 23: "NSAP_PTR", 24: "SIG", 25: "KEY", 26: "PX",
	27: "GPOS", 28: "AAAA", 29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC", 33: "SRV", 34: "ATMA",
	35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6", 39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL",
	43: "DS", 44: "SSHFP", 45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 99: "SPF",
	100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC", 249: "TKEY", 250: "TSIG", 251: "IXFR",
	252: "AXFR", 253: "MAILB", 254: "MAILA", 255: "ANY", 256: "URI",
}

// dnsTypeName names a record type as tcpdump does ("Type65534" unknown).
func dnsTypeName(t layers.DNSType) string {
	if s, ok := dnsTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("Type%d", uint16(t))
}

func dnsClassName(c layers.DNSClass) string {
	switch c {
	case 3:
		return "CHAOS"
	case 4:
		return "HS"
	case 255:
		return "ANY"
	}
	return fmt.Sprintf("(Class %d)", uint16(c))
}

// dnsOp is tcpdump's opcode text: "" for a standard query.
func dnsOp(op layers.DNSOpCode) string {
	switch op {
	case 0:
		return ""
	case 1:
		return " inv_q"
	case 2:
		return " stat"
	case 4:
		return " notify"
	case 5:
		return " update"
	}
	return fmt.Sprintf(" op%d", uint8(op))
}

// dnsRcode is tcpdump's response code text: "" for no error.
func dnsRcode(rc layers.DNSResponseCode) string {
	names := [...]string{"", " FormErr", " ServFail", " NXDomain", " NotImp", " Refused",
		" YXDomain", " YXRRSet", " NXRRSet", " NotAuth", " NotZone"}
	if int(rc) < len(names) {
		return names[rc]
	}
	return fmt.Sprintf(" Resp%d", uint8(rc))
}
