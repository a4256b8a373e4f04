package main

import (
	"encoding/binary"
	"fmt"
	"net"

	"github.com/gopacket/gopacket/layers"
)

// Ethernet, 802.1Q and Linux cooked captures (tcpdump's print-ether.c,
// print-sll.c).

// ethertypeNames is tcpdump 4.99.3's ethertype_values, as the installed
// tcpdump names each ethertype (read from its -e text for all 65,536).
var ethertypeNames = map[layers.EthernetType]string{
	0x00fe: "GRE-OSI",
	0x0200: "PUP",
	0x0500: "Sprite",
	0x0600: "NS",
	0x0800: "IPv4",
	0x0806: "ARP",
	0x1000: "Trail",
	0x1111: "CALM FAST",
	0x6001: "MOP DL",
	0x6002: "MOP RC",
	0x6003: "DN",
	0x6004: "LAT",
	0x6007: "SCA",
	0x6558: "TEB",
	0x8035: "Reverse ARP",
	0x8038: "Lanbridge",
	0x803c: "DEC DNS",
	0x803e: "DEC DTS",
	0x805b: "VEXP",
	0x805c: "VPROD",
	0x809b: "Appletalk",
	0x80f3: "Appletalk ARP",
	0x8100: "802.1Q",
	0x8137: "IPX",
	0x86dd: "IPv6",
	0x8808: "MPCP",
	0x8809: "Slow Protocols",
	0x880b: "PPP",
	0x8847: "MPLS unicast",
	0x8848: "MPLS multicast",
	0x8863: "PPPoE D",
	0x8864: "PPPoE S",
	0x886f: "MS NLB heartbeat",
	0x888e: "EAPOL",
	0x8899: "Realtek protocols",
	0x88a2: "AoE",
	0x88a8: "802.1Q-QinQ",
	0x88ca: "TIPC",
	0x88cc: "LLDP",
	0x88e5: "802.1AE MACsec",
	0x88f7: "PTP",
	0x8902: "CFM",
	0x893a: "IEEE1905.1",
	0x8947: "GeoNet",
	0x894f: "NSH",
	0x9000: "Loopback",
	0x9100: "802.1Q-9100",
	0x9200: "802.1Q-9200",
	0xd28b: "Arista Vendor Specific Protocol",
	0xfefe: "OSI",
}

func ethertypeName(t layers.EthernetType) string {
	if n, ok := ethertypeNames[t]; ok {
		return n
	}
	return "Unknown"
}

// etherNext prints the payload of a link header by its ethertype, or
// says which ethertype sniff cannot print.
func (c *pctx) etherNext(t layers.EthernetType, payload []byte) {
	if c.depth == 0 {
		c.s.payload = payload
	}
	if c.next(etherSpace, uint32(t), payload) {
		return
	}
	if c.depth == 0 && c.ethSrc != nil {
		// tcpdump's ether_print for an ethertype it has no printer for:
		// without -e the addresses and the (last) ethertype, then a dump.
		c.b.Reset()
		if !c.link {
			fmt.Fprintf(c.b, "%s > %s, ethertype %s (0x%04x), length %d: ", c.ethSrc, c.ethDst,
				ethertypeName(t), uint16(t), c.wire)
		}
		c.defaultPrint(payload)
		return
	}
	c.unknownEther(t)
}

// unknownEther is the line for a payload sniff has no printer for, or
// that its printer could not decode.
func (c *pctx) unknownEther(t layers.EthernetType) {
	if c.depth > 0 {
		fmt.Fprintf(c.b, "ethertype %s (0x%04x), length %d", ethertypeName(t), uint16(t), c.length)
		return
	}
	c.b.Reset()
	fmt.Fprintf(c.b, "ethertype %s (0x%04x), length %d", ethertypeName(t), uint16(t), c.wire)
}

func printEther(c *pctx, data []byte) {
	e := &c.d.ly.eth
	if c.depth > 0 && len(data) < 14 { // a frame in a tunnel: tcpdump's ether_common_print
		c.b.WriteString(" [|ether]")
		return
	}
	if e.DecodeFromBytes(data, nilDF) != nil {
		fmt.Fprintf(c.b, "[|ether] length %d", c.wire)
		return
	}
	if t := binary.BigEndian.Uint16(data[12:]); t <= 1500 {
		// 802.3: a length, then LLC.
		c.length = min(int(t), c.length-14) // the wire may hold less than the field says
		if c.link {
			hdr := fmt.Sprintf("%s > %s, 802.3, length %d: ", e.SrcMAC, e.DstMAC, c.length)
			if c.depth == 0 {
				c.s.link = hdr
			} else { // a frame inside a tunnel or SNAP
				c.b.WriteString(hdr)
			}
		}
		if c.depth == 0 {
			c.s.payload = data[14:]
		}
		printLLC(c, data[14:min(len(data), 14+int(t))])
		return
	}
	if c.depth > 0 { // inside a tunnel: tcpdump without -e prints no link header
		if c.link {
			fmt.Fprintf(c.b, "%s > %s, ethertype %s (0x%04x), length %d: ", e.SrcMAC, e.DstMAC,
				ethertypeName(e.EthernetType), uint16(e.EthernetType), c.length)
		}
		length := c.length
		c.length -= 14
		if !c.next(etherSpace, uint32(e.EthernetType), e.Payload) {
			// tcpdump's ether_print: the header (printed already with
			// -e) and a dump of what it has no printer for.
			if !c.link {
				fmt.Fprintf(c.b, "%s > %s, ethertype %s (0x%04x), length %d: ", e.SrcMAC, e.DstMAC,
					ethertypeName(e.EthernetType), uint16(e.EthernetType), length)
			}
			c.defaultPrint(e.Payload)
		}
		return
	}
	if c.fields {
		c.f["src_mac"], c.f["dst_mac"] = e.SrcMAC.String(), e.DstMAC.String()
	}
	c.ethSrc, c.ethDst = e.SrcMAC, e.DstMAC
	if c.link {
		c.s.link = fmt.Sprintf("%s > %s, ethertype %s (0x%04x), length %d: ", e.SrcMAC, e.DstMAC,
			ethertypeName(e.EthernetType), uint16(e.EthernetType), c.wire)
	}
	c.length -= 14
	c.etherNext(e.EthernetType, e.Payload)
}

func printDot1Q(c *pctx, data []byte) {
	q := &c.d.ly.dot1q
	if q.DecodeFromBytes(data, nilDF) != nil {
		c.unknownEther(layers.EthernetTypeDot1Q)
		return
	}
	if c.depth == 0 {
		c.s.vlan += fmt.Sprintf("vlan %d, p %d, ethertype %s (0x%04x), ", q.VLANIdentifier, q.Priority,
			ethertypeName(q.Type), uint16(q.Type))
		c.f["vlan"] = int(q.VLANIdentifier)
	}
	c.length -= 4
	c.etherNext(q.Type, q.Payload)
}

func printSLL(c *pctx, data []byte) {
	l := &c.d.ly.sll
	if l.DecodeFromBytes(data, nilDF) != nil {
		fmt.Fprintf(c.b, "[|ether] length %d", c.wire)
		return
	}
	dir := "In"
	if l.PacketType == layers.LinuxSLLPacketTypeOutgoing {
		dir = "Out"
	}
	c.s.link = fmt.Sprintf("%-3s %s ethertype %s (0x%04x), length %d: ", dir, net.HardwareAddr(l.Addr),
		ethertypeName(l.EthernetType), uint16(l.EthernetType), c.wire)
	c.length -= 16
	c.etherNext(l.EthernetType, l.Payload)
}

func printSLL2(c *pctx, data []byte) {
	l := &c.d.ly.sll2
	if l.DecodeFromBytes(data, nilDF) != nil {
		fmt.Fprintf(c.b, "[|ether] length %d", c.wire)
		return
	}
	// tcpdump prints the interface and direction of cooked v2 packets
	// with or without -e.
	name := c.d.ifname(int(l.InterfaceIndex))
	c.s.prefix = fmt.Sprintf("%-5s %-3s ", name, sll2Dir(uint8(l.PacketType)))
	if c.fields {
		c.f["interface"] = name
	}
	if c.link {
		c.s.link = fmt.Sprintf("ifindex %d %s ethertype %s (0x%04x), length %d: ", l.InterfaceIndex, l.Addr,
			ethertypeName(l.ProtocolType), uint16(l.ProtocolType), c.wire)
	}
	c.length -= 20
	c.etherNext(l.ProtocolType, l.Payload)
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

// printRawIP is LINKTYPE_RAW, LINKTYPE_IPV4 and LINKTYPE_IPV6: IPv4 or
// IPv6 by the version nibble (tcpdump's raw_if_print, "ip: " with -e).
func printRawIP(c *pctx, data []byte) {
	if c.link {
		c.s.link = "ip: "
	}
	if len(data) > 0 && data[0]>>4 == 6 {
		printIPv6(c, data)
		return
	}
	printIPv4(c, data)
}
