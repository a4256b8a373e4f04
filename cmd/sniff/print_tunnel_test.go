package main

import "testing"

// From tcpdump's tests/otv-heapoverflow-2.pcap: a frame too short for
// the Ethernet header under the OTV header (the file's snapshot length
// is 60).
var tunnelCases = []printCase{
	{name: "otv short frame", hex: "001d09bc435f00e0c90010a508004500003651d100001e11c8f7c0a80009612201e0910321187e88074d9db900004600000046000000ffffffffffff", wire: 68,
		want: "IP 192.168.0.9.37123 > 97.34.1.224.8472: OTV, flags [I] (0x9d), overlay 12124160, instance 4587520\n [|ether]"},
}

func init() { printSeeds = append(printSeeds, tunnelCases) }

func TestTunnels(t *testing.T) { checkPrints(t, tunnelCases) }
