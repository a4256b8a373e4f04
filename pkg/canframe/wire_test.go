package canframe

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWireRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		size  int
		canID uint32
	}{
		{"standard", "123#DEADBEEF", MTU, 0x123},
		{"extended", "12345678#11", MTU, 0x12345678 | EFFFlag},
		{"remote", "123#R3", MTU, 0x123 | RTRFlag},
		{"error", "20000040#", MTU, 0x40 | ErrFlag},
		{"fd", "123##1" + "00112233445566778899AABBCCDDEEFF", FDMTU, 0x123},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			b, err := EncodeWire(&f)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != tt.size {
				t.Fatalf("encoded %d bytes, want %d", len(b), tt.size)
			}
			if id := binary.NativeEndian.Uint32(b); id != tt.canID {
				t.Errorf("can_id = %#x, want %#x", id, tt.canID)
			}
			if id, _ := WireCANID(b); id != tt.canID {
				t.Errorf("WireCANID = %#x, want %#x", id, tt.canID)
			}
			got, err := DecodeWire(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(f, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWireLayout(t *testing.T) {
	f := Frame{ID: 0x7ff, FD: true, Flags: FDFlagBRS | FDFlagESI, Data: []byte{1, 2, 3}}
	b, err := EncodeWire(&f)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, FDMTU)
	binary.NativeEndian.PutUint32(want, 0x7ff)
	want[4], want[5] = 3, 3
	copy(want[8:], []byte{1, 2, 3})
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("canfd_frame bytes (-want +got):\n%s", diff)
	}
	// Kernels from 6.3 set CANFD_FDF in flags; it is implied by the size.
	b[5] |= FDFlagFDF
	got, err := DecodeWire(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("decode with FDF (-want +got):\n%s", diff)
	}
}

func TestWireErrors(t *testing.T) {
	long := make([]byte, MTU)
	long[4] = 9
	fdLong := make([]byte, FDMTU)
	fdLong[4] = 65
	fdRTR := make([]byte, FDMTU)
	binary.NativeEndian.PutUint32(fdRTR, RTRFlag|1)
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"short", make([]byte, 8), ErrShort},
		{"odd size", make([]byte, 20), ErrBadFrame},
		{"dlc 9", long, ErrTooLong},
		{"fd len 65", fdLong, ErrTooLong},
		{"fd remote", fdRTR, ErrBadFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeWire(tt.in); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	for _, f := range []Frame{
		{ID: 0x800},
		{ID: 0x20000000, Extended: true},
		{ID: 1, Data: make([]byte, 9)},
		{ID: 1, FD: true, Data: make([]byte, 65)},
		{ID: 1, RTR: true, Data: []byte{1}},
		{ID: 1, RTR: true, FD: true},
		{ID: 1, RTR: true, RTRLen: 9},
		{ID: 1, Flags: 1},
		{Err: true, ID: 0x20000000},
	} {
		if _, err := EncodeWire(&f); err == nil {
			t.Errorf("EncodeWire(%+v) succeeded", f)
		}
	}
	if _, ok := WireCANID([]byte{1}); ok {
		t.Error("WireCANID of 1 byte succeeded")
	}
}
