package nlmsg

import (
	"encoding/binary"
	"fmt"
)

// Encoder builds one request: the header, a fixed family header
// (ifinfomsg, genlmsghdr...) and attributes, nested ones included.
// Bytes fills in every length.
type Encoder struct {
	b     []byte
	nests []int
	err   error
}

// NewEncoder starts a message of type typ with flags and sequence number
// seq; the PID field is 0 (the kernel fills the sender's port id in).
func NewEncoder(typ, flags uint16, seq uint32) *Encoder {
	e := &Encoder{b: make([]byte, HeaderLen, 128)}
	putHeader(e.b, Header{Type: typ, Flags: flags, Seq: seq})
	return e
}

func (e *Encoder) pad() {
	for len(e.b)%4 != 0 {
		e.b = append(e.b, 0)
	}
}

// Fixed appends a family header such as struct ifinfomsg, padded to 4.
func (e *Encoder) Fixed(p []byte) {
	e.b = append(e.b, p...)
	e.pad()
}

// Attr appends one attribute of type typ holding v.
func (e *Encoder) Attr(typ uint16, v []byte) {
	if AttrHeaderLen+len(v) > 0xffff {
		e.err = fmt.Errorf("nlmsg: attribute %d of %d bytes does not fit a 16-bit length", typ, len(v))
	}
	var h [AttrHeaderLen]byte
	binary.NativeEndian.PutUint16(h[:], uint16(AttrHeaderLen+len(v)))
	binary.NativeEndian.PutUint16(h[2:], typ)
	e.b = append(append(e.b, h[:]...), v...)
	e.pad()
}

// String appends a NUL-terminated string attribute.
func (e *Encoder) String(typ uint16, s string) { e.Attr(typ, append([]byte(s), 0)) }

// Uint8 appends a u8 attribute.
func (e *Encoder) Uint8(typ uint16, v uint8) { e.Attr(typ, []byte{v}) }

// Uint16 appends a host-order u16 attribute.
func (e *Encoder) Uint16(typ uint16, v uint16) { e.Attr(typ, binary.NativeEndian.AppendUint16(nil, v)) }

// Uint32 appends a host-order u32 attribute.
func (e *Encoder) Uint32(typ uint16, v uint32) { e.Attr(typ, binary.NativeEndian.AppendUint32(nil, v)) }

// Nest opens a nested attribute of type typ (add FNested for generic
// netlink families that expect it); End closes the innermost one.
func (e *Encoder) Nest(typ uint16) {
	e.nests = append(e.nests, len(e.b))
	e.Attr(typ, nil)
}

// End closes the attribute opened by the last Nest.
func (e *Encoder) End() {
	i := e.nests[len(e.nests)-1]
	e.nests = e.nests[:len(e.nests)-1]
	if len(e.b)-i > 0xffff {
		e.err = fmt.Errorf("nlmsg: nested attribute of %d bytes does not fit a 16-bit length", len(e.b)-i)
	}
	binary.NativeEndian.PutUint16(e.b[i:], uint16(len(e.b)-i))
}

// Bytes returns the message with its length set. It is an error to call
// it with a Nest still open or when an attribute outgrew 65535 bytes.
func (e *Encoder) Bytes() ([]byte, error) {
	if len(e.nests) != 0 {
		return nil, fmt.Errorf("nlmsg: %d nested attributes not closed", len(e.nests))
	}
	if e.err != nil {
		return nil, e.err
	}
	binary.NativeEndian.PutUint32(e.b, uint32(len(e.b)))
	return e.b, nil
}
