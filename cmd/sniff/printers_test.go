package main

import (
	"encoding/hex"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// printCase is a packet from a capture and the text tcpdump 4.99.3 prints
// for it, timestamp cut (with -n, and -v when verbose).
type printCase struct {
	name    string
	hex     string // the frame, Ethernet unless lt says otherwise
	verbose bool
	vv      bool // -vv, which is -v too
	want    string
	lt      layers.LinkType
	wire    int // the length on the wire when the capture is cut short
}

// checkPrints decodes each case and compares its text with tcpdump's.
// The cases join FuzzDecode's seeds through printSeeds.
func checkPrints(t *testing.T, cases []printCase) {
	t.Helper()
	for _, tc := range cases {
		data, lt := tc.frame(t)
		d := newDecoder()
		d.vv = tc.vv
		s := d.decode(&pkt{data: data, len: max(tc.wire, len(data)), lt: lt}, tc.verbose || tc.vv)
		if s.text != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, s.text, tc.want)
		}
	}
}

func (tc printCase) frame(t testing.TB) ([]byte, layers.LinkType) {
	data, err := hex.DecodeString(tc.hex)
	if err != nil {
		t.Fatalf("%s: %v", tc.name, err)
	}
	lt := tc.lt
	if lt == 0 {
		lt = layers.LinkTypeEthernet
	}
	return data, lt
}

// printSeeds is every printer test's packets, for FuzzDecode.
var printSeeds [][]printCase
