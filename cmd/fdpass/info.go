package main

// info describes descriptors the way socat's filan does: what kind of file,
// its open flags, and for sockets family, type, protocol, addresses and the
// options that matter when handing a socket on. It never changes the
// descriptor: no sockcore.FromFD (which sets O_NONBLOCK on the shared open
// file description), only getsockopt, getsockname, getpeername and fcntl.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// fdDesc is what info prints for one descriptor.
type fdDesc struct {
	FD      int
	Name    string // the LISTEN_FDNAMES name, when there is one
	Kind    string // file, directory, pipe, fifo, socket, character, block, anon, other
	Target  string // the /proc/…/fd link
	Flags   int    // open flags (O_ACCMODE, O_NONBLOCK, O_APPEND, …)
	CloExec bool
	Socket  *sockDesc // nil unless a socket that could be inspected
	Note    string
}

type sockDesc struct {
	Family, Type, Proto int
	Local, Peer         string
	Listening           bool
	ReuseAddr           bool
	ReusePort           bool
}

// describeOwn describes descriptor fd of this process.
func describeOwn(fd int) (*fdDesc, error) {
	fdFlags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil {
		if err == unix.EBADF {
			return nil, cli.Exitf(cli.ExitNoSuchThing, "describe descriptor %d: not open in this process", fd)
		}
		return nil, os.NewSyscallError("fcntl", err)
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	target, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	d := &fdDesc{FD: fd, Target: target, Flags: fl, CloExec: fdFlags&unix.FD_CLOEXEC != 0}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, os.NewSyscallError("fstat", err)
	}
	d.Kind = kindOf(st.Mode, target)
	if d.Kind == "socket" {
		d.Socket = describeSocket(fd)
	}
	return d, nil
}

func kindOf(mode uint32, target string) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		if strings.HasPrefix(target, "anon_inode:") {
			return "anon"
		}
		return "file"
	case unix.S_IFDIR:
		return "directory"
	case unix.S_IFIFO:
		if strings.HasPrefix(target, "pipe:") {
			return "pipe"
		}
		return "fifo"
	case unix.S_IFSOCK:
		return "socket"
	case unix.S_IFCHR:
		return "character"
	case unix.S_IFBLK:
		return "block"
	case 0:
		return "anon"
	}
	return "other"
}

func describeSocket(fd int) *sockDesc {
	sd := &sockDesc{}
	sd.Family, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	sd.Type, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	sd.Proto, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PROTOCOL)
	v, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	sd.Listening = v != 0
	v, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR)
	sd.ReuseAddr = v != 0
	v, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT)
	sd.ReusePort = v != 0
	sd.Local = sockName(fd, unix.SYS_GETSOCKNAME)
	sd.Peer = sockName(fd, unix.SYS_GETPEERNAME)
	return sd
}

// sockName calls getsockname(2) or getpeername(2) and decodes the address
// with sockcore, which keeps abstract names and scope ids exact; "-" when
// there is none (ENOTCONN) or it cannot be read.
func sockName(fd int, trap uintptr) string {
	var buf [128]byte
	l := uint32(len(buf))
	_, _, e := unix.Syscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&l)))
	if e != 0 || l < 2 {
		return "-"
	}
	a, err := sockcore.DecodeSockaddr(buf[:min(int(l), len(buf))])
	if err != nil {
		return "-"
	}
	if s := a.String(); s != "" {
		return s
	}
	return "-"
}

// describePID describes every descriptor of process pid. Where the kernel
// lets this process take a copy (pidfd_getfd(2), which needs ptrace access:
// root, or the same user under the default Yama scope), sockets are
// described in full; otherwise what /proc shows: kind, target, flags.
func describePID(pid int) ([]*fdDesc, error) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, cli.Exitf(cli.ExitNoSuchThing, "describe process %d: no such process", pid)
	case errors.Is(err, os.ErrPermission):
		return nil, cli.Exitf(cli.ExitPermission, "describe process %d: permission denied (run as root or as its owner)", pid)
	case err != nil:
		return nil, err
	}
	pidfd, perr := unix.PidfdOpen(pid, 0)
	if perr == nil {
		defer unix.Close(pidfd)
	}
	var out []*fdDesc
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		d, ok := describeProcFD(pid, n)
		if !ok {
			continue // closed since ReadDir
		}
		if d.Kind == "socket" {
			switch {
			case perr != nil:
				d.Note = "socket details need pidfd_open: " + perr.Error()
			default:
				cp, err := unix.PidfdGetfd(pidfd, n, 0)
				if err != nil {
					d.Note = "socket details need ptrace access (run as root or as its owner): " + err.Error()
					if errors.Is(err, syscall.EPERM) {
						perr = err
					}
					break
				}
				d.Socket = describeSocket(cp)
				unix.Close(cp)
			}
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FD < out[j].FD })
	return out, nil
}

// describeProcFD reads /proc/PID/fd/N and /proc/PID/fdinfo/N.
func describeProcFD(pid, fd int) (*fdDesc, bool) {
	p := fmt.Sprintf("/proc/%d/fd/%d", pid, fd)
	target, err := os.Readlink(p)
	if err != nil {
		return nil, false
	}
	d := &fdDesc{FD: fd, Target: target}
	var st unix.Stat_t
	if unix.Stat(p, &st) == nil {
		d.Kind = kindOf(st.Mode, target)
	} else {
		d.Kind = kindFromTarget(target)
	}
	info, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, fd))
	if err == nil {
		d.Flags, d.CloExec = parseFdinfoFlags(string(info))
	}
	return d, true
}

func kindFromTarget(t string) string {
	switch {
	case strings.HasPrefix(t, "socket:"):
		return "socket"
	case strings.HasPrefix(t, "pipe:"):
		return "pipe"
	case strings.HasPrefix(t, "anon_inode:"):
		return "anon"
	}
	return "file"
}

// parseFdinfoFlags reads the "flags:" line of /proc/PID/fdinfo/N: the open
// flags in octal, with O_CLOEXEC standing for FD_CLOEXEC.
func parseFdinfoFlags(info string) (flags int, cloexec bool) {
	for line := range strings.Lines(info) {
		v, ok := strings.CutPrefix(line, "flags:")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 8, 64)
		if err != nil {
			return 0, false
		}
		return int(n) &^ unix.O_CLOEXEC, n&unix.O_CLOEXEC != 0
	}
	return 0, false
}

var flagNames = []struct {
	bit  int
	name string
}{
	{unix.O_APPEND, "O_APPEND"}, {unix.O_NONBLOCK, "O_NONBLOCK"}, {unix.O_DSYNC, "O_DSYNC"},
	{unix.O_DIRECT, "O_DIRECT"}, {unix.O_NOATIME, "O_NOATIME"}, {unix.O_PATH, "O_PATH"},
	{unix.O_ASYNC, "O_ASYNC"},
}

func flagString(fl int) string {
	parts := []string{[]string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"}[fl&unix.O_ACCMODE]}
	for _, f := range flagNames {
		if fl&f.bit == f.bit {
			parts = append(parts, f.name)
		}
	}
	return strings.Join(parts, "|")
}

// String is the one line info prints:
//
//	3 socket AF_INET SOCK_STREAM IPPROTO_TCP local=127.0.0.1:8080 peer=- listening reuseaddr flags=O_RDWR|O_NONBLOCK cloexec
func (d *fdDesc) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", d.FD)
	if d.Name != "" {
		b.WriteString(" name=" + d.Name)
	}
	b.WriteString(" " + d.Kind)
	if s := d.Socket; s != nil {
		fmt.Fprintf(&b, " %s %s", sockcore.FamilyName(s.Family), sockcore.TypeName(s.Type))
		if p := sockcore.ProtoName(s.Family, s.Proto); p != "" {
			b.WriteString(" " + p)
		} else if s.Proto != 0 {
			fmt.Fprintf(&b, " proto=%d", s.Proto)
		}
		fmt.Fprintf(&b, " local=%s peer=%s", s.Local, s.Peer)
		if s.Listening {
			b.WriteString(" listening")
		}
		if s.ReuseAddr {
			b.WriteString(" reuseaddr")
		}
		if s.ReusePort {
			b.WriteString(" reuseport")
		}
	} else {
		fmt.Fprintf(&b, " %s", strconv.Quote(d.Target))
	}
	fmt.Fprintf(&b, " flags=%s", flagString(d.Flags))
	if d.CloExec {
		b.WriteString(" cloexec")
	}
	if d.Note != "" {
		b.WriteString(" (" + d.Note + ")")
	}
	return b.String()
}

// inherited is the set of descriptors this process inherited, taken when
// the program starts. The Go runtime opens descriptors of its own before
// any of fdpass's code runs (its epoll instance and wake-up eventfd, the
// cgroup files it reads CPU limits from): every one of them is
// close-on-exec, while every descriptor that came through execve(2) has
// FD_CLOEXEC clear, or it would have been closed. So the descriptors
// without FD_CLOEXEC at start are the inherited ones, and info describes
// only those: the runtime's would be described as if handed to fdpass.
var inherited = inheritedFDs()

func inheritedFDs() map[int]bool {
	fds, err := ownFDs()
	if err != nil {
		return nil
	}
	in := map[int]bool{}
	for _, fd := range fds {
		if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && fl&unix.FD_CLOEXEC == 0 {
			in[fd] = true
		}
	}
	return in
}

// isInherited reports whether fd came to this process through execve(2).
// Without /proc it cannot tell and says yes.
func isInherited(fd int) bool { return inherited == nil || inherited[fd] }

// ownFDs lists the descriptors open in this process.
func ownFDs() ([]int, error) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, err
	}
	var fds []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			fds = append(fds, n)
		}
	}
	sort.Ints(fds)
	return fds, nil
}

func printDescs(w io.Writer, ds []*fdDesc) {
	for _, d := range ds {
		fmt.Fprintln(w, d)
	}
}
