package sockcore

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Socket is an open socket: Python's socket.socket.
//
// The descriptor the caller sees (Fileno) is the socket itself. For the
// runtime poller sockcore registers a duplicate of it (same open file
// description), so that Detach can hand the original number back untouched.
type Socket struct {
	fd     atomic.Int64 // user-visible descriptor; -1 once closed or detached
	file   *os.File     // duplicate of fd registered with the runtime poller
	rc     syscall.RawConn
	family int
	typ    int
	proto  int

	mu          sync.Mutex
	timeout     time.Duration // meaningful when hasTimeout
	hasTimeout  bool          // false: blocking, no timeout
	rdeadline   bool          // a read deadline is currently set on file
	wdeadline   bool          // a write deadline is currently set on file
	closeOnce   sync.Once
	closeErr    error
	nonblockOff bool // Detach restores blocking mode
}

var (
	defaultMu         sync.Mutex
	defaultTimeout    time.Duration
	defaultHasTimeout bool
)

// SetDefaultTimeout sets the timeout new sockets start with
// (socket.setdefaulttimeout). d > 0 is a timeout, 0 is non-blocking, d < 0
// means blocking with no timeout (Python's None), the initial state.
func SetDefaultTimeout(d time.Duration) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	defaultTimeout, defaultHasTimeout = max(d, 0), d >= 0
}

// DefaultTimeout returns the default timeout; set is false for blocking with
// no timeout (socket.getdefaulttimeout() returning None).
func DefaultTimeout() (d time.Duration, set bool) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	return defaultTimeout, defaultHasTimeout
}

// New wraps socket(2). The descriptor is always close-on-exec. SOCK_NONBLOCK
// in typ puts the socket in non-blocking mode; SOCK_NONBLOCK and SOCK_CLOEXEC
// are cleared from Type().
func New(family, typ, proto int) (*Socket, error) {
	nonblock := typ&unix.SOCK_NONBLOCK != 0
	base := typ &^ (unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC)
	fd, err := unix.Socket(family, base|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, proto)
	if err != nil {
		return nil, wrapSocketErr(err, family, base, proto)
	}
	// As in Python, Proto() is what the caller asked for (0 stays 0);
	// FromFD asks the kernel.
	s, err := newSocket(fd, family, base, proto)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	if nonblock {
		s.SetTimeout(0)
	}
	return s, nil
}

// FromFD wraps an open socket descriptor without duplicating it
// (socket.socket(fileno=fd)); family, type and protocol are read from the
// kernel. The Socket owns fd from now on: Close closes it. It starts in the
// default timeout mode.
func FromFD(fd int) (*Socket, error) {
	if fd < 0 {
		return nil, fmt.Errorf("negative file descriptor %d", fd)
	}
	typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		return nil, os.NewSyscallError("getsockopt", err)
	}
	family, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return nil, os.NewSyscallError("getsockopt", err)
	}
	proto, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PROTOCOL)
	if err != nil {
		proto = 0
	}
	return newSocket(fd, family, typ, proto)
}

// Pair wraps socketpair(2). Family 0 means AF_UNIX, typ 0 means SOCK_STREAM.
func Pair(family, typ, proto int) (*Socket, *Socket, error) {
	if family == 0 {
		family = unix.AF_UNIX
	}
	if typ == 0 {
		typ = unix.SOCK_STREAM
	}
	nonblock := typ&unix.SOCK_NONBLOCK != 0
	base := typ &^ (unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC)
	fds, err := unix.Socketpair(family, base|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, proto)
	if err != nil {
		return nil, nil, wrapSocketErr(err, family, base, proto)
	}
	a, err := newSocket(fds[0], family, base, proto)
	if err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, err
	}
	b, err := newSocket(fds[1], family, base, proto)
	if err != nil {
		a.Close()
		unix.Close(fds[1])
		return nil, nil, err
	}
	if nonblock {
		a.SetTimeout(0)
		b.SetTimeout(0)
	}
	return a, b, nil
}

// newSocket takes ownership of fd: it sets O_NONBLOCK, registers a duplicate
// with the runtime poller and applies the default timeout.
func newSocket(fd, family, typ, proto int) (*Socket, error) {
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	pfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	f := os.NewFile(uintptr(pfd), "socket")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &Socket{file: f, rc: rc, family: family, typ: typ, proto: proto}
	s.fd.Store(int64(fd))
	s.timeout, s.hasTimeout = DefaultTimeout()
	return s, nil
}

// Family returns the address family (AF_INET, …).
func (s *Socket) Family() int { return s.family }

// Type returns the socket type without SOCK_NONBLOCK and SOCK_CLOEXEC.
func (s *Socket) Type() int { return s.typ }

// Proto returns the protocol number.
func (s *Socket) Proto() int { return s.proto }

// Fileno returns the descriptor, or -1 once closed or detached.
func (s *Socket) Fileno() int { return int(s.fd.Load()) }

func (s *Socket) String() string {
	return fmt.Sprintf("<sockcore.Socket fd=%d, family=%s, type=%s, proto=%d>",
		s.Fileno(), FamilyName(s.family), TypeName(s.typ), s.proto)
}

// errClosed is what operations on a closed Socket return: EBADF, as Python.
var errClosed = syscall.EBADF

func (s *Socket) ufd() (int, error) {
	fd := int(s.fd.Load())
	if fd < 0 {
		return -1, errClosed
	}
	return fd, nil
}

// Close closes the socket. It is idempotent: later calls return nil.
// Goroutines blocked in the socket return EBADF.
func (s *Socket) Close() error {
	var err error
	s.closeOnce.Do(func() {
		fd := int(s.fd.Swap(-1))
		s.file.Close()
		if fd >= 0 {
			if e := unix.Close(fd); e != nil && e != unix.ECONNRESET {
				err = os.NewSyscallError("close", e)
			}
		}
		s.closeErr = err
	})
	return err
}

// Detach puts the socket in the closed state without closing the descriptor,
// and returns it (socket.detach). On a closed socket it returns -1 and no
// error, as Python does. The descriptor keeps its blocking mode:
// blocking when the socket was in blocking mode, non-blocking otherwise.
func (s *Socket) Detach() (int, error) {
	fd := -1
	s.closeOnce.Do(func() {
		fd = int(s.fd.Swap(-1))
		s.file.Close()
	})
	if fd < 0 {
		return -1, nil
	}
	s.mu.Lock()
	blocking := !s.hasTimeout
	s.mu.Unlock()
	if blocking {
		unix.SetNonblock(fd, false)
	}
	return fd, nil
}

// Dup returns a new Socket on a duplicate of the descriptor, with the same
// timeout.
func (s *Socket) Dup() (*Socket, error) {
	nfd, err := s.dupFD()
	if err != nil {
		return nil, err
	}
	n, err := newSocket(nfd, s.family, s.typ, s.proto)
	if err != nil {
		unix.Close(nfd)
		return nil, err
	}
	d, set := s.Timeout()
	n.mu.Lock()
	n.timeout, n.hasTimeout = d, set
	n.mu.Unlock()
	return n, nil
}

// dupFD returns a close-on-exec duplicate of the descriptor.
func (s *Socket) dupFD() (int, error) {
	fd, err := s.ufd()
	if err != nil {
		return -1, os.NewSyscallError("dup", err)
	}
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("dup", err)
	}
	return nfd, nil
}

// File returns a new *os.File on a duplicate of the descriptor, for APIs that
// want one (exec.Cmd.ExtraFiles). Closing it does not close the Socket.
func (s *Socket) File() (*os.File, error) {
	nfd, err := s.dupFD()
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(nfd), s.String()), nil
}

// Inheritable reports whether the descriptor survives exec (no FD_CLOEXEC).
func (s *Socket) Inheritable() (bool, error) {
	fd, err := s.ufd()
	if err != nil {
		return false, os.NewSyscallError("fcntl", err)
	}
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil {
		return false, os.NewSyscallError("fcntl", err)
	}
	return flags&unix.FD_CLOEXEC == 0, nil
}

// SetInheritable sets or clears FD_CLOEXEC on the descriptor.
func (s *Socket) SetInheritable(on bool) error {
	fd, err := s.ufd()
	if err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	if on {
		flags &^= unix.FD_CLOEXEC
	} else {
		flags |= unix.FD_CLOEXEC
	}
	_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFD, flags)
	return os.NewSyscallError("fcntl", err)
}

// SetTimeout sets the mode: d > 0 is timeout mode, d == 0 non-blocking, d < 0
// blocking with no timeout (settimeout(None)).
func (s *Socket) SetTimeout(d time.Duration) {
	s.mu.Lock()
	s.timeout, s.hasTimeout = max(d, 0), d >= 0
	s.mu.Unlock()
}

// SetBlocking sets blocking mode with no timeout (true) or non-blocking mode
// (false): socket.setblocking.
func (s *Socket) SetBlocking(on bool) {
	if on {
		s.SetTimeout(-1)
	} else {
		s.SetTimeout(0)
	}
}

// Timeout returns the timeout; set is false in blocking mode with no timeout
// (gettimeout() returning None). Non-blocking mode is (0, true).
func (s *Socket) Timeout() (d time.Duration, set bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.timeout, s.hasTimeout
}

// Blocking reports whether calls may wait (blocking or timeout mode):
// socket.getblocking.
func (s *Socket) Blocking() bool {
	d, set := s.Timeout()
	return !set || d > 0
}

// deadline returns the absolute deadline for one call started now, and
// whether the call is non-blocking.
func (s *Socket) deadline() (dl time.Time, nonblock bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hasTimeout {
		return time.Time{}, false
	}
	if s.timeout == 0 {
		return time.Time{}, true
	}
	return time.Now().Add(s.timeout), false
}

// timeoutError is what a call that ran out of time returns: it satisfies
// errors.Is(err, os.ErrDeadlineExceeded), and errors.Is(err, unix.EAGAIN) is
// false so that callers can tell it from non-blocking mode.
func timeoutError(op string) error { return os.NewSyscallError(op, os.ErrDeadlineExceeded) }

// ioRead runs fn until it does not return EAGAIN, waiting for readability
// through the poller until dl (zero: forever). nonblock runs fn once.
// EINTR is retried.
func (s *Socket) ioRead(op string, dl time.Time, nonblock bool, fn func(fd int) error) error {
	return s.io(op, dl, nonblock, false, fn)
}

func (s *Socket) ioWrite(op string, dl time.Time, nonblock bool, fn func(fd int) error) error {
	return s.io(op, dl, nonblock, true, fn)
}

func (s *Socket) io(op string, dl time.Time, nonblock, write bool, fn func(fd int) error) error {
	if s.fd.Load() < 0 {
		return os.NewSyscallError(op, errClosed)
	}
	var opErr error
	call := func(fd uintptr) bool {
		for {
			opErr = fn(int(fd))
			if opErr != unix.EINTR {
				break
			}
		}
		return nonblock || opErr != unix.EAGAIN
	}
	// Also in non-blocking mode: a deadline left from timeout mode would
	// make the poller report a timeout instead of running fn.
	if err := s.setDeadline(write, dl); err != nil {
		return os.NewSyscallError(op, errClosed)
	}
	var err error
	if write {
		err = s.rc.Write(call)
	} else {
		err = s.rc.Read(call)
	}
	switch {
	case err == nil:
	case errors.Is(err, os.ErrDeadlineExceeded):
		return timeoutError(op)
	case errors.Is(err, os.ErrClosed) || s.fd.Load() < 0:
		// A call woken by Close or Detach gets the poller's unexported
		// "use of closed file" error, not os.ErrClosed.
		return os.NewSyscallError(op, errClosed)
	default:
		return err
	}
	if opErr != nil {
		return os.NewSyscallError(op, opErr)
	}
	return nil
}

// setDeadline sets the poller deadline for one direction, skipping the call
// when no deadline is wanted and none is set.
func (s *Socket) setDeadline(write bool, dl time.Time) error {
	s.mu.Lock()
	set := &s.rdeadline
	if write {
		set = &s.wdeadline
	}
	if dl.IsZero() && !*set {
		s.mu.Unlock()
		return nil
	}
	*set = !dl.IsZero()
	s.mu.Unlock()
	if write {
		return s.file.SetWriteDeadline(dl)
	}
	return s.file.SetReadDeadline(dl)
}

// control runs fn on the descriptor for calls that never block.
func (s *Socket) control(op string, fn func(fd int) error) error {
	var opErr error
	err := s.rc.Control(func(fd uintptr) {
		for {
			opErr = fn(int(fd))
			if opErr != unix.EINTR {
				return
			}
		}
	})
	if err != nil {
		return os.NewSyscallError(op, errClosed)
	}
	if opErr != nil {
		return os.NewSyscallError(op, opErr)
	}
	return nil
}
