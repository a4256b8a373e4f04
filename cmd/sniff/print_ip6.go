package main

import (
	"encoding/binary"
	"fmt"

	"github.com/gopacket/gopacket/layers"
)

// IPv6 and its extension headers (tcpdump's print-ip6.c).

func printIPv6(c *pctx, data []byte) {
	ly := &c.d.ly
	ip := &ly.ip6
	b := c.b
	if len(data) < 40 {
		b.WriteString(" [|ip6]")
		return
	}
	if c.length < 40 {
		fmt.Fprintf(b, "IP6 truncated-ip6 %d", c.length)
		return
	}
	if v := data[0] >> 4; v != 6 {
		c.protoPrefix("IP6 ") // not inside MPLS with -e, as tcpdump
		fmt.Fprintf(b, "version error: %d != 6", v)
		return
	}
	err := ip.DecodeFromBytes(data, nilDF)
	if err != nil && data[4] == 0 && data[5] == 0 && data[6] != 0 {
		// Payload length 0 without a hop-by-hop header: gopacket
		// refuses it, tcpdump takes what was captured as the payload.
		// (Decoded from a copy with a payload length of 1 and a byte more.)
		tmp := append(append([]byte(nil), data[:40]...), 0)
		binary.BigEndian.PutUint16(tmp[4:], 1)
		if err = ip.DecodeFromBytes(tmp, nilDF); err == nil {
			ip.Length, ip.Payload = 0, data[40:]
		}
	}
	if err != nil {
		if data[6] == 0 { // a hop-by-hop header cut short
			c.src, c.dst, c.addrs = data[8:24], data[24:40], false
			c.b.WriteString("IP6 ")
			c.addrPair()
			c.b.WriteString("HBH  [|hbhopt]")
			return
		}
		c.unknownEther(layers.EthernetTypeIPv6)
		return
	}
	// On the wire the upper layer has what the payload length gives,
	// less the extension headers; the capture may hold less.
	wire := int(ip.Length)
	if wire != 0 && c.length < wire+40 {
		c.protoPrefix("IP6 ")
		fmt.Fprintf(b, "truncated-ip6 - %d bytes missing!", wire+40-c.length)
		if c.verbose {
			b.WriteString("(")
		}
	} else {
		c.protoPrefix("IP6 ")
		if c.verbose {
			b.WriteString("(")
		}
	}
	if c.fields && c.depth == 0 {
		c.f["src"], c.f["dst"] = ip.SrcIP.String(), ip.DstIP.String()
	}
	if c.verbose {
		if ip.TrafficClass != 0 {
			fmt.Fprintf(c.b, "class 0x%02x, ", ip.TrafficClass)
		}
		if ip.FlowLabel != 0 { // tcpdump leaves out a zero flow label
			fmt.Fprintf(c.b, "flowlabel 0x%05x, ", ip.FlowLabel)
		}
		fmt.Fprintf(c.b, "hlim %d, next-header %s (%d) payload length: %d) ",
			ip.HopLimit, ipProtoName(ip.NextHeader), uint8(ip.NextHeader), ip.Length)
	}
	c.src, c.dst, c.proto, c.ipv6, c.ttl = ip.SrcIP, ip.DstIP, uint8(ip.NextHeader), true, ip.HopLimit
	c.addrs, c.frag = false, false
	// gopacket decodes a hop-by-hop header inside IPv6; the other
	// extension headers are walked here up to the upper layer. With any,
	// tcpdump prints the addresses first, then each header.
	next, payload := ip.NextHeader, ip.Payload
	if ip.HopByHop != nil {
		c.addrPair()
		c.addrs = true
		c.b.WriteString("HBH ")
		if c.verbose {
			c.ip6Options(ip.HopByHop.Contents)
		}
		next = ip.HopByHop.NextHeader
	}
walk:
	for {
		switch next {
		case layers.IPProtocolIPv6HopByHop, layers.IPProtocolIPv6Routing, layers.IPProtocolIPv6Destination:
			if ly.ext.DecodeFromBytes(payload, nilDF) != nil {
				break walk
			}
			c.addrPair()
			c.addrs = true
			switch next {
			case layers.IPProtocolIPv6HopByHop:
				c.b.WriteString("HBH ")
			case layers.IPProtocolIPv6Destination:
				c.b.WriteString("DSTOPT ")
			}
			if c.verbose && next != layers.IPProtocolIPv6Routing {
				c.ip6Options(ly.ext.Contents)
			}
			next, payload = ly.ext.NextHeader, ly.ext.Payload
		case layers.IPProtocolIPv6Fragment:
			f := &ly.frag
			if f.DecodeFromBytes(payload, nilDF) != nil {
				break walk
			}
			c.addrPair()
			c.addrs, c.frag = true, true
			// The fragment's length: what the payload length leaves
			// after the headers so far.
			n := 40 + int(ip.Length) - (len(data) - len(payload)) - 8
			if c.verbose {
				fmt.Fprintf(c.b, "frag (0x%08x:%d|%d)", f.Identification, int(f.FragmentOffset)*8, n)
			} else {
				fmt.Fprintf(c.b, "frag (%d|%d)", int(f.FragmentOffset)*8, n)
			}
			if f.FragmentOffset != 0 {
				return // tcpdump does not decode a later fragment
			}
			c.b.WriteByte(' ')
			next, payload = f.NextHeader, f.Payload
		default:
			break walk
		}
	}
	c.proto = uint8(next)
	// Less the extension headers walked (gopacket's payload starts
	// after a hop-by-hop header).
	hdrs := len(ip.Payload) - len(payload)
	if ip.HopByHop != nil {
		hdrs += len(ip.HopByHop.Contents)
	}
	c.l4 = wire - hdrs
	if wire == 0 { // a jumbogram: what was captured
		c.l4 = len(payload)
	}
	c.length = c.l4
	if next == layers.IPProtocolNoNextHeader {
		c.addrPair()
		c.b.WriteString("no next header")
		return
	}
	if !c.next(ipSpace, uint32(next), payload) {
		c.addrPair()
		fmt.Fprintf(c.b, " ip-proto-%d %d", uint8(next), c.l4)
	}
}

// ip6Options prints the options of a hop-by-hop or destination options
// header (hdr, its next header and length bytes first) as tcpdump -v does.
func (c *pctx) ip6Options(hdr []byte) {
	b := c.b
	if len(hdr) < 2 {
		return
	}
	o := hdr[2:]
	for i := 0; i < len(o); {
		n := 1
		if o[i] != 0 {
			if i+1 >= len(o) {
				b.WriteString(" [|ip6opt]")
				return
			}
			n = int(o[i+1]) + 2
		}
		if i+n > len(o) {
			b.WriteString(" [|ip6opt]")
			return
		}
		d := o[i : i+n]
		switch d[0] {
		case 0:
			b.WriteString("(pad1)")
		case 1:
			b.WriteString("(padn)")
		case 5:
			if n != 4 {
				fmt.Fprintf(b, "(rtalert: invalid len %d)", d[1])
				b.WriteString(" [|ip6opt]")
				return
			}
			fmt.Fprintf(b, "(rtalert: 0x%04x) ", binary.BigEndian.Uint16(d[2:]))
		case 0xc2:
			if n != 6 {
				fmt.Fprintf(b, "(jumbo: invalid len %d)", d[1])
				b.WriteString(" [|ip6opt]")
				return
			}
			fmt.Fprintf(b, "(jumbo: %d) ", binary.BigEndian.Uint32(d[2:]))
		default:
			fmt.Fprintf(b, "(opt_type 0x%02x: len=%d)", d[0], d[1])
		}
		i += n
	}
	b.WriteByte(' ')
}
