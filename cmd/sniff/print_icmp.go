package main

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// ICMP (tcpdump's print-icmp.c).

func printICMP(c *pctx, data []byte) {
	m := &c.d.ly.icmp4
	if m.DecodeFromBytes(data, nilDF) != nil {
		c.addrPair()
		c.b.WriteString(" [|icmp]")
		return
	}
	c.f["proto"] = "ICMP"
	c.addrPair()
	if icmp4Short(m) {
		c.b.WriteString(" [|icmp]")
		return
	}
	fmt.Fprintf(c.b, "ICMP %s", icmp4Text(m, c.l4))
	if c.verbose && !c.frag && len(data) >= c.l4 {
		if sum := checksum(data[:c.l4]); sum != 0 {
			fmt.Fprintf(c.b, " (wrong icmp cksum %x (->%x)!)", m.Checksum, shouldBe(m.Checksum, sum))
		}
	}
	if c.verbose && !c.d.isQuote {
		c.d.quoted(c.b, m)
	}
}

// quoted writes, as tcpdump -v does, the datagram an ICMP error quotes on
// a line of its own, decoded like a packet of its own (its TCP sequence
// numbers count in the same conversations). One level only: where the
// quote is itself an ICMP error, its quote is not decoded (tcpdump 4.99
// goes on down; a 64 KiB packet nests 2,339 levels, which cost sniff
// quadratic time and 355 KB of text). An ICMP error never quotes another
// one (RFC 1122 3.2.2), so only forged packets lose anything.
func (d *decoder) quoted(b *strings.Builder, m *layers.ICMPv4) {
	switch m.TypeCode.Type() {
	case layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4TypeSourceQuench, layers.ICMPv4TypeRedirect,
		layers.ICMPv4TypeTimeExceeded, layers.ICMPv4TypeParameterProblem:
	default:
		return
	}
	q := m.Payload
	if len(q) < 20 || q[0]>>4 != 4 {
		return
	}
	if d.inner == nil {
		d.inner = newDecoder()
		d.inner.isQuote = true
	}
	if d.tcpSeq == nil {
		d.tcpSeq = map[tcpConv]tcpBase{}
	}
	d.inner.quiet, d.inner.absSeq, d.inner.tcpSeq = d.quiet, d.absSeq, d.tcpSeq
	// Its length is the one its header gives, as tcpdump takes it: a
	// quote is cut short by design.
	in := d.inner.decodeWith(&pkt{data: q, len: int(binary.BigEndian.Uint16(q[2:])), lt: layers.LinkTypeIPv4}, true, false, false)
	b.WriteString("\n\t")
	b.WriteString(in.text)
}

// icmp4Short: the capture ends before what tcpdump prints of an
// unreachable message (the quoted header and ports).
func icmp4Short(m *layers.ICMPv4) bool {
	if m.TypeCode.Type() != layers.ICMPv4TypeDestinationUnreachable || m.TypeCode.Code() > 3 {
		return false
	}
	q := m.Payload
	if len(q) < 20 {
		return true
	}
	ihl := int(q[0]&0xf) * 4
	return m.TypeCode.Code() == 3 && (q[9] == 6 || q[9] == 17) && len(q) < ihl+4
}

func icmp4Text(c *layers.ICMPv4, l4 int) string {
	switch c.TypeCode.Type() {
	case layers.ICMPv4TypeEchoRequest:
		return fmt.Sprintf("echo request, id %d, seq %d, length %d", c.Id, c.Seq, l4)
	case layers.ICMPv4TypeEchoReply:
		return fmt.Sprintf("echo reply, id %d, seq %d, length %d", c.Id, c.Seq, l4)
	case layers.ICMPv4TypeDestinationUnreachable:
		// The quoted datagram names what was unreachable.
		q := c.Payload
		if len(q) >= 20 && q[0]>>4 == 4 {
			dst := netip.AddrFrom4([4]byte(q[16:20]))
			ihl := int(q[0]&0xf) * 4
			switch c.TypeCode.Code() {
			case 0:
				return fmt.Sprintf("net %s unreachable, length %d", dst, l4)
			case 1:
				return fmt.Sprintf("host %s unreachable, length %d", dst, l4)
			case 2:
				return fmt.Sprintf("%s protocol %d unreachable, length %d", dst, q[9], l4)
			case 3:
				if len(q) >= ihl+4 && (q[9] == 6 || q[9] == 17) {
					proto := map[byte]string{6: "tcp", 17: "udp"}[q[9]]
					return fmt.Sprintf("%s %s port %d unreachable, length %d", dst, proto, binary.BigEndian.Uint16(q[ihl+2:]), l4)
				}
			}
		}
		return fmt.Sprintf("unreachable (code %d), length %d", c.TypeCode.Code(), l4)
	case layers.ICMPv4TypeTimeExceeded:
		return fmt.Sprintf("time exceeded in-transit, length %d", l4)
	}
	return fmt.Sprintf("type-#%d, length %d", c.TypeCode.Type(), l4)
}
