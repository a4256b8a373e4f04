package canframe

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Frame
		text string // what AppendText gives back; "" means in
	}{
		{"standard", "123#DEADBEEF", Frame{ID: 0x123, Data: []byte{0xde, 0xad, 0xbe, 0xef}}, ""},
		{"lowercase and dots", "7ff#de.ad.be.ef", Frame{ID: 0x7ff, Data: []byte{0xde, 0xad, 0xbe, 0xef}}, "7FF#DEADBEEF"},
		{"empty data", "000#", Frame{ID: 0, Data: []byte{}}, ""},
		{"eight bytes", "001#0102030405060708", Frame{ID: 1, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}}, ""},
		{"extended", "12345678#1122", Frame{ID: 0x12345678, Extended: true, Data: []byte{0x11, 0x22}}, ""},
		{"extended small id", "00000123#", Frame{ID: 0x123, Extended: true, Data: []byte{}}, ""},
		{"remote", "123#R", Frame{ID: 0x123, RTR: true}, ""},
		{"remote with length", "123#R5", Frame{ID: 0x123, RTR: true, RTRLen: 5}, ""},
		{"remote extended", "1FFFFFFF#R8", Frame{ID: 0x1fffffff, Extended: true, RTR: true, RTRLen: 8}, ""},
		{"fd", "123##1DEADBEEF", Frame{ID: 0x123, FD: true, Flags: FDFlagBRS, Data: []byte{0xde, 0xad, 0xbe, 0xef}}, ""},
		{"fd no flags no data", "123##0", Frame{ID: 0x123, FD: true, Data: []byte{}}, ""},
		{"fd extended esi", "12345678##2AA", Frame{ID: 0x12345678, Extended: true, FD: true, Flags: FDFlagESI, Data: []byte{0xaa}}, ""},
		{"error frame", "20000004#0004000000000000", Frame{ID: ErrClassCtrl, Err: true, Data: []byte{0, 4, 0, 0, 0, 0, 0, 0}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, diff)
			}
			want := tt.text
			if want == "" {
				want = tt.in
			}
			if s := got.Text(); s != want {
				t.Errorf("Text() = %q, want %q", s, want)
			}
		})
	}
}

func TestParseFD64(t *testing.T) {
	s := "123##1"
	for i := 0; i < 64; i++ {
		s += "AB"
	}
	f, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Data) != 64 {
		t.Errorf("got %d bytes, want 64", len(f.Data))
	}
	if _, err := Parse(s + "AB"); !errors.Is(err, ErrTooLong) {
		t.Errorf("65 FD bytes: err = %v, want ErrTooLong", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"no hash", "123DEADBEEF", ErrSyntax},
		{"dlc over 8", "123#010203040506070809", ErrTooLong},
		{"id too wide for standard", "800#00", ErrBadID},
		{"extended id too wide", "DFFFFFFF#00", ErrBadID},
		{"four digit id", "1234#00", ErrSyntax},
		{"not hex id", "12G#00", ErrSyntax},
		{"signed id", "+12#00", ErrSyntax},
		{"odd digits", "123#ABC", ErrSyntax},
		{"not hex data", "123#ZZ", ErrSyntax},
		{"fd without flags", "123##", ErrSyntax},
		{"fd bad flags", "123##G00", ErrSyntax},
		{"remote length 9", "123#R9", ErrSyntax},
		{"remote with data", "123#R12", ErrSyntax},
		{"error frame remote", "20000001#R", ErrSyntax},
		{"empty", "", ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse(%q) err = %v, want %v", tt.in, err, tt.want)
			}
		})
	}
}

func TestAppendLong(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"123#DEADBEEF", "123   [4]  DE AD BE EF"},
		{"12345678#1122", "12345678   [2]  11 22"},
		{"123##1DEADBEEF", "123  [04]  DE AD BE EF"},
		{"123#R4", "123   [4]  remote request"},
		{"20000044#0004000000000000", "20000044   [8]  00 04 00 00 00 00 00 00   ERRORFRAME controller-problem{rx-error-warning},bus-off"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(AppendLong(nil, &f)); got != tt.want {
				t.Errorf("AppendLong = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDescribeError(t *testing.T) {
	tests := []struct {
		name string
		f    Frame
		want string
	}{
		{"not an error", Frame{ID: 0x123}, ""},
		{"no class", Frame{Err: true}, "unknown-error-class"},
		{"lost arbitration", Frame{Err: true, ID: ErrClassLostArb, Data: []byte{7}}, "lost-arbitration{at bit 7}"},
		{"protocol", Frame{Err: true, ID: ErrClassProt | ErrClassBusError, Data: []byte{0, 0, 0x84}}, "protocol-violation{bit-stuffing-error,error-on-tx},bus-error"},
		{"counters", Frame{Err: true, ID: ErrClassCnt, Data: []byte{0, 0, 0, 0, 0, 0, 96, 128}}, "error-counter{tx 96, rx 128}"},
		{"short data", Frame{Err: true, ID: ErrClassCtrl | ErrClassTxTimeout}, "tx-timeout,controller-problem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DescribeError(&tt.f); got != tt.want {
				t.Errorf("DescribeError = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLogLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want LogLine
		out  string // "" means in
	}{
		{"classic", "(1700000000.123456) vcan0 123#DEADBEEF",
			LogLine{Time: time.Unix(1700000000, 123456000).UTC(), Iface: "vcan0", Frame: Frame{ID: 0x123, Data: []byte{0xde, 0xad, 0xbe, 0xef}}}, ""},
		{"fd with direction", "(0000000001.000001) can1 12345678##3AA T",
			LogLine{Time: time.Unix(1, 1000).UTC(), Iface: "can1", Frame: Frame{ID: 0x12345678, Extended: true, FD: true, Flags: 3, Data: []byte{0xaa}}},
			"(0000000001.000001) can1 12345678##3AA"},
		{"short fraction", "(5.5) vcan0 001#R",
			LogLine{Time: time.Unix(5, 500000000).UTC(), Iface: "vcan0", Frame: Frame{ID: 1, RTR: true}},
			"(0000000005.500000) vcan0 001#R"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLogLine(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseLogLine (-want +got):\n%s", diff)
			}
			want := tt.out
			if want == "" {
				want = tt.in
			}
			if s := string(AppendLogLine(nil, &got)); s != want {
				t.Errorf("AppendLogLine = %q, want %q", s, want)
			}
		})
	}
}

func TestLogLineErrors(t *testing.T) {
	for _, in := range []string{
		"", "vcan0 123#00", "(1.5) vcan0", "(1.5 vcan0 123#00", "(x.5) vcan0 123#00", "(1.) vcan0 123#00",
		"(1.5) vcan0 123#00 X", "(1.5) vcan0 123#00 T extra", "(1.1234567890) vcan0 123#00", "(1.5) vcan0 123#0102030405060708AA",
	} {
		if _, err := ParseLogLine(in); err == nil {
			t.Errorf("ParseLogLine(%q) succeeded", in)
		}
	}
}

func TestTimestamps(t *testing.T) {
	if got := string(AppendTimestamp(nil, time.Unix(12, 34000))); got != "(0000000012.000034)" {
		t.Errorf("AppendTimestamp = %q", got)
	}
	if got := string(AppendDuration(nil, 1500*time.Millisecond)); got != "(001.500000)" {
		t.Errorf("AppendDuration = %q", got)
	}
	if got := string(AppendDuration(nil, -time.Second)); got != "(000.000000)" {
		t.Errorf("AppendDuration(negative) = %q", got)
	}
}

func TestFDPaddedLen(t *testing.T) {
	for in, want := range map[int]int{0: 0, 8: 8, 9: 12, 13: 16, 33: 48, 64: 64, 65: 65} {
		if got := FDPaddedLen(in); got != want {
			t.Errorf("FDPaddedLen(%d) = %d, want %d", in, got, want)
		}
	}
}
