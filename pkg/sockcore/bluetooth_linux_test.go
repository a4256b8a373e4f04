package sockcore

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// Python's forms: socket.socket(AF_BLUETOOTH, ...).bind(t) with t as in the
// names, encoded as CPython's getsockaddrarg fills the structs.
func TestBluetoothAddrRoundTrip(t *testing.T) {
	mustL2 := func(bd string, psm int, more ...int) *L2CAPAddr {
		a, err := NewL2CAPAddr(bd, psm, more...)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	mustRC := func(bd string, ch int) *RFCOMMAddr {
		a, err := NewRFCOMMAddr(bd, ch)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	mustHCI := func(dev int, ch ...int) *HCIAddr {
		a, err := NewHCIAddr(dev, ch...)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name string
		addr Addr
		raw  []byte
		str  string
	}{
		{`("00:00:00:00:00:00", 0x1001)`, mustL2("00:00:00:00:00:00", 0x1001),
			[]byte{31, 0, 0x01, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "00:00:00:00:00:00 psm=0x1001"},
		{`("AA:BB:CC:DD:EE:FF", 0x1003, 0x40)`, mustL2("aa:bb:cc:dd:ee:ff", 0x1003, 0x40),
			[]byte{31, 0, 0x03, 0x10, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x40, 0, 0, 0}, "AA:BB:CC:DD:EE:FF psm=0x1003 cid=0x40"},
		{`("00:00:00:00:00:00", 0, 4, BDADDR_LE_PUBLIC)`, mustL2("0:0:0:0:0:0", 0, 4, unix.BDADDR_LE_PUBLIC),
			[]byte{31, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0}, "00:00:00:00:00:00 psm=0x0 cid=0x4 type=le-public"},
		{`("01:02:03:04:05:06", 1) RFCOMM`, mustRC("01:02:03:04:05:06", 1),
			[]byte{31, 0, 6, 5, 4, 3, 2, 1, 1, 0}, "01:02:03:04:05:06 channel=1"},
		{`"12:34:56:78:9A:BC" SCO`, &SCOAddr{BDAddr{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc}},
			[]byte{31, 0, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12}, "12:34:56:78:9A:BC"},
		{`(0,) HCI raw`, mustHCI(0),
			[]byte{31, 0, 0, 0, 0, 0}, "hci0 raw"},
		{`(HCI_DEV_NONE, HCI_CHANNEL_MONITOR)`, mustHCI(HCI_DEV_NONE, unix.HCI_CHANNEL_MONITOR),
			[]byte{31, 0, 0xff, 0xff, 2, 0}, "none monitor"},
		{`(1, 9)`, mustHCI(1, 9),
			[]byte{31, 0, 1, 0, 9, 0}, "hci1 channel=9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := EncodeSockaddr(tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.raw, raw); diff != "" {
				t.Errorf("encode (-want +got):\n%s", diff)
			}
			got, err := DecodeSockaddr(raw)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.addr, got); diff != "" {
				t.Errorf("decode (-want +got):\n%s", diff)
			}
			if got.String() != tt.str {
				t.Errorf("String() = %q, want %q", got.String(), tt.str)
			}
		})
	}
}

func TestBluetoothAddrErrors(t *testing.T) {
	tests := []struct {
		name string
		fn   func() error
	}{
		{"five fields", func() error { _, err := ParseBDAddr("00:00:00:00:00"); return err }},
		{"three digits", func() error { _, err := ParseBDAddr("000:00:00:00:00:00"); return err }},
		{"not hex", func() error { _, err := ParseBDAddr("0g:00:00:00:00:00"); return err }},
		{"empty field", func() error { _, err := ParseBDAddr("00::00:00:00:00"); return err }},
		{"L2CAP five fields", func() error { _, err := NewL2CAPAddr("00:00:00:00:00:00", 1, 2, 3, 4); return err }},
		{"L2CAP psm too big", func() error { _, err := NewL2CAPAddr("00:00:00:00:00:00", 0x10000); return err }},
		{"L2CAP cid negative", func() error { _, err := NewL2CAPAddr("00:00:00:00:00:00", 1, -1); return err }},
		{"L2CAP type too big", func() error { _, err := NewL2CAPAddr("00:00:00:00:00:00", 1, 0, 256); return err }},
		{"RFCOMM channel", func() error { _, err := NewRFCOMMAddr("00:00:00:00:00:00", 256); return err }},
		{"HCI three fields", func() error { _, err := NewHCIAddr(0, 0, 0); return err }},
		{"HCI dev", func() error { _, err := NewHCIAddr(-1); return err }},
		{"decode 12 bytes", func() error {
			_, err := DecodeSockaddr([]byte{31, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
			return err
		}},
		{"decode unknown proto", func() error { _, err := DecodeBluetoothSockaddr([]byte{31, 0}, 99); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.fn(); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestBDAddrConstants(t *testing.T) {
	raw, err := EncodeSockaddr(&SCOAddr{BDADDR_LOCAL})
	if err != nil {
		t.Fatal(err)
	}
	// BlueZ: #define BDADDR_LOCAL (&(bdaddr_t) {{0, 0, 0, 0xff, 0xff, 0xff}})
	if diff := cmp.Diff([]byte{0, 0, 0, 0xff, 0xff, 0xff}, raw[2:]); diff != "" {
		t.Errorf("BDADDR_LOCAL wire bytes (-want +got):\n%s", diff)
	}
	if BDADDR_ANY.String() != "00:00:00:00:00:00" {
		t.Errorf("BDADDR_ANY = %s", BDADDR_ANY)
	}
}

func TestDecodeBluetoothByProto(t *testing.T) {
	// An L2CAP-sized buffer read as HCI: the protocol wins over the length.
	got, err := DecodeBluetoothSockaddr([]byte{31, 0, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, unix.BTPROTO_HCI)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Addr(&HCIAddr{Dev: 3, Channel: 1}), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A short buffer reads as zero past its end.
	got, err = DecodeBluetoothSockaddr([]byte{31, 0, 1, 2}, unix.BTPROTO_RFCOMM)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Addr(&RFCOMMAddr{BDAddr: BDAddr{0, 0, 0, 0, 2, 1}}), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestHCIFilter(t *testing.T) {
	var f HCIFilter
	f.SetPacketType(HCI_EVENT_PKT)
	f.SetPacketType(HCI_VENDOR_PKT)
	f.SetEvent(HCI_EV_CMD_COMPLETE)
	f.SetEvent(0x3e)
	f.Opcode = 0x1009
	b := f.Marshal()
	want := make([]byte, 16)
	binary.NativeEndian.PutUint32(want[0:], 1<<4|1)
	binary.NativeEndian.PutUint32(want[4:], 1<<0x0e)
	binary.NativeEndian.PutUint32(want[8:], 1<<(0x3e-32))
	want[12], want[13] = 0x09, 0x10
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	back, err := ParseHCIFilter(b[:14])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, back); diff != "" {
		t.Errorf("ParseHCIFilter (-want +got):\n%s", diff)
	}
	if _, err := ParseHCIFilter(b[:13]); err == nil {
		t.Error("ParseHCIFilter of 13 bytes: no error")
	}
	f.AllEvents()
	if f.EventMask != [2]uint32{0xffffffff, 0xffffffff} {
		t.Errorf("AllEvents: %x", f.EventMask)
	}
}

func TestParseHCIControl(t *testing.T) {
	dir := make([]byte, 4)
	binary.NativeEndian.PutUint32(dir, 1)
	tv := make([]byte, 16)
	binary.NativeEndian.PutUint64(tv, 1700000000)
	binary.NativeEndian.PutUint64(tv[8:], 250000)
	tv32 := make([]byte, 8)
	binary.NativeEndian.PutUint32(tv32, 1700000000)
	binary.NativeEndian.PutUint32(tv32[4:], 5)
	tests := []struct {
		name string
		msgs []ControlMessage
		want HCIInfo
		err  bool
	}{
		{"dir and time", []ControlMessage{{SOL_HCI, HCI_CMSG_DIR, dir}, {SOL_HCI, HCI_CMSG_TSTAMP, tv}},
			HCIInfo{HasDir: true, Incoming: true, HasTime: true, Time: time.Unix(1700000000, 250000000)}, false},
		{"outgoing", []ControlMessage{{SOL_HCI, HCI_CMSG_DIR, make([]byte, 4)}}, HCIInfo{HasDir: true}, false},
		{"32-bit timeval", []ControlMessage{{SOL_HCI, HCI_CMSG_TSTAMP, tv32}},
			HCIInfo{HasTime: true, Time: time.Unix(1700000000, 5000)}, false},
		{"other levels ignored", []ControlMessage{{unix.SOL_SOCKET, HCI_CMSG_DIR, nil}}, HCIInfo{}, false},
		{"short dir", []ControlMessage{{SOL_HCI, HCI_CMSG_DIR, dir[:3]}}, HCIInfo{}, true},
		{"odd timeval", []ControlMessage{{SOL_HCI, HCI_CMSG_TSTAMP, tv[:12]}}, HCIInfo{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHCIControl(tt.msgs)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzDecodeBluetoothAddr(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 {
			return
		}
		binary.NativeEndian.PutUint16(b, unix.AF_BLUETOOTH)
		a, err := DecodeSockaddr(b)
		if err != nil {
			return
		}
		_ = a.String()
		out, err := EncodeSockaddr(a)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeSockaddr(out)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, back); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
		var bd BDAddr
		switch a := a.(type) {
		case *L2CAPAddr:
			bd = a.BDAddr
		case *RFCOMMAddr:
			bd = a.BDAddr
		case *SCOAddr:
			bd = a.BDAddr
		}
		if p, err := ParseBDAddr(bd.String()); err != nil || p != bd {
			t.Fatalf("%s parses back as %v, %v", bd, p, err)
		}
	})
}
