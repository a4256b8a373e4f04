package main

import "testing"

// From tcpdump's tests/lisp_eid_register.pcap and lisp_eid_notify.pcap.
var lispCases = []printCase{
	{name: "map-register", hex: "ffffffffffff0000000000000800450000900001000040113a4ac0a800697f00000110f610f6007ced5132001102c4218228892d20a4000100144bbb9614a67a86040407799545371906836cd1d6000005a001201000000000010a1e01640164016400000001141408fd000005a001201000000000010a1e01600164016400000001141408fc9787ad753caf58a713fa6920e6d27a8f0000000000000000",
		want: "IP 192.168.0.105.4342 > 127.0.0.1.4342: LISP-Map-Register, 2 record(s),\n" +
			" EID 10.30.1.100/32, 1 locator(s) LOC 20.20.8.253\n" +
			" EID 10.30.1.96/32, 1 locator(s) LOC 20.20.8.252\n" +
			"    xTR-ID: 0x0000:  9787 ad75 3caf 58a7 13fa 6920 e6d2 7a8f\n" +
			"    SITE-ID: 0"},
	{name: "map-register -v", verbose: true, hex: "ffffffffffff0000000000000800450000900001000040113a4ac0a800697f00000110f610f6007ced5132001102c4218228892d20a4000100144bbb9614a67a86040407799545371906836cd1d6000005a001201000000000010a1e01640164016400000001141408fd000005a001201000000000010a1e01600164016400000001141408fc9787ad753caf58a713fa6920e6d27a8f0000000000000000",
		want: "IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto UDP (17), length 144)\n" +
			"    192.168.0.105.4342 > 127.0.0.1.4342: LISP-Map-Register, flags [I-xTR-ID-Present, M-Want-Map-Notify],\n" +
			"    2 record(s), Authentication SHA1,\n" +
			"    Authentication-Data: 0x0000:  4bbb 9614 a67a 8604 0407 7995 4537 1906\n" +
			"    Authentication-Data: 0x0010:  836c d1d6\n" +
			"      Record TTL 1440, Authoritative, No-Action, Map Version: 0, EID 10.30.1.100/32, 1 locator(s)\n" +
			"        LOC 20.20.8.253\n" +
			"          Priority/Weight 1/100, Multicast Priority/Weight 1/100, flags [none],\n" +
			"      Record TTL 1440, Authoritative, No-Action, Map Version: 0, EID 10.30.1.96/32, 1 locator(s)\n" +
			"        LOC 20.20.8.252\n" +
			"          Priority/Weight 1/100, Multicast Priority/Weight 1/100, flags [none],\n" +
			"    xTR-ID: 0x0000:  9787 ad75 3caf 58a7 13fa 6920 e6d2 7a8f\n" +
			"    SITE-ID: 0"},
}

func init() { printSeeds = append(printSeeds, lispCases) }

func TestLISP(t *testing.T) { checkPrints(t, lispCases) }
