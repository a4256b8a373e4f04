// Package canframe holds the CAN wire formats that are not sockets: frames as
// a CAN_RAW socket reads and writes them (struct can_frame, struct
// canfd_frame), the text of can-utils' cansend and candump (compact
// "123#DEADBEEF", the log form "(sec.usec) iface id#data" and candump's
// default columns), error-frame decoding, and the datagrams of canrelay's UDP
// tunnel. It is pure: no sockets, no system calls.
package canframe

import (
	"errors"
	"fmt"
)

// Flags in the top bits of can_id (linux/can.h).
const (
	EFFFlag = 0x80000000 // CAN_EFF_FLAG: extended frame format (29-bit id)
	RTRFlag = 0x40000000 // CAN_RTR_FLAG: remote transmission request
	ErrFlag = 0x20000000 // CAN_ERR_FLAG: error message frame

	SFFMask = 0x000007ff // CAN_SFF_MASK: standard frame id
	EFFMask = 0x1fffffff // CAN_EFF_MASK: extended frame id
	ErrMask = 0x1fffffff // CAN_ERR_MASK: error class bits
)

// CAN FD flags (linux/can.h).
const (
	FDFlagBRS = 0x01 // CANFD_BRS: bit rate switch
	FDFlagESI = 0x02 // CANFD_ESI: error state indicator
	FDFlagFDF = 0x04 // CANFD_FDF: marks a CAN FD frame (kernels ≥ 6.3 set it)

	// fdFlagsKept are the flags a Frame carries; FDF is implied by FD, the
	// other bits have no meaning and are dropped by the decoders.
	fdFlagsKept = FDFlagBRS | FDFlagESI
)

// Payload limits and struct sizes (linux/can.h).
const (
	MaxLen       = 8  // CAN_MAX_DLEN
	MaxFDLen     = 64 // CANFD_MAX_DLEN
	MTU          = 16 // CAN_MTU: sizeof(struct can_frame)
	FDMTU        = 72 // CANFD_MTU: sizeof(struct canfd_frame)
	headerLen    = 8  // can_id, len and three bytes before data
	maxRTRLength = MaxLen
)

// Frame is one CAN or CAN FD frame. ID holds the identifier without flags:
// 11 bits for a standard frame, 29 for an extended one, and the error class
// bits (linux/can/error.h) for an error frame.
type Frame struct {
	ID       uint32
	Extended bool   // 29-bit id (CAN_EFF_FLAG)
	RTR      bool   // remote transmission request; Data is empty, RTRLen is the requested length
	Err      bool   // error message frame (CAN_ERR_FLAG); Data holds the details
	FD       bool   // CAN FD frame (struct canfd_frame)
	Flags    uint8  // CAN FD flags: FDFlagBRS, FDFlagESI
	RTRLen   uint8  // the length a remote request asks for, 0-8
	Data     []byte // payload: up to 8 bytes, up to 64 for CAN FD
}

// Errors the codecs return; callers match them with errors.Is.
var (
	ErrSyntax   = errors.New("malformed CAN frame text")
	ErrTooLong  = errors.New("CAN payload too long")
	ErrBadID    = errors.New("CAN id out of range")
	ErrShort    = errors.New("truncated CAN frame")
	ErrBadFrame = errors.New("invalid CAN frame")
)

// CANID returns the kernel's can_id: the identifier with the EFF, RTR and
// ERR flags.
func (f *Frame) CANID() uint32 {
	id := f.ID
	if f.Err {
		return id&ErrMask | ErrFlag
	}
	if f.Extended {
		id = id&EFFMask | EFFFlag
	} else {
		id &= SFFMask
	}
	if f.RTR {
		id |= RTRFlag
	}
	return id
}

// FromCANID sets ID, Extended, RTR and Err from a kernel can_id.
func (f *Frame) setCANID(canID uint32) {
	f.Err = canID&ErrFlag != 0
	f.Extended = canID&EFFFlag != 0 && !f.Err
	f.RTR = canID&RTRFlag != 0 && !f.Err
	switch {
	case f.Err:
		f.ID = canID & ErrMask
	case f.Extended:
		f.ID = canID & EFFMask
	default:
		f.ID = canID & SFFMask
	}
}

// Validate reports why f cannot be sent: an id too wide for its format, a
// payload too long, an FD remote request, data on a remote request.
func (f *Frame) Validate() error {
	switch {
	case f.Err && f.ID > ErrMask:
		return fmt.Errorf("%w: error class %#x exceeds %#x", ErrBadID, f.ID, ErrMask)
	case !f.Err && f.Extended && f.ID > EFFMask:
		return fmt.Errorf("%w: extended id %#x exceeds %#x", ErrBadID, f.ID, EFFMask)
	case !f.Err && !f.Extended && f.ID > SFFMask:
		return fmt.Errorf("%w: standard id %#x exceeds %#x (use 8 hex digits for an extended id)", ErrBadID, f.ID, SFFMask)
	case f.FD && len(f.Data) > MaxFDLen:
		return fmt.Errorf("%w: %d bytes, CAN FD carries at most %d", ErrTooLong, len(f.Data), MaxFDLen)
	case !f.FD && len(f.Data) > MaxLen:
		return fmt.Errorf("%w: %d bytes, classic CAN carries at most %d (DLC > 8; use ## for CAN FD)", ErrTooLong, len(f.Data), MaxLen)
	case f.RTR && f.FD:
		return fmt.Errorf("%w: CAN FD has no remote frames", ErrBadFrame)
	case f.RTR && len(f.Data) > 0:
		return fmt.Errorf("%w: a remote request carries no data", ErrBadFrame)
	case f.RTR && f.RTRLen > maxRTRLength:
		return fmt.Errorf("%w: remote request length %d exceeds %d", ErrTooLong, f.RTRLen, maxRTRLength)
	case !f.FD && f.Flags != 0:
		return fmt.Errorf("%w: CAN FD flags on a classic frame", ErrBadFrame)
	case f.Flags&^fdFlagsKept != 0:
		return fmt.Errorf("%w: CAN FD flags %#x, only BRS (1) and ESI (2) are kept", ErrBadFrame, f.Flags)
	}
	return nil
}

// Len is the frame's length field: the data length, or for a remote request
// the length it asks for.
func (f *Frame) Len() int {
	if f.RTR {
		return int(f.RTRLen)
	}
	return len(f.Data)
}

// fdLens are the payload lengths a CAN FD DLC can express.
var fdLens = [...]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64}

// FDPaddedLen returns the smallest CAN FD length (0-8, 12, 16, 20, 24, 32, 48,
// 64) that holds n bytes; n > 64 returns n.
func FDPaddedLen(n int) int {
	for _, l := range fdLens {
		if l >= n {
			return l
		}
	}
	return n
}
