package canframe

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDatagramRoundTrip(t *testing.T) {
	d := Datagram{Seq: 200, Frames: []Frame{
		{ID: 0x123, Data: []byte{0xde, 0xad}},
		{ID: 0x12345678, Extended: true, RTR: true, RTRLen: 4},
		{ID: 0x7ff, FD: true, Flags: FDFlagBRS, Data: make([]byte, 64)},
		{ID: ErrClassBusOff, Err: true, Data: make([]byte, 8)},
		{ID: 1, Data: []byte{}},
	}}
	b, err := EncodeDatagram(&d)
	if err != nil {
		t.Fatal(err)
	}
	size := TunnelHeaderLen
	for i := range d.Frames {
		size += TunnelFrameLen(&d.Frames[i])
	}
	if len(b) != size {
		t.Errorf("datagram is %d bytes, TunnelFrameLen sums to %d", len(b), size)
	}
	wantHead := []byte{2, 0, 200, 0, 5, 0, 0, 1, 0x23, 2, 0xde, 0xad, 0xd2, 0x34, 0x56, 0x78, 4}
	if diff := cmp.Diff(wantHead, b[:len(wantHead)]); diff != "" {
		t.Errorf("first bytes (-want +got):\n%s", diff)
	}
	got, err := DecodeDatagram(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestDatagramErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"short header", []byte{2, 0, 0}, ErrShort},
		{"version", []byte{1, 0, 0, 0, 0}, ErrBadFrame},
		{"op code", []byte{2, 1, 0, 0, 0}, ErrBadFrame},
		{"count beyond data", []byte{2, 0, 0, 0, 2, 0, 0, 1, 0x23, 0}, ErrShort},
		{"data cut", []byte{2, 0, 0, 0, 1, 0, 0, 1, 0x23, 4, 1, 2}, ErrShort},
		{"fd flags missing", []byte{2, 0, 0, 0, 1, 0, 0, 1, 0x23, 0x80}, ErrShort},
		{"classic len 9", append([]byte{2, 0, 0, 0, 1, 0, 0, 1, 0x23, 9}, make([]byte, 9)...), ErrTooLong},
		{"trailing bytes", []byte{2, 0, 0, 0, 0, 1}, ErrBadFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeDatagram(tt.in); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSeqTracker(t *testing.T) {
	tests := []struct {
		name string
		seqs []uint8
		want SeqTracker
	}{
		{"in order across wrap", []uint8{254, 255, 0, 1}, SeqTracker{Received: 4}},
		{"one lost", []uint8{1, 2, 4, 5}, SeqTracker{Received: 4, Lost: 1}},
		{"reordered", []uint8{1, 3, 2, 4}, SeqTracker{Received: 4, Reordered: 1}},
		{"gap across wrap", []uint8{250, 5}, SeqTracker{Received: 2, Lost: 10}},
		{"late duplicate", []uint8{1, 2, 2}, SeqTracker{Received: 3, Reordered: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got SeqTracker
			for _, s := range tt.seqs {
				got.Observe(s)
			}
			opts := cmp.AllowUnexported(SeqTracker{})
			tt.want.started, tt.want.expected = got.started, got.expected
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestTunnelHello(t *testing.T) {
	h := AppendTunnelHello(nil, 0x0102030405060708)
	if s, ok := ParseTunnelHello(h); !ok || s != 0x0102030405060708 {
		t.Errorf("ParseTunnelHello(%x) = %x, %v", h, s, ok)
	}
	if _, err := DecodeDatagram(h); err == nil {
		t.Errorf("DecodeDatagram took a hello for data")
	}
	for _, b := range [][]byte{
		h[:len(h)-1],
		append(append([]byte{}, h...), 0),
		{TunnelVersion, TunnelOpData, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8},
		{TunnelVersion, TunnelOpHello, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8},
		{TunnelVersion, TunnelOpHello, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8},
	} {
		if _, ok := ParseTunnelHello(b); ok {
			t.Errorf("ParseTunnelHello(%x) took it for a hello", b)
		}
	}
}
