package sockcore

import (
	"encoding/binary"
	"fmt"
	"net"
	"strconv"

	"golang.org/x/sys/unix"
)

// sizeofSockaddrLL is sizeof(struct sockaddr_ll) (linux/if_packet.h).
const sizeofSockaddrLL = 20

// PacketAddr is an AF_PACKET address (struct sockaddr_ll): Python's
// (ifname, proto, pkttype, hatype, addr). Ifindex is what the kernel uses;
// when it is 0 and Ifname is set, encoding looks the name up. Decoding fills
// both.
type PacketAddr struct {
	Ifname  string
	Ifindex int    // 0 with an empty Ifname: every interface (bind)
	Proto   uint16 // host order: ETH_P_ALL, ETH_P_IP, …
	PktType int    // PACKET_HOST, PACKET_BROADCAST, PACKET_OUTGOING, …
	HAType  int    // ARPHRD_ETHER, ARPHRD_LOOPBACK, …
	Addr    []byte // hardware address, at most 8 bytes
}

// Family returns AF_PACKET.
func (a *PacketAddr) Family() int { return unix.AF_PACKET }

var pktTypeNames = map[int]string{
	unix.PACKET_HOST: "PACKET_HOST", unix.PACKET_BROADCAST: "PACKET_BROADCAST",
	unix.PACKET_MULTICAST: "PACKET_MULTICAST", unix.PACKET_OTHERHOST: "PACKET_OTHERHOST",
	unix.PACKET_OUTGOING: "PACKET_OUTGOING", unix.PACKET_LOOPBACK: "PACKET_LOOPBACK",
	unix.PACKET_USER: "PACKET_USER", unix.PACKET_KERNEL: "PACKET_KERNEL",
}

// PacketTypeName names a sll_pkttype value ("PACKET_HOST"), or returns its
// number.
func PacketTypeName(t int) string {
	if n, ok := pktTypeNames[t]; ok {
		return n
	}
	return strconv.Itoa(t)
}

// String is Python's tuple in a readable form:
// "(veth0, 0x0800, PACKET_HOST, 1, 02:00:00:00:00:01)".
func (a *PacketAddr) String() string {
	name := a.Ifname
	if name == "" {
		name = "#" + strconv.Itoa(a.Ifindex)
	}
	return fmt.Sprintf("(%s, 0x%04x, %s, %d, %s)", name, a.Proto, PacketTypeName(a.PktType), a.HAType, net.HardwareAddr(a.Addr))
}

func (a *PacketAddr) sockaddr() ([]byte, error) {
	idx := a.Ifindex
	if idx == 0 && a.Ifname != "" {
		var err error
		if idx, err = ifNameToIndex(a.Ifname); err != nil {
			return nil, fmt.Errorf("AF_PACKET interface %q: %w", a.Ifname, err)
		}
	}
	if idx < 0 || idx > 1<<31-1 {
		return nil, fmt.Errorf("AF_PACKET interface index %d out of range", idx)
	}
	// sll_addr holds 8 bytes, but the kernel reads sll_halen bytes from a
	// longer sockaddr (InfiniBand's 20-byte addresses) and returns them
	// too; Python refuses more than 8, sockcore encodes what it decodes.
	if len(a.Addr) > 0xff {
		return nil, fmt.Errorf("AF_PACKET hardware address is %d bytes, the limit is 255", len(a.Addr))
	}
	if a.PktType < 0 || a.PktType > 0xff || a.HAType < 0 || a.HAType > 0xffff {
		return nil, fmt.Errorf("AF_PACKET pkttype %d or hatype %d out of range", a.PktType, a.HAType)
	}
	b := make([]byte, max(sizeofSockaddrLL, 12+len(a.Addr)))
	putFamily(b, unix.AF_PACKET)
	binary.BigEndian.PutUint16(b[2:], a.Proto)
	binary.NativeEndian.PutUint32(b[4:], uint32(idx))
	binary.NativeEndian.PutUint16(b[8:], uint16(a.HAType))
	b[10] = byte(a.PktType)
	b[11] = byte(len(a.Addr))
	copy(b[12:], a.Addr)
	return b, nil
}

// decodePacket parses a sockaddr_ll. The interface name is looked up from
// the index as Python does; it stays empty when the interface is gone.
func decodePacket(b []byte) (Addr, error) {
	a, err := parseSockaddrLL(b)
	if err != nil {
		return nil, err
	}
	if a.Ifindex < 0 {
		return nil, fmt.Errorf("sockcore: AF_PACKET sockaddr with interface index %d", a.Ifindex)
	}
	a.Ifname, _ = ifIndexToName(a.Ifindex)
	return a, nil
}

// parseSockaddrLL decodes a sockaddr_ll without the name lookup (the ring's
// per-packet path).
func parseSockaddrLL(b []byte) (*PacketAddr, error) {
	if len(b) < 12 {
		return nil, fmt.Errorf("sockcore: AF_PACKET sockaddr of %d bytes", len(b))
	}
	halen := int(b[11])
	if halen > len(b)-12 {
		halen = len(b) - 12
	}
	return &PacketAddr{
		Ifindex: int(int32(binary.NativeEndian.Uint32(b[4:]))),
		Proto:   binary.BigEndian.Uint16(b[2:]),
		PktType: int(b[10]),
		HAType:  int(binary.NativeEndian.Uint16(b[8:])),
		Addr:    append([]byte{}, b[12:12+halen]...),
	}, nil
}
