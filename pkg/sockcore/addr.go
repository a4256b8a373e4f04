package sockcore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Addr is a socket address of one family. Every family has its own concrete
// type; RawAddr carries families sockcore does not decode.
type Addr interface {
	Family() int
	String() string
}

// sockaddrEncoder is implemented by every concrete address type: it returns
// the bytes of the C struct sockaddr_* and so its exact length.
type sockaddrEncoder interface {
	sockaddr() ([]byte, error)
}

// ErrAddrFamily is returned when an address does not fit the socket's family.
var ErrAddrFamily = errors.New("address family does not match the socket")

// EncodeSockaddr returns the raw sockaddr bytes of a, exactly as they are
// passed to bind(2), connect(2) or sendto(2).
func EncodeSockaddr(a Addr) ([]byte, error) {
	if a == nil {
		return nil, nil
	}
	e, ok := a.(sockaddrEncoder)
	if !ok {
		return nil, fmt.Errorf("sockcore: cannot encode address type %T", a)
	}
	return e.sockaddr()
}

// DecodeSockaddr parses a raw sockaddr of the given length (as returned by
// accept(2), recvfrom(2), getsockname(2)). A zero length yields a nil Addr.
// Families sockcore does not know (no decoder in the families table) decode
// to RawAddr.
func DecodeSockaddr(b []byte) (Addr, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if len(b) < 2 {
		return nil, fmt.Errorf("sockcore: sockaddr of %d bytes is too short", len(b))
	}
	fam := int(binary.NativeEndian.Uint16(b))
	if f, ok := families[fam]; ok && f.decode != nil {
		return f.decode(b)
	}
	return &RawAddr{Fam: fam, Data: append([]byte(nil), b[2:]...)}, nil
}

func putFamily(b []byte, fam int) { binary.NativeEndian.PutUint16(b, uint16(fam)) }

// InetAddr is an AF_INET address: Python's (host, port). The zero IP is
// INADDR_ANY.
type InetAddr struct {
	IP   netip.Addr // an IPv4 address; the zero Addr means 0.0.0.0
	Port int
}

// Family returns AF_INET.
func (a *InetAddr) Family() int { return unix.AF_INET }

func (a *InetAddr) ip4() [4]byte {
	if !a.IP.IsValid() {
		return [4]byte{}
	}
	return a.IP.Unmap().As4()
}

func (a *InetAddr) String() string {
	return netip.AddrFrom4(a.ip4()).String() + ":" + strconv.Itoa(a.Port)
}

func (a *InetAddr) sockaddr() ([]byte, error) {
	if err := checkPort(a.Port); err != nil {
		return nil, err
	}
	if a.IP.IsValid() && !a.IP.Unmap().Is4() {
		return nil, fmt.Errorf("%s is not an IPv4 address", a.IP)
	}
	b := make([]byte, unix.SizeofSockaddrInet4)
	putFamily(b, unix.AF_INET)
	binary.BigEndian.PutUint16(b[2:], uint16(a.Port))
	ip := a.ip4()
	copy(b[4:8], ip[:])
	return b, nil
}

func decodeInet(b []byte) (Addr, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("sockcore: AF_INET sockaddr of %d bytes", len(b))
	}
	return &InetAddr{IP: netip.AddrFrom4([4]byte(b[4:8])), Port: int(binary.BigEndian.Uint16(b[2:]))}, nil
}

// Inet6Addr is an AF_INET6 address: Python's (host, port, flowinfo, scope_id).
type Inet6Addr struct {
	IP       netip.Addr // the zero Addr means ::
	Port     int
	FlowInfo uint32 // host order; sent in network order as Python does
	ScopeID  uint32 // interface index
}

// Family returns AF_INET6.
func (a *Inet6Addr) Family() int { return unix.AF_INET6 }

func (a *Inet6Addr) ip16() [16]byte {
	if !a.IP.IsValid() {
		return [16]byte{}
	}
	if a.IP.Is4() {
		return netip.AddrFrom16(a.IP.As16()).As16()
	}
	return a.IP.As16()
}

func (a *Inet6Addr) String() string {
	ip := netip.AddrFrom16(a.ip16())
	host := ip.String()
	if a.ScopeID != 0 {
		host += "%" + zoneName(a.ScopeID)
	}
	return "[" + host + "]:" + strconv.Itoa(a.Port)
}

func (a *Inet6Addr) sockaddr() ([]byte, error) {
	if err := checkPort(a.Port); err != nil {
		return nil, err
	}
	if a.FlowInfo > 0xfffff {
		return nil, fmt.Errorf("flowinfo must be 0-1048575, not %d", a.FlowInfo)
	}
	b := make([]byte, unix.SizeofSockaddrInet6)
	putFamily(b, unix.AF_INET6)
	binary.BigEndian.PutUint16(b[2:], uint16(a.Port))
	binary.BigEndian.PutUint32(b[4:], a.FlowInfo)
	ip := a.ip16()
	copy(b[8:24], ip[:])
	scope := a.ScopeID
	if scope == 0 && a.IP.Zone() != "" {
		idx, err := zoneIndex(a.IP.Zone())
		if err != nil {
			return nil, err
		}
		scope = idx
	}
	binary.NativeEndian.PutUint32(b[24:], scope)
	return b, nil
}

func decodeInet6(b []byte) (Addr, error) {
	if len(b) < 24 {
		return nil, fmt.Errorf("sockcore: AF_INET6 sockaddr of %d bytes", len(b))
	}
	a := &Inet6Addr{
		IP:       netip.AddrFrom16([16]byte(b[8:24])),
		Port:     int(binary.BigEndian.Uint16(b[2:])),
		FlowInfo: binary.BigEndian.Uint32(b[4:]),
	}
	if len(b) >= 28 {
		a.ScopeID = binary.NativeEndian.Uint32(b[24:])
	}
	return a, nil
}

// zoneIndex maps an interface name or a decimal index to an index.
func zoneIndex(zone string) (uint32, error) {
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	idx, err := ifNameToIndex(zone)
	if err != nil {
		return 0, fmt.Errorf("unknown interface %q in scope id: %w", zone, err)
	}
	return uint32(idx), nil
}

func zoneName(idx uint32) string {
	if name, err := ifIndexToName(int(idx)); err == nil {
		return name
	}
	return strconv.FormatUint(uint64(idx), 10)
}

// UnixAddr is an AF_UNIX address. Name holds the exact bytes of sun_path: a
// filesystem path, or an abstract name starting with a NUL byte. The empty
// Name is an unnamed socket (bind with it autobinds to an abstract name).
type UnixAddr struct {
	Name string
}

// UnixPathMax is the size of sun_path.
const UnixPathMax = 108

// AbstractUnixAddr returns the abstract address for name (without the
// leading NUL).
func AbstractUnixAddr(name string) *UnixAddr { return &UnixAddr{Name: "\x00" + name} }

// Family returns AF_UNIX.
func (a *UnixAddr) Family() int { return unix.AF_UNIX }

// IsAbstract reports whether the address is in the abstract namespace.
func (a *UnixAddr) IsAbstract() bool { return len(a.Name) > 0 && a.Name[0] == 0 }

// String shows an abstract name as "@name" with non-printable bytes escaped,
// a path as it is, and an unnamed socket as "(unnamed)".
func (a *UnixAddr) String() string {
	switch {
	case a.Name == "":
		return "(unnamed)"
	case a.IsAbstract():
		q := strconv.Quote(a.Name[1:])
		return "@" + q[1:len(q)-1]
	}
	return a.Name
}

func (a *UnixAddr) sockaddr() ([]byte, error) {
	if a.IsAbstract() {
		if len(a.Name) > UnixPathMax {
			return nil, fmt.Errorf("AF_UNIX abstract name is %d bytes, the limit is %d", len(a.Name), UnixPathMax)
		}
	} else if len(a.Name) >= UnixPathMax {
		return nil, fmt.Errorf("AF_UNIX path is %d bytes, the limit is %d", len(a.Name), UnixPathMax-1)
	} else if strings.IndexByte(a.Name, 0) >= 0 {
		return nil, fmt.Errorf("AF_UNIX path %q contains a NUL byte", a.Name)
	}
	b := make([]byte, 2+len(a.Name))
	putFamily(b, unix.AF_UNIX)
	copy(b[2:], a.Name)
	return b, nil
}

func decodeUnix(b []byte) (Addr, error) {
	p := b[2:]
	if len(p) > UnixPathMax {
		p = p[:UnixPathMax]
	}
	if len(p) > 0 && p[0] != 0 {
		// A filesystem path ends at its first NUL.
		if i := indexByte(p, 0); i >= 0 {
			p = p[:i]
		}
	}
	return &UnixAddr{Name: string(p)}, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// RawAddr is an address of a family sockcore does not decode: Python's
// (family, raw bytes). It encodes back to the same bytes.
type RawAddr struct {
	Fam  int
	Data []byte // the bytes after sa_family
}

// Family returns the address family.
func (a *RawAddr) Family() int { return a.Fam }

func (a *RawAddr) String() string { return fmt.Sprintf("(%s, %x)", FamilyName(a.Fam), a.Data) }

func (a *RawAddr) sockaddr() ([]byte, error) {
	b := make([]byte, 2+len(a.Data))
	putFamily(b, a.Fam)
	copy(b[2:], a.Data)
	return b, nil
}

// rawBuf is room for any sockaddr the kernel returns.
type rawBuf [unsafe.Sizeof(unix.RawSockaddrAny{})]byte
