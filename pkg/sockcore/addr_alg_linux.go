package sockcore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// Field sizes of struct sockaddr_alg (linux/if_alg.h): salg_type[14] and
// salg_name[64], both NUL-terminated.
const (
	algTypeSize = 14
	algNameSize = 64
)

// ALGAddr is an AF_ALG address: Python's (type, name[, feat[, mask]]), e.g.
// {Type: "hash", Name: "sha256"}. Type is "hash", "skcipher", "aead" or
// "rng"; Name is the kernel's algorithm or driver name.
type ALGAddr struct {
	Type string
	Name string
	Feat uint32
	Mask uint32
}

// ErrALGType and ErrALGName are Python's ValueErrors for an AF_ALG address
// whose type or name does not fit sockaddr_alg.
var (
	ErrALGType = errors.New("AF_ALG type too long")
	ErrALGName = errors.New("AF_ALG name too long")
)

// Family returns AF_ALG.
func (a *ALGAddr) Family() int { return unix.AF_ALG }

// String returns "type:name", with feat and mask when set.
func (a *ALGAddr) String() string {
	s := a.Type + ":" + a.Name
	if a.Feat != 0 || a.Mask != 0 {
		s += fmt.Sprintf(" feat=%#x mask=%#x", a.Feat, a.Mask)
	}
	return s
}

func (a *ALGAddr) sockaddr() ([]byte, error) {
	if strings.IndexByte(a.Type, 0) >= 0 || strings.IndexByte(a.Name, 0) >= 0 {
		return nil, errors.New("AF_ALG type and name must not contain a NUL byte")
	}
	if len(a.Type) >= algTypeSize {
		return nil, ErrALGType
	}
	if len(a.Name) >= algNameSize {
		return nil, ErrALGName
	}
	b := make([]byte, unix.SizeofSockaddrALG)
	putFamily(b, unix.AF_ALG)
	copy(b[2:2+algTypeSize], a.Type)
	binary.NativeEndian.PutUint32(b[16:], a.Feat)
	binary.NativeEndian.PutUint32(b[20:], a.Mask)
	copy(b[24:24+algNameSize], a.Name)
	return b, nil
}

func decodeALG(b []byte) (Addr, error) {
	if len(b) < unix.SizeofSockaddrALG {
		return nil, fmt.Errorf("sockcore: AF_ALG sockaddr of %d bytes", len(b))
	}
	// The kernel's strings end in a NUL inside their fields; one that
	// fills its field is not a sockaddr the kernel made.
	cstr := func(field string, p []byte) (string, error) {
		i := indexByte(p, 0)
		if i < 0 {
			return "", fmt.Errorf("sockcore: AF_ALG sockaddr %s without a NUL", field)
		}
		return string(p[:i]), nil
	}
	typ, err := cstr("type", b[2:2+algTypeSize])
	if err != nil {
		return nil, err
	}
	name, err := cstr("name", b[24:24+algNameSize])
	if err != nil {
		return nil, err
	}
	return &ALGAddr{
		Type: typ,
		Feat: binary.NativeEndian.Uint32(b[16:]),
		Mask: binary.NativeEndian.Uint32(b[20:]),
		Name: name,
	}, nil
}
