package sockcore

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ifreq is struct ifreq with the ifr_ifindex member (linux/if.h).
type ifreqIndex struct {
	Name  [unix.IFNAMSIZ]byte
	Index int32
	_     [20]byte
}

func ifIoctl(req uint, r *ifreqIndex) error {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(unsafe.Pointer(r)))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return os.NewSyscallError("ioctl", e)
		}
		return nil
	}
}

// ifNameToIndex is if_nametoindex(3) through SIOCGIFINDEX.
func ifNameToIndex(name string) (int, error) {
	if len(name) == 0 || len(name) >= unix.IFNAMSIZ {
		return 0, fmt.Errorf("interface name %q: %w", name, unix.ENODEV)
	}
	var r ifreqIndex
	copy(r.Name[:], name)
	if err := ifIoctl(unix.SIOCGIFINDEX, &r); err != nil {
		return 0, err
	}
	return int(r.Index), nil
}

// ifIndexToName is if_indextoname(3) through SIOCGIFNAME.
func ifIndexToName(index int) (string, error) {
	if index <= 0 || index > 1<<31-1 {
		return "", os.NewSyscallError("ioctl", unix.ENXIO)
	}
	var r ifreqIndex
	r.Index = int32(index)
	if err := ifIoctl(unix.SIOCGIFNAME, &r); err != nil {
		if errors.Is(err, unix.ENODEV) {
			// glibc's if_indextoname reports a missing index as ENXIO.
			return "", os.NewSyscallError("ioctl", unix.ENXIO)
		}
		return "", err
	}
	return unix.ByteSliceToString(r.Name[:]), nil
}
