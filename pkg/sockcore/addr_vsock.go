package sockcore

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"
)

// VSockAddr is an AF_VSOCK address: Python's (cid, port).
// unix.VMADDR_CID_ANY and unix.VMADDR_PORT_ANY are the wildcards.
type VSockAddr struct {
	CID   uint32
	Port  uint32
	Flags uint8 // svm_flags (VMADDR_FLAG_TO_HOST)
}

// Family returns AF_VSOCK.
func (a *VSockAddr) Family() int { return unix.AF_VSOCK }

func (a *VSockAddr) String() string {
	return strconv.FormatUint(uint64(a.CID), 10) + ":" + strconv.FormatUint(uint64(a.Port), 10)
}

// sockaddr encodes struct sockaddr_vm (linux/vm_sockets.h): family, reserved,
// port, cid, flags, three zero bytes.
func (a *VSockAddr) sockaddr() ([]byte, error) {
	b := make([]byte, unix.SizeofSockaddrVM)
	putFamily(b, unix.AF_VSOCK)
	binary.NativeEndian.PutUint32(b[4:], a.Port)
	binary.NativeEndian.PutUint32(b[8:], a.CID)
	b[12] = a.Flags
	return b, nil
}

func decodeVSock(b []byte) (Addr, error) {
	if len(b) < 13 {
		return nil, fmt.Errorf("sockcore: AF_VSOCK sockaddr of %d bytes", len(b))
	}
	return &VSockAddr{
		Port:  binary.NativeEndian.Uint32(b[4:]),
		CID:   binary.NativeEndian.Uint32(b[8:]),
		Flags: b[12],
	}, nil
}
