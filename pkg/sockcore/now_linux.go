package sockcore

import (
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// RecvIntoNow wraps recv(2) into b for event loops that epoll told s is
// readable: one call with MSG_DONTWAIT whatever the socket's mode, returning
// EAGAIN rather than waiting, and ignoring any timeout. The call cannot
// wait, so it is made without entering the scheduler's system-call state
// (as a raw system call): the goroutine keeps its P, and the runtime's
// monitor neither hands the P over nor wakes more often because of it. A
// loop of many short calls thereby spends less on the scheduler than with
// RecvInto, which must assume the call can block.
func (s *Socket) RecvIntoNow(b []byte, flags int) (int, error) {
	var bp unsafe.Pointer
	if len(b) > 0 {
		bp = unsafe.Pointer(&b[0])
	}
	return s.now("recv", false, func(fd uintptr) (uintptr, unix.Errno) {
		r, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, fd, uintptr(bp), uintptr(len(b)),
			uintptr(flags|unix.MSG_DONTWAIT), 0, 0)
		return r, e
	})
}

// SendNow wraps send(2) of b as RecvIntoNow wraps recv(2): one call with
// MSG_DONTWAIT (and MSG_NOSIGNAL), EAGAIN or a short count rather than a
// wait.
func (s *Socket) SendNow(b []byte, flags int) (int, error) {
	var bp unsafe.Pointer
	if len(b) > 0 {
		bp = unsafe.Pointer(&b[0])
	}
	flags = s.sendFlags(flags | unix.MSG_DONTWAIT)
	return s.now("send", true, func(fd uintptr) (uintptr, unix.Errno) {
		r, _, e := unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(bp), uintptr(len(b)),
			uintptr(flags), 0, 0)
		return r, e
	})
}

// now runs call once on the descriptor, holding it against a concurrent
// Close, through the poller's raw access without waiting for readiness.
func (s *Socket) now(op string, write bool, call func(fd uintptr) (uintptr, unix.Errno)) (int, error) {
	// A deadline left from timeout mode would make the poller report a
	// timeout instead of running call.
	if err := s.setDeadline(write, time.Time{}); err != nil {
		return 0, os.NewSyscallError(op, errClosed)
	}
	var (
		r uintptr
		e unix.Errno
	)
	fn := func(fd uintptr) bool {
		for {
			r, e = call(fd)
			if e != unix.EINTR {
				return true
			}
		}
	}
	var err error
	if write {
		err = s.rc.Write(fn)
	} else {
		err = s.rc.Read(fn)
	}
	if err != nil {
		return 0, os.NewSyscallError(op, errClosed)
	}
	if e != 0 {
		return 0, os.NewSyscallError(op, e)
	}
	return int(r), nil
}
