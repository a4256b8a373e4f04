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
	d.inner.quiet, d.inner.vv, d.inner.absSeq, d.inner.tcpSeq = d.quiet, d.vv, d.absSeq, d.tcpSeq
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

// unreachCodes are tcpdump's texts for the unreachable codes past 3, %s
// the unreachable address.
var unreachCodes = []string{4: "%s unreachable - need to frag", 5: "%s unreachable - source route failed",
	6: "net %s unreachable - unknown", 7: "host %s unreachable - unknown", 8: "%s unreachable - source host isolated",
	9: "net %s unreachable - admin prohibited", 10: "host %s unreachable - admin prohibited",
	11: "net %s unreachable - tos prohibited", 12: "host %s unreachable - tos prohibited",
	13: "host %s unreachable - admin prohibited filter", 14: "host %s unreachable - host precedence violation",
	15: "host %s unreachable - precedence cutoff"}

func icmp4Text(c *layers.ICMPv4, l4 int) string {
	code := c.TypeCode.Code()
	p := c.Payload
	text := ""
	switch c.TypeCode.Type() {
	case layers.ICMPv4TypeEchoRequest:
		text = fmt.Sprintf("echo request, id %d, seq %d", c.Id, c.Seq)
	case layers.ICMPv4TypeEchoReply:
		text = fmt.Sprintf("echo reply, id %d, seq %d", c.Id, c.Seq)
	case layers.ICMPv4TypeDestinationUnreachable:
		// The quoted datagram names what was unreachable.
		text = fmt.Sprintf("unreachable (code %d)", code)
		if len(p) >= 20 && p[0]>>4 == 4 {
			dst := netip.AddrFrom4([4]byte(p[16:20])).String()
			ihl := int(p[0]&0xf) * 4
			switch {
			case code == 0:
				text = fmt.Sprintf("net %s unreachable", dst)
			case code == 1:
				text = fmt.Sprintf("host %s unreachable", dst)
			case code == 2:
				text = fmt.Sprintf("%s protocol %d unreachable", dst, p[9])
			case code == 3 && len(p) >= ihl+4 && (p[9] == 6 || p[9] == 17):
				proto := map[byte]string{6: "tcp", 17: "udp"}[p[9]]
				text = fmt.Sprintf("%s %s port %d unreachable", dst, proto, binary.BigEndian.Uint16(p[ihl+2:]))
			case code == 4 && c.Seq != 0:
				text = fmt.Sprintf("%s unreachable - need to frag (mtu %d)", dst, c.Seq)
			case int(code) < len(unreachCodes) && unreachCodes[code] != "":
				text = fmt.Sprintf(unreachCodes[code], dst)
			}
		}
	case layers.ICMPv4TypeTimeExceeded:
		text = "time exceeded in-transit"
		if code == 1 {
			text = "ip reassembly time exceeded"
		}
	case layers.ICMPv4TypeSourceQuench:
		text = "source quench"
	case layers.ICMPv4TypeRedirect:
		text = fmt.Sprintf("redirect-#%d", code)
		if len(p) >= 20 && code < 4 {
			gw := netip.AddrFrom4([4]byte{byte(c.Id >> 8), byte(c.Id), byte(c.Seq >> 8), byte(c.Seq)})
			kind := [...]string{"net", "host", "tos-net", "tos-host"}[code]
			text = fmt.Sprintf("redirect %s to %s %s", netip.AddrFrom4([4]byte(p[16:20])), kind, gw)
		}
	case layers.ICMPv4TypeParameterProblem:
		text = fmt.Sprintf("parameter problem - octet %d", c.Id>>8)
		if code != 0 {
			text = fmt.Sprintf("parameter problem - code %d", code)
		}
	case layers.ICMPv4TypeTimestampRequest:
		text = fmt.Sprintf("time stamp query id %d seq %d", c.Id, c.Seq)
	case layers.ICMPv4TypeTimestampReply:
		text = fmt.Sprintf("time stamp reply id %d seq %d", c.Id, c.Seq)
		if len(p) >= 12 {
			text += fmt.Sprintf(": org %s, recv %s, xmit %s", msOfDay(p), msOfDay(p[4:]), msOfDay(p[8:]))
		}
	case layers.ICMPv4TypeAddressMaskRequest:
		text = "address mask request"
	case layers.ICMPv4TypeAddressMaskReply:
		text = "address mask reply"
		if len(p) >= 4 {
			text = fmt.Sprintf("address mask is 0x%08x", binary.BigEndian.Uint32(p))
		}
	case layers.ICMPv4TypeRouterSolicitation:
		text = "router solicitation"
	case layers.ICMPv4TypeRouterAdvertisement:
		n, size := int(c.Id>>8), int(c.Id&0xff)
		life := int(c.Seq)
		text = fmt.Sprintf("router advertisement lifetime %d:%02d %d:", life/60, life%60, n)
		for i := 0; i < n && size >= 2 && len(p) >= (i+1)*size*4; i++ {
			e := p[i*size*4:]
			text += fmt.Sprintf(" {%s %d}", netip.AddrFrom4([4]byte(e[:4])), int32(binary.BigEndian.Uint32(e[4:])))
		}
	case layers.ICMPv4TypeInfoRequest:
		text = "information request"
	case layers.ICMPv4TypeInfoReply:
		text = "information reply"
	default:
		text = fmt.Sprintf("type-#%d", c.TypeCode.Type())
	}
	return fmt.Sprintf("%s, length %d", text, l4)
}

// msOfDay is an ICMP timestamp, milliseconds since midnight UTC.
func msOfDay(p []byte) string {
	t := binary.BigEndian.Uint32(p)
	return fmt.Sprintf("%02d:%02d:%02d.%03d", t/3600000, t/60000%60, t/1000%60, t%1000)
}
