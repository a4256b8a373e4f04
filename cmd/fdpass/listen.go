package main

// Listen URLs (parsed by internal/cli, as echod's) and UNIX socket paths.

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// unixPath turns "@name" into the abstract sun_path "\x00name"; anything else
// is a filesystem path.
func unixPath(s string) string {
	if strings.HasPrefix(s, "@") {
		return "\x00" + s[1:]
	}
	return s
}

// checkUnixPath enforces sun_path's size: 107 bytes and a NUL for a path,
// 108 bytes for an abstract name with its leading NUL.
func checkUnixPath(p string) error {
	if len(p) > 0 && p[0] == 0 {
		if len(p) > sockcore.UnixPathMax {
			return fmt.Errorf("abstract name longer than %d bytes", sockcore.UnixPathMax-1)
		}
		return nil
	}
	if len(p) >= sockcore.UnixPathMax || strings.IndexByte(p, 0) >= 0 {
		return fmt.Errorf("UNIX socket path longer than %d bytes or with a NUL", sockcore.UnixPathMax-1)
	}
	return nil
}

// listenURL creates the socket a listen URL names (the forms echod takes,
// parsed by internal/cli): bound, and listening for stream and seqpacket
// types. fd://N wraps a duplicate of descriptor N, so the caller's
// descriptor stays its own.
func listenURL(u string) (*sockcore.Socket, error) {
	e, err := cli.ParseURL(u)
	if err != nil {
		return nil, err
	}
	if e.Scheme != "fd" {
		return e.Listen(cli.ListenConfig{})
	}
	fd, err := dupFD(e.FD)
	if err != nil {
		return nil, err
	}
	s, err := sockcore.FromFD(fd)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("fd://%d: %w", e.FD, err)
	}
	return s, nil
}

// dupFD duplicates fd close-on-exec, saying clearly when fd is not open.
func dupFD(fd int) (int, error) {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		if err == unix.EBADF {
			return -1, cli.Exitf(cli.ExitNoSuchThing, "descriptor %d is not open in this process", fd)
		}
		return -1, fmt.Errorf("duplicate descriptor %d: %w", fd, os.NewSyscallError("fcntl", err))
	}
	return nfd, nil
}
