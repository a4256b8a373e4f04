package main

import (
	"fmt"
	"net"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// ARP (tcpdump's print-arp.c).

func printARP(c *pctx, data []byte) {
	a := &c.d.ly.arp
	if a.DecodeFromBytes(data, nilDF) != nil {
		c.b.WriteString(" [|arp]")
		return
	}
	text := arpText(a, c.length, c.verbose)
	if c.link && (c.depth > 0 || c.named) {
		text = strings.TrimPrefix(text, "ARP, ")
	}
	c.b.WriteString(text)
	c.f["proto"] = "ARP"
}

// arpText is tcpdump's ARP line (n: its length on the wire); -v adds the
// address types and lengths.
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
		who := net.IP(a.DstProtAddress).String()
		for _, x := range a.DstHwAddress {
			if x != 0 { // tcpdump shows a target hardware address that is set
				who += " (" + net.HardwareAddr(a.DstHwAddress).String() + ")"
				break
			}
		}
		return fmt.Sprintf("%sRequest who-has %s tell %s, length %d", head, who, net.IP(a.SourceProtAddress), n)
	case layers.ARPReply:
		return fmt.Sprintf("%sReply %s is-at %s, length %d", head, net.IP(a.SourceProtAddress), net.HardwareAddr(a.SourceHwAddress), n)
	}
	return fmt.Sprintf("%sop %d, length %d", head, a.Operation, n)
}
