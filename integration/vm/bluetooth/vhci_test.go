package bluetooth

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/integration/vm/vhci"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func TestHCIRaw(t *testing.T) {
	testenv.RequireVM(t)
	c, idx := vhci.Up(t)
	s := vhci.Socket(t, unix.SOCK_RAW, unix.BTPROTO_HCI)
	want := &sockcore.HCIAddr{Dev: uint16(idx), Channel: unix.HCI_CHANNEL_RAW}
	if err := s.Bind(want); err != nil {
		t.Fatalf("bind %v: %v", want, err)
	}
	got, err := s.SockName()
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() || *got.(*sockcore.HCIAddr) != *want {
		t.Errorf("SockName = %v, want %v", got, want)
	}

	var f sockcore.HCIFilter
	f.SetPacketType(sockcore.HCI_EVENT_PKT)
	f.SetEvent(sockcore.HCI_EV_CMD_COMPLETE)
	f.Opcode = 0x1009
	if err := s.SetHCIFilter(f); err != nil {
		t.Fatal(err)
	}
	back, err := s.HCIFilter()
	if err != nil {
		t.Fatal(err)
	}
	if back != f {
		t.Errorf("HCI_FILTER reads back %+v, set %+v", back, f)
	}
	for _, opt := range []int{sockcore.HCI_DATA_DIR, sockcore.HCI_TIME_STAMP} {
		if err := s.SetsockoptInt(sockcore.SOL_HCI, opt, 1); err != nil {
			t.Fatalf("setsockopt SOL_HCI %d: %v", opt, err)
		}
		if v, err := s.GetsockoptInt(sockcore.SOL_HCI, opt); err != nil || v != 1 {
			t.Errorf("getsockopt SOL_HCI %d = %d, %v; want 1", opt, v, err)
		}
	}

	s.SetTimeout(vhci.IOTimeout)
	before := time.Now().Add(-time.Second)
	if _, err := s.Send(vhci.ReadBDAddrCmd, 0); err != nil {
		t.Fatalf("send Read BD_ADDR: %v", err)
	}
	if p := c.WaitCommand(t, 0x1009); !bytes.Equal(p, vhci.ReadBDAddrCmd) {
		t.Errorf("controller received % x, want % x", p, vhci.ReadBDAddrCmd)
	}
	data, anc, _, _, err := s.RecvMsg(260, 256, 0)
	if err != nil {
		t.Fatalf("recvmsg: %v", err)
	}
	wantEv := vhci.CommandComplete(0x1009)
	if !bytes.Equal(data, wantEv) {
		t.Errorf("event % x, want % x", data, wantEv)
	}
	info, err := sockcore.ParseHCIControl(anc)
	if err != nil {
		t.Fatal(err)
	}
	if !info.HasDir || !info.Incoming {
		t.Errorf("HCI_CMSG_DIR: have %v incoming %v, want an incoming packet", info.HasDir, info.Incoming)
	}
	if !info.HasTime || info.Time.Before(before) {
		t.Errorf("HCI_CMSG_TSTAMP: have %v time %v, want one after %v", info.HasTime, info.Time, before)
	}
	if got := sockcore.BDAddr(data[7:13]); got != sockcore.BDAddr([6]byte{0x0c, 0x0b, 0x0a, 0x0c, 0x5c, 0x00}) {
		t.Errorf("wire bd_addr %v is not the reverse of %v", got, vhci.Addr)
	}
}

// Monitor header (struct hci_mon_hdr) opcodes, net/bluetooth/hci_mon.h.
const (
	hciMonCommandPkt = 2
	hciMonEventPkt   = 3
)

func TestHCIMonitor(t *testing.T) {
	testenv.RequireVM(t)
	_, idx := vhci.Up(t)
	mon := vhci.Socket(t, unix.SOCK_RAW, unix.BTPROTO_HCI)
	if err := mon.Bind(&sockcore.HCIAddr{Dev: sockcore.HCI_DEV_NONE, Channel: unix.HCI_CHANNEL_MONITOR}); err != nil {
		t.Fatalf("bind monitor: %v", err)
	}
	raw := vhci.Socket(t, unix.SOCK_RAW, unix.BTPROTO_HCI)
	if err := raw.Bind(&sockcore.HCIAddr{Dev: uint16(idx)}); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Send(vhci.ReadBDAddrCmd, 0); err != nil {
		t.Fatalf("send Read BD_ADDR: %v", err)
	}
	mon.SetTimeout(vhci.IOTimeout)
	// The monitor first replays the controllers it knows; then comes the
	// command and its event, without the packet type byte.
	want := []struct {
		op      uint16
		payload []byte
	}{
		{hciMonCommandPkt, vhci.ReadBDAddrCmd[1:]},
		{hciMonEventPkt, vhci.CommandComplete(0x1009)[1:]},
	}
	for len(want) > 0 {
		p, err := mon.Recv(1024, 0)
		if err != nil {
			t.Fatalf("monitor recv, still waiting for opcode %d: %v", want[0].op, err)
		}
		if len(p) < 6 || int(binary.LittleEndian.Uint16(p[4:])) != len(p)-6 {
			t.Fatalf("monitor packet % x has no valid hci_mon_hdr", p)
		}
		op, index := binary.LittleEndian.Uint16(p), int(binary.LittleEndian.Uint16(p[2:]))
		if op == want[0].op && index == idx && bytes.Equal(p[6:], want[0].payload) {
			want = want[1:]
		}
	}
}

func TestSockNameRoundTrip(t *testing.T) {
	testenv.RequireVM(t)
	mustL2 := func(psm int, more ...int) sockcore.Addr {
		a, err := sockcore.NewL2CAPAddr("00:00:00:00:00:00", psm, more...)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name      string
		typ, prot int
		addr      sockcore.Addr
	}{
		{"L2CAP (BDADDR_ANY, 0x1001)", unix.SOCK_SEQPACKET, unix.BTPROTO_L2CAP, mustL2(0x1001)},
		{"L2CAP (BDADDR_ANY, 0, 0x40)", unix.SOCK_SEQPACKET, unix.BTPROTO_L2CAP, mustL2(0, 0x40)},
		{"L2CAP (BDADDR_ANY, 0, L2CAP_CID_ATT, BDADDR_LE_PUBLIC)", unix.SOCK_SEQPACKET, unix.BTPROTO_L2CAP,
			mustL2(0, 4, unix.BDADDR_LE_PUBLIC)},
		{"L2CAP dgram (BDADDR_ANY, 0x1003)", unix.SOCK_DGRAM, unix.BTPROTO_L2CAP, mustL2(0x1003)},
		{"RFCOMM (BDADDR_ANY, 1)", unix.SOCK_STREAM, unix.BTPROTO_RFCOMM, &sockcore.RFCOMMAddr{Channel: 1}},
		{"SCO BDADDR_ANY", unix.SOCK_SEQPACKET, unix.BTPROTO_SCO, &sockcore.SCOAddr{BDAddr: sockcore.BDADDR_ANY}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := vhci.Socket(t, tt.typ, tt.prot)
			if err := s.Bind(tt.addr); err != nil {
				t.Fatalf("bind %v: %v", tt.addr, err)
			}
			got, err := s.SockName()
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.addr.String() {
				t.Errorf("SockName = %v, want %v", got, tt.addr)
			}
			if _, err := sockcore.EncodeSockaddr(got); err != nil {
				t.Error(err)
			}
		})
	}
}
