package sockcore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Socket is an open socket: Python's socket.socket.
//
// A Socket holds one descriptor (Fileno), registered with Go's runtime
// poller. Its mode decides how calls wait:
//
//   - blocking (SetBlocking(true), SetTimeout(-1), a default of None): as in
//     Python, O_NONBLOCK is clear and calls wait in the kernel, honouring
//     SO_RCVTIMEO and SO_SNDTIMEO (EAGAIN when they expire). A waiting call
//     occupies an OS thread, and Close does not wake it (it closes the
//     descriptor once the call returns);
//   - timeout (SetTimeout(d > 0), SetTimeout(Forever)) and non-blocking
//     (SetTimeout(0)): O_NONBLOCK is set and calls wait through the runtime
//     poller, holding no thread; Close wakes them with EBADF.
//
// Calls given a context (RecvContext, AcceptContext, …) wait through the
// poller in every mode, so that the context can end them. Calls that wait
// through the poller do not depend on O_NONBLOCK: receives and sends pass
// MSG_DONTWAIT, accept waits for readiness first, connect re-asserts the
// flag. Another process sharing the open file description (a descriptor
// passed with SCM_RIGHTS, inherited, LISTEN_FDS) may thus clear it for its
// own blocking use without parking this process's threads.
type Socket struct {
	fd   atomic.Int64 // the descriptor; -1 once closed or detached
	file *os.File     // fd, registered with the runtime poller
	// orig is set when the poller had fd registered already (os.Stdin on
	// an inherited non-blocking socket): file is then a duplicate, and
	// orig, not registered, only closes fd.
	orig   *os.File
	rc     syscall.RawConn
	family int
	typ    int
	proto  int

	mu         sync.Mutex
	timeout    time.Duration // meaningful when hasTimeout
	hasTimeout bool          // false: blocking, no timeout
	nbFlag     bool          // O_NONBLOCK as this Socket last set it
	rdeadline  bool          // a read deadline is currently set on file
	wdeadline  bool          // a write deadline is currently set on file
	kernelRefs int           // calls waiting in the kernel (blocking mode)
	closing    bool          // Close ran while kernelRefs > 0: the last one closes file
	closeOnce  sync.Once
}

// Forever is a timeout that never expires: SetTimeout(Forever) puts a
// socket in timeout mode with no deadline, so that calls wait as long as it
// takes through the runtime poller, holding no thread, where blocking mode
// (Python's None) waits in the kernel. Timeout returns (Forever, true).
const Forever = time.Duration(math.MaxInt64)

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
	if err := checkCInts("socket", "family", family, "type", typ, "proto", proto); err != nil {
		return nil, err
	}
	nonblock := typ&unix.SOCK_NONBLOCK != 0
	base := typ &^ (unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC)
	fd, err := unix.Socket(family, base|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, proto)
	if err != nil {
		return nil, wrapSocketErr(err, family, base, proto)
	}
	// As in Python, Proto() is what the caller asked for (0 stays 0);
	// FromFD asks the kernel.
	s, err := newSocket(fd, family, base, proto, true)
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
	if err := checkCInt("socket", "fileno", fd); err != nil {
		return nil, err
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
	return newSocket(fd, family, typ, proto, false)
}

// Pair wraps socketpair(2). Family 0 means AF_UNIX, typ 0 means SOCK_STREAM.
func Pair(family, typ, proto int) (*Socket, *Socket, error) {
	if family == 0 {
		family = unix.AF_UNIX
	}
	if typ == 0 {
		typ = unix.SOCK_STREAM
	}
	if err := checkCInts("socketpair", "family", family, "type", typ, "proto", proto); err != nil {
		return nil, nil, err
	}
	nonblock := typ&unix.SOCK_NONBLOCK != 0
	base := typ &^ (unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC)
	fds, err := unix.Socketpair(family, base|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, proto)
	if err != nil {
		return nil, nil, wrapSocketErr(err, family, base, proto)
	}
	a, err := newSocket(fds[0], family, base, proto, true)
	if err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, err
	}
	b, err := newSocket(fds[1], family, base, proto, true)
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

// newSocket takes ownership of fd: it registers fd itself with the runtime
// poller (which needs O_NONBLOCK set at that moment: nonblock says fd has it
// already, as from accept4 and socket with SOCK_NONBLOCK) and applies the
// default timeout, clearing O_NONBLOCK again for blocking mode.
func newSocket(fd, family, typ, proto int, nonblock bool) (*Socket, error) {
	if !nonblock {
		if err := unix.SetNonblock(fd, true); err != nil {
			return nil, os.NewSyscallError("fcntl", err)
		}
	}
	f := os.NewFile(uintptr(fd), "socket")
	var orig *os.File
	if f.SetReadDeadline(time.Time{}) != nil {
		// Not registered: another *os.File of this process holds fd in
		// the poller (os.Stdin when a non-blocking socket is inherited
		// as descriptor 0). Register a duplicate, the one case with two
		// descriptors.
		dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			keepForever(f)
			return nil, os.NewSyscallError("dup", err)
		}
		orig, f = f, os.NewFile(uintptr(dup), "socket")
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	s := &Socket{file: f, orig: orig, rc: rc, family: family, typ: typ, proto: proto, nbFlag: true}
	s.fd.Store(int64(fd))
	d, set := DefaultTimeout()
	if !set {
		d = -1
	}
	s.SetTimeout(d)
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
// Goroutines waiting through the poller (timeout and non-blocking mode,
// context calls) return EBADF; a call waiting in the kernel (blocking mode)
// goes on until the kernel returns, as in Python, and the descriptor is
// closed then, so that its number cannot be reused under it.
func (s *Socket) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if s.markClosed() {
			err = s.closeFiles()
		}
	})
	return err
}

// markClosed puts the Socket in the closed state and reports whether its
// file may be closed now: not while calls wait in the kernel (the last one
// closes it).
func (s *Socket) markClosed() bool {
	s.fd.Store(-1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing = s.kernelRefs > 0
	return !s.closing
}

// closeFiles closes the poller's file, which closes the descriptor (and
// the descriptor itself when the poller's is a duplicate).
func (s *Socket) closeFiles() error {
	err := s.file.Close()
	if s.orig != nil {
		err = s.orig.Close()
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		if pe.Err == unix.ECONNRESET {
			return nil
		}
		return os.NewSyscallError("close", pe.Err)
	}
	return err
}

// Detach puts the socket in the closed state without closing the open
// socket, and returns a descriptor of it (socket.detach). On a closed
// socket it returns -1 and no error, as Python does. The descriptor keeps
// the mode the Socket was in (O_NONBLOCK clear in blocking mode) and its
// close-on-exec flag.
//
// Unlike Python, the number differs from Fileno(): the runtime poller can
// let go of a descriptor only by closing it, so Detach duplicates it first
// (with the lowest free number, as dup(2)) and then closes the original.
func (s *Socket) Detach() (int, error) {
	if s.fd.Load() < 0 {
		return -1, nil
	}
	if s.orig != nil {
		return s.detachOrig()
	}
	var nfd int
	err := s.control("dup", func(fd int) error {
		var err error
		nfd, err = dupKeepFlags(fd)
		return err
	})
	if err != nil {
		return -1, err // the Socket stays open
	}
	detached := false
	s.closeOnce.Do(func() {
		detached = true
		if s.markClosed() {
			s.file.Close()
		}
	})
	if !detached { // closed or detached meanwhile
		unix.Close(nfd)
		return -1, nil
	}
	return nfd, nil
}

// detachOrig detaches a Socket whose poller file is a duplicate: fd
// itself is returned, its *os.File kept from closing it.
func (s *Socket) detachOrig() (int, error) {
	fd := -1
	s.closeOnce.Do(func() {
		fd = int(s.fd.Swap(-1))
		keepForever(s.orig)
		s.mu.Lock()
		busy := s.kernelRefs > 0
		s.closing = busy
		s.orig = nil
		s.mu.Unlock()
		if !busy {
			s.file.Close()
		}
	})
	return fd, nil
}

// kept holds *os.File values that must never close their descriptor (their
// cleanup would, once unreachable).
var (
	keptMu sync.Mutex
	kept   []*os.File
)

func keepForever(f *os.File) {
	keptMu.Lock()
	kept = append(kept, f)
	keptMu.Unlock()
}

// dupKeepFlags duplicates fd keeping its close-on-exec flag.
func dupKeepFlags(fd int) (int, error) {
	fdFlags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil {
		return -1, err
	}
	cmd := unix.F_DUPFD_CLOEXEC
	if fdFlags&unix.FD_CLOEXEC == 0 {
		cmd = unix.F_DUPFD
	}
	return unix.FcntlInt(uintptr(fd), cmd, 0)
}

// Dup returns a new Socket on a duplicate of the descriptor, with the same
// timeout. The two share the open file description, and so O_NONBLOCK: a
// mode change on one changes the flag under the other (as in Python).
func (s *Socket) Dup() (*Socket, error) {
	nfd, err := s.dupFD()
	if err != nil {
		return nil, err
	}
	n, err := newSocket(nfd, s.family, s.typ, s.proto, false)
	if err != nil {
		unix.Close(nfd)
		return nil, err
	}
	d, set := s.Timeout()
	if !set {
		d = -1
	}
	n.SetTimeout(d)
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
// want one (exec.Cmd.ExtraFiles). Closing it does not close the Socket. The
// duplicate shares O_NONBLOCK with the Socket: blocking in blocking mode,
// non-blocking otherwise. A process that wants a blocking descriptor while
// this one goes on in timeout mode may clear the flag: the Socket's calls
// do not depend on it (see Socket).
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

// SetTimeout sets the mode: d > 0 is timeout mode (Forever: no deadline),
// d == 0 non-blocking, d < 0 blocking with no timeout (settimeout(None)).
// Blocking mode clears O_NONBLOCK on the descriptor, the other modes set it.
func (s *Socket) SetTimeout(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timeout, s.hasTimeout = max(d, 0), d >= 0
	if s.nbFlag != s.hasTimeout {
		if fd := int(s.fd.Load()); fd >= 0 && unix.SetNonblock(fd, s.hasTimeout) == nil {
			s.nbFlag = s.hasTimeout
		}
	}
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
// whether the call is non-blocking. Blocking mode and Forever have no
// deadline.
func (s *Socket) deadline() (dl time.Time, nonblock bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hasTimeout || s.timeout == Forever {
		return time.Time{}, false
	}
	if s.timeout == 0 {
		return time.Time{}, true
	}
	return time.Now().Add(s.timeout), false
}

// inKernel reports whether the Socket is in blocking mode, where calls
// wait in the kernel.
func (s *Socket) inKernel() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.hasTimeout
}

// timeoutError is what a call that ran out of time returns: it satisfies
// errors.Is(err, os.ErrDeadlineExceeded), and errors.Is(err, unix.EAGAIN) is
// false so that callers can tell it from non-blocking mode.
func timeoutError(op string) error { return os.NewSyscallError(op, os.ErrDeadlineExceeded) }

// wait says how one call waits.
type wait struct {
	ctx      context.Context // nil or never done: no cancellation
	dl       time.Time       // zero: no deadline
	nonblock bool            // run once, never wait
	kernel   bool            // blocking mode: wait in the kernel
	ctxDL    bool            // dl is ctx's deadline
}

// wait returns how a call with ctx (nil: none) and flags waits now.
// MSG_DONTWAIT runs a blocking-mode call once (Python's blocking descriptor
// then returns EAGAIN; in timeout mode Python waits for readiness first, so
// the timeout still applies). A context that can end makes the call wait
// through the poller in every mode.
func (s *Socket) wait(ctx context.Context, flags int) wait {
	dl, nonblock := s.deadline()
	w := wait{ctx: ctx, dl: dl, nonblock: dontWait(flags, dl, nonblock)}
	if ctx != nil && ctx.Done() == nil {
		w.ctx = nil
	}
	w.kernel = w.ctx == nil && s.inKernel()
	if w.ctx != nil {
		if cdl, ok := ctx.Deadline(); ok && (w.dl.IsZero() || cdl.Before(w.dl)) {
			w.dl, w.ctxDL = cdl, true
		}
	}
	return w
}

// ioRead runs fn until it does not return EAGAIN, waiting for readability
// as w says. fn gets the descriptor and the flag its call adds for
// robustness (MSG_DONTWAIT when waiting through the poller, 0 in the
// kernel). EINTR is retried.
func (s *Socket) ioRead(op string, w wait, fn func(fd, dw int) error) error {
	return s.io(op, w, false, fn)
}

func (s *Socket) ioWrite(op string, w wait, fn func(fd, dw int) error) error {
	return s.io(op, w, true, fn)
}

func (s *Socket) io(op string, w wait, write bool, fn func(fd, dw int) error) error {
	if w.kernel {
		return s.inKernelCall(op, fn)
	}
	var opErr error
	call := func(fd uintptr) bool {
		for {
			opErr = fn(int(fd), unix.MSG_DONTWAIT)
			if opErr != unix.EINTR {
				break
			}
		}
		return w.nonblock || opErr != unix.EAGAIN
	}
	if err := s.ioPoll(op, w, write, call); err != nil {
		return err
	}
	if opErr != nil {
		return os.NewSyscallError(op, opErr)
	}
	return nil
}

// ioPoll runs call through the poller's raw access as w says: call makes
// the system call with MSG_DONTWAIT and returns false to wait for
// readiness and be run again. It returns the poller's errors (closed,
// deadline, context) as the calls report them; call keeps its own.
func (s *Socket) ioPoll(op string, w wait, write bool, call func(fd uintptr) bool) error {
	if s.fd.Load() < 0 {
		return os.NewSyscallError(op, errClosed)
	}
	if w.ctx != nil {
		if err := w.ctx.Err(); err != nil {
			return os.NewSyscallError(op, err)
		}
	}
	// Also in non-blocking mode: a deadline left from timeout mode would
	// make the poller report a timeout instead of running call.
	if err := s.setDeadline(write, w.dl); err != nil {
		return os.NewSyscallError(op, errClosed)
	}
	var cw *ctxWatch
	if w.ctx != nil && !w.nonblock {
		cw = s.watch(w.ctx, write)
	}
	var err error
	if write {
		err = s.rc.Write(call)
	} else {
		err = s.rc.Read(call)
	}
	if cw != nil {
		cw.end()
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		if w.ctxDL {
			// The poller's timer may fire before the context's.
			return os.NewSyscallError(op, context.DeadlineExceeded)
		}
		if w.ctx != nil && w.ctx.Err() != nil {
			return os.NewSyscallError(op, w.ctx.Err())
		}
		return timeoutError(op)
	case errors.Is(err, os.ErrClosed) || s.fd.Load() < 0:
		// A call woken by Close or Detach gets the poller's unexported
		// "use of closed file" error, not os.ErrClosed.
		return os.NewSyscallError(op, errClosed)
	default:
		return err
	}
}

// ctxWatch ends a call waiting in the poller when its context ends, by
// expiring the direction's deadline. It is made only for a call with a
// context (its state escaping to the heap for every call was an
// allocation each).
type ctxWatch struct {
	s     *Socket
	write bool
	done  bool // under s.mu: the call returned, a late cancel must not touch the deadline
	stop  func() bool
}

func (s *Socket) watch(ctx context.Context, write bool) *ctxWatch {
	cw := &ctxWatch{s: s, write: write}
	cw.stop = context.AfterFunc(ctx, cw.expire)
	return cw
}

func (cw *ctxWatch) expire() {
	cw.s.mu.Lock()
	defer cw.s.mu.Unlock()
	if cw.done {
		return
	}
	cw.s.expireLocked(cw.write)
}

func (cw *ctxWatch) end() {
	cw.s.mu.Lock()
	cw.done = true
	cw.s.mu.Unlock()
	cw.stop()
}

// expireLocked sets a deadline in the past for one direction, waking the
// calls waiting there; the next call sets its own again.
func (s *Socket) expireLocked(write bool) {
	past := time.Unix(1, 0)
	if write {
		s.wdeadline = true
		s.file.SetWriteDeadline(past)
	} else {
		s.rdeadline = true
		s.file.SetReadDeadline(past)
	}
}

// inKernelCall runs fn once on the descriptor in blocking mode, where it
// waits in the kernel (EINTR retried). The descriptor stays open until fn
// returns, also when Close runs meanwhile.
func (s *Socket) inKernelCall(op string, fn func(fd, dw int) error) error {
	fd, ok := s.acquire()
	if !ok {
		return os.NewSyscallError(op, errClosed)
	}
	var opErr error
	for {
		opErr = fn(fd, 0)
		if opErr != unix.EINTR {
			break
		}
	}
	s.release()
	if opErr != nil {
		return os.NewSyscallError(op, opErr)
	}
	return nil
}

// acquire takes a reference on the descriptor for a call waiting in the
// kernel.
func (s *Socket) acquire() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fd := int(s.fd.Load())
	if fd < 0 {
		return -1, false
	}
	s.kernelRefs++
	return fd, true
}

// release drops it; the last one after Close closes the file.
func (s *Socket) release() {
	s.mu.Lock()
	s.kernelRefs--
	last := s.kernelRefs == 0 && s.closing
	if last {
		s.closing = false
	}
	s.mu.Unlock()
	if last {
		s.closeFiles()
	}
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
