package sockcore

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// BDAddr is a Bluetooth device address in text order: BDAddr{0xAA, 0xBB,
// 0xCC, 0xDD, 0xEE, 0xFF} is "AA:BB:CC:DD:EE:FF". On the wire (bdaddr_t,
// net/bluetooth/bluetooth.h) the kernel stores the bytes the other way
// round, least significant first; the sockaddr encoders and decoders
// reverse them.
type BDAddr [6]byte

// BDADDR_ANY is "00:00:00:00:00:00": bind to every controller.
var BDADDR_ANY = BDAddr{}

// BDADDR_LOCAL is BlueZ's BDADDR_LOCAL (lib/bluetooth.h), wire bytes
// {0, 0, 0, 0xff, 0xff, 0xff}, which is "FF:FF:FF:00:00:00" in text. Python's
// socket.BDADDR_LOCAL is the string "00:00:00:FF:FF:FF", which its parser
// turns into the reverse wire bytes; sockcore follows BlueZ and the kernel.
var BDADDR_LOCAL = BDAddr{0xff, 0xff, 0xff, 0, 0, 0}

// ParseBDAddr parses "AA:BB:CC:DD:EE:FF": six fields of one or two hex
// digits, either case, as Python's setbdaddr accepts them.
func ParseBDAddr(s string) (BDAddr, error) {
	var a BDAddr
	f := strings.Split(s, ":")
	if len(f) != 6 {
		return a, fmt.Errorf("bad bluetooth address %q: want six hex fields like AA:BB:CC:DD:EE:FF", s)
	}
	for i, p := range f {
		if len(p) < 1 || len(p) > 2 {
			return a, fmt.Errorf("bad bluetooth address %q: field %q is not one or two hex digits", s, p)
		}
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return a, fmt.Errorf("bad bluetooth address %q: field %q is not hex", s, p)
		}
		a[i] = byte(v)
	}
	return a, nil
}

// String is "AA:BB:CC:DD:EE:FF", upper case as Python's makebdaddr.
func (a BDAddr) String() string {
	return fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", a[0], a[1], a[2], a[3], a[4], a[5])
}

// putWire writes a in the kernel's byte order (reversed) into b[:6].
func (a BDAddr) putWire(b []byte) {
	for i := range 6 {
		b[i] = a[5-i]
	}
}

func bdaddrFromWire(b []byte) BDAddr {
	var a BDAddr
	for i := range 6 {
		a[i] = b[5-i]
	}
	return a
}

// Sizes of the Bluetooth sockaddrs (net/bluetooth/{l2cap,rfcomm,hci,sco}.h),
// which are also the lengths getsockname(2) returns for each protocol.
const (
	sizeofSockaddrL2  = unix.SizeofSockaddrL2     // 14: family, psm, bdaddr, cid, bdaddr_type, pad
	sizeofSockaddrRC  = unix.SizeofSockaddrRFCOMM // 10: family, bdaddr, channel, pad
	sizeofSockaddrSCO = 8                         // struct sockaddr_sco, net/bluetooth/sco.h: family, bdaddr
	sizeofSockaddrHCI = unix.SizeofSockaddrHCI    // 6: family, dev, channel
)

// HCI_DEV_NONE (net/bluetooth/hci.h) is the HCI device index of a socket
// bound to no controller, such as a monitor or control channel.
const HCI_DEV_NONE = 0xffff

// L2CAPAddr is a BTPROTO_L2CAP address, struct sockaddr_l2: Python's
// (bdaddr, psm[, cid[, bdaddr_type]]). BDAddrType is BDADDR_BREDR (0),
// BDADDR_LE_PUBLIC or BDADDR_LE_RANDOM.
type L2CAPAddr struct {
	BDAddr     BDAddr
	PSM        uint16
	CID        uint16
	BDAddrType uint8
}

// NewL2CAPAddr builds Python's L2CAP tuple: bdaddr and psm, then optionally
// cid and bdaddr_type (2, 3 or 4 fields).
func NewL2CAPAddr(bdaddr string, psm int, more ...int) (*L2CAPAddr, error) {
	if len(more) > 2 {
		return nil, fmt.Errorf("L2CAP address takes (bdaddr, psm[, cid[, bdaddr_type]]), not %d fields", 2+len(more))
	}
	b, err := ParseBDAddr(bdaddr)
	if err != nil {
		return nil, err
	}
	if psm < 0 || psm > 0xffff {
		return nil, fmt.Errorf("L2CAP psm must be 0-65535, not %d", psm)
	}
	a := &L2CAPAddr{BDAddr: b, PSM: uint16(psm)}
	if len(more) > 0 {
		if more[0] < 0 || more[0] > 0xffff {
			return nil, fmt.Errorf("L2CAP cid must be 0-65535, not %d", more[0])
		}
		a.CID = uint16(more[0])
	}
	if len(more) > 1 {
		if more[1] < 0 || more[1] > 0xff {
			return nil, fmt.Errorf("L2CAP bdaddr_type must be 0-255, not %d", more[1])
		}
		a.BDAddrType = uint8(more[1])
	}
	return a, nil
}

// Family returns AF_BLUETOOTH.
func (a *L2CAPAddr) Family() int { return unix.AF_BLUETOOTH }

// String is "AA:BB:CC:DD:EE:FF psm=0x1001", with " cid=0x4" and
// " type=le-public" when they are not zero.
func (a *L2CAPAddr) String() string {
	s := a.BDAddr.String() + " psm=0x" + strconv.FormatUint(uint64(a.PSM), 16)
	if a.CID != 0 {
		s += " cid=0x" + strconv.FormatUint(uint64(a.CID), 16)
	}
	switch a.BDAddrType {
	case unix.BDADDR_BREDR:
	case unix.BDADDR_LE_PUBLIC:
		s += " type=le-public"
	case unix.BDADDR_LE_RANDOM:
		s += " type=le-random"
	default:
		s += " type=" + strconv.Itoa(int(a.BDAddrType))
	}
	return s
}

func (a *L2CAPAddr) sockaddr() ([]byte, error) {
	b := make([]byte, sizeofSockaddrL2)
	putFamily(b, unix.AF_BLUETOOTH)
	binary.LittleEndian.PutUint16(b[2:], a.PSM)
	a.BDAddr.putWire(b[4:])
	binary.LittleEndian.PutUint16(b[10:], a.CID)
	b[12] = a.BDAddrType
	return b, nil
}

// RFCOMMAddr is a BTPROTO_RFCOMM address, struct sockaddr_rc: Python's
// (bdaddr, channel).
type RFCOMMAddr struct {
	BDAddr  BDAddr
	Channel uint8
}

// NewRFCOMMAddr builds Python's RFCOMM tuple (bdaddr, channel).
func NewRFCOMMAddr(bdaddr string, channel int) (*RFCOMMAddr, error) {
	b, err := ParseBDAddr(bdaddr)
	if err != nil {
		return nil, err
	}
	if channel < 0 || channel > 0xff {
		return nil, fmt.Errorf("RFCOMM channel must be 0-255, not %d", channel)
	}
	return &RFCOMMAddr{BDAddr: b, Channel: uint8(channel)}, nil
}

// Family returns AF_BLUETOOTH.
func (a *RFCOMMAddr) Family() int { return unix.AF_BLUETOOTH }

// String is "AA:BB:CC:DD:EE:FF channel=1".
func (a *RFCOMMAddr) String() string {
	return a.BDAddr.String() + " channel=" + strconv.Itoa(int(a.Channel))
}

func (a *RFCOMMAddr) sockaddr() ([]byte, error) {
	b := make([]byte, sizeofSockaddrRC)
	putFamily(b, unix.AF_BLUETOOTH)
	a.BDAddr.putWire(b[2:])
	b[8] = a.Channel
	return b, nil
}

// SCOAddr is a BTPROTO_SCO address, struct sockaddr_sco: Python's bdaddr.
type SCOAddr struct {
	BDAddr BDAddr
}

// Family returns AF_BLUETOOTH.
func (a *SCOAddr) Family() int { return unix.AF_BLUETOOTH }

// String is "AA:BB:CC:DD:EE:FF".
func (a *SCOAddr) String() string { return a.BDAddr.String() }

func (a *SCOAddr) sockaddr() ([]byte, error) {
	b := make([]byte, sizeofSockaddrSCO)
	putFamily(b, unix.AF_BLUETOOTH)
	a.BDAddr.putWire(b[2:])
	return b, nil
}

// HCIAddr is a BTPROTO_HCI address, struct sockaddr_hci: Python's
// (dev[, channel]) with channel HCI_CHANNEL_RAW when left out. Dev is the
// controller index (0 for hci0) or HCI_DEV_NONE.
type HCIAddr struct {
	Dev     uint16
	Channel uint16 // HCI_CHANNEL_RAW, _USER, _MONITOR, _CONTROL, _LOGGING
}

// NewHCIAddr builds Python's HCI tuple: dev, then optionally the channel.
func NewHCIAddr(dev int, channel ...int) (*HCIAddr, error) {
	if len(channel) > 1 {
		return nil, fmt.Errorf("HCI address takes (dev[, channel]), not %d fields", 1+len(channel))
	}
	if dev < 0 || dev > 0xffff {
		return nil, fmt.Errorf("HCI device must be 0-65535, not %d", dev)
	}
	a := &HCIAddr{Dev: uint16(dev), Channel: unix.HCI_CHANNEL_RAW}
	if len(channel) == 1 {
		if channel[0] < 0 || channel[0] > 0xffff {
			return nil, fmt.Errorf("HCI channel must be 0-65535, not %d", channel[0])
		}
		a.Channel = uint16(channel[0])
	}
	return a, nil
}

// Family returns AF_BLUETOOTH.
func (a *HCIAddr) Family() int { return unix.AF_BLUETOOTH }

var hciChannelNames = map[uint16]string{
	unix.HCI_CHANNEL_RAW: "raw", unix.HCI_CHANNEL_USER: "user", unix.HCI_CHANNEL_MONITOR: "monitor",
	unix.HCI_CHANNEL_CONTROL: "control", unix.HCI_CHANNEL_LOGGING: "logging",
}

// String is "hci0 raw", "none monitor" (HCI_DEV_NONE) or "hci1 channel=9".
func (a *HCIAddr) String() string {
	s := "none"
	if a.Dev != HCI_DEV_NONE {
		s = "hci" + strconv.Itoa(int(a.Dev))
	}
	if n, ok := hciChannelNames[a.Channel]; ok {
		return s + " " + n
	}
	return s + " channel=" + strconv.Itoa(int(a.Channel))
}

func (a *HCIAddr) sockaddr() ([]byte, error) {
	b := make([]byte, sizeofSockaddrHCI)
	putFamily(b, unix.AF_BLUETOOTH)
	binary.NativeEndian.PutUint16(b[2:], a.Dev)
	binary.NativeEndian.PutUint16(b[4:], a.Channel)
	return b, nil
}

// decodeBluetooth tells the protocol by the sockaddr's length, which is what
// the kernel returns from getsockname(2), getpeername(2), accept(2) and
// recvfrom(2) for each: 14 bytes L2CAP, 10 RFCOMM, 8 SCO, 6 HCI. Any other
// length is an error; DecodeBluetoothSockaddr decodes by a known protocol.
func decodeBluetooth(b []byte) (Addr, error) {
	switch len(b) {
	case sizeofSockaddrL2:
		return DecodeBluetoothSockaddr(b, unix.BTPROTO_L2CAP)
	case sizeofSockaddrRC:
		return DecodeBluetoothSockaddr(b, unix.BTPROTO_RFCOMM)
	case sizeofSockaddrSCO:
		return DecodeBluetoothSockaddr(b, unix.BTPROTO_SCO)
	case sizeofSockaddrHCI:
		return DecodeBluetoothSockaddr(b, unix.BTPROTO_HCI)
	}
	return nil, fmt.Errorf("sockcore: AF_BLUETOOTH sockaddr of %d bytes matches no protocol (L2CAP 14, RFCOMM 10, SCO 8, HCI 6)", len(b))
}

// DecodeBluetoothSockaddr decodes an AF_BLUETOOTH sockaddr as protocol
// proto (BTPROTO_L2CAP, BTPROTO_RFCOMM, BTPROTO_SCO, BTPROTO_HCI) whatever
// its length: bytes past the protocol's struct are ignored, missing ones read
// as zero. The family field is not checked.
func DecodeBluetoothSockaddr(b []byte, proto int) (Addr, error) {
	var u [sizeofSockaddrL2]byte
	copy(u[:], b)
	switch proto {
	case unix.BTPROTO_L2CAP:
		return &L2CAPAddr{
			PSM:        binary.LittleEndian.Uint16(u[2:]),
			BDAddr:     bdaddrFromWire(u[4:]),
			CID:        binary.LittleEndian.Uint16(u[10:]),
			BDAddrType: u[12],
		}, nil
	case unix.BTPROTO_RFCOMM:
		return &RFCOMMAddr{BDAddr: bdaddrFromWire(u[2:]), Channel: u[8]}, nil
	case unix.BTPROTO_SCO:
		return &SCOAddr{BDAddr: bdaddrFromWire(u[2:])}, nil
	case unix.BTPROTO_HCI:
		return &HCIAddr{Dev: binary.NativeEndian.Uint16(u[2:]), Channel: binary.NativeEndian.Uint16(u[4:])}, nil
	}
	return nil, fmt.Errorf("sockcore: no AF_BLUETOOTH address for protocol %d", proto)
}
