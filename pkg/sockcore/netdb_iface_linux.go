package sockcore

import (
	"encoding/binary"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// IfNameIndexEntry is one (index, name) pair of socket.if_nameindex.
type IfNameIndexEntry struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
}

// IfNameIndex is socket.if_nameindex: every interface of the current
// network namespace, read with netlink RTM_GETLINK (as glibc's
// if_nameindex does), in the kernel's dump order.
func IfNameIndex() ([]IfNameIndexEntry, error) {
	var out []IfNameIndexEntry
	err := netlinkDump(unix.RTM_GETLINK, unix.RTM_NEWLINK, unix.SizeofIfInfomsg, func(body []byte) {
		ifi := (*unix.IfInfomsg)(unsafe.Pointer(&body[0]))
		rtAttrs(body[unix.SizeofIfInfomsg:], func(typ uint16, val []byte) {
			if typ == unix.IFLA_IFNAME {
				out = append(out, IfNameIndexEntry{Index: int(ifi.Index), Name: unix.ByteSliceToString(val)})
			}
		})
	})
	return out, err
}

var netlinkBufs = sync.Pool{New: func() any { b := make([]byte, 32768); return &b }}

// netlinkDump runs one rtnetlink dump request (RTM_GETLINK, RTM_GETADDR)
// and calls fn with the body of each message of type want that holds at
// least hdrLen bytes. The body is only valid during the call.
func netlinkDump(req, want, hdrLen int, fn func(body []byte)) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	msg := make([]byte, unix.NLMSG_HDRLEN+unix.SizeofRtGenmsg+3)
	msg = msg[:unix.NLMSG_HDRLEN+(unix.SizeofRtGenmsg+3)&^3]
	h := (*unix.NlMsghdr)(unsafe.Pointer(&msg[0]))
	h.Len, h.Type, h.Flags, h.Seq = uint32(len(msg)), uint16(req), unix.NLM_F_DUMP|unix.NLM_F_REQUEST, 1
	msg[unix.NLMSG_HDRLEN] = unix.AF_UNSPEC
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return os.NewSyscallError("sendto", err)
	}
	bp := netlinkBufs.Get().(*[]byte)
	defer netlinkBufs.Put(bp)
	for {
		n, _, err := unix.Recvfrom(fd, *bp, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("recvfrom", err)
		}
		b := (*bp)[:n]
		for len(b) >= unix.NLMSG_HDRLEN {
			h := (*unix.NlMsghdr)(unsafe.Pointer(&b[0]))
			l := int(h.Len)
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				return os.NewSyscallError("netlink", unix.EBADMSG)
			}
			switch h.Type {
			case unix.NLMSG_DONE:
				return nil
			case unix.NLMSG_ERROR:
				if l >= unix.NLMSG_HDRLEN+4 {
					if e := int32(binary.NativeEndian.Uint32(b[unix.NLMSG_HDRLEN:])); e != 0 {
						return os.NewSyscallError("netlink", unix.Errno(-e))
					}
				}
				return nil
			}
			if int(h.Type) == want && l-unix.NLMSG_HDRLEN >= hdrLen {
				fn(b[unix.NLMSG_HDRLEN:l])
			}
			b = b[min((l+3)&^3, len(b)):]
		}
	}
}

// rtAttrs calls fn for each route attribute in b.
func rtAttrs(b []byte, fn func(typ uint16, val []byte)) {
	for len(b) >= unix.SizeofRtAttr {
		a := (*unix.RtAttr)(unsafe.Pointer(&b[0]))
		l := int(a.Len)
		if l < unix.SizeofRtAttr || l > len(b) {
			return
		}
		fn(a.Type, b[unix.SizeofRtAttr:l])
		b = b[min((l+3)&^3, len(b)):]
	}
}

// IfNameToIndex is socket.if_nametoindex (SIOCGIFINDEX). An unknown name
// is an error unwrapping to ENODEV.
func IfNameToIndex(name string) (int, error) { return ifNameToIndex(name) }

// IfIndexToName is socket.if_indextoname (SIOCGIFNAME). An unknown index
// is an error unwrapping to ENXIO or ENODEV.
func IfIndexToName(index int) (string, error) { return ifIndexToName(index) }
