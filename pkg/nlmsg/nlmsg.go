// Package nlmsg encodes and decodes netlink messages: the nlmsghdr framing
// of a buffer holding several messages, NLMSG_DONE and NLMSG_ERROR with the
// extended ACK attributes, and route/generic netlink attributes (rtattr and
// nlattr share one layout), nested ones included. It is a pure codec: no
// sockets, no system calls. Integers are in host byte order, as the kernel
// sends them.
package nlmsg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
)

// Message types and flags from linux/netlink.h.
const (
	HeaderLen = 16 // NLMSG_HDRLEN: sizeof(struct nlmsghdr)

	Noop    = 0x1 // NLMSG_NOOP
	TypeErr = 0x2 // NLMSG_ERROR
	Done    = 0x3 // NLMSG_DONE
	Overrun = 0x4 // NLMSG_OVERRUN

	FRequest = 0x1   // NLM_F_REQUEST
	FMulti   = 0x2   // NLM_F_MULTI
	FAck     = 0x4   // NLM_F_ACK
	FEcho    = 0x8   // NLM_F_ECHO
	FRoot    = 0x100 // NLM_F_ROOT
	FMatch   = 0x200 // NLM_F_MATCH
	FDump    = FRoot | FMatch
	FReplace = 0x100 // NLM_F_REPLACE (new requests)
	FExcl    = 0x200 // NLM_F_EXCL
	FCreate  = 0x400 // NLM_F_CREATE
	FCapped  = 0x100 // NLM_F_CAPPED (on NLMSG_ERROR: the request payload was cut)
	FAckTLVs = 0x200 // NLM_F_ACK_TLVS (on NLMSG_ERROR: extended ACK attributes follow)

	// enum nlmsgerr_attrs, linux/netlink.h.
	ErrAttrMsg     = 1 // NLMSGERR_ATTR_MSG: a NUL-terminated message
	ErrAttrOffs    = 2 // NLMSGERR_ATTR_OFFS: u32 offset of the bad attribute in the request
	ErrAttrCookie  = 3 // NLMSGERR_ATTR_COOKIE
	ErrAttrPolicy  = 4 // NLMSGERR_ATTR_POLICY
	ErrAttrMissTyp = 5 // NLMSGERR_ATTR_MISS_TYPE: u32 type of a missing attribute
	ErrAttrMissNst = 6 // NLMSGERR_ATTR_MISS_NEST: u32 offset of the nest missing it
)

// ErrTruncated reports a message or attribute whose length field runs
// past the buffer or is shorter than its own header.
var ErrTruncated = errors.New("nlmsg: truncated message")

// Align rounds n up to NLMSG_ALIGNTO (= NLA_ALIGNTO = RTA_ALIGNTO = 4).
func Align(n int) int { return (n + 3) &^ 3 }

// Header is struct nlmsghdr.
type Header struct {
	Len   uint32
	Type  uint16
	Flags uint16
	Seq   uint32
	PID   uint32
}

// Message is one netlink message: its header and the payload after it
// (Header.Len - HeaderLen bytes, padding excluded). Data aliases the
// parsed buffer.
type Message struct {
	Header Header
	Data   []byte
}

func parseHeader(b []byte) Header {
	return Header{
		Len:   binary.NativeEndian.Uint32(b),
		Type:  binary.NativeEndian.Uint16(b[4:]),
		Flags: binary.NativeEndian.Uint16(b[6:]),
		Seq:   binary.NativeEndian.Uint32(b[8:]),
		PID:   binary.NativeEndian.Uint32(b[12:]),
	}
}

func putHeader(b []byte, h Header) {
	binary.NativeEndian.PutUint32(b, h.Len)
	binary.NativeEndian.PutUint16(b[4:], h.Type)
	binary.NativeEndian.PutUint16(b[6:], h.Flags)
	binary.NativeEndian.PutUint32(b[8:], h.Seq)
	binary.NativeEndian.PutUint32(b[12:], h.PID)
}

// Parse splits a datagram read from a netlink socket into its messages
// (NLMSG_OK/NLMSG_NEXT). Trailing bytes shorter than a header are
// ignored, as NLMSG_OK does; a length field that is too small or runs
// past the buffer is ErrTruncated.
func Parse(b []byte) ([]Message, error) {
	var out []Message
	for len(b) >= HeaderLen {
		h := parseHeader(b)
		l := int(h.Len)
		if l < HeaderLen || l > len(b) {
			return out, fmt.Errorf("%w: nlmsghdr length %d with %d bytes left", ErrTruncated, h.Len, len(b))
		}
		out = append(out, Message{Header: h, Data: b[HeaderLen:l:l]})
		b = b[min(Align(l), len(b)):]
	}
	return out, nil
}

// Error is a decoded NLMSG_ERROR (struct nlmsgerr) that is not an ACK:
// the errno, the header of the request it answers, and the extended ACK
// attributes when the socket enabled NETLINK_EXT_ACK.
type Error struct {
	Errno       syscall.Errno // positive
	Request     Header
	Msg         string // NLMSGERR_ATTR_MSG, "" if absent
	Offset      uint32 // NLMSGERR_ATTR_OFFS: offset of the bad attribute in the request
	HasOffs     bool
	MissingType uint32 // NLMSGERR_ATTR_MISS_TYPE
	HasMissing  bool
}

func (e *Error) Error() string {
	s := "netlink: " + e.Errno.Error()
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.HasOffs {
		s += fmt.Sprintf(" (at offset %d of the request)", e.Offset)
	}
	if e.HasMissing {
		s += fmt.Sprintf(" (missing attribute type %d)", e.MissingType)
	}
	return s
}

// Unwrap returns the errno so errors.Is(err, syscall.EINVAL) works.
func (e *Error) Unwrap() error { return e.Errno }

// ParseError decodes the payload of an NLMSG_ERROR message. It returns
// (nil, nil) for an ACK (error code 0) and an *Error otherwise. A
// warning carried by an ACK (extended ACK message with code 0) is
// dropped. The error itself is ErrTruncated when the payload is short.
func ParseError(m Message) (*Error, error) {
	d := m.Data
	if len(d) < 4 {
		return nil, fmt.Errorf("%w: NLMSG_ERROR of %d bytes", ErrTruncated, len(d))
	}
	code := int32(binary.NativeEndian.Uint32(d))
	if code == 0 {
		return nil, nil
	}
	e := &Error{Errno: syscall.Errno(-int64(code))}
	if code > 0 {
		e.Errno = syscall.Errno(code)
	}
	d = d[4:]
	if len(d) < HeaderLen {
		return e, nil
	}
	e.Request = parseHeader(d)
	skip := HeaderLen
	if m.Header.Flags&FCapped == 0 {
		skip = int(e.Request.Len)
		if skip < HeaderLen || skip > len(d) {
			return e, nil
		}
	}
	if m.Header.Flags&FAckTLVs == 0 {
		return e, nil
	}
	rest := d[min(Align(skip), len(d)):]
	as, _ := ParseAttrs(rest)
	for _, a := range as {
		switch a.Kind() {
		case ErrAttrMsg:
			e.Msg = a.String()
		case ErrAttrOffs:
			if v, err := a.Uint32(); err == nil {
				e.Offset, e.HasOffs = v, true
			}
		case ErrAttrMissTyp:
			if v, err := a.Uint32(); err == nil {
				e.MissingType, e.HasMissing = v, true
			}
		}
	}
	return e, nil
}
