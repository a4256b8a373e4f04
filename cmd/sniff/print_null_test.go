package main

import (
	"encoding/hex"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// TestNullLoopback: BSD loopback captures (LINKTYPE_NULL with the family in
// the writer's byte order, LINKTYPE_LOOP in network order) print as
// tcpdump 4.99.3 prints them with -n and with -n -e.
func TestNullLoopback(t *testing.T) {
	const ip4 = "4500002000010000401100000a0000010a00000213882328000c000061626364"
	const ip6 = "6000000000081140fd000000000000000000000000000001fd00000000000000000000000000000213882328000800007a"
	tests := []struct {
		name   string
		lt     layers.LinkType
		hex    string
		wire   int
		text   string // -n
		link   string // -e: the link header
		linkTx string // -e: the text when it is not -n's
	}{
		{"ipv4", linkTypeNull, "02000000" + ip4, 0,
			"IP 10.0.0.1.5000 > 10.0.0.2.9000: UDP, length 4", "AF IPv4 (2), length 36: ", ""},
		{"ipv6 darwin", linkTypeNull, "1e000000" + ip6, 0,
			"IP6 fd00::1.5000 > fd00::2.9000: UDP, length 0", "AF IPv6 (30), length 53: ", ""},
		{"unknown family", linkTypeNull, "63000000aabbccdd", 0,
			"AF Unknown (99), length 8: \n\t0x0000:  aabb ccdd                                ....",
			"AF Unknown (99), length 8: ", "\n\t0x0000:  aabb ccdd                                ...."},
		{"cut short", linkTypeNull, "0200", 0, " [|null]", "", " [|null]"},
		{"wire longer", linkTypeNull, "02000000" + ip4, 100,
			"IP 10.0.0.1.5000 > 10.0.0.2.9000: UDP, length 4", "AF IPv4 (2), length 100: ", ""},
		{"loop ipv4", linkTypeLoop, "00000002" + ip4, 0,
			"IP 10.0.0.1.5000 > 10.0.0.2.9000: UDP, length 4", "AF IPv4 (2), length 36: ", ""},
		{"loop ipv6", linkTypeLoop, "00000018" + ip6, 0,
			"IP6 fd00::1.5000 > fd00::2.9000: UDP, length 0", "AF IPv6 (24), length 53: ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := hex.DecodeString(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			wire := max(tt.wire, len(data))
			p := &pkt{data: data, len: wire, lt: tt.lt}
			if s := newDecoder().decodeWith(p, false, false, false); s.text != tt.text {
				t.Errorf("-n: %q, want %q", s.text, tt.text)
			}
			// With -e the text is the same and the line drops its "IP "
			// or "IP6 " (textSink.write), but where the link header is all
			// there is.
			s := newDecoder().decodeWith(p, false, true, false)
			want := tt.text
			if tt.linkTx != "" {
				want = tt.linkTx
			}
			if s.link != tt.link || s.text != want {
				t.Errorf("-e: %q %q, want %q %q", s.link, s.text, tt.link, want)
			}
		})
	}
}
