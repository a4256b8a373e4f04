package sockcore

import (
	"os"
	"sync"
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
	c := getCall(unix.SYS_RECVFROM, b)
	c.flags = flags | unix.MSG_DONTWAIT
	return s.now("recv", false, c)
}

// SendNow wraps send(2) of b as RecvIntoNow wraps recv(2): one call with
// MSG_DONTWAIT (and MSG_NOSIGNAL), EAGAIN or a short count rather than a
// wait.
func (s *Socket) SendNow(b []byte, flags int) (int, error) {
	c := getCall(unix.SYS_SENDTO, b)
	c.flags = s.sendFlags(flags | unix.MSG_DONTWAIT)
	return s.now("send", true, c)
}

// nowCall is one recvfrom or sendto of RecvIntoNow or SendNow with its
// result. The calls are made through a pool of them, each with its method
// value made once: a closure per call (and its results, which it sets)
// was three allocations a call, and at 16 ping-pong connections echod's
// reactor then ran the garbage collector twice a second (issue #17;
// TestHotPathAllocs).
//
// The same calls serve RecvInto, Send and SendAll (bufCall), which may
// wait, and RecvFrom and SendTo with an address (callWait): waitFn runs
// the call as the poller wants it, false to wait.
type nowCall struct {
	trap     uintptr
	buf      unsafe.Pointer
	n, flags int
	nonblock bool // waitFn: never wait (non-blocking mode)
	// The address arguments: sendto's destination (addr, addrLen), or
	// recvfrom's source, written into raw with its length in rl (addrOut).
	addr    unsafe.Pointer
	addrLen uintptr
	addrOut bool
	raw     rawBuf
	rl      uint32
	r       uintptr
	e       unix.Errno
	fn      func(fd uintptr) bool // c.run
	waitFn  func(fd uintptr) bool // c.runWait
}

// getCall takes a call of trap on b from the pool, its address arguments
// unset; put gives it back.
func getCall(trap uintptr, b []byte) *nowCall {
	c := nowCalls.Get().(*nowCall)
	c.trap, c.buf, c.n = trap, nil, len(b)
	if len(b) > 0 {
		c.buf = unsafe.Pointer(&b[0])
	}
	return c
}

func (c *nowCall) put() {
	c.buf, c.addr, c.addrLen, c.addrOut = nil, nil, 0, false
	nowCalls.Put(c)
}

// syscall makes the call once, through sys (RawSyscall6 or Syscall6).
func (c *nowCall) syscall(fd uintptr, sys func(trap, a1, a2, a3, a4, a5, a6 uintptr) (uintptr, uintptr, unix.Errno)) {
	a6 := c.addrLen
	if c.addrOut {
		c.rl = uint32(len(c.raw))
		c.addr = unsafe.Pointer(&c.raw[0])
		a6 = uintptr(unsafe.Pointer(&c.rl))
	}
	c.r, _, c.e = sys(c.trap, fd, uintptr(c.buf), uintptr(c.n), uintptr(c.flags), uintptr(c.addr), a6)
}

var nowCalls = sync.Pool{New: func() any {
	c := &nowCall{}
	c.fn, c.waitFn = c.run, c.runWait
	return c
}}

// runWait is run for the poller: Syscall6 (the scheduler is told, as for
// every call that waits) with the flags that hold MSG_DONTWAIT.
func (c *nowCall) runWait(fd uintptr) bool {
	for {
		c.syscall(fd, unix.Syscall6)
		if c.e != unix.EINTR {
			break
		}
	}
	return c.nonblock || c.e != unix.EAGAIN
}

// bufCall is recvfrom(2) (trap SYS_RECVFROM) or sendto(2) (SYS_SENDTO)
// of b with flags (for sendto, the socket's send flags already added)
// and no address, waiting as w says: what io does, with a pooled call in
// place of io's closures. Those were five allocations a call, and
// RecvInto, Send and SendAll are the calls of echocat's and echod's
// goroutines, once or twice each message.
func (s *Socket) bufCall(op string, w wait, trap uintptr, b []byte, flags int) (int, error) {
	c := getCall(trap, b)
	defer c.put()
	return s.callWait(op, w, c, flags)
}

// callWait makes c, a recvfrom or sendto with its buffer and address
// arguments set, with flags, waiting as w says.
func (s *Socket) callWait(op string, w wait, c *nowCall, flags int) (int, error) {
	c.nonblock = w.nonblock
	write := c.trap == unix.SYS_SENDTO
	if w.kernel {
		fd, ok := s.acquire()
		if !ok {
			return 0, os.NewSyscallError(op, errClosed)
		}
		c.flags = flags
		c.runWait(uintptr(fd)) // blocking mode: waits in the kernel
		s.release()
	} else {
		c.flags = flags | unix.MSG_DONTWAIT
		if err := s.ioPoll(op, w, write, c.waitFn); err != nil {
			return 0, err
		}
	}
	if c.e != 0 {
		return 0, os.NewSyscallError(op, c.e)
	}
	return int(c.r), nil
}

func (c *nowCall) run(fd uintptr) bool {
	for {
		c.syscall(fd, unix.RawSyscall6)
		if c.e != unix.EINTR {
			return true
		}
	}
}

// now runs c once on the descriptor, holding it against a concurrent
// Close, through the poller's raw access without waiting for readiness,
// and puts c back in the pool.
func (s *Socket) now(op string, write bool, c *nowCall) (int, error) {
	defer c.put()
	// A deadline left from timeout mode would make the poller report a
	// timeout instead of running call.
	if err := s.setDeadline(write, time.Time{}); err != nil {
		return 0, os.NewSyscallError(op, errClosed)
	}
	var err error
	if write {
		err = s.rc.Write(c.fn)
	} else {
		err = s.rc.Read(c.fn)
	}
	if err != nil {
		return 0, os.NewSyscallError(op, errClosed)
	}
	if c.e != 0 {
		return 0, os.NewSyscallError(op, c.e)
	}
	return int(c.r), nil
}
