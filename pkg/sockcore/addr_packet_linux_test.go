package sockcore

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestPacketAddrRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		addr PacketAddr
		raw  []byte
	}{
		{"any interface, all protocols", PacketAddr{Proto: unix.ETH_P_ALL},
			[]byte{17, 0, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"ethernet address", PacketAddr{Ifindex: 7, Proto: unix.ETH_P_IP, PktType: unix.PACKET_OUTGOING, HAType: unix.ARPHRD_ETHER,
			Addr: []byte{2, 0, 0, 0, 0, 1}},
			[]byte{17, 0, 0x08, 0x00, 7, 0, 0, 0, 1, 0, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0}},
		{"eight-byte address", PacketAddr{Ifindex: 1 << 20, Proto: 0x88b5, PktType: unix.PACKET_BROADCAST, HAType: 0xfffe,
			Addr: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
			[]byte{17, 0, 0x88, 0xb5, 0, 0, 0x10, 0, 0xfe, 0xff, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := EncodeSockaddr(&tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.raw, raw); diff != "" {
				t.Errorf("encode (-want +got):\n%s", diff)
			}
			got, err := parseSockaddrLL(raw)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.addr
			if want.Addr == nil {
				want.Addr = []byte{}
			}
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("decode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPacketAddrByName(t *testing.T) {
	a, err := EncodeSockaddr(&PacketAddr{Ifname: "lo", Proto: unix.ETH_P_ALL})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := ifNameToIndex("lo")
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeSockaddr(a)
	if err != nil {
		t.Fatal(err)
	}
	want := &PacketAddr{Ifname: "lo", Ifindex: idx, Proto: unix.ETH_P_ALL, Addr: []byte{}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := d.String(); got != "(lo, 0x0003, PACKET_HOST, 0, )" {
		t.Errorf("String() = %q", got)
	}
}

func TestPacketAddrErrors(t *testing.T) {
	tests := []struct {
		name string
		addr PacketAddr
	}{
		{"unknown interface", PacketAddr{Ifname: "nosuchif0"}},
		{"address too long", PacketAddr{Addr: make([]byte, 256)}},
		{"pkttype out of range", PacketAddr{PktType: 256}},
		{"negative index", PacketAddr{Ifindex: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := EncodeSockaddr(&tt.addr); err == nil {
				t.Errorf("EncodeSockaddr(%+v) succeeded", tt.addr)
			}
		})
	}
	if _, err := DecodeSockaddr([]byte{17, 0, 0, 3}); err == nil {
		t.Error("decoding a 4-byte sockaddr_ll succeeded")
	}
}

func FuzzPacketAddr(f *testing.F) {
	f.Add([]byte{17, 0, 0x08, 0x00, 7, 0, 0, 0, 1, 0, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0})
	f.Add([]byte{17, 0, 0x08, 0x00, 7, 0, 0, 0, 1, 0, 4, 200, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 {
			return
		}
		b[0], b[1] = 17, 0
		a, err := parseSockaddrLL(b)
		if err != nil {
			return
		}
		if a.Ifindex < 0 || len(a.Addr) > 8 {
			return
		}
		raw, err := a.sockaddr()
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", a, err)
		}
		if !bytes.Equal(raw[:11], b[:11]) || !bytes.Equal(raw[12:12+len(a.Addr)], b[12:12+len(a.Addr)]) {
			t.Fatalf("round trip changed %x to %x", b, raw)
		}
	})
}
