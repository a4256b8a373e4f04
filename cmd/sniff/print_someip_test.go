package main

import "testing"

// From tcpdump's tests/someip1.pcap: tcpdump ends the line with a newline
// of its own.
var someipCases = []printCase{
	{name: "notification", hex: "ffffffffffff001fc6db87370800450000640001000040114927c0a85808c0a85808771a7b020050d0fdffff81000000004000000000010102008000000000000020000000004711ffffff000e10ffffffff010000101234000101000003000000320000000c00090400c0a800010011d903",
		want: "IP 192.168.88.8.30490 > 192.168.88.8.31490: SOMEIP, service 65535, event 256, len 64, client 0, session 0, pver 1, iver 1, msgtype NOTIFICATION, retcode E_OK\n"},
}

func init() { printSeeds = append(printSeeds, someipCases) }

func TestSOMEIP(t *testing.T) { checkPrints(t, someipCases) }
