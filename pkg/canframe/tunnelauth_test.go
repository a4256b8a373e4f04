package canframe

import (
	"bytes"
	"errors"
	"testing"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestTunnelAuthRoundTrip(t *testing.T) {
	a, err := NewTunnelAuth(testKey, 0x1111, 1700000000)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewTunnelAuth(testKey, 0x2222, 1700000005)
	inner, err := EncodeDatagram(&Datagram{Seq: 7, Frames: []Frame{{ID: 0x123, Data: []byte{0xde, 0xad}}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		sealed := a.Seal(nil, inner)
		if len(sealed) != len(inner)+TunnelAuthOverhead {
			t.Fatalf("sealed %d bytes, want %d", len(sealed), len(inner)+TunnelAuthOverhead)
		}
		o, err := b.Open(sealed)
		if err != nil {
			t.Fatal(err)
		}
		if o.Sender != 0x1111 || o.Seq != 1700000000<<32+uint64(i) || !bytes.Equal(o.Datagram, inner) {
			t.Errorf("opened sender %#x seq %#x datagram %x", o.Sender, o.Seq, o.Datagram)
		}
	}
}

func TestTunnelAuthRefuses(t *testing.T) {
	a, _ := NewTunnelAuth(testKey, 1, 1)
	other, _ := NewTunnelAuth([]byte("another key of 16+ bytes"), 2, 1)
	inner, _ := EncodeDatagram(&Datagram{Seq: 1, Frames: []Frame{{ID: 0x123, Data: []byte{0xde, 0xad, 0xbe, 0xef}}}})
	sealed := a.Seal(nil, inner)
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 1
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"unauthenticated", inner, ErrUnauthenticated},
		{"short", sealed[:TunnelAuthOverhead-1], ErrShort},
		{"other key", other.Seal(nil, inner), ErrBadTag},
		{"version", flip(0), ErrBadTag},
		{"sender", flip(3), ErrBadTag},
		{"seq", flip(17), ErrBadTag},
		{"frame data", flip(TunnelAuthHeaderLen + 11), ErrBadTag},
		{"tag", flip(len(sealed) - 1), ErrBadTag},
		{"cut", sealed[:len(sealed)-1], ErrBadTag},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := a.Open(tc.b); !errors.Is(err, tc.want) {
				t.Errorf("Open: %v, want %v", err, tc.want)
			}
		})
	}
	for _, n := range []int{0, MinTunnelKeyLen - 1, MaxTunnelKeyLen + 1} {
		if _, err := NewTunnelAuth(make([]byte, n), 1, 1); err == nil {
			t.Errorf("a key of %d bytes accepted", n)
		}
	}
}

// TestReplayWindow: each number once, late ones within the window, none
// below it, a jump ahead clears the window.
func TestReplayWindow(t *testing.T) {
	var w ReplayWindow
	steps := []struct {
		seq  uint64
		want bool
	}{
		{100, true}, {100, false}, {101, true}, {99, true}, {99, false},
		// 164-63 = 101 is the lowest number in the window now: 101 was
		// seen, 100 and 99 fell out, 102 was not seen.
		{164, true}, {101, false}, {100, false}, {99, false}, {102, true},
		{103, true}, {103, false}, {1000, true}, {937, true}, {936, false}, {999, true}, {1000, false},
	}
	for i, s := range steps {
		got := w.Check(s.seq)
		if got != s.want {
			t.Errorf("step %d: Check(%d) = %v, want %v", i, s.seq, got, s.want)
		}
		if got {
			w.Accept(s.seq)
		}
	}
}
