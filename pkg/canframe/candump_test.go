package canframe

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The wants are candump 2020.11's output (Debian 12's can-utils), captured
// in the kernel VM for the same frames, after the interface column.
func TestAppendCandump(t *testing.T) {
	tests := []struct {
		frame string
		view  View
		want  string
	}{
		{"123#DEADBEEF", View{}, "123   [4]  DE AD BE EF"},
		{"12345678#11", View{}, "12345678   [1]  11"},
		{"123#R", View{IndentSFF: true}, "     123   [0]  remote request"},
		{"321#R5", View{IndentSFF: true, ASCII: true}, "     321   [5]  remote request"},
		{"000#", View{IndentSFF: true}, "     000   [0] "},
		{"000#", View{IndentSFF: true, ASCII: true}, "     000   [0]                            ''"},
		{"123##1" + strings.Repeat("A5", 12), View{IndentSFF: true, ASCII: true}, "     123  [12]  A5 A5 A5 A5 A5 A5 A5 A5 A5 A5 A5 A5"},
		{"1FFFFFFF##3DEADBEEF", View{ASCII: true}, "1FFFFFFF  [04]  DE AD BE EF               '....'"},
		{"123##0", View{IndentSFF: true}, "     123  [00] "},
		{"456##2414243", View{IndentSFF: true, ASCII: true}, "     456  [03]  41 42 43                  'ABC'"},
		{"123#DEADBEEF", View{ASCII: true}, "123   [4]  DE AD BE EF               '....'"},
		{"7FF#3132414a7e7f8020", View{IndentSFF: true, ASCII: true}, "     7FF   [8]  31 32 41 4A 7E 7F 80 20   '12AJ~.. '"},
		{"20000004#0004000000000000", View{ASCII: true}, "20000004   [8]  00 04 00 00 00 00 00 00   ERRORFRAME"},
		{"20000004#0004000000000000", View{Errors: true}, "20000004   [8]  00 04 00 00 00 00 00 00   ERRORFRAME\n\tcontroller-problem{rx-error-warning}"},
		{"200000FF#FFFFFFFFFFFFFFFF", View{Errors: true}, "200000FF   [8]  FF FF FF FF FF FF FF FF   ERRORFRAME" +
			"\n\ttx-timeout\n\tlost-arbitration{at bit 255}" +
			"\n\tcontroller-problem{rx-overflow,tx-overflow,rx-error-warning,tx-error-warning,rx-error-passive,tx-error-passive,back-to-error-active}" +
			"\n\tprotocol-violation{{single-bit-error,frame-format-error,bit-stuffing-error,tx-dominant-bit-error,tx-recessive-bit-error,bus-overload,active-error,error-on-tx}{}}" +
			"\n\ttransceiver-status\n\tno-acknowledgement-on-tx\n\tbus-off\n\tbus-error\n\terror-counter-tx-rx{{255}{255}}"},
		{"20000200#0000000000000A0B", View{Errors: true}, "20000200   [8]  00 00 00 00 00 00 0A 0B   ERRORFRAME\n\t\n\terror-counter-tx-rx{{10}{11}}"},
		{"20000008#0008120000000000", View{Errors: true}, "20000008   [8]  00 08 12 00 00 00 00 00   ERRORFRAME\n\tprotocol-violation{{frame-format-error,tx-recessive-bit-error}{}}"},
		{"20000008#00000418", View{Errors: true}, "20000008   [4]  00 00 04 18" + strings.Repeat(" ", 15) + "ERRORFRAME\n\tprotocol-violation{{bit-stuffing-error}{crc-delimiter}}"},
		// A class beyond restarted-after-bus-off: candump prints its
		// line buffer again.
		{"20000400#", View{Errors: true}, "20000400   [0] " + strings.Repeat(" ", 27) + "ERRORFRAME\n\t20000400   [0] " + strings.Repeat(" ", 27) + "ERRORFRAME"},
	}
	for _, tt := range tests {
		t.Run(tt.frame, func(t *testing.T) {
			f, err := Parse(tt.frame)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(AppendCandump(nil, &f, tt.view))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCandumpColumns(t *testing.T) {
	f, _ := Parse("123##1A5")
	if got := string(AppendTextFlags(nil, &f, 5)); got != "123##5A5" {
		t.Errorf("AppendTextFlags = %q", got)
	}
	f, _ = Parse("1FFFFFFF##3DEADBEEF")
	if got := string(AppendTextFlags(nil, &f, 7)); got != "1FFFFFFF##7DEADBEEF" {
		t.Errorf("AppendTextFlags = %q", got)
	}
	if got := ExtraInfo(true, 7); got != "TX B E" {
		t.Errorf("ExtraInfo = %q", got)
	}
	if got := ExtraInfo(false, 2); got != "RX - E" {
		t.Errorf("ExtraInfo = %q", got)
	}
	ts := time.Date(2026, 12, 7, 0, 48, 32, 760732999, time.UTC)
	if got := string(AppendDateTimestamp(nil, ts)); got != "(2026-12-07 00:48:32.760732)" {
		t.Errorf("AppendDateTimestamp = %q", got)
	}
	if got := CandumpLogName(time.Date(2026, 12, 7, 0, 52, 46, 0, time.UTC)); got != "candump-2026-12-07_005246.log" {
		t.Errorf("CandumpLogName = %q", got)
	}
}
