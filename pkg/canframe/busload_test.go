package canframe

import "testing"

// canbusload -e counted 473 bits and 144 payload bits for one round of
// these six classic frames in the kernel VM (66 frames, 5203 bits, 1584
// payload bits in 11 rounds).
func TestFrameBitsExactMatchesCanbusload(t *testing.T) {
	total, payload := 0, 0
	for _, s := range []string{"123#DEADBEEF", "12345678#11", "123#R", "321#R5", "000#", "7FF#3132414a7e7f8020"} {
		f, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		total += FrameBits(&f, StuffExact)
		payload += 8 * f.Len()
	}
	if total != 473 || payload != 144 {
		t.Errorf("bits %d payload %d, canbusload -e: 473 and 144", total, payload)
	}
}

// canbusload (worst case) counted 41250 bits for a burst of 400 frames in
// the kernel VM: every third with an extended id, lengths 0-8 in turn,
// every seventeenth a remote request.
func TestFrameBitsWorstCaseMatchesCanbusload(t *testing.T) {
	total := 0
	for i := 0; i < 400; i++ {
		f := Frame{ID: uint32(i * 7 % 0x800), Extended: i%3 == 0, RTR: i%17 == 0}
		if f.Extended {
			f.ID = uint32(i * 104729 % 0x20000000)
		}
		if f.RTR {
			f.RTRLen = uint8(i % 9)
		} else {
			f.Data = make([]byte, i%9)
		}
		total += FrameBits(&f, StuffWorstCase)
	}
	if total != 41250 {
		t.Errorf("%d bits, canbusload: 41250", total)
	}
}

func TestFrameBitsModes(t *testing.T) {
	tests := []struct {
		frame string
		mode  Stuffing
		want  int
	}{
		{"123#", StuffNone, 47},
		{"123#0102030405060708", StuffNone, 111},
		{"12345678#", StuffNone, 67},
		{"123#", StuffWorstCase, 55},
		{"123#0102030405060708", StuffWorstCase, 135},
		{"12345678#0102030405060708", StuffWorstCase, 160},
		{"123##1AA", StuffExact, 0},
		// All-zero id and data: a stuff bit after every four zeros
		// once the first run of five is broken.
		{"000#0000000000000000", StuffExact, 0},
	}
	for _, tt := range tests {
		f, _ := Parse(tt.frame)
		got := FrameBits(&f, tt.mode)
		if tt.want == 0 && tt.mode == StuffExact && !f.FD {
			if got <= FrameBits(&f, StuffNone) || got > FrameBits(&f, StuffWorstCase)+1 {
				t.Errorf("%s exact = %d, outside (%d, %d]", tt.frame, got, FrameBits(&f, StuffNone), FrameBits(&f, StuffWorstCase))
			}
			continue
		}
		if got != tt.want {
			t.Errorf("FrameBits(%s, %d) = %d, want %d", tt.frame, tt.mode, got, tt.want)
		}
	}
}
