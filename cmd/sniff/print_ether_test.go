package main

import (
	"encoding/hex"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// TestUnknownEthertype: a frame whose ethertype sniff has no printer for
// prints as tcpdump 4.99.3's ether_print prints it: without -e the
// addresses, the (innermost) ethertype and the frame's length, then a dump
// of the payload; with -e the link header (and VLAN tags) and the dump.
func TestUnknownEthertype(t *testing.T) {
	tests := []struct {
		name, hex  string
		text, link string // -n; -e's text after the link header and tags
		vlan       string
	}{
		// Wireshark's sample_control4_2012-03-24.pcap, its first packet.
		{"control4", "afabacadaeaf42fb9f815a81809a418846dd1cffff00000912fcff000001c3df1b1b0000ff0f0028cfda0000df1b1b0000ff0f00007bdead0eeccddac8",
			"42:fb:9f:81:5a:81 > af:ab:ac:ad:ae:af, ethertype Unknown (0x809a), length 61: " +
				"\n\t0x0000:  4188 46dd 1cff ff00 0009 12fc ff00 0001  A.F............." +
				"\n\t0x0010:  c3df 1b1b 0000 ff0f 0028 cfda 0000 df1b  .........(......" +
				"\n\t0x0020:  1b00 00ff 0f00 007b dead 0eec cdda c8    .......{.......",
			"\n\t0x0000:  4188 46dd 1cff ff00 0009 12fc ff00 0001  A.F............." +
				"\n\t0x0010:  c3df 1b1b 0000 ff0f 0028 cfda 0000 df1b  .........(......" +
				"\n\t0x0020:  1b00 00ff 0f00 007b dead 0eec cdda c8    .......{.......", ""},
		{"two tags", "020000000002020000000001810000058100000a9999aabb",
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype Unknown (0x9999), length 24: " +
				"\n\t0x0000:  aabb                                     ..",
			"\n\t0x0000:  aabb                                     ..",
			"vlan 5, p 0, ethertype 802.1Q (0x8100), vlan 10, p 0, ethertype Unknown (0x9999), "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := hex.DecodeString(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			p := &pkt{data: data, len: len(data), lt: layers.LinkTypeEthernet}
			if s := newDecoder().decodeWith(p, false, false, false); s.text != tt.text {
				t.Errorf("-n: %q, want %q", s.text, tt.text)
			}
			if s := newDecoder().decodeWith(p, false, true, false); s.text != tt.link || s.vlan != tt.vlan {
				t.Errorf("-e: %q %q, want %q %q", s.vlan, s.text, tt.vlan, tt.link)
			}
			// -x prints the dump instead (tcpdump's suppressed default print).
			d := newDecoder()
			d.hexOut = true
			if s := d.decodeWith(p, false, true, false); s.text != "" {
				t.Errorf("-e -x: %q, want nothing", s.text)
			}
		})
	}
}

// TestRawIPLink: LINKTYPE_RAW, LINKTYPE_IPV4 and LINKTYPE_IPV6 choose IPv4
// or IPv6 by the version nibble and print "ip: " as their -e header
// (tcpdump's raw_if_print; Wireshark's ipoipoip.pcap with -e).
func TestRawIPLink(t *testing.T) {
	data, _ := hex.DecodeString("4500002000010000401100000a0000010a00000213882328000c000061626364")
	for _, lt := range []layers.LinkType{layers.LinkTypeRaw, layers.LinkTypeIPv4, layers.LinkTypeIPv6} {
		s := newDecoder().decodeWith(&pkt{data: data, len: len(data), lt: lt}, false, true, false)
		if want := "IP 10.0.0.1.5000 > 10.0.0.2.9000: UDP, length 4"; s.link != "ip: " || s.text != want {
			t.Errorf("link type %d -e: %q %q, want %q %q", lt, s.link, s.text, "ip: ", want)
		}
	}
}
