package canframe

import (
	"encoding/binary"
	"fmt"
)

// AppendWire appends f as the kernel's struct can_frame (16 bytes) or, for a
// CAN FD frame, struct canfd_frame (72 bytes), ready for write(2) on a
// CAN_RAW socket. can_id is in host byte order, as the kernel wants it.
func AppendWire(dst []byte, f *Frame) ([]byte, error) {
	if err := f.Validate(); err != nil {
		return dst, err
	}
	size := MTU
	if f.FD {
		size = FDMTU
	}
	n := len(dst)
	dst = append(dst, make([]byte, size)...)
	b := dst[n:]
	binary.NativeEndian.PutUint32(b, f.CANID())
	b[4] = byte(f.Len())
	if f.FD {
		b[5] = f.Flags
	}
	copy(b[headerLen:], f.Data)
	return dst, nil
}

// EncodeWire returns f as struct can_frame or struct canfd_frame.
func EncodeWire(f *Frame) ([]byte, error) { return AppendWire(nil, f) }

// DecodeWire parses what read(2) returned on a CAN_RAW socket: 16 bytes are a
// struct can_frame, 72 bytes a struct canfd_frame. The frame's Data is a copy.
func DecodeWire(b []byte) (Frame, error) {
	var f Frame
	switch len(b) {
	case MTU, FDMTU:
	default:
		if len(b) < MTU {
			return f, fmt.Errorf("%w: %d bytes, want %d or %d", ErrShort, len(b), MTU, FDMTU)
		}
		return f, fmt.Errorf("%w: %d bytes, want %d or %d", ErrBadFrame, len(b), MTU, FDMTU)
	}
	f.setCANID(binary.NativeEndian.Uint32(b))
	f.FD = len(b) == FDMTU
	n := int(b[4])
	if f.FD {
		f.Flags = b[5] & fdFlagsKept
		if n > MaxFDLen {
			return f, fmt.Errorf("%w: length %d in a canfd_frame", ErrTooLong, n)
		}
	} else if n > MaxLen {
		return f, fmt.Errorf("%w: length %d in a can_frame", ErrTooLong, n)
	}
	if f.RTR {
		f.RTRLen = uint8(n)
		if f.FD {
			return f, fmt.Errorf("%w: remote request in a canfd_frame", ErrBadFrame)
		}
		return f, nil
	}
	f.Data = append([]byte{}, b[headerLen:headerLen+n]...)
	return f, nil
}

// WireCANID returns the can_id of a struct can_frame or canfd_frame without
// decoding the rest; ok is false when b is too short.
func WireCANID(b []byte) (id uint32, ok bool) {
	if len(b) < 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(b), true
}

// SetWireCANID overwrites the can_id of an encoded frame in place.
func SetWireCANID(b []byte, id uint32) { binary.NativeEndian.PutUint32(b, id) }
