package sockcore

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/nlmsg"
)

// NetlinkAddr is an AF_NETLINK address: Python's (pid, groups). PID is the
// port id (0 = the kernel as a destination; on Bind, 0 asks the kernel to
// assign one, which SockName then reports); Groups is the legacy bit mask
// of multicast groups 1-32.
//
// Sockets: New(unix.AF_NETLINK, unix.SOCK_RAW or unix.SOCK_DGRAM, proto)
// with proto unix.NETLINK_ROUTE, unix.NETLINK_GENERIC or any other
// NETLINK_* number. Options, all at level unix.SOL_NETLINK and set with
// SetsockoptInt: unix.NETLINK_ADD_MEMBERSHIP / unix.NETLINK_DROP_MEMBERSHIP
// (the value is a group number, e.g. unix.RTNLGRP_IPV4_IFADDR, not a
// mask), unix.NETLINK_EXT_ACK = 1 (NLMSG_ERROR carries the kernel's
// message and the offending attribute's offset, decoded by nlmsg.ParseError)
// and unix.NETLINK_GET_STRICT_CHK = 1 (dump requests are checked strictly
// and may filter).
type NetlinkAddr struct {
	PID    uint32
	Groups uint32
}

// Family returns AF_NETLINK.
func (a *NetlinkAddr) Family() int { return unix.AF_NETLINK }

func (a *NetlinkAddr) String() string {
	return strconv.FormatUint(uint64(a.PID), 10) + ":" + strconv.FormatUint(uint64(a.Groups), 10)
}

// sockaddr encodes struct sockaddr_nl (linux/netlink.h): family, pad,
// pid, groups.
func (a *NetlinkAddr) sockaddr() ([]byte, error) {
	b := make([]byte, unix.SizeofSockaddrNetlink)
	putFamily(b, unix.AF_NETLINK)
	binary.NativeEndian.PutUint32(b[4:], a.PID)
	binary.NativeEndian.PutUint32(b[8:], a.Groups)
	return b, nil
}

func decodeNetlink(b []byte) (Addr, error) {
	if len(b) < unix.SizeofSockaddrNetlink {
		return nil, fmt.Errorf("sockcore: AF_NETLINK sockaddr of %d bytes", len(b))
	}
	return &NetlinkAddr{PID: binary.NativeEndian.Uint32(b[4:]), Groups: binary.NativeEndian.Uint32(b[8:])}, nil
}

// netlinkRecvSize is the receive buffer of NetlinkExchange: the kernel
// sizes dump datagrams to min(PAGE_SIZE, 8 KiB) or up to 32 KiB, never
// more than this.
const netlinkRecvSize = 65536

// NetlinkExchange sends one request (built with nlmsg.Encoder) to the
// kernel on a netlink socket and collects the replies with the request's
// sequence number: for a dump (NLM_F_DUMP) until NLMSG_DONE, otherwise
// until the ACK (NLM_F_ACK) or the first reply. Messages with another
// sequence number are skipped; give requests a non-zero one, since
// multicast notifications carry 0. An NLMSG_ERROR
// with a non-zero code is returned as *nlmsg.Error, which unwraps to the
// errno. The returned messages own their memory.
func NetlinkExchange(s *Socket, req []byte) ([]nlmsg.Message, error) {
	sent, err := nlmsg.Parse(req)
	if err != nil {
		return nil, fmt.Errorf("sockcore: NetlinkExchange wants one netlink message: %w", err)
	}
	if len(sent) != 1 {
		return nil, fmt.Errorf("sockcore: NetlinkExchange wants one netlink message, not %d", len(sent))
	}
	h := sent[0].Header
	if _, err := s.SendTo(req, 0, &NetlinkAddr{}); err != nil {
		return nil, err
	}
	var out []nlmsg.Message
	for {
		b, _, flags, _, err := s.RecvMsg(netlinkRecvSize, 0, 0)
		if err != nil {
			return out, err
		}
		if flags&unix.MSG_TRUNC != 0 {
			return out, fmt.Errorf("sockcore: netlink reply truncated to %d bytes", len(b))
		}
		ms, err := nlmsg.Parse(b)
		if err != nil {
			return out, err
		}
		for _, m := range ms {
			if m.Header.Seq != h.Seq {
				continue
			}
			switch m.Header.Type {
			case nlmsg.TypeErr:
				e, err := nlmsg.ParseError(m)
				if err != nil {
					return out, err
				}
				if e != nil {
					return out, e
				}
				return out, nil
			case nlmsg.Done:
				// A dump may end with an error code in place of its
				// payload (e.g. -EINTR when it was interrupted).
				if len(m.Data) >= 4 {
					if code := int32(binary.NativeEndian.Uint32(m.Data)); code < 0 {
						return out, &nlmsg.Error{Errno: unix.Errno(-code), Request: h}
					}
				}
				return out, nil
			case nlmsg.Noop:
				continue
			}
			out = append(out, m)
			if h.Flags&nlmsg.FDump == 0 && h.Flags&nlmsg.FAck == 0 && m.Header.Flags&nlmsg.FMulti == 0 {
				return out, nil
			}
		}
	}
}
