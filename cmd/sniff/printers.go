package main

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// A printer writes one protocol's text for data, the bytes from its header
// on, and hands what follows to the next printer through c.next. Adding a
// protocol is one file with its printer and one row in printers.
type printer func(c *pctx, data []byte)

// space is what a printer is chosen by.
type space uint8

const (
	linkSpace  space = iota // pcap link type
	etherSpace              // ethertype (Ethernet, 802.1Q, SLL, GRE)
	ipSpace                 // IP protocol (IPv4, IPv6 next header)
	llcSpace                // IEEE 802.2 DSAP and SSAP
	ciscoSpace              // SNAP protocol ID under Cisco's OUI 00:00:0c
	udpSpace                // UDP port, either end
	tcpSpace                // TCP port, either end
)

type printerKey struct {
	sp space
	v  uint32
}

// printers is the one table from link types, ethertypes, IP protocols and
// ports to printers. For ports, tcpdump's guess: when both ends name a
// printer, the row that comes first wins.
var printers = []struct {
	sp    space
	v     uint32
	print printer
}{
	{linkSpace, uint32(layers.LinkTypeEthernet), printEther},
	{linkSpace, uint32(layers.LinkTypeLinuxSLL), printSLL},
	{linkSpace, uint32(layers.LinkTypeLinuxSLL2), printSLL2},
	{linkSpace, uint32(layers.LinkTypeRaw), printRawIP},
	{linkSpace, uint32(layers.LinkTypeIPv4), printRawIP},
	{linkSpace, uint32(layers.LinkTypeIPv6), printRawIP},
	{linkSpace, uint32(linkTypeCAN), printCAN},
	{linkSpace, uint32(linkTypeBTMon), printBTMon},
	{linkSpace, uint32(layers.LinkTypeIEEE80211Radio), printRadiotap},
	{linkSpace, uint32(layers.LinkTypeIEEE802_11), print80211},
	{linkSpace, linkTypeNull, printNull},
	{linkSpace, linkTypeLoop, printNull},

	{etherSpace, uint32(layers.EthernetTypeIPv4), printIPv4},
	{etherSpace, uint32(layers.EthernetTypeIPv6), printIPv6},
	{etherSpace, uint32(layers.EthernetTypeARP), printARP},
	{etherSpace, uint32(layers.EthernetTypeDot1Q), printDot1Q},
	{etherSpace, uint32(layers.EthernetTypeQinQ), printDot1Q},
	{etherSpace, 0x9100, printDot1Q},
	{etherSpace, 0x88cc, printLLDP},
	{etherSpace, 0x88f7, printPTP},
	{etherSpace, 0x8847, printMPLS},
	{etherSpace, 0x8848, printMPLS},
	{etherSpace, 0x888e, printEAPOL},

	{llcSpace, 0x4242, printSTP},
	{llcSpace, 0xaaaa, printSNAP},

	{ciscoSpace, 0x2000, printCDP},
	{ciscoSpace, 0x2003, printVTP},
	{ciscoSpace, 0x2004, printDTP},
	{ciscoSpace, 0x0111, printUDLD},
	{ciscoSpace, 0x010b, printPVST},
	{ciscoSpace, 0x010c, printPVST},

	{ipSpace, uint32(layers.IPProtocolTCP), printTCP},
	{ipSpace, uint32(layers.IPProtocolUDP), printUDP},
	{ipSpace, uint32(layers.IPProtocolICMPv4), printICMP},
	{ipSpace, uint32(layers.IPProtocolICMPv6), printICMP6},
	{ipSpace, 112, printVRRP},
	{ipSpace, uint32(layers.IPProtocolIGMP), printIGMP},
	{ipSpace, uint32(layers.IPProtocolGRE), printGRE},
	{ipSpace, 50, printESP},
	{ipSpace, 51, printAH},
	{ipSpace, 89, printOSPF},
	{ipSpace, 103, printPIM},
	{ipSpace, 132, printSCTP},
	{ipSpace, 33, printDCCP},
	{ipSpace, 4, printIPIP},
	{ipSpace, 41, printIP6inIP},

	{udpSpace, 53, printDNS},
	{udpSpace, 5353, printDNS},
	{udpSpace, 67, printBOOTP},
	{udpSpace, 68, printBOOTP},
	{udpSpace, 69, printTFTP},
	{udpSpace, 123, printNTP},
	{udpSpace, 88, printKRB},
	{udpSpace, 750, printKRB},
	{udpSpace, 500, printISAKMP},
	{udpSpace, 4500, printISAKMPNATT},
	{udpSpace, 7500, printISAKMP},
	{udpSpace, 8500, printISAKMP},
	{udpSpace, 161, printSNMP},
	{udpSpace, 162, printSNMP},
	// tcpdump tries Rx (ports 7000-7009) after the printers above and
	// before DHCPv6 and the ones below.
	{udpSpace, 7000, printRX},
	{udpSpace, 7001, printRX},
	{udpSpace, 7002, printRX},
	{udpSpace, 7003, printRX},
	{udpSpace, 7004, printRX},
	{udpSpace, 7005, printRX},
	{udpSpace, 7006, printRX},
	{udpSpace, 7007, printRX},
	{udpSpace, 7008, printRX},
	{udpSpace, 7009, printRX},
	{udpSpace, 546, printDHCP6},
	{udpSpace, 547, printDHCP6},
	{udpSpace, 514, printSyslog},
	{udpSpace, 8472, printOTV},
	{udpSpace, 4789, printVXLAN},
	{udpSpace, 6081, printGeneve},
	{udpSpace, 4342, printLISP},
	{udpSpace, 30490, printSOMEIP},
	{udpSpace, 5060, printSIP},
	{udpSpace, 319, printPTP},
	{udpSpace, 320, printPTP},
	{udpSpace, 3784, printBFD},
	{udpSpace, 3785, printBFD},
	{udpSpace, 4784, printBFD},
	{udpSpace, 1985, printHSRP},
	{udpSpace, 1645, printRADIUS},
	{udpSpace, 1646, printRADIUS},
	{udpSpace, 1812, printRADIUS},
	{udpSpace, 1813, printRADIUS},
	{udpSpace, 1700, printRADIUS},
	{udpSpace, 3799, printRADIUS},

	{tcpSpace, 25, printSMTP},
	{tcpSpace, 179, printBGP},
	{tcpSpace, 22, printSSH},
	{tcpSpace, 21, printFTP},
	{tcpSpace, 80, printHTTP},
	{tcpSpace, 8080, printHTTP},
	{tcpSpace, 554, printRTSP},
	{tcpSpace, 8554, printRTSP},
	{tcpSpace, 53, printDNSTCP},
}

// printerIndex finds a row of printers: its rank, which indexes
// printerFns. Both are made by init from printers, which the printers
// themselves cannot refer to (an initialization cycle).
var (
	printerIndex map[printerKey]int
	printerFns   []printer
)

func init() {
	printerIndex = make(map[printerKey]int, len(printers))
	for i, r := range printers {
		k := printerKey{r.sp, r.v}
		if _, dup := printerIndex[k]; dup {
			panic("sniff: two printers for one key")
		}
		printerIndex[k] = i
		printerFns = append(printerFns, r.print)
	}
}

// next prints data with the printer for v in sp; false when there is none.
func (c *pctx) next(sp space, v uint32, data []byte) bool {
	i, ok := printerIndex[printerKey{sp, v}]
	if !ok {
		return false
	}
	printerFns[i](c, data)
	return true
}

// nextPort prints data with the printer for either port, the first row
// when both have one; false when neither has.
func (c *pctx) nextPort(sp space, data []byte) bool {
	i, ok := printerIndex[printerKey{sp, uint32(c.sport)}]
	j, ok2 := printerIndex[printerKey{sp, uint32(c.dport)}]
	switch {
	case ok && ok2:
		i = min(i, j)
	case ok2:
		i = j
	case !ok:
		return false
	}
	printerFns[i](c, data)
	return true
}

// decodeLayers are gopacket's layers a decoder decodes into, reused from
// packet to packet.
type decodeLayers struct {
	eth   layers.Ethernet
	dot1q layers.Dot1Q
	sll   layers.LinuxSLL
	sll2  layers.LinuxSLL2
	arp   layers.ARP
	ip4   layers.IPv4
	ip6   layers.IPv6
	ext   layers.IPv6ExtensionSkipper
	frag  layers.IPv6Fragment
	icmp4 layers.ICMPv4
	icmp6 layers.ICMPv6
	tcp   layers.TCP
	udp   layers.UDP
	dns   layers.DNS
}

var nilDF = gopacket.NilDecodeFeedback

// bitName is a flag of a field and its name (a row of the struct tok
// tables tcpdump's bittok2str reads).
type bitName struct {
	bit  uint32
	name string
}

// flagNames names the flags set in v, ", " between them, "none" for none
// (tcpdump's bittok2str).
func flagNames(v uint32, names []bitName) string {
	out := ""
	for _, f := range names {
		if v&f.bit == f.bit {
			if out != "" {
				out += ", "
			}
			out += f.name
		}
	}
	if out == "" {
		return "none"
	}
	return out
}
