package bluetooth

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// ioTimeout bounds every wait so that a kernel that never answers fails the
// test with a message instead of hanging it; it is not a timing assertion.
const ioTimeout = 20 * time.Second

// controllerAddr is the BD_ADDR the emulated controller reports.
var controllerAddr = sockcore.BDAddr{0x00, 0x5C, 0x0C, 0x0A, 0x0B, 0x0C}

// controller plays a Bluetooth controller behind /dev/vhci: it answers every
// HCI command with a successful Command Complete event (the BD_ADDR for Read
// BD_ADDR, buffer sizes for Read Buffer Size, zero parameters otherwise, which
// the kernel's init sequence accepts) and reports the commands it saw.
type controller struct {
	f        *os.File
	index    chan int    // the controller index from the vhci creation reply
	commands chan []byte // every command packet, type byte included
	done     chan struct{}
}

func newController(t *testing.T) *controller {
	t.Helper()
	f, err := os.OpenFile("/dev/vhci", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open /dev/vhci: %v (modprobe hci_vhci)", err)
	}
	c := &controller{f: f, index: make(chan int, 1), commands: make(chan []byte, 256), done: make(chan struct{})}
	go c.serve(t)
	// HCI_VENDOR_PKT with HCI_PRIMARY asks vhci for a new controller.
	if _, err := f.Write([]byte{sockcore.HCI_VENDOR_PKT, 0x00}); err != nil {
		t.Fatalf("create vhci controller: %v", err)
	}
	t.Cleanup(func() {
		f.Close() // unregisters the controller and ends serve
		<-c.done
	})
	return c
}

func (c *controller) serve(t *testing.T) {
	defer close(c.done)
	buf := make([]byte, 4096)
	for {
		n, err := c.f.Read(buf)
		if err != nil {
			if !errors.Is(err, os.ErrClosed) {
				t.Errorf("read /dev/vhci: %v", err)
			}
			return
		}
		p := append([]byte(nil), buf[:n]...)
		switch {
		case len(p) == 4 && p[0] == sockcore.HCI_VENDOR_PKT:
			c.index <- int(binary.LittleEndian.Uint16(p[2:]))
		case len(p) >= 4 && p[0] == sockcore.HCI_COMMAND_PKT:
			select {
			case c.commands <- p:
			default:
			}
			if _, err := c.f.Write(commandComplete(binary.LittleEndian.Uint16(p[1:]))); err != nil {
				t.Errorf("write /dev/vhci: %v", err)
				return
			}
		}
	}
}

// commandComplete is the HCI event packet answering opcode with status 0.
func commandComplete(opcode uint16) []byte {
	var ret []byte
	switch opcode {
	case 0x1009: // Read BD_ADDR
		ret = make([]byte, 6)
		for i := range 6 {
			ret[i] = controllerAddr[5-i]
		}
	case 0x1005: // Read Buffer Size: ACL MTU 1021, SCO MTU 64, 8 and 8 packets
		ret = []byte{0xfd, 0x03, 64, 8, 0, 8, 0}
	default: // zero parameters, as long as any command's return
		ret = make([]byte, 248)
	}
	p := []byte{sockcore.HCI_EVENT_PKT, sockcore.HCI_EV_CMD_COMPLETE, byte(4 + len(ret)), 1, byte(opcode), byte(opcode >> 8), 0}
	return append(p, ret...)
}

// waitCommand returns the next command the controller saw with opcode.
func (c *controller) waitCommand(t *testing.T, opcode uint16) []byte {
	t.Helper()
	timer := time.NewTimer(ioTimeout)
	defer timer.Stop()
	for {
		select {
		case p := <-c.commands:
			if binary.LittleEndian.Uint16(p[1:]) == opcode {
				return p
			}
		case <-timer.C:
			t.Fatalf("the controller saw no command %#04x in %v", opcode, ioTimeout)
		}
	}
}

// upController creates a vhci controller and brings it up with HCIDEVUP.
func upController(t *testing.T) (*controller, int) {
	t.Helper()
	c := newController(t)
	var idx int
	select {
	case idx = <-c.index:
	case <-time.After(ioTimeout):
		t.Fatalf("vhci sent no creation reply in %v", ioTimeout)
	}
	s := newSocket(t, unix.SOCK_RAW, unix.BTPROTO_HCI)
	if err := s.HCIDevUp(idx); err != nil {
		t.Fatalf("HCIDEVUP hci%d: %v", idx, err)
	}
	return c, idx
}

func newSocket(t *testing.T, typ, proto int) *sockcore.Socket {
	t.Helper()
	s, err := sockcore.New(unix.AF_BLUETOOTH, typ, proto)
	if err != nil {
		t.Fatalf("socket(AF_BLUETOOTH, %d, %d): %v", typ, proto, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// readBDAddrCmd is the HCI Read BD_ADDR command packet (OGF 4, OCF 9).
var readBDAddrCmd = []byte{sockcore.HCI_COMMAND_PKT, 0x09, 0x10, 0x00}

func TestHCIRaw(t *testing.T) {
	testenv.RequireVM(t)
	c, idx := upController(t)
	s := newSocket(t, unix.SOCK_RAW, unix.BTPROTO_HCI)
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

	s.SetTimeout(ioTimeout)
	before := time.Now().Add(-time.Second)
	if _, err := s.Send(readBDAddrCmd, 0); err != nil {
		t.Fatalf("send Read BD_ADDR: %v", err)
	}
	if p := c.waitCommand(t, 0x1009); !bytes.Equal(p, readBDAddrCmd) {
		t.Errorf("controller received % x, want % x", p, readBDAddrCmd)
	}
	data, anc, _, _, err := s.RecvMsg(260, 256, 0)
	if err != nil {
		t.Fatalf("recvmsg: %v", err)
	}
	wantEv := commandComplete(0x1009)
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
		t.Errorf("wire bd_addr %v is not the reverse of %v", got, controllerAddr)
	}
}

// Monitor header (struct hci_mon_hdr) opcodes, net/bluetooth/hci_mon.h.
const (
	hciMonCommandPkt = 2
	hciMonEventPkt   = 3
)

func TestHCIMonitor(t *testing.T) {
	testenv.RequireVM(t)
	_, idx := upController(t)
	mon := newSocket(t, unix.SOCK_RAW, unix.BTPROTO_HCI)
	if err := mon.Bind(&sockcore.HCIAddr{Dev: sockcore.HCI_DEV_NONE, Channel: unix.HCI_CHANNEL_MONITOR}); err != nil {
		t.Fatalf("bind monitor: %v", err)
	}
	raw := newSocket(t, unix.SOCK_RAW, unix.BTPROTO_HCI)
	if err := raw.Bind(&sockcore.HCIAddr{Dev: uint16(idx)}); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Send(readBDAddrCmd, 0); err != nil {
		t.Fatalf("send Read BD_ADDR: %v", err)
	}
	mon.SetTimeout(ioTimeout)
	// The monitor first replays the controllers it knows; then comes the
	// command and its event, without the packet type byte.
	want := []struct {
		op      uint16
		payload []byte
	}{
		{hciMonCommandPkt, readBDAddrCmd[1:]},
		{hciMonEventPkt, commandComplete(0x1009)[1:]},
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
			s := newSocket(t, tt.typ, tt.prot)
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
