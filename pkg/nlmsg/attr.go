package nlmsg

import (
	"encoding/binary"
	"fmt"
)

// Attribute type flags from linux/netlink.h.
const (
	AttrHeaderLen = 4      // NLA_HDRLEN = RTA_LENGTH(0)
	FNested       = 0x8000 // NLA_F_NESTED
	FNetByteOrder = 0x4000 // NLA_F_NET_BYTEORDER
	TypeMask      = 0x3fff // NLA_TYPE_MASK
)

// Attr is one attribute (struct rtattr / struct nlattr): its type with
// flags and its value (padding excluded). Data aliases the parsed buffer.
type Attr struct {
	Type uint16
	Data []byte
}

// Kind is the type without NLA_F_NESTED and NLA_F_NET_BYTEORDER.
func (a Attr) Kind() uint16 { return a.Type & TypeMask }

// Nested parses the value as a list of attributes. Route netlink nests
// (IFLA_LINKINFO) do not set NLA_F_NESTED, so the caller decides.
func (a Attr) Nested() ([]Attr, error) { return ParseAttrs(a.Data) }

// String is the value up to its first NUL (IFLA_IFNAME, NLMSGERR_ATTR_MSG).
func (a Attr) String() string {
	for i, c := range a.Data {
		if c == 0 {
			return string(a.Data[:i])
		}
	}
	return string(a.Data)
}

func (a Attr) size(n int) error {
	if len(a.Data) < n {
		return fmt.Errorf("%w: attribute %d of %d bytes, want %d", ErrTruncated, a.Kind(), len(a.Data), n)
	}
	return nil
}

// Uint8 is the value as a u8.
func (a Attr) Uint8() (uint8, error) {
	if err := a.size(1); err != nil {
		return 0, err
	}
	return a.Data[0], nil
}

// Uint16 is the value as a host-order u16.
func (a Attr) Uint16() (uint16, error) {
	if err := a.size(2); err != nil {
		return 0, err
	}
	return binary.NativeEndian.Uint16(a.Data), nil
}

// Uint32 is the value as a host-order u32.
func (a Attr) Uint32() (uint32, error) {
	if err := a.size(4); err != nil {
		return 0, err
	}
	return binary.NativeEndian.Uint32(a.Data), nil
}

// ParseAttrs splits b into attributes (RTA_OK/RTA_NEXT). Trailing bytes
// shorter than an attribute header are ignored; a length field that is too
// small or runs past b is ErrTruncated, with the attributes before it.
func ParseAttrs(b []byte) ([]Attr, error) {
	var out []Attr
	for len(b) >= AttrHeaderLen {
		l := int(binary.NativeEndian.Uint16(b))
		if l < AttrHeaderLen || l > len(b) {
			return out, fmt.Errorf("%w: attribute length %d with %d bytes left", ErrTruncated, l, len(b))
		}
		out = append(out, Attr{Type: binary.NativeEndian.Uint16(b[2:]), Data: b[AttrHeaderLen:l:l]})
		b = b[min(Align(l), len(b)):]
	}
	return out, nil
}

// Find returns the first attribute of kind k.
func Find(as []Attr, k uint16) (Attr, bool) {
	for _, a := range as {
		if a.Kind() == k {
			return a, true
		}
	}
	return Attr{}, false
}
