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
	rib, err := syscall.NetlinkRIB(unix.RTM_GETLINK, unix.AF_UNSPEC)
	if err != nil {
		return nil, os.NewSyscallError("netlink RTM_GETLINK", err)
	}
	msgs, err := syscall.ParseNetlinkMessage(rib)
	if err != nil {
		return nil, os.NewSyscallError("netlink RTM_GETLINK", err)
	}
	var out []IfNameIndexEntry
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
			continue
		}
		ifi := (*unix.IfInfomsg)(unsafe.Pointer(&m.Data[0]))
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			continue
		}
		for _, a := range attrs {
			if a.Attr.Type == unix.IFLA_IFNAME {
				out = append(out, IfNameIndexEntry{Index: int(ifi.Index), Name: unix.ByteSliceToString(a.Value)})
			}
		}
	}
	return out, nil
}

// IfNameToIndex is socket.if_nametoindex (SIOCGIFINDEX). An unknown name
// is an error unwrapping to ENODEV.
func IfNameToIndex(name string) (int, error) { return ifNameToIndex(name) }

// IfIndexToName is socket.if_indextoname (SIOCGIFNAME). An unknown index
// is an error unwrapping to ENXIO or ENODEV.
func IfIndexToName(index int) (string, error) { return ifIndexToName(index) }
