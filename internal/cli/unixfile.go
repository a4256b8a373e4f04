package cli

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// ClearStaleSocket makes room at path for a server's UNIX socket: nothing
// there is fine; a socket file nobody accepts or receives on (left by a
// dead server) is removed; a live socket is "address in use" (errors.Is
// syscall.EADDRINUSE) and anything that is not a socket (a regular file, a
// directory, a symlink, even to a socket) is an error that names it and is
// never removed. connect(2) answers ECONNREFUSED for a regular file as for
// a dead socket, so the file type is checked first, without following a
// symlink. Both errors exit 4.
func ClearStaleSocket(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listen on %s: %w", path, err)
	}
	if st.Mode().Type() != os.ModeSocket {
		return Exitf(ExitNetwork, "listen on %s: a %s is in the way (remove it or choose another path)", path, FileKind(st.Mode()))
	}
	// A socket of another type answers EPROTOTYPE: try each.
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_SEQPACKET, unix.SOCK_DGRAM} {
		c, err := sockcore.New(unix.AF_UNIX, typ, 0)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", path, err)
		}
		c.SetTimeout(time.Second)
		err = c.Connect(&sockcore.UnixAddr{Name: path})
		c.Close()
		switch {
		case err == nil:
			return Exit(ExitNetwork, fmt.Errorf("listen on %s: %w (a server listens there)", path, syscall.EADDRINUSE))
		case errors.Is(err, unix.EPROTOTYPE):
			continue
		case errors.Is(err, unix.ECONNREFUSED):
			return os.Remove(path)
		}
		return fmt.Errorf("listen on %s: is a server there? %w", path, err)
	}
	return nil
}

// FileKind names a file type for messages: "regular file", "directory", …
func FileKind(m os.FileMode) string {
	switch m.Type() {
	case 0:
		return "regular file"
	case os.ModeDir:
		return "directory"
	case os.ModeSymlink:
		return "symlink"
	case os.ModeNamedPipe:
		return "FIFO"
	case os.ModeSocket:
		return "socket"
	case os.ModeDevice:
		return "block device"
	case os.ModeDevice | os.ModeCharDevice:
		return "character device"
	}
	return "special file"
}

// SocketFile is the file a server's filesystem UNIX socket was bound to,
// remembered by device and inode so that the server removes it at exit only
// while it is still its own (not a socket a newer server bound there since).
type SocketFile struct {
	Path     string
	dev, ino uint64
}

// BoundSocketFile returns the file s is bound to, or nil for an abstract,
// unnamed or non-UNIX socket.
func BoundSocketFile(s *sockcore.Socket) *SocketFile {
	if s.Family() != unix.AF_UNIX {
		return nil
	}
	a, err := s.SockName()
	u, ok := a.(*sockcore.UnixAddr)
	if err != nil || !ok || u.Name == "" || u.IsAbstract() {
		return nil
	}
	var st unix.Stat_t
	if unix.Lstat(u.Name, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return nil
	}
	return &SocketFile{Path: u.Name, dev: st.Dev, ino: st.Ino}
}

// Remove removes the file if it is still the socket that was bound. Call it
// before closing the socket: while the socket is open its inode cannot be
// reused by another file.
func (f *SocketFile) Remove() {
	if f == nil {
		return
	}
	var st unix.Stat_t
	if unix.Lstat(f.Path, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFSOCK && st.Dev == f.dev && st.Ino == f.ino {
		os.Remove(f.Path)
	}
}
