package main

import (
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
	parser map[gopacket.LayerType]*gopacket.DecodingLayerParser
	types  []gopacket.LayerType
	vlans  []layers.Dot1Q
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
			b.WriteString(arpText(&d.arp, p.len))
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
			} else if !d.transport(&b, d.types[i+1:], d.ip4.SrcIP, d.ip4.DstIP, uint8(d.ip4.Protocol), len(d.ip4.Payload), s.fields) {
				fmt.Fprintf(&b, "%s > %s: ip-proto-%d %d", d.ip4.SrcIP, d.ip4.DstIP, uint8(d.ip4.Protocol), len(d.ip4.Payload))
			}
			done = true
		case layers.LayerTypeIPv6:
			if fields {
				s.fields["src"], s.fields["dst"] = d.ip6.SrcIP.String(), d.ip6.DstIP.String()
			}
			if verbose {
				fmt.Fprintf(&b, "IP6 (flowlabel 0x%05x, hlim %d, next-header %s (%d) payload length: %d) ",
					d.ip6.FlowLabel, d.ip6.HopLimit, ipProtoName(d.ip6.NextHeader), uint8(d.ip6.NextHeader), d.ip6.Length)
			} else {
				b.WriteString("IP6 ")
			}
			proto := d.lastNext()
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
		tcpText(b, &d.tcp)
		return true
	case has(rest, layers.LayerTypeUDP):
		f["proto"], f["sport"], f["dport"] = "UDP", int(d.udp.SrcPort), int(d.udp.DstPort)
		ends(layers.TCPPort(d.udp.SrcPort), layers.TCPPort(d.udp.DstPort))
		if !d.quiet && (d.udp.SrcPort == 53 || d.udp.DstPort == 53 || d.udp.SrcPort == 5353 || d.udp.DstPort == 5353) &&
			d.dns.DecodeFromBytes(d.udp.Payload, gopacket.NilDecodeFeedback) == nil {
			dnsText(b, &d.dns, len(d.udp.Payload))
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
		return true
	case has(rest, layers.LayerTypeICMPv6):
		f["proto"] = "ICMP6"
		fmt.Fprintf(b, "%s > %s: ICMP6, %s", src, dst, icmp6Text(&d.icmp6, l4))
		return true
	case proto == uint8(layers.IPProtocolTCP) || proto == uint8(layers.IPProtocolUDP):
		fmt.Fprintf(b, "%s > %s: [|%s]", src, dst, strings.ToLower(layers.IPProtocol(proto).String()))
		return true
	}
	return false
}

func tcpText(b *strings.Builder, t *layers.TCP) {
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
	n := len(t.Payload)
	if t.SYN || t.FIN || t.RST || n > 0 {
		if n > 0 {
			fmt.Fprintf(b, ", seq %d:%d", t.Seq, t.Seq+uint32(n))
		} else {
			fmt.Fprintf(b, ", seq %d", t.Seq)
		}
	}
	if t.ACK {
		fmt.Fprintf(b, ", ack %d", t.Ack)
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

func icmp6Text(c *layers.ICMPv6, l4 int) string {
	p := c.Payload
	switch c.TypeCode.Type() {
	case layers.ICMPv6TypeEchoRequest, layers.ICMPv6TypeEchoReply:
		kind := "request"
		if c.TypeCode.Type() == layers.ICMPv6TypeEchoReply {
			kind = "reply"
		}
		if len(p) >= 4 {
			return fmt.Sprintf("echo %s, id %d, seq %d, length %d", kind, binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]), l4)
		}
	case layers.ICMPv6TypeNeighborSolicitation:
		if len(p) >= 20 {
			return fmt.Sprintf("neighbor solicitation, who has %s, length %d", net.IP(p[4:20]), l4)
		}
	case layers.ICMPv6TypeNeighborAdvertisement:
		if len(p) >= 20 {
			return fmt.Sprintf("neighbor advertisement, tgt is %s, length %d", net.IP(p[4:20]), l4)
		}
	case layers.ICMPv6TypeRouterSolicitation:
		return fmt.Sprintf("router solicitation, length %d", l4)
	case layers.ICMPv6TypeRouterAdvertisement:
		return fmt.Sprintf("router advertisement, length %d", l4)
	case layers.ICMPv6TypeDestinationUnreachable:
		return fmt.Sprintf("destination unreachable, length %d", l4)
	case 143:
		return fmt.Sprintf("multicast listener report v2, length %d", l4)
	}
	return fmt.Sprintf("type %d, length %d", c.TypeCode.Type(), l4)
}

func arpText(a *layers.ARP, n int) string {
	switch a.Operation {
	case layers.ARPRequest:
		return fmt.Sprintf("ARP, Request who-has %s tell %s, length %d", net.IP(a.DstProtAddress), net.IP(a.SourceProtAddress), n-14)
	case layers.ARPReply:
		return fmt.Sprintf("ARP, Reply %s is-at %s, length %d", net.IP(a.SourceProtAddress), net.HardwareAddr(a.SourceHwAddress), n-14)
	}
	return fmt.Sprintf("ARP, op %d, length %d", a.Operation, n-14)
}

func dnsText(b *strings.Builder, m *layers.DNS, n int) {
	fmt.Fprintf(b, "%d", m.ID)
	if !m.QR {
		if m.RD {
			b.WriteByte('+')
		}
		for _, q := range m.Questions {
			fmt.Fprintf(b, " %s? %s.", q.Type, q.Name)
		}
		fmt.Fprintf(b, " (%d)", n)
		return
	}
	if m.ResponseCode != 0 {
		fmt.Fprintf(b, " %s", m.ResponseCode)
	}
	if m.AA {
		b.WriteByte('*')
	}
	fmt.Fprintf(b, " %d/%d/%d", len(m.Answers), len(m.Authorities), len(m.Additionals))
	for _, a := range m.Answers {
		switch a.Type {
		case layers.DNSTypeA, layers.DNSTypeAAAA:
			fmt.Fprintf(b, " %s %s", a.Type, a.IP)
		case layers.DNSTypeCNAME:
			fmt.Fprintf(b, " CNAME %s.", a.CNAME)
		default:
			fmt.Fprintf(b, " %s", a.Type)
		}
	}
	fmt.Fprintf(b, " (%d)", n)
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
