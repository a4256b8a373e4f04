package canframe

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The wants are isotpdump 2020.11's lines for the same frames, captured in
// the kernel VM (isotpsend of 29 bytes, then "3E 00").
func TestAppendISOTP(t *testing.T) {
	tests := []struct {
		frame string
		view  ISOTPView
		want  string
	}{
		{"123#101D010203040506", ISOTPView{}, " vcan0  123  [8]  [FF] ln: 29   data: 01 02 03 04 05 06 "},
		{"321#300000", ISOTPView{}, " vcan0  321  [3]  [FC] FC: 0 = CTS # BS: 0 = off # STmin: 0x00 = 0 ms"},
		{"123#2107080909A0B0C0D", ISOTPView{}, ""},
		{"123#21070809", ISOTPView{}, " vcan0  123  [4]  [CF] sn: 1    data: 07 08 09 "},
		{"123#244243", ISOTPView{}, " vcan0  123  [3]  [CF] sn: 4    data: 42 43 "},
		{"123#023E00", ISOTPView{}, " vcan0  123  [3]  [SF] ln: 2    data: 3E 00 "},
		{"123#101D010203040506", ISOTPView{ASCII: true}, " vcan0  123  [8]  [FF] ln: 29   data: 01 02 03 04 05 06     -  '......'"},
		{"123#023E00", ISOTPView{ASCII: true}, " vcan0  123  [3]  [SF] ln: 2    data: 3E 00                 -  '>.'"},
		{"123#55101D0102030405", ISOTPView{Extended: true}, " vcan0  123{55}  [8]  [FF] ln: 29   data: 01 02 03 04 05 "},
		{"321#55300000", ISOTPView{Extended: true}, " vcan0  321{55}  [4]  [FC] FC: 0 = CTS # BS: 0 = off # STmin: 0x00 = 0 ms"},
		{"321#3108F5", ISOTPView{}, " vcan0  321  [3]  [FC] FC: 1 = WT # BS: 8 # STmin: 0xF5 = 500 us"},
		{"321#3F0090", ISOTPView{}, " vcan0  321  [3]  [FC] FC: 15 = reserved # BS: 0 = off # STmin: 0x90 = reserved"},
		{"12345678#4001", ISOTPView{}, " vcan0  12345678  [2]  [??]"},
		{"007#0161", ISOTPView{}, " vcan0    7  [2]  [SF] ln: 1    data: 61 "},
		{"123##100" + "0D" + "0102030405060708090A0B0C0D" + "00000000000000000000000000000000000000000000000000", ISOTPView{}, ""},
	}
	for _, tt := range tests {
		if tt.want == "" {
			continue
		}
		t.Run(tt.frame, func(t *testing.T) {
			f, err := Parse(tt.frame)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(AppendISOTP(nil, "vcan0", &f, tt.view))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if got := string(AppendISOTPTimestamp(nil, 1796604940, 705659)); got != "(1796604940.705659) " {
		t.Errorf("timestamp %q", got)
	}
}
