package main

import "testing"

// From Wireshark's communityid.pcap (time exceeded) and tcpdump's
// tests/icmpv6-rfc7112.pcap (parameter problem).
var icmp6Cases = []printCase{
	{name: "time exceeded", hex: "0000860580da0060970769ea86dd6000000000443a403ffe050700000001026097fffe0769ea3ffe050700000001020086fffe0580da0300f7520000000060000000001411013ffe050700000001020086fffe0580da3ffe05010410000002c0dffffe47033ea075829b0014828b01010000f9c8e736f5ed0800",
		want: "IP6 3ffe:507:0:1:260:97ff:fe07:69ea > 3ffe:507:0:1:200:86ff:fe05:80da: ICMP6, time exceeded in-transit for 3ffe:501:410:0:2c0:dfff:fe47:33e, length 68"},
	{name: "time exceeded -v", verbose: true, hex: "0000860580da0060970769ea86dd6000000000443a403ffe050700000001026097fffe0769ea3ffe050700000001020086fffe0580da0300f7520000000060000000001411013ffe050700000001020086fffe0580da3ffe05010410000002c0dffffe47033ea075829b0014828b01010000f9c8e736f5ed0800",
		want: "IP6 (hlim 64, next-header ICMPv6 (58) payload length: 68) 3ffe:507:0:1:260:97ff:fe07:69ea > 3ffe:507:0:1:200:86ff:fe05:80da: [icmp6 sum ok] ICMP6, time exceeded in-transit for 3ffe:501:410:0:2c0:dfff:fe47:33e"},
	{name: "parameter problem", hex: "ac1f6b469eda00a09815ece786dd6000000000483a40200106300042011002a098fffe15ece72001063000420110ae1f6bfffe469eda0403994c000000306000000000182c402001063000420110ae1f6bfffe469eda200106300042011002a098fffe15ece7290000010000d6b16227605c7830305c7830305c7830305c",
		want: "IP6 2001:630:42:110:2a0:98ff:fe15:ece7 > 2001:630:42:110:ae1f:6bff:fe46:9eda: ICMP6, parameter problem, incomplete header chain - octet 48, length 72"},
}

func init() { printSeeds = append(printSeeds, icmp6Cases) }

func TestICMP6Errors(t *testing.T) { checkPrints(t, icmp6Cases) }
