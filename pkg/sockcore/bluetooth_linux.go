package sockcore

import (
	"encoding/binary"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// HCI socket options and control messages x/sys/unix does not define
// (net/bluetooth/hci.h and hci_sock.h).
const (
	SOL_HCI = 0 // level of the HCI socket options

	HCI_DATA_DIR   = 1 // int: add an HCI_CMSG_DIR control message to each packet
	HCI_FILTER     = 2 // struct hci_filter (HCIFilter)
	HCI_TIME_STAMP = 3 // int: add an HCI_CMSG_TSTAMP control message to each packet

	HCI_CMSG_DIR    = 0x0001 // int: 1 = from the controller, 0 = to it
	HCI_CMSG_TSTAMP = 0x0002 // struct timeval of reception

	// HCI packet types, the first byte of every packet on a raw channel.
	HCI_COMMAND_PKT = 0x01
	HCI_ACLDATA_PKT = 0x02
	HCI_SCODATA_PKT = 0x03
	HCI_EVENT_PKT   = 0x04
	HCI_ISODATA_PKT = 0x05
	HCI_VENDOR_PKT  = 0xff

	// Events HCIFilter.Opcode applies to.
	HCI_EV_CMD_COMPLETE = 0x0e
	HCI_EV_CMD_STATUS   = 0x0f

	// Device ioctls on an HCI socket: _IOW('H', 201/202, int).
	HCIDEVUP   = 0x400448c9
	HCIDEVDOWN = 0x400448ca
)

// HCIFilter is struct hci_filter (struct hci_ufilter in the kernel), the
// value of HCI_FILTER on an HCI_CHANNEL_RAW socket: which packet types and
// events reach the socket, and, when Opcode is not zero, only the Command
// Complete and Command Status events of that command.
type HCIFilter struct {
	TypeMask  uint32    // bit n: packet type n (HCI_VENDOR_PKT is bit 0)
	EventMask [2]uint32 // bit n: event code n (0-63)
	Opcode    uint16
}

// sizeofHCIFilter is sizeof(struct hci_filter): three __u32, a __u16, padding.
const sizeofHCIFilter = 16

// SetPacketType lets packets of type t through (hci_filter_set_ptype).
func (f *HCIFilter) SetPacketType(t int) {
	if t == HCI_VENDOR_PKT {
		t = 0
	}
	f.TypeMask |= 1 << (uint(t) & 31)
}

// SetEvent lets event e through (hci_filter_set_event).
func (f *HCIFilter) SetEvent(e int) { f.EventMask[(e&63)>>5] |= 1 << (uint(e) & 31) }

// AllEvents lets every event through (hci_filter_all_events).
func (f *HCIFilter) AllEvents() { f.EventMask = [2]uint32{0xffffffff, 0xffffffff} }

// Marshal returns the 16 bytes setsockopt(SOL_HCI, HCI_FILTER) takes.
func (f *HCIFilter) Marshal() []byte {
	b := make([]byte, sizeofHCIFilter)
	binary.NativeEndian.PutUint32(b[0:], f.TypeMask)
	binary.NativeEndian.PutUint32(b[4:], f.EventMask[0])
	binary.NativeEndian.PutUint32(b[8:], f.EventMask[1])
	binary.LittleEndian.PutUint16(b[12:], f.Opcode)
	return b
}

// ParseHCIFilter parses what getsockopt(SOL_HCI, HCI_FILTER) returns: at
// least the 14 bytes before the padding.
func ParseHCIFilter(b []byte) (HCIFilter, error) {
	if len(b) < 14 {
		return HCIFilter{}, fmt.Errorf("sockcore: hci_filter of %d bytes, want 14 or more", len(b))
	}
	return HCIFilter{
		TypeMask:  binary.NativeEndian.Uint32(b[0:]),
		EventMask: [2]uint32{binary.NativeEndian.Uint32(b[4:]), binary.NativeEndian.Uint32(b[8:])},
		Opcode:    binary.LittleEndian.Uint16(b[12:]),
	}, nil
}

// SetHCIFilter sets HCI_FILTER on an HCI raw socket.
func (s *Socket) SetHCIFilter(f HCIFilter) error {
	return s.SetsockoptBytes(SOL_HCI, HCI_FILTER, f.Marshal())
}

// HCIFilter reads HCI_FILTER from an HCI raw socket.
func (s *Socket) HCIFilter() (HCIFilter, error) {
	b, err := s.GetsockoptBytes(SOL_HCI, HCI_FILTER, sizeofHCIFilter)
	if err != nil {
		return HCIFilter{}, err
	}
	return ParseHCIFilter(b)
}

// HCIInfo is what the HCI_CMSG_DIR and HCI_CMSG_TSTAMP control messages of a
// packet received on an HCI raw socket say.
type HCIInfo struct {
	HasDir   bool
	Incoming bool // HCI_CMSG_DIR: true for packets from the controller
	HasTime  bool
	Time     time.Time // HCI_CMSG_TSTAMP
}

// ParseHCIControl reads the SOL_HCI control messages among msgs (from
// RecvMsg on a socket with HCI_DATA_DIR or HCI_TIME_STAMP on) and ignores the
// others. The timestamp is a struct timeval of 16 bytes, or of 8 from a
// 32-bit caller's layout.
func ParseHCIControl(msgs []ControlMessage) (HCIInfo, error) {
	var in HCIInfo
	for _, m := range msgs {
		if m.Level != SOL_HCI {
			continue
		}
		switch m.Type {
		case HCI_CMSG_DIR:
			if len(m.Data) < 4 {
				return in, fmt.Errorf("sockcore: HCI_CMSG_DIR of %d bytes, want 4", len(m.Data))
			}
			in.HasDir, in.Incoming = true, binary.NativeEndian.Uint32(m.Data) != 0
		case HCI_CMSG_TSTAMP:
			var sec, usec int64
			switch len(m.Data) {
			case 16:
				sec, usec = int64(binary.NativeEndian.Uint64(m.Data)), int64(binary.NativeEndian.Uint64(m.Data[8:]))
			case 8:
				sec, usec = int64(int32(binary.NativeEndian.Uint32(m.Data))), int64(int32(binary.NativeEndian.Uint32(m.Data[4:])))
			default:
				return in, fmt.Errorf("sockcore: HCI_CMSG_TSTAMP of %d bytes, want 16 or 8", len(m.Data))
			}
			in.HasTime, in.Time = true, time.Unix(sec, usec*1000)
		}
	}
	return in, nil
}

// HCIDevUp brings controller dev up with the HCIDEVUP ioctl on an HCI
// socket; a controller that is already up is not an error. The kernel runs
// the controller's init sequence before it returns.
func (s *Socket) HCIDevUp(dev int) error {
	return s.hciDevIoctl("HCIDEVUP", HCIDEVUP, dev, unix.EALREADY)
}

// HCIDevDown takes controller dev down with the HCIDEVDOWN ioctl.
func (s *Socket) HCIDevDown(dev int) error { return s.hciDevIoctl("HCIDEVDOWN", HCIDEVDOWN, dev, 0) }

func (s *Socket) hciDevIoctl(name string, req uint, dev int, ok unix.Errno) error {
	return s.control("ioctl "+name, func(fd int) error {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(dev))
		if e == 0 || e == ok {
			return nil
		}
		return e
	})
}
