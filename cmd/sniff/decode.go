package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// pkt is one captured or read packet.
type pkt struct {
	data  []byte
	ts    time.Time
	len   int // on the wire
	iface int // index into the capture's interface list
	dir   int // 0 unknown, 1 in, 2 out (pcapng epb_flags)
	lt    layers.LinkType
}

// decoder turns packets into tcpdump-style text. It reuses its layers:
// one decoder per output goroutine.
type decoder struct {
	eth    layers.Ethernet
	dot1q  layers.Dot1Q
	sll    layers.LinuxSLL
	sll2   layers.LinuxSLL2
	ifname func(index int) string // names SLL2 interface indexes
	arp    layers.ARP
	ip4    layers.IPv4
	ip6    layers.IPv6
	ext    layers.IPv6ExtensionSkipper
	frag   layers.IPv6Fragment
	icmp4  layers.ICMPv4
	icmp6  layers.ICMPv6
	tcp    layers.TCP
	udp    layers.UDP
	dns    layers.DNS
	pay    gopacket.Payload
	fields map[string]any // scratch fields when JSON is off
	quiet  bool           // -q: no application-layer decoding
	absSeq bool           // -S: absolute TCP sequence numbers
	// tcpSeq holds each TCP conversation's base sequence numbers for
	// tcpdump's relative numbering (one entry for both directions).
	tcpSeq  map[tcpConv]tcpBase
	verbose bool     // -v for the packet being decoded
	inner   *decoder // for the datagram an ICMP error quotes
	// isQuote: this decoder decodes a quoted datagram, whose own quote
	// (an ICMP error quoting an ICMP error…) is not decoded again.
	isQuote bool
	// extPrefix names the IPv6 extension headers before an ICMPv6 message
	// ("HBH "), as tcpdump prints them without -v.
	extPrefix string
	parser    map[gopacket.LayerType]*gopacket.DecodingLayerParser
	types     []gopacket.LayerType
	vlans     []layers.Dot1Q
}

func newDecoder() *decoder {
	d := &decoder{parser: map[gopacket.LayerType]*gopacket.DecodingLayerParser{}}
	d.ifname = localIfname()
	for _, first := range []gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeLinuxSLL2, layers.LayerTypeIPv4, layers.LayerTypeIPv6} {
		p := gopacket.NewDecodingLayerParser(first,
			&d.eth, &d.dot1q, &d.sll, &d.sll2, &d.arp, &d.ip4, &d.ip6, &d.ext, &d.frag, &d.icmp4, &d.icmp6, &d.tcp, &d.udp, &d.pay)
		p.IgnoreUnsupported = true
		d.parser[first] = p
	}
	d.types = make([]gopacket.LayerType, 0, 16)
	return d
}

// summary is what one packet decodes to: the text line's parts and the
// JSON object's fields.
type summary struct {
	prefix  string // cooked v2: "lo    In  "
	link    string // -e: "aa:.. > bb:.., ethertype IPv4 (0x0800), length 98: "
	vlan    string
	text    string // "IP 10.0.0.1.5 > 10.0.0.2.6: UDP, length 4"
	verbose string // -v header line parts, inserted after the protocol name
	payload []byte // after the link layer, for -x
	fields  map[string]any
}

var ethertypeNames = map[layers.EthernetType]string{
	layers.EthernetTypeIPv4: "IPv4", layers.EthernetTypeIPv6: "IPv6", layers.EthernetTypeARP: "ARP",
	layers.EthernetTypeDot1Q: "802.1Q", layers.EthernetTypeQinQ: "802.1Q-QinQ", 0x88cc: "LLDP",
}

func ethertypeName(t layers.EthernetType) string {
	if n, ok := ethertypeNames[t]; ok {
		return n
	}
	return "Unknown"
}

func (d *decoder) decode(p *pkt, verbose bool) summary {
	return d.decodeWith(p, verbose, false, false)
}

// decodeWith decodes p; link builds the -e text and fields the JSON fields,
// which the plain line does not pay for.
func (d *decoder) decodeWith(p *pkt, verbose, link, fields bool) summary {
	d.verbose = verbose
	s := summary{fields: d.fields}
	if fields {
		s.fields = map[string]any{}
	} else if s.fields == nil {
		s.fields = map[string]any{}
		d.fields = s.fields
	}
	first := layers.LayerTypeEthernet
	switch p.lt {
	case layers.LinkTypeLinuxSLL:
		first = layers.LayerTypeLinuxSLL
	case layers.LinkTypeLinuxSLL2:
		first = layers.LayerTypeLinuxSLL2
	case layers.LinkTypeRaw, layers.LinkTypeIPv4:
		first = layers.LayerTypeIPv4
		if len(p.data) > 0 && p.data[0]>>4 == 6 {
			first = layers.LayerTypeIPv6
		}
	case layers.LinkTypeIPv6:
		first = layers.LayerTypeIPv6
	case linkTypeCAN:
		s.text = canText(p.data, s.fields)
		s.payload = p.data
		return s
	case linkTypeBTMon:
		s.text = btMonText(p.data, s.fields)
		s.payload = p.data[min(4, len(p.data)):]
		return s
	case layers.LinkTypeEthernet:
	default:
		s.text = fmt.Sprintf("unsupported link type %d, length %d", p.lt, p.len)
		return s
	}
	d.parser[first].DecodeLayers(p.data, &d.types)
	s.payload = p.data
	var b strings.Builder
	d.vlans = d.vlans[:0]
	done := false
	for i, t := range d.types {
		if done {
			break
		}
		switch t {
		case layers.LayerTypeEthernet:
			if fields {
				s.fields["src_mac"], s.fields["dst_mac"] = d.eth.SrcMAC.String(), d.eth.DstMAC.String()
			}
			if !link {
				s.payload = d.eth.Payload
				continue
			}
			s.link = fmt.Sprintf("%s > %s, ethertype %s (0x%04x), length %d: ", d.eth.SrcMAC, d.eth.DstMAC,
				ethertypeName(d.eth.EthernetType), uint16(d.eth.EthernetType), p.len)
			s.payload = d.eth.Payload
		case layers.LayerTypeLinuxSLL:
			dir := map[layers.LinuxSLLPacketType]string{layers.LinuxSLLPacketTypeOutgoing: "Out"}[d.sll.PacketType]
			if dir == "" {
				dir = "In"
			}
			s.link = fmt.Sprintf("%-3s %s ethertype %s (0x%04x), length %d: ", dir, net.HardwareAddr(d.sll.Addr),
				ethertypeName(d.sll.EthernetType), uint16(d.sll.EthernetType), p.len)
			s.payload = d.sll.Payload
		case layers.LayerTypeLinuxSLL2:
			// tcpdump prints the interface and direction of cooked v2
			// packets with or without -e.
			name := d.ifname(int(d.sll2.InterfaceIndex))
			s.prefix = fmt.Sprintf("%-5s %-3s ", name, sll2Dir(uint8(d.sll2.PacketType)))
			if fields {
				s.fields["interface"] = name
			}
			if link {
				s.link = fmt.Sprintf("ifindex %d %s ethertype %s (0x%04x), length %d: ", d.sll2.InterfaceIndex, d.sll2.Addr,
					ethertypeName(d.sll2.ProtocolType), uint16(d.sll2.ProtocolType), p.len)
			}
			s.payload = d.sll2.Payload
		case layers.LayerTypeDot1Q:
			s.vlan += fmt.Sprintf("vlan %d, p %d, ethertype %s (0x%04x), ", d.dot1q.VLANIdentifier, d.dot1q.Priority,
				ethertypeName(d.dot1q.Type), uint16(d.dot1q.Type))
			s.fields["vlan"] = int(d.dot1q.VLANIdentifier)
			s.payload = d.dot1q.Payload
		case layers.LayerTypeARP:
			b.WriteString(arpText(&d.arp, p.len, verbose))
			s.fields["proto"] = "ARP"
			done = true
		case layers.LayerTypeIPv4:
			if fields {
				s.fields["src"], s.fields["dst"] = d.ip4.SrcIP.String(), d.ip4.DstIP.String()
			}
			if verbose {
				flags := []string{}
				if d.ip4.Flags&layers.IPv4DontFragment != 0 {
					flags = append(flags, "DF")
				}
				if d.ip4.Flags&layers.IPv4MoreFragments != 0 {
					flags = append(flags, "+")
				}
				fmt.Fprintf(&b, "IP (tos 0x%x, ttl %d, id %d, offset %d, flags [%s], proto %s (%d), length %d)\n    ",
					d.ip4.TOS, d.ip4.TTL, d.ip4.Id, int(d.ip4.FragOffset)*8, strings.Join(flagsOrNone(flags), ""),
					ipProtoName(d.ip4.Protocol), uint8(d.ip4.Protocol), d.ip4.Length)
			} else {
				b.WriteString("IP ")
			}
			if d.ip4.FragOffset != 0 {
				fmt.Fprintf(&b, "%s > %s: ip-proto-%d", d.ip4.SrcIP, d.ip4.DstIP, uint8(d.ip4.Protocol))
				done = true
			} else if d.ip4.Flags&layers.IPv4MoreFragments != 0 && d.ip4.Protocol == layers.IPProtocolICMPv4 &&
				d.icmp4.DecodeFromBytes(d.ip4.Payload, gopacket.NilDecodeFeedback) == nil {
				// A first fragment: gopacket stops at the IP layer, tcpdump
				// decodes the ICMP header it carries.
				d.transport(&b, []gopacket.LayerType{layers.LayerTypeICMPv4}, d.ip4.SrcIP, d.ip4.DstIP, uint8(d.ip4.Protocol), len(d.ip4.Payload), s.fields)
			} else if !d.transport(&b, d.types[i+1:], d.ip4.SrcIP, d.ip4.DstIP, uint8(d.ip4.Protocol), len(d.ip4.Payload), s.fields) {
				fmt.Fprintf(&b, "%s > %s: ip-proto-%d %d", d.ip4.SrcIP, d.ip4.DstIP, uint8(d.ip4.Protocol), len(d.ip4.Payload))
			}
			done = true
		case layers.LayerTypeIPv6:
			if fields {
				s.fields["src"], s.fields["dst"] = d.ip6.SrcIP.String(), d.ip6.DstIP.String()
			}
			if verbose {
				b.WriteString("IP6 (")
				if d.ip6.FlowLabel != 0 { // tcpdump leaves out a zero flow label
					fmt.Fprintf(&b, "flowlabel 0x%05x, ", d.ip6.FlowLabel)
				}
				fmt.Fprintf(&b, "hlim %d, next-header %s (%d) payload length: %d) ",
					d.ip6.HopLimit, ipProtoName(d.ip6.NextHeader), uint8(d.ip6.NextHeader), d.ip6.Length)
			} else {
				b.WriteString("IP6 ")
			}
			proto := d.lastNext()
			d.extPrefix = ""
			if !verbose { // -v would print the options too
				if d.ip6.HopByHop != nil { // gopacket decodes it inside IPv6
					d.extPrefix = "HBH "
				}
				for _, t := range d.types[i+1:] {
					switch t {
					case layers.LayerTypeIPv6HopByHop:
						d.extPrefix += "HBH "
					case layers.LayerTypeIPv6Destination:
						d.extPrefix += "DSTOPT "
					}
				}
			}
			if !d.transport(&b, d.types[i+1:], d.ip6.SrcIP, d.ip6.DstIP, proto, d.l4len(), s.fields) {
				fmt.Fprintf(&b, "%s > %s: ip-proto-%d %d", d.ip6.SrcIP, d.ip6.DstIP, proto, d.l4len())
			}
			done = true
		}
	}
	if b.Len() == 0 {
		switch {
		case p.lt == layers.LinkTypeEthernet && len(d.types) > 0:
			et := d.eth.EthernetType
			if len(d.vlans) > 0 || d.dot1q.Type != 0 && d.types[len(d.types)-1] == layers.LayerTypeDot1Q {
				et = d.dot1q.Type
			}
			fmt.Fprintf(&b, "ethertype %s (0x%04x), length %d", ethertypeName(et), uint16(et), p.len)
		default:
			fmt.Fprintf(&b, "[|ether] length %d", p.len)
		}
	}
	s.text = b.String()
	return s
}

// sll2Dir names a packet type as tcpdump does.
func sll2Dir(t uint8) string {
	switch t {
	case 0:
		return "In"
	case 1:
		return "B"
	case 2:
		return "M"
	case 3:
		return "P"
	case 4:
		return "Out"
	}
	return "?"
}

// localIfname names interface indexes in sniff's own namespace, caching.
func localIfname() func(int) string {
	cache := map[int]string{}
	return func(i int) string {
		if n, ok := cache[i]; ok {
			return n
		}
		n := "ifindex" + strconv.Itoa(i)
		if ifi, err := net.InterfaceByIndex(i); err == nil {
			n = ifi.Name
		}
		cache[i] = n
		return n
	}
}

// ipProtoName names an IP protocol as tcpdump -v does.
func ipProtoName(p layers.IPProtocol) string {
	switch p {
	case layers.IPProtocolICMPv4:
		return "ICMP"
	case layers.IPProtocolICMPv6:
		return "ICMPv6"
	case layers.IPProtocolTCP, layers.IPProtocolUDP, layers.IPProtocolIGMP, layers.IPProtocolGRE, layers.IPProtocolSCTP:
		return strings.ToUpper(p.String())
	case layers.IPProtocolIPv6HopByHop:
		return "Options"
	}
	return "unknown"
}

func flagsOrNone(f []string) []string {
	if len(f) == 0 {
		return []string{"none"}
	}
	return f
}

// lastNext is the upper-layer protocol after IPv6's extension headers.
func (d *decoder) lastNext() uint8 {
	next := d.ip6.NextHeader
	for _, t := range d.types {
		switch t {
		case layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Routing, layers.LayerTypeIPv6Destination:
			next = d.ext.NextHeader
		case layers.LayerTypeIPv6Fragment:
			next = d.frag.NextHeader
		}
	}
	return uint8(next)
}

func (d *decoder) l4len() int {
	n := len(d.ip6.Payload)
	for _, t := range d.types {
		switch t {
		case layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Routing, layers.LayerTypeIPv6Destination:
			n = len(d.ext.Payload)
		case layers.LayerTypeIPv6Fragment:
			n = len(d.frag.Payload)
		}
	}
	return n
}

// appendIP appends an address as net.IP.String does, without allocating.
func appendIP(dst []byte, ip net.IP) []byte {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return append(dst, ip.String()...)
	}
	return a.Unmap().AppendTo(dst)
}

func has(ts []gopacket.LayerType, t gopacket.LayerType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// transport writes "src.port > dst.port: ..." for the layer after IP.
func (d *decoder) transport(b *strings.Builder, rest []gopacket.LayerType, srcIP, dstIP net.IP, proto uint8, l4 int, f map[string]any) bool {
	var src, dst string
	ends := func(sport, dport layers.TCPPort) {
		var buf [128]byte
		o := appendIP(buf[:0], srcIP)
		o = append(o, '.')
		o = strconv.AppendUint(o, uint64(sport), 10)
		o = append(o, " > "...)
		o = appendIP(o, dstIP)
		o = append(o, '.')
		o = strconv.AppendUint(o, uint64(dport), 10)
		o = append(o, ": "...)
		b.Write(o)
	}
	switch {
	case has(rest, layers.LayerTypeTCP):
		f["proto"], f["sport"], f["dport"] = "TCP", int(d.tcp.SrcPort), int(d.tcp.DstPort)
		ends(d.tcp.SrcPort, d.tcp.DstPort)
		seq, ack := d.tcp.Seq, d.tcp.Ack
		if !d.absSeq && d.tcp.ACK {
			seq, ack = d.relativeSeq(srcIP, dstIP)
		}
		tcpText(b, &d.tcp, seq, ack, d.tcpChecksum(srcIP, dstIP, l4))
		return true
	case has(rest, layers.LayerTypeUDP):
		f["proto"], f["sport"], f["dport"] = "UDP", int(d.udp.SrcPort), int(d.udp.DstPort)
		ends(layers.TCPPort(d.udp.SrcPort), layers.TCPPort(d.udp.DstPort))
		b.WriteString(d.v6Checksum("udp", srcIP, dstIP, uint8(layers.IPProtocolUDP), d.udp.Checksum, d.udp.Contents, d.udp.Payload, int(d.udp.Length)))
		if !d.quiet && (d.udp.SrcPort == 53 || d.udp.DstPort == 53 || d.udp.SrcPort == 5353 || d.udp.DstPort == 5353) &&
			d.dns.DecodeFromBytes(d.udp.Payload, gopacket.NilDecodeFeedback) == nil {
			dnsText(b, &d.dns, len(d.udp.Payload), d.verbose)
			f["dns_id"] = int(d.dns.ID)
			return true
		}
		var buf [32]byte
		b.Write(strconv.AppendInt(append(buf[:0], "UDP, length "...), int64(len(d.udp.Payload)), 10))
		return true
	}
	src, dst = srcIP.String(), dstIP.String()
	switch {
	case has(rest, layers.LayerTypeICMPv4):
		f["proto"] = "ICMP"
		fmt.Fprintf(b, "%s > %s: ICMP %s", src, dst, icmp4Text(&d.icmp4, l4))
		if d.verbose && !d.isQuote {
			d.quoted(b)
		}
		return true
	case has(rest, layers.LayerTypeICMPv6):
		f["proto"] = "ICMP6"
		sum := d.v6Checksum("icmp6", srcIP, dstIP, uint8(layers.IPProtocolICMPv6), d.icmp6.Checksum, d.icmp6.Contents, d.icmp6.Payload, l4)
		fmt.Fprintf(b, "%s > %s: %s%sICMP6, %s", src, dst, d.extPrefix, sum, icmp6Text(&d.icmp6))
		if !d.verbose { // -v shows the length in the IPv6 header instead
			fmt.Fprintf(b, ", length %d", l4)
		}
		return true
	case proto == uint8(layers.IPProtocolTCP) || proto == uint8(layers.IPProtocolUDP):
		fmt.Fprintf(b, "%s > %s: [|%s]", src, dst, strings.ToLower(layers.IPProtocol(proto).String()))
		return true
	}
	return false
}

// tcpConv names a TCP conversation in both directions: the lower address
// (then port) first, as tcpdump collates them.
type tcpConv struct {
	lo, hi [16]byte
	ports  uint32
}

// tcpBase is a conversation's first sequence numbers: seq of the lo side,
// ack that the lo side's packets carry minus one.
type tcpBase struct{ seq, ack uint32 }

// relativeSeq returns the current TCP segment's seq and ack relative to the
// conversation, as tcpdump prints them without -S: the first packet with
// ACK set (the SYN-ACK, or the first one seen mid-stream) and every SYN
// record the conversation's numbers and print them whole; later packets
// print the difference.
func (d *decoder) relativeSeq(src, dst net.IP) (seq, ack uint32) {
	t := &d.tcp
	var k tcpConv
	s4, d4 := src.To4(), dst.To4()
	a, z := []byte(src.To16()), []byte(dst.To16())
	if s4 != nil && d4 != nil {
		a, z = s4, d4
	}
	c := bytes.Compare(a, z)
	rev := c > 0 || (c == 0 && t.SrcPort > t.DstPort)
	if rev {
		copy(k.lo[:], z)
		copy(k.hi[:], a)
		k.ports = uint32(t.DstPort)<<16 | uint32(t.SrcPort)
	} else {
		copy(k.lo[:], a)
		copy(k.hi[:], z)
		k.ports = uint32(t.SrcPort)<<16 | uint32(t.DstPort)
	}
	if d.tcpSeq == nil {
		d.tcpSeq = map[tcpConv]tcpBase{}
	}
	base, ok := d.tcpSeq[k]
	if !ok || t.SYN {
		if rev {
			d.tcpSeq[k] = tcpBase{seq: t.Ack - 1, ack: t.Seq}
		} else {
			d.tcpSeq[k] = tcpBase{seq: t.Seq, ack: t.Ack - 1}
		}
		return t.Seq, t.Ack
	}
	if rev {
		return t.Seq - base.ack, t.Ack - base.seq
	}
	return t.Seq - base.seq, t.Ack - base.ack
}

// segment returns the l4 bytes of a transport header and its payload,
// which lie one after the other in the decoded packet, or nil when the
// capture holds less.
func segment(contents, payload []byte, l4 int) []byte {
	if len(contents) == 0 || len(contents)+len(payload) < l4 || cap(contents) < l4 || l4 < len(contents) {
		return nil
	}
	return contents[:l4:l4]
}

// pseudoChecksum is the Internet checksum over seg and the IPv4 or IPv6
// pseudo-header: 0 when seg's checksum field is right.
func pseudoChecksum(src, dst net.IP, proto uint8, seg []byte) uint16 {
	var sum uint32
	add := func(b []byte) {
		for len(b) >= 2 {
			sum += uint32(b[0])<<8 | uint32(b[1])
			b = b[2:]
		}
		if len(b) == 1 {
			sum += uint32(b[0]) << 8
		}
	}
	if s4, d4 := src.To4(), dst.To4(); s4 != nil && d4 != nil {
		add(s4)
		add(d4)
	} else {
		add(src.To16())
		add(dst.To16())
	}
	n := uint32(len(seg))
	sum += uint32(proto) + n>>16 + n&0xffff
	add(seg)
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// shouldBe is tcpdump's in_cksum_shouldbe: the checksum that would have
// been right, from the stored one and the computed sum.
func shouldBe(stored, computed uint16) uint16 {
	v := uint32(stored) + uint32(computed)
	v = v&0xffff + v>>16
	v = v&0xffff + v>>16
	return uint16(v)
}

// tcpChecksum returns tcpdump's -v checksum text for the current segment
// (", cksum 0x1234 (correct)" or "(incorrect -> 0x5678)"), or "" without
// -v or when the segment was not captured whole. l4 is the TCP length the
// IP header gives.
func (d *decoder) tcpChecksum(src, dst net.IP, l4 int) string {
	t := &d.tcp
	if !d.verbose {
		return ""
	}
	seg := segment(t.Contents, t.Payload, l4)
	if seg == nil {
		return ""
	}
	if c := pseudoChecksum(src, dst, uint8(layers.IPProtocolTCP), seg); c != 0 {
		return fmt.Sprintf(", cksum 0x%04x (incorrect -> 0x%04x)", t.Checksum, shouldBe(t.Checksum, c))
	}
	return fmt.Sprintf(", cksum 0x%04x (correct)", t.Checksum)
}

// v6Checksum returns tcpdump's -v verdict for UDP and ICMPv6 over IPv6
// ("[udp sum ok] ", "[bad icmp6 cksum 0x1234 -> 0x5678!] "), or "".
func (d *decoder) v6Checksum(name string, src, dst net.IP, proto uint8, stored uint16, contents, payload []byte, l4 int) string {
	if !d.verbose || src.To4() != nil {
		return ""
	}
	seg := segment(contents, payload, l4)
	if seg == nil {
		return ""
	}
	if c := pseudoChecksum(src, dst, proto, seg); c != 0 {
		return fmt.Sprintf("[bad %s cksum 0x%04x -> 0x%04x!] ", name, stored, shouldBe(stored, c))
	}
	return "[" + name + " sum ok] "
}

func tcpText(b *strings.Builder, t *layers.TCP, seq, ack uint32, cksum string) {
	flags := ""
	for _, f := range []struct {
		on bool
		c  string
	}{{t.FIN, "F"}, {t.SYN, "S"}, {t.RST, "R"}, {t.PSH, "P"}, {t.URG, "U"}, {t.ECE, "E"}, {t.CWR, "W"}} {
		if f.on {
			flags += f.c
		}
	}
	if t.ACK {
		flags += "."
	}
	if flags == "" {
		flags = "none"
	}
	fmt.Fprintf(b, "Flags [%s]", flags)
	b.WriteString(cksum)
	n := len(t.Payload)
	if t.SYN || t.FIN || t.RST || n > 0 {
		if n > 0 {
			fmt.Fprintf(b, ", seq %d:%d", seq, seq+uint32(n))
		} else {
			fmt.Fprintf(b, ", seq %d", seq)
		}
	}
	if t.ACK {
		fmt.Fprintf(b, ", ack %d", ack)
	}
	fmt.Fprintf(b, ", win %d", t.Window)
	if t.URG {
		fmt.Fprintf(b, ", urg %d", t.Urgent)
	}
	if len(t.Options) > 0 {
		b.WriteString(", options [")
		for i, o := range t.Options {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(tcpOption(o))
		}
		b.WriteByte(']')
	}
	fmt.Fprintf(b, ", length %d", n)
}

func tcpOption(o layers.TCPOption) string {
	d := o.OptionData
	switch o.OptionType {
	case layers.TCPOptionKindNop:
		return "nop"
	case layers.TCPOptionKindEndList:
		return "eol"
	case layers.TCPOptionKindMSS:
		if len(d) == 2 {
			return "mss " + strconv.Itoa(int(binary.BigEndian.Uint16(d)))
		}
	case layers.TCPOptionKindWindowScale:
		if len(d) == 1 {
			return "wscale " + strconv.Itoa(int(d[0]))
		}
	case layers.TCPOptionKindSACKPermitted:
		return "sackOK"
	case layers.TCPOptionKindTimestamps:
		if len(d) == 8 {
			return fmt.Sprintf("TS val %d ecr %d", binary.BigEndian.Uint32(d), binary.BigEndian.Uint32(d[4:]))
		}
	case layers.TCPOptionKindSACK:
		var parts []string
		for i := 0; i+8 <= len(d); i += 8 {
			parts = append(parts, fmt.Sprintf("{%d:%d}", binary.BigEndian.Uint32(d[i:]), binary.BigEndian.Uint32(d[i+4:])))
		}
		return "sack " + strconv.Itoa(len(parts)) + " " + strings.Join(parts, "")
	}
	return fmt.Sprintf("opt-%d:%s", o.OptionType, hex.EncodeToString(d))
}

// quoted writes, as tcpdump -v does, the datagram an ICMP error quotes on
// a line of its own, decoded like a packet of its own (its TCP sequence
// numbers count in the same conversations). One level only: where the
// quote is itself an ICMP error, its quote is not decoded (tcpdump 4.99
// goes on down; a 64 KiB packet nests 2,339 levels, which cost sniff
// quadratic time and 355 KB of text). An ICMP error never quotes another
// one (RFC 1122 3.2.2), so only forged packets lose anything.
func (d *decoder) quoted(b *strings.Builder) {
	switch d.icmp4.TypeCode.Type() {
	case layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4TypeSourceQuench, layers.ICMPv4TypeRedirect,
		layers.ICMPv4TypeTimeExceeded, layers.ICMPv4TypeParameterProblem:
	default:
		return
	}
	q := d.icmp4.Payload
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
	in := d.inner.decodeWith(&pkt{data: q, len: len(q), lt: layers.LinkTypeIPv4}, true, false, false)
	b.WriteString("\n\t")
	b.WriteString(in.text)
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

// icmp6Text is the ICMPv6 message as tcpdump names it, without the length.
func icmp6Text(c *layers.ICMPv6) string {
	p := c.Payload
	switch c.TypeCode.Type() {
	case layers.ICMPv6TypeEchoRequest, layers.ICMPv6TypeEchoReply:
		kind := "request"
		if c.TypeCode.Type() == layers.ICMPv6TypeEchoReply {
			kind = "reply"
		}
		if len(p) >= 4 {
			return fmt.Sprintf("echo %s, id %d, seq %d", kind, binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]))
		}
	case layers.ICMPv6TypeNeighborSolicitation:
		if len(p) >= 20 {
			return fmt.Sprintf("neighbor solicitation, who has %s", net.IP(p[4:20]))
		}
	case layers.ICMPv6TypeNeighborAdvertisement:
		if len(p) >= 20 {
			return fmt.Sprintf("neighbor advertisement, tgt is %s", net.IP(p[4:20]))
		}
	case layers.ICMPv6TypeRouterSolicitation:
		return "router solicitation"
	case layers.ICMPv6TypeRouterAdvertisement:
		return "router advertisement"
	case layers.ICMPv6TypeDestinationUnreachable:
		return "destination unreachable" + unreach6(c.TypeCode.Code(), p)
	case 143:
		if len(p) >= 4 {
			return fmt.Sprintf("multicast listener report v2, %d group record(s)", binary.BigEndian.Uint16(p[2:]))
		}
		return "multicast listener report v2"
	}
	return fmt.Sprintf("type %d", c.TypeCode.Type())
}

// unreach6 is what tcpdump adds to "destination unreachable": the reason
// and what was unreachable, from the quoted packet (4 unused bytes, then
// the IPv6 header and the upper layer).
func unreach6(code uint8, p []byte) string {
	if len(p) < 44 || p[4]>>4 != 6 {
		return ""
	}
	src, dst := net.IP(p[12:28]), net.IP(p[28:44])
	switch code {
	case 0:
		return ", unreachable route " + dst.String()
	case 1:
		return ",  unreachable prohibited " + dst.String()
	case 2:
		return ", beyond scope " + dst.String() + ", source address " + src.String()
	case 3:
		return ", unreachable address " + dst.String()
	case 4:
		next := p[10]
		if (next == 6 || next == 17) && len(p) >= 48 {
			proto := map[byte]string{6: "tcp", 17: "udp"}[next]
			return fmt.Sprintf(", unreachable port, %s %s port %d", dst, proto, binary.BigEndian.Uint16(p[46:]))
		}
		return ", unreachable port"
	}
	return fmt.Sprintf(", unknown unreach code (%d)", code)
}

// arpText is tcpdump's ARP line; -v adds the address types and lengths.
func arpText(a *layers.ARP, n int, verbose bool) string {
	head := "ARP, "
	if verbose {
		hw := fmt.Sprintf("Unknown Hardware (%d)", a.AddrType)
		if a.AddrType == layers.LinkTypeEthernet {
			hw = "Ethernet"
		}
		pr := fmt.Sprintf("Unknown Protocol (0x%04x)", uint16(a.Protocol))
		switch a.Protocol {
		case layers.EthernetTypeIPv4:
			pr = "IPv4"
		case layers.EthernetTypeIPv6:
			pr = "IPv6"
		}
		head += fmt.Sprintf("%s (len %d), %s (len %d), ", hw, a.HwAddressSize, pr, a.ProtAddressSize)
	}
	switch a.Operation {
	case layers.ARPRequest:
		return fmt.Sprintf("%sRequest who-has %s tell %s, length %d", head, net.IP(a.DstProtAddress), net.IP(a.SourceProtAddress), n-14)
	case layers.ARPReply:
		return fmt.Sprintf("%sReply %s is-at %s, length %d", head, net.IP(a.SourceProtAddress), net.HardwareAddr(a.SourceHwAddress), n-14)
	}
	return fmt.Sprintf("%sop %d, length %d", head, a.Operation, n-14)
}

// dnsText is tcpdump's DNS text (print-domain.c's ns_print): a query's id,
// flags and questions; a response's id, opcode, rcode and flags, the
// section counts and the answers (with -v each with its owner name).
func dnsText(b *strings.Builder, m *layers.DNS, n int, verbose bool) {
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
	fmt.Fprintf(b, " %d/%d/%d", len(m.Answers), len(m.Authorities), len(m.Additionals))
	for i, rr := range m.Answers {
		if i > 0 {
			b.WriteByte(',')
		}
		dnsRR(b, &rr, verbose)
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

// canText decodes a LINKTYPE_CAN_SOCKETCAN frame (identifier in network
// order, as libpcap writes it).
func canText(p []byte, f map[string]any) string {
	if len(p) < 8 {
		return fmt.Sprintf("CAN [|can] length %d", len(p))
	}
	id := binary.BigEndian.Uint32(p)
	n := min(int(p[4]), len(p)-8)
	kind := "CAN"
	if p[5]&0x04 != 0 || n > 8 {
		kind = "CANFD"
	}
	f["can_id"], f["proto"] = id&0x1fffffff, kind
	var b strings.Builder
	switch {
	case id&0x80000000 != 0:
		fmt.Fprintf(&b, "%s id 0x%08x (EFF)", kind, id&0x1fffffff)
	default:
		fmt.Fprintf(&b, "%s id 0x%03x", kind, id&0x7ff)
	}
	if id&0x40000000 != 0 {
		b.WriteString(" RTR")
	}
	if id&0x20000000 != 0 {
		b.WriteString(" ERR")
	}
	fmt.Fprintf(&b, " [%d] %s", n, strings.ToUpper(hex.EncodeToString(p[8:8+n])))
	return b.String()
}

// linkTypeCAN is LINKTYPE_CAN_SOCKETCAN (pcap-linktype(7)); gopacket has no
// name for it.
const linkTypeCAN layers.LinkType = 227

// linkTypeName names lt for the "listening on" line: gopacket's name, or
// libpcap's for the link types gopacket does not know.
func linkTypeName(lt layers.LinkType) string {
	switch lt {
	case linkTypeCAN:
		return "CAN_SOCKETCAN"
	case linkTypeBTMon:
		return "BLUETOOTH_LINUX_MONITOR"
	}
	return lt.String()
}
