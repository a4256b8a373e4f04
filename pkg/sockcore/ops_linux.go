package sockcore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sockaddrPtr returns the pointer and length for a raw sockaddr ("" → NULL).
func sockaddrPtr(b []byte) (unsafe.Pointer, uintptr) {
	if len(b) == 0 {
		return nil, 0
	}
	return unsafe.Pointer(&b[0]), uintptr(len(b))
}

func (s *Socket) encode(a Addr) ([]byte, error) {
	if a == nil {
		return nil, nil
	}
	if a.Family() != s.family && s.family != unix.AF_UNSPEC && !rdsInet(s.family, a.Family()) {
		// AF_UNSPEC dissolves a datagram association (connect to AF_UNSPEC).
		if _, raw := a.(*RawAddr); !raw || a.Family() != unix.AF_UNSPEC {
			return nil, ErrAddrFamily
		}
	}
	return EncodeSockaddr(a)
}

// rdsInet reports whether an address of family fam fits a socket of family
// sockFam because RDS addresses are sockaddr_in and sockaddr_in6.
func rdsInet(sockFam, fam int) bool {
	return sockFam == unix.AF_RDS && (fam == unix.AF_INET || fam == unix.AF_INET6)
}

// sendFlags adds MSG_NOSIGNAL to send flags, except for the families whose
// sendmsg refuses any flag but MSG_DONTWAIT (RDS: EOPNOTSUPP, QIPCRTR:
// EINVAL) and cannot raise SIGPIPE anyway.
func (s *Socket) sendFlags(flags int) int {
	if s.family == unix.AF_RDS || s.family == unix.AF_QIPCRTR {
		return flags
	}
	return flags | unix.MSG_NOSIGNAL
}

// Bind wraps bind(2).
func (s *Socket) Bind(a Addr) error {
	b, err := s.encode(a)
	if err != nil {
		return err
	}
	p, n := sockaddrPtr(b)
	err = s.control("bind", func(fd int) error {
		_, _, e := unix.Syscall(unix.SYS_BIND, uintptr(fd), uintptr(p), n)
		return errnoErr(e)
	})
	if wrap := families[s.family].bindErr; wrap != nil && err != nil {
		return wrap(err, a)
	}
	return err
}

// Listen wraps listen(2). A negative backlog is taken as 0; DefaultBacklog is
// Python's default.
func (s *Socket) Listen(backlog int) error {
	if err := checkCInt("listen", "backlog", backlog); err != nil {
		return err
	}
	backlog = max(backlog, 0)
	return s.control("listen", func(fd int) error { return unix.Listen(fd, backlog) })
}

// Accept wraps accept4(2). The new socket is close-on-exec and takes the
// default timeout, not the listener's (as in Python).
func (s *Socket) Accept() (*Socket, Addr, error) { return s.AcceptContext(nil) }

// AcceptContext is Accept that ctx can end: it waits through the poller in
// every mode and returns ctx's error (wrapped) once ctx is done.
func (s *Socket) AcceptContext(ctx context.Context) (*Socket, Addr, error) {
	return s.accept(s.wait(ctx, 0))
}

// pollWait is how a call waits through the poller in the socket's mode, also
// in blocking mode (the net.Conn and net.Listener adapters).
func (s *Socket) pollWait() wait {
	w := s.wait(nil, 0)
	w.kernel = false
	return w
}

func (s *Socket) accept(w wait) (*Socket, Addr, error) {
	var (
		nfd int
		raw rawBuf
		rl  uint32
	)
	// AF_ALG operation sockets have no name: accept4 with an address
	// buffer fails there (ECONNABORTED), so pass NULL as Python does.
	rp, lp := unsafe.Pointer(&raw[0]), unsafe.Pointer(&rl)
	if s.family == unix.AF_ALG {
		rp, lp = nil, nil
	}
	err := s.ioRead("accept", w, func(fd, dw int) error {
		if dw != 0 && s.family != unix.AF_ALG && !readable(fd) {
			// accept4 has no MSG_DONTWAIT: wait for a connection first,
			// so that a process sharing the listener that cleared
			// O_NONBLOCK cannot make this accept wait in the kernel.
			// AF_ALG's accept never waits (it makes an operation socket
			// at once) and its socket never polls readable.
			return unix.EAGAIN
		}
		if dw != 0 && s.family != unix.AF_ALG {
			// Readiness is only a hint where another process accepts on
			// the same listener: it may take the connection first. If
			// that process also cleared O_NONBLOCK (the systemd
			// convention for a blocking program), this accept4 would
			// then wait in the kernel, where closing the socket does not
			// end it. The flag is set for the call and put back after.
			if set, err := ensureNonblock(fd); err == nil && set {
				defer clearNonblock(fd)
			}
		}
		if testHookAccept4 != nil {
			testHookAccept4(fd)
		}
		rl = uint32(len(raw))
		r, _, e := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(rp),
			uintptr(lp), unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0, 0)
		nfd = int(r)
		return errnoErr(e)
	})
	if err != nil {
		return nil, nil, err
	}
	ns, err := newSocket(nfd, s.family, s.typ, s.proto, true)
	if err != nil {
		unix.Close(nfd)
		return nil, nil, err
	}
	if rp == nil {
		return ns, nil, nil
	}
	addr, err := DecodeSockaddr(raw[:min(int(rl), len(raw))])
	if err != nil {
		ns.Close()
		return nil, nil, err
	}
	return ns, addr, nil
}

// readable polls fd for input without waiting.
func readable(fd int) bool {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(pfd, 0)
		if err == unix.EINTR {
			continue
		}
		// An error or POLLERR/POLLHUP: let accept report it.
		return err != nil || n > 0
	}
}

// Connect wraps connect(2). In blocking and timeout mode it waits for the
// connection (EINPROGRESS, EINTR) and reports its outcome; in non-blocking
// mode it returns EINPROGRESS as the kernel does.
func (s *Socket) Connect(a Addr) error { return s.ConnectContext(nil, a) }

// ConnectContext is Connect that ctx can end: it waits through the poller
// in every mode and returns ctx's error (wrapped) once ctx is done.
func (s *Socket) ConnectContext(ctx context.Context, a Addr) error {
	b, err := s.encode(a)
	if err != nil {
		return err
	}
	w := s.wait(ctx, 0)
	if errno := s.connect(b, w); errno != 0 {
		if errno == unix.EWOULDBLOCK && w.ctxDL {
			return os.NewSyscallError("connect", context.DeadlineExceeded)
		}
		if w.ctx != nil && w.ctx.Err() != nil && (errno == unix.EWOULDBLOCK || errno == unix.EBADF) {
			return os.NewSyscallError("connect", w.ctx.Err())
		}
		if errno == unix.EWOULDBLOCK && !w.nonblock && !w.dl.IsZero() {
			return timeoutError("connect")
		}
		return os.NewSyscallError("connect", errno)
	}
	return nil
}

// ConnectEx is connect_ex: the errno instead of an error, 0 on success and
// EWOULDBLOCK when a timeout expired.
func (s *Socket) ConnectEx(a Addr) syscall.Errno {
	b, err := s.encode(a)
	if err != nil {
		return unix.EAFNOSUPPORT
	}
	return s.connect(b, s.wait(nil, 0))
}

func (s *Socket) connect(b []byte, w wait) syscall.Errno {
	p, n := sockaddrPtr(b)
	var errno syscall.Errno
	if w.kernel {
		// Blocking mode: connect waits in the kernel. EINTR is not
		// retried (the connection goes on): it is waited for below.
		var wasConnected bool
		if err := s.inKernelCall("connect", func(fd, _ int) error {
			_, perr := unix.Getpeername(fd)
			wasConnected = perr == nil
			_, _, errno = unix.Syscall(unix.SYS_CONNECT, uintptr(fd), uintptr(p), n)
			return nil
		}); err != nil {
			return connectErrno(err) // closed
		}
		// Go's signal handlers have SA_RESTART: a connect interrupted by the
		// runtime's own signals is restarted by the kernel, and SCTP (seen
		// on 6.12) then answers EISCONN or EALREADY for the connection the
		// first call began. Only a socket connected before the call has a
		// real EISCONN.
		if (errno == unix.EISCONN || errno == unix.EALREADY) && !wasConnected {
			errno = unix.EINTR
		}
		if errno != unix.EINTR {
			return errno
		}
		errno = unix.EINPROGRESS
	} else {
		err := s.control("connect", func(fd int) error {
			// connect(2) has no MSG_DONTWAIT: make sure of O_NONBLOCK,
			// which a blocking-mode Socket with a context, or another
			// process sharing the description, may have clear.
			restore, e := ensureNonblock(fd)
			if e != nil {
				return e
			}
			_, _, errno = unix.Syscall(unix.SYS_CONNECT, uintptr(fd), uintptr(p), n)
			if restore {
				unix.SetNonblock(fd, false)
			}
			return nil
		})
		if err != nil {
			return connectErrno(err)
		}
	}
	if s.family == unix.AF_UNIX && errno == unix.EAGAIN && !w.nonblock {
		// A full AF_UNIX backlog: a blocking socket would sleep in the
		// kernel; poll for room until the deadline.
		return s.retryUnixConnect(p, n, w)
	}
	if errno == 0 || w.nonblock || (errno != unix.EINPROGRESS && errno != unix.EINTR) {
		return errno
	}
	// Wait for writability, then fetch the outcome.
	w.kernel = false
	var soErr int
	werr := s.ioWrite("connect", w, func(fd, _ int) error {
		// The poller calls this first without waiting: the connection is
		// done only once the socket polls writable (or in error).
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		if n, e := unix.Poll(pfd, 0); e != nil {
			return e
		} else if n == 0 {
			return unix.EAGAIN
		}
		v, e := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if e != nil {
			return e
		}
		soErr = v
		return nil
	})
	if werr != nil {
		if errors.Is(werr, unix.EBADF) {
			return unix.EBADF
		}
		return unix.EWOULDBLOCK // timed out or cancelled
	}
	return syscall.Errno(soErr)
}

// testHookAccept4, when set (tests), runs just before accept's accept4.
var testHookAccept4 func(fd int)

// clearNonblock clears O_NONBLOCK on fd (back to the blocking mode another
// holder of the open file description chose).
func clearNonblock(fd int) {
	if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); err == nil {
		unix.FcntlInt(uintptr(fd), unix.F_SETFL, fl&^unix.O_NONBLOCK)
	}
}

// ensureNonblock sets O_NONBLOCK on fd if it is clear, and says so.
func ensureNonblock(fd int) (set bool, err error) {
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return false, err
	}
	if fl&unix.O_NONBLOCK != 0 {
		return false, nil
	}
	_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, fl|unix.O_NONBLOCK)
	return err == nil, err
}

func (s *Socket) retryUnixConnect(p unsafe.Pointer, n uintptr, w wait) syscall.Errno {
	wait := time.Millisecond
	for {
		if !w.dl.IsZero() && time.Now().After(w.dl) {
			return unix.EWOULDBLOCK
		}
		if w.ctx != nil && w.ctx.Err() != nil {
			return unix.EWOULDBLOCK
		}
		time.Sleep(wait)
		wait = min(wait*2, 50*time.Millisecond)
		var errno syscall.Errno
		if err := s.control("connect", func(fd int) error {
			_, _, errno = unix.Syscall(unix.SYS_CONNECT, uintptr(fd), uintptr(p), n)
			return nil
		}); err != nil {
			return unix.EBADF
		}
		if errno != unix.EAGAIN {
			return errno
		}
	}
}

// Send wraps send(2): the number of bytes sent, which may be fewer than len(b).
func (s *Socket) Send(b []byte, flags int) (int, error) {
	return s.SendToContext(nil, b, flags, nil)
}

// SendContext is Send that ctx can end (see AcceptContext).
func (s *Socket) SendContext(ctx context.Context, b []byte, flags int) (int, error) {
	return s.SendToContext(ctx, b, flags, nil)
}

// SendTo wraps sendto(2); a nil address sends on a connected socket.
func (s *Socket) SendTo(b []byte, flags int, to Addr) (int, error) {
	return s.SendToContext(nil, b, flags, to)
}

// SendToContext is SendTo that ctx can end (see AcceptContext).
func (s *Socket) SendToContext(ctx context.Context, b []byte, flags int, to Addr) (int, error) {
	if err := checkCInt("send", "flags", flags); err != nil {
		return 0, err
	}
	raw, err := s.encode(to)
	if err != nil {
		return 0, err
	}
	return s.sendto(b, flags, raw, s.wait(ctx, flags))
}

func (s *Socket) sendto(b []byte, flags int, raw []byte, w wait) (int, error) {
	if raw == nil {
		return s.bufCall("send", w, unix.SYS_SENDTO, b, s.sendFlags(flags))
	}
	c := getCall(unix.SYS_SENDTO, b)
	defer c.put()
	c.addr, c.addrLen = sockaddrPtr(raw)
	return s.callWait("send", w, c, s.sendFlags(flags))
}

// SendAll sends all of b (socket.sendall). In timeout mode the timeout covers
// the whole call, not each send. On error some bytes may have been sent;
// SendAllCount reports how many.
func (s *Socket) SendAll(b []byte, flags int) error {
	_, err := s.SendAllCountContext(nil, b, flags)
	return err
}

// SendAllContext is SendAll that ctx can end (see AcceptContext).
func (s *Socket) SendAllContext(ctx context.Context, b []byte, flags int) error {
	_, err := s.SendAllCountContext(ctx, b, flags)
	return err
}

// SendAllCount is SendAll that also returns how many bytes were sent, so a
// partial write is never mistaken for success.
func (s *Socket) SendAllCount(b []byte, flags int) (int, error) {
	return s.SendAllCountContext(nil, b, flags)
}

// SendAllCountContext is SendAllCount that ctx can end (see AcceptContext).
func (s *Socket) SendAllCountContext(ctx context.Context, b []byte, flags int) (int, error) {
	if err := checkCInt("send", "flags", flags); err != nil {
		return 0, err
	}
	w := s.wait(ctx, flags)
	total := 0
	for total < len(b) || (len(b) == 0 && total == 0) {
		n, err := s.sendto(b[total:], flags, nil, w)
		if err != nil {
			return total, err
		}
		total += n
		if len(b) == 0 {
			break
		}
	}
	return total, nil
}

// Recv wraps recv(2): at most n bytes; an empty result on a stream socket
// means the peer closed.
func (s *Socket) Recv(n, flags int) ([]byte, error) { return s.RecvContext(nil, n, flags) }

// RecvContext is Recv that ctx can end (see AcceptContext).
func (s *Socket) RecvContext(ctx context.Context, n, flags int) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("negative buffersize in recv: %d", n)
	}
	buf := make([]byte, n)
	m, _, err := s.recvfrom(ctx, buf, flags, false)
	if err != nil {
		return nil, err
	}
	return buf[:min(m, n)], nil // MSG_TRUNC: m is the datagram's length
}

// RecvInto wraps recv(2) into b.
func (s *Socket) RecvInto(b []byte, flags int) (int, error) { return s.RecvIntoContext(nil, b, flags) }

// RecvIntoContext is RecvInto that ctx can end (see AcceptContext).
func (s *Socket) RecvIntoContext(ctx context.Context, b []byte, flags int) (int, error) {
	m, _, err := s.recvfrom(ctx, b, flags, false)
	return m, err
}

// RecvFrom wraps recvfrom(2).
func (s *Socket) RecvFrom(n, flags int) ([]byte, Addr, error) {
	return s.RecvFromContext(nil, n, flags)
}

// RecvFromContext is RecvFrom that ctx can end (see AcceptContext).
func (s *Socket) RecvFromContext(ctx context.Context, n, flags int) ([]byte, Addr, error) {
	if n < 0 {
		return nil, nil, fmt.Errorf("negative buffersize in recvfrom: %d", n)
	}
	buf := make([]byte, n)
	m, a, err := s.recvfrom(ctx, buf, flags, true)
	if err != nil {
		return nil, nil, err
	}
	return buf[:min(m, n)], a, nil
}

// RecvFromInto wraps recvfrom(2) into b.
func (s *Socket) RecvFromInto(b []byte, flags int) (int, Addr, error) {
	return s.recvfrom(nil, b, flags, true)
}

// RecvFromIntoContext is RecvFromInto that ctx can end (see AcceptContext).
func (s *Socket) RecvFromIntoContext(ctx context.Context, b []byte, flags int) (int, Addr, error) {
	return s.recvfrom(ctx, b, flags, true)
}

// dontWait reports whether a call with flags runs once without waiting:
// in non-blocking mode, and with MSG_DONTWAIT in blocking mode (Python's
// blocking descriptor then returns EAGAIN; in timeout mode Python waits for
// readiness first, so the timeout still applies).
func dontWait(flags int, dl time.Time, nonblock bool) bool {
	return nonblock || flags&unix.MSG_DONTWAIT != 0 && dl.IsZero()
}

func (s *Socket) recvfrom(ctx context.Context, b []byte, flags int, wantAddr bool) (int, Addr, error) {
	if err := checkCInt("recv", "flags", flags); err != nil {
		return 0, nil, err
	}
	w := s.wait(ctx, flags)
	got, a, err := s.recvfromOnce(b, flags, wantAddr, w)
	// With MSG_WAITALL the kernel fills the whole buffer of a blocking
	// descriptor; waiting through the poller, the call is non-blocking,
	// so with no deadline it keeps reading, and returns what arrived at
	// end of stream or error as the kernel does.
	if err == nil && flags&unix.MSG_WAITALL != 0 && s.typ == unix.SOCK_STREAM && !w.kernel && w.dl.IsZero() && !w.nonblock {
		for got > 0 && got < len(b) {
			n, _, err := s.recvfromOnce(b[got:], flags, false, w)
			if err != nil || n == 0 {
				break
			}
			got += n
		}
	}
	return got, a, err
}

func (s *Socket) recvfromOnce(b []byte, flags int, wantAddr bool, w wait) (int, Addr, error) {
	if !wantAddr {
		n, err := s.bufCall("recv", w, unix.SYS_RECVFROM, b, flags)
		return n, nil, err
	}
	c := getCall(unix.SYS_RECVFROM, b)
	defer c.put()
	c.addrOut = true
	got, err := s.callWait("recv", w, c, flags)
	if err != nil {
		return 0, nil, err
	}
	a, err := DecodeSockaddr(c.raw[:min(int(c.rl), len(c.raw))])
	return got, a, err
}

// Shutdown wraps shutdown(2): SHUT_RD, SHUT_WR or SHUT_RDWR.
func (s *Socket) Shutdown(how int) error {
	if err := checkCInt("shutdown", "how", how); err != nil {
		return err
	}
	return s.control("shutdown", func(fd int) error { return unix.Shutdown(fd, how) })
}

// SockName wraps getsockname(2).
func (s *Socket) SockName() (Addr, error) { return s.name(unix.SYS_GETSOCKNAME, "getsockname") }

// PeerName wraps getpeername(2).
func (s *Socket) PeerName() (Addr, error) { return s.name(unix.SYS_GETPEERNAME, "getpeername") }

func (s *Socket) name(trap uintptr, op string) (Addr, error) {
	var (
		raw rawBuf
		rl  uint32
	)
	err := s.control(op, func(fd int) error {
		rl = uint32(len(raw))
		_, _, e := unix.Syscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&raw[0])), uintptr(unsafe.Pointer(&rl)))
		return errnoErr(e)
	})
	if err != nil {
		return nil, err
	}
	if rl <= 2 && s.family == unix.AF_UNIX {
		return &UnixAddr{}, nil
	}
	return DecodeSockaddr(raw[:min(int(rl), len(raw))])
}

// SetsockoptInt wraps setsockopt(2) with an int value.
func (s *Socket) SetsockoptInt(level, opt, v int) error {
	if err := checkCInts("setsockopt", "level", level, "option", opt, "value", v); err != nil {
		return err
	}
	return s.control("setsockopt", func(fd int) error { return unix.SetsockoptInt(fd, level, opt, v) })
}

// SetsockoptBytes wraps setsockopt(2) with a byte buffer.
func (s *Socket) SetsockoptBytes(level, opt int, b []byte) error {
	if err := checkCInts("setsockopt", "level", level, "option", opt); err != nil {
		return err
	}
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	return s.control("setsockopt", func(fd int) error {
		_, _, e := unix.Syscall6(unix.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), uintptr(p), uintptr(len(b)), 0)
		return errnoErr(e)
	})
}

// SetsockoptNull wraps setsockopt(2) with a NULL value and optlen
// (setsockopt(level, opt, None, optlen), e.g. ALG_SET_AEAD_AUTHSIZE).
func (s *Socket) SetsockoptNull(level, opt, optlen int) error {
	if err := checkCInts("setsockopt", "level", level, "option", opt); err != nil {
		return err
	}
	if optlen < 0 {
		return os.NewSyscallError("setsockopt", unix.EINVAL)
	}
	if err := checkCUint("setsockopt", "optlen", optlen); err != nil {
		return err
	}
	return s.control("setsockopt", func(fd int) error {
		_, _, e := unix.Syscall6(unix.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), 0, uintptr(optlen), 0)
		return errnoErr(e)
	})
}

// GetsockoptInt wraps getsockopt(2) for an int value.
func (s *Socket) GetsockoptInt(level, opt int) (int, error) {
	if err := checkCInts("getsockopt", "level", level, "option", opt); err != nil {
		return 0, err
	}
	var v int
	err := s.control("getsockopt", func(fd int) error {
		var e error
		v, e = unix.GetsockoptInt(fd, level, opt)
		return e
	})
	return v, err
}

// MaxOptLen is the largest buflen GetsockoptBytes accepts, as in Python.
const MaxOptLen = 1024

// GetsockoptBytes wraps getsockopt(2) into a buffer of buflen bytes (1 to
// 1024) and returns the bytes the kernel wrote.
func (s *Socket) GetsockoptBytes(level, opt, buflen int) ([]byte, error) {
	if err := checkCInts("getsockopt", "level", level, "option", opt); err != nil {
		return nil, err
	}
	if buflen <= 0 || buflen > MaxOptLen {
		return nil, os.NewSyscallError("getsockopt", unix.EINVAL)
	}
	buf := make([]byte, buflen)
	l := uint32(buflen)
	err := s.control("getsockopt", func(fd int) error {
		l = uint32(buflen)
		_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt),
			uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&l)), 0)
		return errnoErr(e)
	})
	if err != nil {
		return nil, err
	}
	return buf[:min(int(l), buflen)], nil
}

func errnoErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// errnoOf returns the errno inside err. ok is false, and e 0, when err is
// nil or holds no errno (or only a zero one): a zero Errno is no error, and
// a caller returning it would report success.
func errnoOf(err error) (e syscall.Errno, ok bool) {
	if errors.As(err, &e) && e != 0 {
		return e, true
	}
	return 0, false
}

// connectErrno is connect's errno for err from control or inKernelCall,
// which wrap an errno (EBADF once closed). Anything else is EIO, never 0
// (success).
func connectErrno(err error) syscall.Errno {
	if e, ok := errnoOf(err); ok {
		return e
	}
	return unix.EIO
}
