package main

import "testing"

// -vv cases from integration/sniff/testdata/corpus, with the text
// tcpdump 4.99.3 -n -vv prints for them.
var vvCases = []printCase{
	{name: "syslog -vv", vv: true,
		hex:  "0277000000010277000000020800450000417c0d40004011aa020a4d00020a4d0001e6ba0202002d14db3c37383e4465632020372030313a30393a313520766d2063726f6e3a206a6f6220646f6e65",
		want: "IP (tos 0x0, ttl 64, id 31757, offset 0, flags [DF], proto UDP (17), length 65)\n    10.77.0.2.59066 > 10.77.0.1.514: [bad udp cksum 0x14db -> 0xd8f9!] SYSLOG, length: 37\n\tFacility cron (9), Severity info (6)\n\tMsg: Dec  7 01:09:15 vm cron: job done\n\t0x0000:  3c37 383e 4465 6320 2037 2030 313a 3039\n\t0x0010:  3a31 3520 766d 2063 726f 6e3a 206a 6f62\n\t0x0020:  2064 6f6e 65"},
	{name: "mldv2 query -vv", vv: true,
		hex:  "33330000000102770000000286dd60039f1a002c3a01fe80000000000000007700fffe000002ff0200000000000000000000000000018200636a03e80000ff1500000000000000000000000012340a7d0001fd770000000000000000000000000009",
		want: "IP6 (flowlabel 0x39f1a, hlim 1, next-header ICMPv6 (58) payload length: 44) fe80::77:ff:fe00:2 > ff02::1: [icmp6 sum ok] ICMP6, multicast listener query v2 [max resp delay=1000] [gaddr ff15::1234 sflag robustness=2 qqi=125 { fd77::9 }]"},
	{name: "router solicitation -vv", vv: true,
		hex:  "33330000000202770000000186dd6000000000103afffe80000000000000007700fffe000001ff02000000000000000000000000000285007a3e000000000101027700000001",
		want: "IP6 (hlim 255, next-header ICMPv6 (58) payload length: 16) fe80::77:ff:fe00:1 > ff02::2: [icmp6 sum ok] ICMP6, router solicitation, length 16\n\t  source link-address option (1), length 8 (1): 02:77:00:00:00:01\n\t    0x0000:  0277 0000 0001"},
	{name: "quoted udp -vv", vv: true,
		hex:  "02770000000202770000000108004500006d664a00004011ff990a4d00010a4d0002df0f12b5005915070800000000002a00027800000002027800000001080045c0003bb50400004001ae5b0a5001010a5001020303e90f000000004500001f0715400040111d170a5001020a5001018ab00009000b16bf68690a",
		want: "IP (tos 0x0, ttl 64, id 26186, offset 0, flags [none], proto UDP (17), length 109)\n    10.77.0.1.57103 > 10.77.0.2.4789: [bad udp cksum 0x1507 -> 0xb9e7!] VXLAN, flags [I] (0x08), vni 42\nIP (tos 0xc0, ttl 64, id 46340, offset 0, flags [none], proto ICMP (1), length 59)\n    10.80.1.1 > 10.80.1.2: ICMP 10.80.1.1 udp port 9 unreachable, length 39\n\tIP (tos 0x0, ttl 64, id 1813, offset 0, flags [DF], proto UDP (17), length 31)\n    10.80.1.2.35504 > 10.80.1.1.9: [bad udp cksum 0x16bf -> 0xec12!] UDP, length 3"},
	{name: "geneve options -vv", vv: true,
		hex:  "02770000000102770000000208004500006aa7eb400040117dfb0a4d00020a4d00019d2117c1005615040280655800002c00010280010000002a02780000000102780000000208004500003012344000400113f50a5100020a51000108004e9d00070001636f727075732d696e6e65722d7061796c6f6164",
		want: "IP (tos 0x0, ttl 64, id 42987, offset 0, flags [DF], proto UDP (17), length 106)\n    10.77.0.2.40225 > 10.77.0.1.6081: [bad udp cksum 0x1504 -> 0x13ca!] Geneve, Flags [O], vni 0x2c, options [class Open Virtual Networking (OVN) (0x102) type 0x80(C) len 8 data 0000002a]\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 48)\n    10.81.0.2 > 10.81.0.1: ICMP echo request, id 7, seq 1, length 28"},
	{name: "dhcp discover -vv", vv: true,
		hex:  "ffffffffffff02770000000208004500014800000000401179a600000000ffffffff004400430134683f01010600100e107d000000000000000000000000000000000000000002770000000200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000638253633501013902024037070103060c0f1c2a0c07636c69656e74313c0c756468637020312e33352e303d0701027700000002ff0000000000000000000000",
		want: "IP (tos 0x0, ttl 64, id 0, offset 0, flags [none], proto UDP (17), length 328)\n    0.0.0.0.68 > 255.255.255.255.67: [udp sum ok] BOOTP/DHCP, Request from 02:77:00:00:00:02, length 300, xid 0x100e107d, Flags [none] (0x0000)\n\t  Client-Ethernet-Address 02:77:00:00:00:02\n\t  Vendor-rfc1048 Extensions\n\t    Magic Cookie 0x63825363\n\t    DHCP-Message (53), length 1: Discover\n\t    MSZ (57), length 2: 576\n\t    Parameter-Request (55), length 7: \n\t      Subnet-Mask (1), Default-Gateway (3), Domain-Name-Server (6), Hostname (12)\n\t      Domain-Name (15), BR (28), NTP (42)\n\t    Hostname (12), length 7: \"client1\"\n\t    Vendor-Class (60), length 12: \"udhcp 1.35.0\"\n\t    Client-ID (61), length 7: ether 02:77:00:00:00:02"},
	{name: "dns response -vv", vv: true,
		hex:  "02770000000202770000000108004500004988c9400040119d3e0a4d00010a4d00020035bcff003514e3c89f8580000100010000000006636f7270757304746573740000010001c00c000100010000000000040a4d0009",
		want: "IP (tos 0x0, ttl 64, id 35017, offset 0, flags [DF], proto UDP (17), length 73)\n    10.77.0.1.53 > 10.77.0.2.48383: [bad udp cksum 0x14e3 -> 0x339d!] 51359* q: A? corpus.test. 1/0/0 corpus.test. A 10.77.0.9 (45)"},
	{name: "igmp v3 report -vv", vv: true,
		hex:  "01005e000016027700000002080046c00028000040000102f9aa0a4d0002e0000016940400002200e9f90000000103000000ef010203",
		want: "IP (tos 0xc0, ttl 1, id 0, offset 0, flags [DF], proto IGMP (2), length 40, options (RA))\n    10.77.0.2 > 224.0.0.22: igmp v3 report, 1 group record(s) [gaddr 239.1.2.3 to_in { }]"},
}

func init() { printSeeds = append(printSeeds, vvCases) }

func TestVeryVerbose(t *testing.T) { checkPrints(t, vvCases) }
