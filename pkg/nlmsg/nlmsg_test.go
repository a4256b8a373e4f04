package nlmsg

import (
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// errorMsg builds an NLMSG_ERROR answering req with code and extended ACK
// attributes attrs (already encoded), the way net/netlink/af_netlink.c
// lays it out: nlmsgerr{error, request header [+ payload]}, then TLVs.
func errorMsg(code int32, req []byte, capped bool, attrs func(e *Encoder)) []byte {
	flags := uint16(0)
	if capped {
		flags |= FCapped
		req = req[:HeaderLen]
	}
	e := NewEncoder(TypeErr, flags, 7)
	e.Fixed(binary.NativeEndian.AppendUint32(nil, uint32(code)))
	e.Fixed(req)
	if attrs != nil {
		binary.NativeEndian.PutUint16(e.b[6:], flags|FAckTLVs)
		attrs(e)
	}
	b, err := e.Bytes()
	if err != nil {
		panic(err)
	}
	return b
}

func request(t *testing.T) []byte {
	t.Helper()
	e := NewEncoder(16, FRequest|FAck, 7) // RTM_NEWLINK
	e.Fixed(make([]byte, 16))             // struct ifinfomsg
	e.String(3, "dummy0")                 // IFLA_IFNAME
	e.Nest(18)                            // IFLA_LINKINFO
	e.String(1, "dummy")                  // IFLA_INFO_KIND
	e.End()
	e.Uint32(4, 1500) // IFLA_MTU
	b, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEncodeRoundTrip(t *testing.T) {
	b := request(t)
	if len(b)%4 != 0 {
		t.Fatalf("message of %d bytes is not 4-aligned", len(b))
	}
	ms, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("got %d messages, want 1", len(ms))
	}
	want := Header{Len: uint32(len(b)), Type: 16, Flags: FRequest | FAck, Seq: 7}
	if d := cmp.Diff(want, ms[0].Header); d != "" {
		t.Errorf("header (-want +got):\n%s", d)
	}
	as, err := ParseAttrs(ms[0].Data[16:])
	if err != nil {
		t.Fatal(err)
	}
	type flat struct {
		Kind uint16
		Val  string
	}
	var got []flat
	for _, a := range as {
		got = append(got, flat{a.Kind(), a.String()})
		if a.Kind() == 18 {
			in, err := a.Nested()
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range in {
				got = append(got, flat{100 + n.Kind(), n.String()})
			}
		}
	}
	got[1].Val = "" // the nest's value is its child's header and value
	got[3].Val = "" // IFLA_MTU is binary
	wantAttrs := []flat{{3, "dummy0"}, {18, ""}, {101, "dummy"}, {4, ""}}
	if d := cmp.Diff(wantAttrs, got); d != "" {
		t.Errorf("attributes (-want +got):\n%s", d)
	}
	if mtu, err := as[2].Uint32(); err != nil || mtu != 1500 {
		t.Errorf("IFLA_MTU = %d, %v; want 1500", mtu, err)
	}
	if len(as[1].Data) != 12 { // child: 4 header + "dummy\0" 6 = 10, padded to 12
		t.Errorf("nest of %d bytes, want 12 (alignment)", len(as[1].Data))
	}
}

func TestParseSeveral(t *testing.T) {
	one := request(t)
	done := NewEncoder(Done, FMulti, 7)
	done.Fixed([]byte{0, 0, 0, 0})
	d, _ := done.Bytes()
	buf := append(append(append([]byte{}, one...), one...), d...)
	ms, err := Parse(buf)
	if err != nil {
		t.Fatal(err)
	}
	var types []uint16
	for _, m := range ms {
		types = append(types, m.Header.Type)
	}
	if diff := cmp.Diff([]uint16{16, 16, Done}, types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"length below header", []byte{4, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"length past buffer", []byte{32, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.b); !errors.Is(err, ErrTruncated) {
				t.Errorf("Parse = %v, want ErrTruncated", err)
			}
		})
	}
	if _, err := ParseAttrs([]byte{2, 0, 1, 0}); !errors.Is(err, ErrTruncated) {
		t.Errorf("ParseAttrs(short length) = %v, want ErrTruncated", err)
	}
	if _, err := (Attr{Data: []byte{1}}).Uint32(); !errors.Is(err, ErrTruncated) {
		t.Errorf("Uint32 of 1 byte = %v, want ErrTruncated", err)
	}
}

func TestParseError(t *testing.T) {
	req := request(t)
	ext := func(e *Encoder) {
		e.String(ErrAttrMsg, "Unknown device type")
		e.Uint32(ErrAttrOffs, 36)
	}
	for _, tc := range []struct {
		name string
		msg  []byte
		want *Error
	}{
		{"ack", errorMsg(0, req, false, nil), nil},
		{"plain", errorMsg(-int32(syscall.EINVAL), req, false, nil),
			&Error{Errno: syscall.EINVAL, Request: Header{Len: uint32(len(req)), Type: 16, Flags: FRequest | FAck, Seq: 7}}},
		{"extended ack, full request", errorMsg(-int32(syscall.EOPNOTSUPP), req, false, ext),
			&Error{Errno: syscall.EOPNOTSUPP, Request: Header{Len: uint32(len(req)), Type: 16, Flags: FRequest | FAck, Seq: 7}, Msg: "Unknown device type", Offset: 36, HasOffs: true}},
		{"extended ack, capped", errorMsg(-int32(syscall.EOPNOTSUPP), req, true, ext),
			&Error{Errno: syscall.EOPNOTSUPP, Request: Header{Len: uint32(len(req)), Type: 16, Flags: FRequest | FAck, Seq: 7}, Msg: "Unknown device type", Offset: 36, HasOffs: true}},
		{"missing attribute", errorMsg(-int32(syscall.EINVAL), req, true, func(e *Encoder) { e.Uint32(ErrAttrMissTyp, 3) }),
			&Error{Errno: syscall.EINVAL, Request: Header{Len: uint32(len(req)), Type: 16, Flags: FRequest | FAck, Seq: 7}, MissingType: 3, HasMissing: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := Parse(tc.msg)
			if err != nil || len(ms) != 1 {
				t.Fatalf("Parse = %d messages, %v", len(ms), err)
			}
			got, err := ParseError(ms[0])
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if got != nil && !errors.Is(got, tc.want.Errno) {
				t.Errorf("errors.Is(%v, %v) = false", got, tc.want.Errno)
			}
		})
	}
	if _, err := ParseError(Message{Data: []byte{1}}); !errors.Is(err, ErrTruncated) {
		t.Errorf("ParseError(1 byte) = %v, want ErrTruncated", err)
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Errno: syscall.EOPNOTSUPP, Msg: "Unknown device type", Offset: 36, HasOffs: true}
	want := "netlink: operation not supported: Unknown device type (at offset 36 of the request)"
	if d := cmp.Diff(want, e.Error()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestEncoderErrors(t *testing.T) {
	e := NewEncoder(16, FRequest, 1)
	e.Nest(1)
	if _, err := e.Bytes(); err == nil {
		t.Error("Bytes with an open nest: no error")
	}
	e = NewEncoder(16, FRequest, 1)
	e.Attr(1, make([]byte, 70000))
	if _, err := e.Bytes(); err == nil {
		t.Error("Bytes with a 70000-byte attribute: no error")
	}
}
