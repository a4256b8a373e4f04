package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket/layers"
)

// TestDot11Fields: sniff --json names an 802.11 frame's source and
// destination as tcpdump's get_data_src_dst_mac does, by the DS bits, and
// the IP addresses of what it carries.
func TestDot11Fields(t *testing.T) {
	mac := func(last byte) []byte { return []byte{2, 0x77, 0, 0, 0, last} }
	hdr := func(fc0, fc1 byte, a1, a2, a3 byte) []byte {
		h := []byte{fc0, fc1, 0, 0}
		h = append(h, mac(a1)...)
		h = append(h, mac(a2)...)
		h = append(h, mac(a3)...)
		return append(h, 0x10, 0)
	}
	radiotap := []byte{0, 0, 8, 0, 0, 0, 0, 0} // no fields
	arp := []byte{0xaa, 0xaa, 3, 0, 0, 0, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1, 2, 0x77, 0, 0, 0, 2, 10, 77, 0, 2,
		0, 0, 0, 0, 0, 0, 10, 77, 0, 1}
	tests := []struct {
		name  string
		frame []byte
		text  string
		want  map[string]any
	}{
		{"beacon", append(hdr(0x80, 0, 0xff, 1, 1), make([]byte, 12)...), "Beacon IBSS",
			map[string]any{"src_mac": "02:77:00:00:00:01", "dst_mac": "02:77:00:00:00:ff"}},
		{"data from the DS", append(hdr(0x08, 0x02, 2, 1, 3), arp...),
			"ARP, Request who-has 10.77.0.1 tell 10.77.0.2, length 28",
			map[string]any{"src_mac": "02:77:00:00:00:03", "dst_mac": "02:77:00:00:00:02", "proto": "ARP"}},
		{"data to the DS", append(hdr(0x08, 0x01, 1, 2, 3), arp...),
			"ARP, Request who-has 10.77.0.1 tell 10.77.0.2, length 28",
			map[string]any{"src_mac": "02:77:00:00:00:02", "dst_mac": "02:77:00:00:00:03", "proto": "ARP"}},
		{"control frame", []byte{0xd4, 0, 0, 0, 2, 0x77, 0, 0, 0, 2}, "Acknowledgment RA:02:77:00:00:00:02 ",
			map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDecoder()
			data := append(append([]byte{}, radiotap...), tt.frame...)
			s := d.decodeWith(&pkt{data: data, len: len(data), lt: layers.LinkTypeIEEE80211Radio}, false, false, true)
			if s.text != tt.text {
				t.Errorf("text = %q, want %q", s.text, tt.text)
			}
			if diff := cmp.Diff(tt.want, s.fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}
