package main

import (
	"encoding/hex"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// TestDHCP6EnterpriseDUID: a DUID-EN (type 2) prints as tcpdump 4.99.3's
// "vid": the enterprise number and the identifier's first 4 bytes as one
// hex string (Wireshark's logistics_multicast.pcapng with -v).
func TestDHCP6EnterpriseDUID(t *testing.T) {
	data, _ := hex.DecodeString("33330001000202000000000186dd6000000000221101fe8000000000000042a8f0fffeb9aeedff0200000000000000000000000100020222022300220000013d44000001000c00020000000b40a8f0b9aeed00080002ffff")
	want := "IP6 (hlim 1, next-header UDP (17) payload length: 34) fe80::42a8:f0ff:feb9:aeed.546 > ff02::1:2.547: [bad udp cksum 0x0000 -> 0xf6dd!] dhcp6 solicit (xid=3d4400 (client-ID vid 0000000b40a8f0b9) (elapsed-time 65535))"
	if s := newDecoder().decode(&pkt{data: data, len: len(data), lt: layers.LinkTypeEthernet}, true); s.text != want {
		t.Errorf("-v: %q, want %q", s.text, want)
	}
}
