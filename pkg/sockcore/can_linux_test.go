package sockcore

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestCANAddrEncode(t *testing.T) {
	lo, err := ifNameToIndex("lo")
	if err != nil {
		t.Fatal(err)
	}
	raw := func(idx int, fill func(b []byte)) []byte {
		b := make([]byte, unix.SizeofSockaddrCAN)
		binary.NativeEndian.PutUint16(b, unix.AF_CAN)
		binary.NativeEndian.PutUint32(b[4:], uint32(idx))
		if fill != nil {
			fill(b)
		}
		return b
	}
	tests := []struct {
		name   string
		a      *CANAddr
		want   []byte
		str    string
		decode *CANAddr
	}{
		{"any", &CANAddr{}, raw(0, nil), "any", &CANAddr{}},
		{"raw by name", &CANAddr{Interface: "lo"}, raw(lo, nil), "lo", &CANAddr{Ifindex: lo}},
		{"isotp", &CANAddr{Kind: CANKindISOTP, Ifindex: 7, RxID: 0x7e8, TxID: 0x80000123}, raw(7, func(b []byte) {
			binary.NativeEndian.PutUint32(b[8:], 0x7e8)
			binary.NativeEndian.PutUint32(b[12:], 0x80000123)
		}), "", nil},
		{"j1939", &CANAddr{Kind: CANKindJ1939, Ifindex: 3, Name: 0x1122334455667788, PGN: 0x12300, Addr: 0x20}, raw(3, func(b []byte) {
			binary.NativeEndian.PutUint64(b[8:], 0x1122334455667788)
			binary.NativeEndian.PutUint32(b[16:], 0x12300)
			b[20] = 0x20
		}), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := EncodeSockaddr(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b); diff != "" {
				t.Errorf("sockaddr_can (-want +got):\n%s", diff)
			}
			if tt.str != "" && tt.a.String() != tt.str {
				t.Errorf("String() = %q, want %q", tt.a.String(), tt.str)
			}
			got, err := DecodeSockaddr(b)
			if err != nil {
				t.Fatal(err)
			}
			again, err := EncodeSockaddr(got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(b, again); diff != "" {
				t.Errorf("decode then encode (-want +got):\n%s", diff)
			}
			if got.(*CANAddr).Kind != tt.a.Kind {
				t.Errorf("decoded kind %d, want %d", got.(*CANAddr).Kind, tt.a.Kind)
			}
			if tt.decode != nil {
				if diff := cmp.Diff(tt.decode, got); diff != "" {
					t.Errorf("decoded (-want +got):\n%s", diff)
				}
				if got.String() != tt.a.String() {
					t.Errorf("decoded String() = %q, want %q", got.String(), tt.a.String())
				}
			}
		})
	}
}

func TestCANAddrString(t *testing.T) {
	isotp := &CANAddr{Interface: "vcan0", RxID: 0x7e8, TxID: 0x7e0}
	if got, want := isotp.WithProto(unix.CAN_ISOTP).String(), "vcan0 rx=0x7e8 tx=0x7e0"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	j := &CANAddr{Interface: "vcan1", PGN: 0x12300, Addr: 0x20}
	if got, want := j.WithProto(unix.CAN_J1939).String(), "vcan1 name=0x0 pgn=0x12300 addr=0x20"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if k := isotp.WithProto(unix.CAN_ISOTP).WithProto(unix.CAN_BCM).Kind; k != CANKindRaw {
		t.Errorf("WithProto(CAN_BCM).Kind = %d", k)
	}
}

func TestCANAddrErrors(t *testing.T) {
	tests := []struct {
		name  string
		a     *CANAddr
		errno error
	}{
		{"name too long", &CANAddr{Interface: "a23456789012345X"}, nil},
		{"unknown interface", &CANAddr{Interface: "nosuchcan0"}, unix.ENODEV},
		{"negative index", &CANAddr{Ifindex: -1}, nil},
		{"pgn too big", &CANAddr{Kind: CANKindJ1939, PGN: J1939NoPGN + 1}, nil},
		{"bad kind", &CANAddr{Kind: 9}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EncodeSockaddr(tt.a)
			if err == nil {
				t.Fatal("encoded")
			}
			if tt.errno != nil && !errors.Is(err, tt.errno) {
				t.Errorf("err = %v, want %v", err, tt.errno)
			}
		})
	}
	if _, err := DecodeSockaddr([]byte{unix.AF_CAN, 0, 0}); err == nil {
		t.Error("decoded a 3-byte sockaddr_can")
	}
}

// The host kernel has no AF_CAN: New must say what to load.
func TestCANNotSupported(t *testing.T) {
	s, err := New(unix.AF_CAN, unix.SOCK_RAW, unix.CAN_RAW)
	if err == nil {
		s.Close()
		t.Skip("this kernel has AF_CAN; the VM tier covers CAN sockets")
	}
	var nse *NotSupportedError
	if !errors.As(err, &nse) {
		t.Fatalf("err = %T %v, want *NotSupportedError", err, err)
	}
	if got, want := err.Error(), "AF_CAN is not available in this kernel (load the can and can_raw modules)"; got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
}

func TestEncodeCANFilters(t *testing.T) {
	got := EncodeCANFilters([]CANFilter{{0x123, 0x7ff}, {unix.CAN_INV_FILTER | 1, 0}})
	want := make([]byte, 16)
	binary.NativeEndian.PutUint32(want[0:], 0x123)
	binary.NativeEndian.PutUint32(want[4:], 0x7ff)
	binary.NativeEndian.PutUint32(want[8:], unix.CAN_INV_FILTER|1)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := EncodeCANFilters(nil); len(got) != 0 {
		t.Errorf("no filters encode to %d bytes", len(got))
	}
}

func TestBCMLayout(t *testing.T) {
	if unix.SizeofPtr == 8 && BCMHeadLen != 56 {
		t.Fatalf("BCMHeadLen = %d, want 56 on 64-bit", BCMHeadLen)
	}
	frame := make([]byte, CAN_MTU)
	frame[0] = 0x23
	m := BCMMsg{Opcode: TX_SETUP, Flags: BCM_SETTIMER | BCM_STARTTIMER, Count: 3,
		Ival1: 1500 * time.Millisecond, Ival2: 100 * time.Millisecond, CANID: 0x123, Frames: [][]byte{frame}}
	b, err := EncodeBCM(&m)
	if err != nil {
		t.Fatal(err)
	}
	if unix.SizeofPtr == 8 {
		u32 := func(off int) uint32 { return binary.NativeEndian.Uint32(b[off:]) }
		u64 := func(off int) uint64 { return binary.NativeEndian.Uint64(b[off:]) }
		got := []uint64{uint64(u32(0)), uint64(u32(4)), uint64(u32(8)), u64(16), u64(24), u64(32), u64(40), uint64(u32(48)), uint64(u32(52)), uint64(len(b))}
		want := []uint64{TX_SETUP, 3, 3, 1, 500000, 0, 100000, 0x123, 1, 56 + 16}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("bcm_msg_head fields (-want +got):\n%s", diff)
		}
	}
	back, err := DecodeBCM(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	fd := BCMMsg{Opcode: RX_CHANGED, Flags: BCM_CAN_FD_FRAME, CANID: 0x7ff, Frames: [][]byte{make([]byte, CANFD_MTU)}}
	b, err = EncodeBCM(&fd)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != BCMHeadLen+CANFD_MTU {
		t.Errorf("FD message is %d bytes", len(b))
	}
	if back, err := DecodeBCM(b); err != nil || len(back.Frames) != 1 || len(back.Frames[0]) != CANFD_MTU {
		t.Errorf("FD round trip: %+v, %v", back, err)
	}
}

func TestBCMErrors(t *testing.T) {
	if _, err := EncodeBCM(&BCMMsg{Frames: [][]byte{make([]byte, CANFD_MTU)}}); err == nil {
		t.Error("encoded a canfd_frame without BCM_CAN_FD_FRAME")
	}
	if _, err := EncodeBCM(&BCMMsg{Ival1: -1}); err == nil {
		t.Error("encoded a negative interval")
	}
	if _, err := DecodeBCM(make([]byte, BCMHeadLen-1)); err == nil {
		t.Error("decoded a short head")
	}
	b, _ := EncodeBCM(&BCMMsg{Frames: [][]byte{make([]byte, CAN_MTU)}})
	if _, err := DecodeBCM(b[:len(b)-1]); err == nil {
		t.Error("decoded a cut frame")
	}
}

func TestParseTimestamp(t *testing.T) {
	long := func(vals ...int64) []byte {
		var b []byte
		for _, v := range vals {
			if unix.SizeofPtr == 8 {
				b = binary.NativeEndian.AppendUint64(b, uint64(v))
			} else {
				b = binary.NativeEndian.AppendUint32(b, uint32(v))
			}
		}
		return b
	}
	i64 := func(vals ...int64) []byte {
		var b []byte
		for _, v := range vals {
			b = binary.NativeEndian.AppendUint64(b, uint64(v))
		}
		return b
	}
	tests := []struct {
		name string
		anc  []ControlMessage
		want time.Time
		ok   bool
	}{
		{"timeval", []ControlMessage{{unix.SOL_SOCKET, unix.SO_TIMESTAMP_OLD, long(1700000000, 123456)}}, time.Unix(1700000000, 123456000), true},
		{"timespec", []ControlMessage{{unix.SOL_SOCKET, unix.SO_TIMESTAMPNS_OLD, long(5, 7)}}, time.Unix(5, 7), true},
		{"new timespec after other", []ControlMessage{{unix.SOL_IP, 1, []byte{1}}, {unix.SOL_SOCKET, unix.SO_TIMESTAMPNS_NEW, i64(9, 8)}}, time.Unix(9, 8), true},
		{"short", []ControlMessage{{unix.SOL_SOCKET, unix.SO_TIMESTAMP_NEW, i64(1)}}, time.Time{}, false},
		{"none", nil, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseTimestamp(tt.anc)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("ParseTimestamp = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseJ1939Control(t *testing.T) {
	name := binary.NativeEndian.AppendUint64(nil, 0xabcdef)
	got := ParseJ1939Control([]ControlMessage{
		{SOL_CAN_J1939, SCM_J1939_DEST_ADDR, []byte{0x30}},
		{SOL_CAN_J1939, SCM_J1939_DEST_NAME, name},
		{SOL_CAN_J1939, SCM_J1939_PRIO, []byte{6}},
		{unix.SOL_SOCKET, SCM_J1939_PRIO, []byte{1}},
	})
	want := J1939Info{DestAddr: 0x30, DestName: 0xabcdef, Prio: 6, HasDestAddr: true, HasDestName: true, HasPrio: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzDecodeBCM(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeBCM(b)
		if err != nil {
			return
		}
		out, err := EncodeBCM(&m)
		if err != nil {
			t.Fatalf("EncodeBCM of decoded %+v: %v", m, err)
		}
		back, err := DecodeBCM(out)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(m, back); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	})
}

func FuzzDecodeCANAddr(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 {
			return
		}
		binary.NativeEndian.PutUint16(b, unix.AF_CAN)
		a, err := DecodeSockaddr(b)
		if err != nil {
			return
		}
		c := a.(*CANAddr)
		c.Interface = "" // encode by index: the fuzzer's indexes name no interface
		_ = c.String()
		out, err := EncodeSockaddr(c)
		if err != nil {
			return
		}
		back, err := DecodeSockaddr(out)
		if err != nil {
			t.Fatal(err)
		}
		if back.(*CANAddr).Kind != c.Kind || back.(*CANAddr).Ifindex != c.Ifindex {
			t.Fatalf("round trip: %+v then %+v", c, back)
		}
	})
}
