package sockcore

import (
	"os"
	"syscall"
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
	err := netlinkDump(unix.RTM_GETLINK, unix.RTM_NEWLINK, unix.SizeofIfInfomsg, func(m *syscall.NetlinkMessage) {
		ifi := (*unix.IfInfomsg)(unsafe.Pointer(&m.Data[0]))
		attrs, err := syscall.ParseNetlinkRouteAttr(m)
		if err != nil {
			return
		}
		for _, a := range attrs {
			if a.Attr.Type == unix.IFLA_IFNAME {
				out = append(out, IfNameIndexEntry{Index: int(ifi.Index), Name: unix.ByteSliceToString(a.Value)})
			}
		}
	})
	return out, err
}

// netlinkDump runs one rtnetlink dump request (RTM_GETLINK, RTM_GETADDR)
// and calls fn for each message of type want whose body holds at least
// hdrLen bytes.
func netlinkDump(req, want, hdrLen int, fn func(m *syscall.NetlinkMessage)) error {
	rib, err := syscall.NetlinkRIB(req, unix.AF_UNSPEC)
	if err != nil {
		return os.NewSyscallError("netlink", err)
	}
	msgs, err := syscall.ParseNetlinkMessage(rib)
	if err != nil {
		return os.NewSyscallError("netlink", err)
	}
	for i := range msgs {
		if int(msgs[i].Header.Type) == want && len(msgs[i].Data) >= hdrLen {
			fn(&msgs[i])
		}
	}
	return nil
}

// IfNameToIndex is socket.if_nametoindex (SIOCGIFINDEX). An unknown name
// is an error unwrapping to ENODEV.
func IfNameToIndex(name string) (int, error) { return ifNameToIndex(name) }

// IfIndexToName is socket.if_indextoname (SIOCGIFNAME). An unknown index
// is an error unwrapping to ENXIO or ENODEV.
func IfIndexToName(index int) (string, error) { return ifIndexToName(index) }
