package main

import (
	"fmt"
	"net"
	"strings"
	"time"

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

// decoder turns packets into tcpdump-style text, one printer per protocol
// (print_*.go, as tcpdump's print-*.c) chosen from the table in
// printers.go. It holds what lives longer than one packet: the layers it
// decodes into, reused, and the TCP conversations. One decoder per output
// goroutine. What one packet's printers share is a pctx, passed along.
type decoder struct {
	ly     decodeLayers
	ifname func(index int) string // names SLL2 interface indexes
	quiet  bool                   // -q: no application-layer decoding
	absSeq bool                   // -S: absolute TCP sequence numbers
	vv     bool                   // -vv: where tcpdump's printers print more than with -v
	hexOut bool                   // -x or -X: tcpdump prints no default hex dump in the line
	// tcpSeq holds each TCP conversation's base sequence numbers for
	// tcpdump's relative numbering (one entry for both directions).
	tcpSeq map[tcpConv]tcpBase
	ike    *ikeCookies // IKEv1 exchanges seen, to tell initiator from responder
	inner  *decoder    // for the datagram an ICMP error quotes
	// isQuote: this decoder decodes a quoted datagram, whose own quote
	// (an ICMP error quoting an ICMP error…) is not decoded again.
	isQuote bool
	fields  map[string]any // scratch fields when JSON is off
	b       strings.Builder
	sum     summary // the packet being decoded
	pc      pctx
}

func newDecoder() *decoder {
	return &decoder{ifname: localIfname()}
}

// summary is what one packet decodes to: the text line's parts and the
// JSON object's fields.
type summary struct {
	prefix  string // cooked v2: "lo    In  "
	link    string // -e: "aa:.. > bb:.., ethertype IPv4 (0x0800), length 98: "
	vlan    string
	text    string // "IP 10.0.0.1.5 > 10.0.0.2.6: UDP, length 4"
	payload []byte // after the link layer, for -x
	fields  map[string]any
}

// pctx is the state of printing one packet, handed from printer to
// printer (tcpdump's netdissect_options with the arguments of its print
// functions): the options, the text so far, and what a lower layer tells
// the one above it.
type pctx struct {
	d       *decoder
	s       *summary
	b       *strings.Builder
	f       map[string]any
	verbose bool   // -v
	link    bool   // -e: build the link-layer text
	fields  bool   // JSON: fill the fields that cost
	wire    int    // the packet's length on the wire
	data    []byte // the packet as captured
	// length is what remains of the packet on the wire from the layer
	// being printed on (tcpdump's length argument).
	length int
	// The network layer, for the transport printers.
	src, dst net.IP
	l4       int   // transport length the IP header gives
	proto    uint8 // transport protocol
	ttl      uint8 // IPv4 TTL or IPv6 hop limit
	frag     bool  // a fragment: no checksum
	ipv6     bool  // the network layer is IPv6
	// addrs: the network layer has printed "src > dst: " (IPv6 with
	// extension headers), the transport prints its ports alone.
	addrs bool
	depth int    // depth of encapsulation (GRE, VXLAN, Geneve): 0 outside
	ulen  int    // UDP payload length the UDP header gives
	sport uint16 // transport ports, for the application printers
	dport uint16
	// llcCtrl is the 802.2 LLC header's control field, for SNAP, and
	// llc the frame from that header on.
	llcCtrl uint8
	llc     []byte
	// ethSrc and ethDst: the outer Ethernet header's addresses, for the
	// line of an ethertype sniff has no printer for.
	ethSrc, ethDst net.HardwareAddr
	// named: with -e, a link header within the line (802.11's LLC/SNAP)
	// named the protocol, which then prints no "IP " or "ARP, " of its own.
	named bool
}

func (d *decoder) decode(p *pkt, verbose bool) summary {
	return d.decodeWith(p, verbose, false, false)
}

// decodeWith decodes p; link builds the -e text and fields the JSON fields,
// which the plain line does not pay for.
func (d *decoder) decodeWith(p *pkt, verbose, link, fields bool) summary {
	// The summary and the printers' state live in the decoder: a packet
	// allocates only its text.
	s := &d.sum
	*s = summary{fields: d.fields, payload: p.data}
	if fields {
		s.fields = map[string]any{}
	} else if s.fields == nil {
		s.fields = map[string]any{}
		d.fields = s.fields
	}
	// The text is copied out before the next packet, but a Builder
	// cannot be reused: one allocation a packet, of the last one's size.
	n := d.b.Len()
	d.b.Reset()
	d.b.Grow(max(n, 128))
	c := &d.pc
	*c = pctx{d: d, s: s, b: &d.b, f: s.fields, verbose: verbose, link: link, fields: fields, wire: p.len, data: p.data, length: p.len}
	if !c.next(linkSpace, uint32(p.lt), p.data) {
		// tcpdump's unsupported_if_print, whatever -x says.
		c.b.WriteString("UNSUPPORTED")
		hexASCIILines(c.b, p.data, "\n\t")
	}
	s.text = d.b.String()
	return *s
}

// localIfname names interface indexes in sniff's own namespace, caching.
func localIfname() func(int) string {
	cache := map[int]string{}
	return func(i int) string {
		if n, ok := cache[i]; ok {
			return n
		}
		n := fmt.Sprintf("ifindex%d", i)
		if ifi, err := net.InterfaceByIndex(i); err == nil {
			n = ifi.Name
		}
		cache[i] = n
		return n
	}
}

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
