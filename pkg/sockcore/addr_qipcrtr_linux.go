package sockcore

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"
)

// QIPCRTRAddr is an AF_QIPCRTR address (struct sockaddr_qrtr,
// linux/qrtr.h): Python's (node, port). An unbound socket has port 0; the
// kernel picks a port (autobind) on connect(2) or the first send.
type QIPCRTRAddr struct {
	Node uint32
	Port uint32
}

// sizeofSockaddrQRTR is sizeof(struct sockaddr_qrtr): family, 2 bytes of
// padding, node, port.
const sizeofSockaddrQRTR = 12

// Family returns AF_QIPCRTR.
func (a *QIPCRTRAddr) Family() int { return unix.AF_QIPCRTR }

func (a *QIPCRTRAddr) String() string {
	return strconv.FormatUint(uint64(a.Node), 10) + ":" + strconv.FormatUint(uint64(a.Port), 10)
}

func (a *QIPCRTRAddr) sockaddr() ([]byte, error) {
	b := make([]byte, sizeofSockaddrQRTR)
	putFamily(b, unix.AF_QIPCRTR)
	binary.NativeEndian.PutUint32(b[4:], a.Node)
	binary.NativeEndian.PutUint32(b[8:], a.Port)
	return b, nil
}

func decodeQIPCRTR(b []byte) (Addr, error) {
	if len(b) < sizeofSockaddrQRTR {
		return nil, fmt.Errorf("sockcore: AF_QIPCRTR sockaddr of %d bytes", len(b))
	}
	return &QIPCRTRAddr{Node: binary.NativeEndian.Uint32(b[4:]), Port: binary.NativeEndian.Uint32(b[8:])}, nil
}
