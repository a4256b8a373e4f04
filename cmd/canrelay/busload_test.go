package main

import (
	"bufio"
	"bytes"
	"regexp"
	"testing"

	"github.com/sockcore/sockcore/pkg/canframe"
)

// TestBusloadReportLikeCanbusload renders the report of canbusload's own
// usage text (can-utils 2020.11: -r -t -b -c on four interfaces) and the
// bar graph's edges: over 100% a full bar, under 5% none. The VM test
// compares it with canbusload itself (integration/vm/can).
func TestBusloadReportLikeCanbusload(t *testing.T) {
	var buf bytes.Buffer
	bl := &busload{timeLine: true, colour: true, bar: true, redraw: true, mode: canframe.StuffWorstCase,
		out: bufio.NewWriter(&buf), nameW: 4, rateW: 6}
	for _, s := range []busStat{
		{"can0", "100000", 100000, 805, 74491, 36656}, {"can1", "500000", 500000, 796, 75140, 37728},
		{"can2", "500000", 500000, 0, 0, 0}, {"can3", "500000", 500000, 47, 4633, 2424},
	} {
		bl.stats = append(bl.stats, &s)
	}
	bl.report()
	want := "\x1b[H" +
		"canrelay busload DATE (worst case bitstuffing)\n" +
		"\x1b[34m can0@100000   805   74491  36656  74% |XXXXXXXXXXXXXX......|\x1b[0m\n" +
		"\x1b[31m can1@500000   796   75140  37728  15% |XXX.................|\x1b[0m\n" +
		"\x1b[34m can2@500000     0       0      0   0% |....................|\x1b[0m\n" +
		"\x1b[31m can3@500000    47    4633   2424   0% |....................|\x1b[0m\n" +
		"\n"
	date := regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`)
	if got := date.ReplaceAllString(buf.String(), "DATE"); got != want {
		t.Errorf("report:\n%q\nwant\n%q", got, want)
	}
	for _, st := range bl.stats {
		if st.frames != 0 || st.bits != 0 || st.payloadBit != 0 {
			t.Errorf("%s not reset after the report: %+v", st.iface, *st)
		}
	}

	buf.Reset()
	bl = &busload{bar: true, out: bufio.NewWriter(&buf), nameW: 5, rateW: 3, stats: []*busStat{
		{iface: "vcan0", rate: "500", bitrate: 500, frames: 11, bits: 605},
		{iface: "vcan1", rate: "500", bitrate: 500, frames: 1, bits: 24},
	}}
	bl.report()
	want = " vcan0@500    11     605      0 121% |XXXXXXXXXXXXXXXXXXXX|\n" +
		" vcan1@500     1      24      0   4% |....................|\n\n"
	if buf.String() != want {
		t.Errorf("report:\n%q\nwant\n%q", buf.String(), want)
	}
}
