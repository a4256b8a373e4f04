package sockcore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// CANKind says which member of sockaddr_can's can_addr union a CANAddr
// carries.
type CANKind int

const (
	CANKindRaw   CANKind = iota // CAN_RAW and CAN_BCM: the interface only
	CANKindISOTP                // CAN_ISOTP: rx_id and tx_id
	CANKindJ1939                // CAN_J1939: name, pgn and addr
)

// CANAddr is an AF_CAN address, struct sockaddr_can (linux/can.h). For
// CAN_RAW and CAN_BCM it is Python's (interface,); for CAN_ISOTP
// (interface, rx_id, tx_id); for CAN_J1939 (interface, name, pgn, addr).
//
// Interface "" with Ifindex 0 means every CAN interface. When Interface is
// set it is resolved to its index when the address is encoded; when it is
// empty Ifindex is used as it is. A decoded address carries Ifindex only;
// IfName looks the name up.
//
// A decoded address fills the fields of both union members from the same
// bytes and guesses Kind (all zero: raw; pgn and addr zero: ISO-TP; otherwise
// J1939); WithProto relabels it for a socket whose protocol is known.
type CANAddr struct {
	Kind      CANKind
	Interface string
	Ifindex   int

	RxID, TxID uint32 // CAN_ISOTP: can_ids with CAN_EFF_FLAG for 29-bit ids

	Name uint64 // CAN_J1939: 64-bit ECU NAME, 0 = J1939_NO_NAME
	PGN  uint32 // CAN_J1939: parameter group number, J1939NoPGN = none
	Addr uint8  // CAN_J1939: source or destination address, J1939NoAddr = none
}

// J1939 special values (linux/can/j1939.h).
const (
	J1939NoAddr   = 0xff    // J1939_NO_ADDR: broadcast, or no address claimed
	J1939IdleAddr = 0xfe    // J1939_IDLE_ADDR
	J1939NoName   = 0       // J1939_NO_NAME
	J1939NoPGN    = 0x40000 // J1939_NO_PGN
	J1939PGNMax   = 0x3ffff // J1939_PGN_MAX
)

// Family returns AF_CAN.
func (a *CANAddr) Family() int { return unix.AF_CAN }

// WithProto returns a copy of a labelled for a socket of protocol proto
// (CAN_RAW, CAN_BCM, CAN_ISOTP, CAN_J1939).
func (a *CANAddr) WithProto(proto int) *CANAddr {
	c := *a
	switch proto {
	case unix.CAN_ISOTP:
		c.Kind = CANKindISOTP
	case unix.CAN_J1939:
		c.Kind = CANKindJ1939
	default:
		c.Kind = CANKindRaw
	}
	return &c
}

// IfName returns the interface name: Interface when set, else the name of
// Ifindex looked up now (the decoder leaves it to this call, so that
// receiving a frame costs no lookup), else "" for every interface.
func (a *CANAddr) IfName() string {
	if a.Interface != "" || a.Ifindex == 0 {
		return a.Interface
	}
	return zoneName(uint32(a.Ifindex))
}

func (a *CANAddr) ifaceString() string {
	if n := a.IfName(); n != "" {
		return n
	}
	return "any"
}

// String is "vcan0", "vcan0 rx=0x7e8 tx=0x7e0" or "vcan0 name=0x0 pgn=0x12300
// addr=0x20"; "any" for every interface.
func (a *CANAddr) String() string {
	s := a.ifaceString()
	switch a.Kind {
	case CANKindISOTP:
		s += " rx=0x" + strconv.FormatUint(uint64(a.RxID), 16) + " tx=0x" + strconv.FormatUint(uint64(a.TxID), 16)
	case CANKindJ1939:
		s += " name=0x" + strconv.FormatUint(a.Name, 16) + " pgn=0x" + strconv.FormatUint(uint64(a.PGN), 16) +
			" addr=0x" + strconv.FormatUint(uint64(a.Addr), 16)
	}
	return s
}

// canIfindex resolves the interface: "" is Ifindex (0 = any), a name must
// be shorter than IFNAMSIZ and exist.
func (a *CANAddr) canIfindex() (int, error) {
	if a.Interface == "" {
		if a.Ifindex < 0 || a.Ifindex > 1<<31-1 {
			return 0, fmt.Errorf("CAN interface index %d out of range", a.Ifindex)
		}
		return a.Ifindex, nil
	}
	if len(a.Interface) >= unix.IFNAMSIZ {
		return 0, fmt.Errorf("CAN interface name %q is %d bytes, the limit is %d", a.Interface, len(a.Interface), unix.IFNAMSIZ-1)
	}
	idx, err := ifNameToIndex(a.Interface)
	if err != nil && !errors.Is(err, unix.ENODEV) {
		// Not the name: the lookup itself failed (its socket at the
		// open-files limit: EMFILE).
		return 0, fmt.Errorf("CAN interface %q: %w", a.Interface, err)
	}
	if err != nil {
		return 0, fmt.Errorf("CAN interface %q: %w", a.Interface, os.NewSyscallError("if_nametoindex", unix.ENODEV))
	}
	return idx, nil
}

func (a *CANAddr) sockaddr() ([]byte, error) {
	idx, err := a.canIfindex()
	if err != nil {
		return nil, err
	}
	b := make([]byte, unix.SizeofSockaddrCAN)
	putFamily(b, unix.AF_CAN)
	binary.NativeEndian.PutUint32(b[4:], uint32(int32(idx)))
	switch a.Kind {
	case CANKindRaw:
	case CANKindISOTP:
		binary.NativeEndian.PutUint32(b[8:], a.RxID)
		binary.NativeEndian.PutUint32(b[12:], a.TxID)
	case CANKindJ1939:
		if a.PGN > J1939NoPGN {
			return nil, fmt.Errorf("J1939 PGN %#x exceeds %#x", a.PGN, J1939NoPGN)
		}
		binary.NativeEndian.PutUint64(b[8:], a.Name)
		binary.NativeEndian.PutUint32(b[16:], a.PGN)
		b[20] = a.Addr
	default:
		return nil, fmt.Errorf("unknown CAN address kind %d", a.Kind)
	}
	return b, nil
}

func decodeCAN(b []byte) (Addr, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("sockcore: AF_CAN sockaddr of %d bytes", len(b))
	}
	var u [16]byte
	copy(u[:], b[8:])
	a := &CANAddr{
		Ifindex: int(int32(binary.NativeEndian.Uint32(b[4:]))),
		RxID:    binary.NativeEndian.Uint32(u[0:]),
		TxID:    binary.NativeEndian.Uint32(u[4:]),
		Name:    binary.NativeEndian.Uint64(u[0:]),
		PGN:     binary.NativeEndian.Uint32(u[8:]),
		Addr:    u[12],
	}
	if a.Ifindex < 0 {
		return nil, fmt.Errorf("sockcore: AF_CAN sockaddr with interface index %d", a.Ifindex)
	}
	// Bytes 13-15 are the J1939 member's padding and say nothing.
	switch {
	case [13]byte(u[:]) == [13]byte{}:
		a.Kind = CANKindRaw
	case [5]byte(u[8:]) == [5]byte{}:
		a.Kind = CANKindISOTP
	default:
		a.Kind = CANKindJ1939
		if a.PGN > J1939NoPGN {
			// The kernel never reports one; the encoder refuses it too.
			return nil, fmt.Errorf("sockcore: AF_CAN J1939 sockaddr with PGN %#x", a.PGN)
		}
	}
	return a, nil
}
