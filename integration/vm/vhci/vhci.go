// Package vhci plays a Bluetooth controller behind /dev/vhci for the tests of
// the kernel VM tier (integration/vm/bluetooth, integration/vm/sniff).
package vhci

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// IOTimeout bounds every wait so that a kernel that never answers fails the
// test with a message instead of hanging it; it is not a timing assertion.
const IOTimeout = 20 * time.Second

// Addr is the BD_ADDR the emulated controller reports.
var Addr = sockcore.BDAddr{0x00, 0x5C, 0x0C, 0x0A, 0x0B, 0x0C}

// ReadBDAddrCmd is the HCI Read BD_ADDR command packet (OGF 4, OCF 9).
var ReadBDAddrCmd = []byte{sockcore.HCI_COMMAND_PKT, 0x09, 0x10, 0x00}

// Controller answers every HCI command with a successful Command Complete
// event (the BD_ADDR for Read BD_ADDR, buffer sizes for Read Buffer Size,
// zero parameters otherwise, which the kernel's init sequence accepts) and
// reports the commands it saw.
type Controller struct {
	f        *os.File
	index    chan int    // the controller index from the vhci creation reply
	commands chan []byte // every command packet, type byte included
	done     chan struct{}
}

// New creates a controller; it goes away with the test.
func New(t *testing.T) *Controller {
	t.Helper()
	f, err := os.OpenFile("/dev/vhci", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open /dev/vhci: %v (modprobe hci_vhci)", err)
	}
	c := &Controller{f: f, index: make(chan int, 1), commands: make(chan []byte, 256), done: make(chan struct{})}
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

func (c *Controller) serve(t *testing.T) {
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
			if _, err := c.f.Write(CommandComplete(binary.LittleEndian.Uint16(p[1:]))); err != nil {
				t.Errorf("write /dev/vhci: %v", err)
				return
			}
		}
	}
}

// CommandComplete is the HCI event packet answering opcode with status 0.
func CommandComplete(opcode uint16) []byte {
	var ret []byte
	switch opcode {
	case 0x1009: // Read BD_ADDR
		ret = make([]byte, 6)
		for i := range 6 {
			ret[i] = Addr[5-i]
		}
	case 0x1005: // Read Buffer Size: ACL MTU 1021, SCO MTU 64, 8 and 8 packets
		ret = []byte{0xfd, 0x03, 64, 8, 0, 8, 0}
	default: // zero parameters, as long as any command's return
		ret = make([]byte, 248)
	}
	p := []byte{sockcore.HCI_EVENT_PKT, sockcore.HCI_EV_CMD_COMPLETE, byte(4 + len(ret)), 1, byte(opcode), byte(opcode >> 8), 0}
	return append(p, ret...)
}

// WaitCommand returns the next command the controller saw with opcode.
func (c *Controller) WaitCommand(t *testing.T, opcode uint16) []byte {
	t.Helper()
	timer := time.NewTimer(IOTimeout)
	defer timer.Stop()
	for {
		select {
		case p := <-c.commands:
			if binary.LittleEndian.Uint16(p[1:]) == opcode {
				return p
			}
		case <-timer.C:
			t.Fatalf("the controller saw no command %#04x in %v", opcode, IOTimeout)
		}
	}
}

// Index waits for the controller's index (hciN) from vhci's creation reply.
func (c *Controller) Index(t *testing.T) int {
	t.Helper()
	select {
	case idx := <-c.index:
		return idx
	case <-time.After(IOTimeout):
		t.Fatalf("vhci sent no creation reply in %v", IOTimeout)
	}
	return 0
}

// Up creates a controller and brings it up with HCIDEVUP; it returns the
// controller and its index.
func Up(t *testing.T) (*Controller, int) {
	t.Helper()
	c := New(t)
	idx := c.Index(t)
	s := Socket(t, unix.SOCK_RAW, unix.BTPROTO_HCI)
	if err := s.HCIDevUp(idx); err != nil {
		t.Fatalf("HCIDEVUP hci%d: %v", idx, err)
	}
	return c, idx
}

// Socket opens an AF_BLUETOOTH socket closed with the test.
func Socket(t *testing.T, typ, proto int) *sockcore.Socket {
	t.Helper()
	s, err := sockcore.New(unix.AF_BLUETOOTH, typ, proto)
	if err != nil {
		t.Fatalf("socket(AF_BLUETOOTH, %d, %d): %v", typ, proto, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
