package sockcore

import (
	"context"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// MMsgBatch is a set of datagram buffers and their addresses for RecvMMsg
// and SendMMsg, allocated once and reused across calls.
type MMsgBatch struct {
	Bufs  [][]byte // message i's buffer; RecvMMsg fills Bufs[i][:N[i]]
	N     []int    // bytes received in message i, or to send
	Flags []int    // msg_flags of message i after RecvMMsg (MSG_TRUNC, MSG_CTRUNC)

	// Control holds message i's control-message buffer for RecvMMsg
	// (SetControlSize makes them; nil: none), ControlN how many bytes of
	// it the kernel filled.
	Control  [][]byte
	ControlN []int

	// SendControl holds the control messages SendMMsg sends with message
	// i (SetSendControlSize makes the buffers, empty: none), e.g. an
	// IP_PKTINFO choosing the reply's source address.
	SendControl [][]byte

	names    []rawBuf
	namelens []uint32
	hdrs     []unix.Mmsghdr
	iovs     []unix.Iovec
	used     int // leading headers changed since they were readied for recvmmsg

	// While RecvMMsgLoop's callback runs on a socket waiting through the
	// poller: that socket and its descriptor (held by the receive), for
	// SendMMsg's direct path.
	loopSock *Socket
	loopFD   int
}

// NewMMsgBatch returns a batch of count messages of size bytes each.
func NewMMsgBatch(count, size int) *MMsgBatch {
	b := &MMsgBatch{
		Bufs: make([][]byte, count), N: make([]int, count), Flags: make([]int, count),
		names: make([]rawBuf, count), namelens: make([]uint32, count),
		hdrs: make([]unix.Mmsghdr, count), iovs: make([]unix.Iovec, count),
	}
	mem := make([]byte, count*size)
	for i := range b.Bufs {
		b.Bufs[i] = mem[i*size : (i+1)*size : (i+1)*size]
	}
	return b
}

// SetControlSize gives every message a control-message buffer of n bytes
// for RecvMMsg (CMSGSpace of what is expected); n == 0 removes them.
func (b *MMsgBatch) SetControlSize(n int) {
	if n <= 0 {
		b.Control, b.ControlN = nil, nil
		return
	}
	b.Control, b.ControlN = make([][]byte, len(b.Bufs)), make([]int, len(b.Bufs))
	mem := make([]byte, len(b.Bufs)*n)
	for i := range b.Control {
		b.Control[i] = mem[i*n : (i+1)*n : (i+1)*n]
	}
}

// SetSendControlSize gives every message a SendControl buffer with room
// for n bytes, empty (SendControl[i] = SendControl[i][:k] fills it); n == 0
// removes them.
func (b *MMsgBatch) SetSendControlSize(n int) {
	if n <= 0 {
		b.SendControl = nil
		return
	}
	b.SendControl = make([][]byte, len(b.Bufs))
	mem := make([]byte, len(b.Bufs)*n)
	for i := range b.SendControl {
		b.SendControl[i] = mem[i*n : i*n : (i+1)*n]
	}
}

// ControlMessages parses message i's control messages after RecvMMsg, as
// ParseControl does.
func (b *MMsgBatch) ControlMessages(i int) (msgs []ControlMessage, truncated bool) {
	if b.Control == nil {
		return nil, false
	}
	return ParseControl(b.Control[i][:b.ControlN[i]])
}

// Len returns the number of messages the batch holds.
func (b *MMsgBatch) Len() int { return len(b.Bufs) }

// Name returns the raw sockaddr of message i: the source after RecvMMsg,
// the destination for SendMMsg. The bytes belong to the batch.
func (b *MMsgBatch) Name(i int) []byte { return b.names[i][:b.namelens[i]] }

// SetName sets the destination of message i from a raw sockaddr (nil: the
// connected peer).
func (b *MMsgBatch) SetName(i int, raw []byte) { b.namelens[i] = uint32(copy(b.names[i][:], raw)) }

// From decodes the address of message i.
func (b *MMsgBatch) From(i int) (Addr, error) { return DecodeSockaddr(b.Name(i)) }

// RecvMMsg wraps recvmmsg(2): it waits for at least one datagram by the
// socket's timeout mode, then takes as many as are queued, up to the
// batch's size, and returns how many it received. Descriptors passed in
// control messages are received close-on-exec. With MSG_DONTWAIT a
// blocking socket does not wait (as in RecvMsg).
func (s *Socket) RecvMMsg(b *MMsgBatch, flags int) (int, error) {
	return s.RecvMMsgContext(nil, b, flags)
}

// RecvMMsgContext is RecvMMsg that ctx can end (see AcceptContext).
func (s *Socket) RecvMMsgContext(ctx context.Context, b *MMsgBatch, flags int) (int, error) {
	if err := checkCInt("recvmmsg", "flags", flags); err != nil {
		return 0, err
	}
	b.prepRecv()
	var got int
	err := s.ioRead("recvmmsg", s.wait(ctx, flags), func(fd, dw int) error {
		var err error
		got, err = b.recvmmsg(fd, s.recvMMsgFlags(b, flags, dw), flags)
		return err
	})
	if err != nil {
		return 0, err
	}
	return got, nil
}

// RecvMMsgLoop receives batches into b as RecvMMsg does and calls fn with
// the count of each, until fn returns false (RecvMMsgLoop then returns nil
// and b holds the last batch) or a receive fails.
//
// What it saves over calling RecvMMsg in a loop: on a UDP socket
// (AF_INET, AF_INET6) in timeout mode with no deadline (Forever), a batch
// that comes back short of b.Len() has emptied the receive queue, so the
// next batch is waited for in the runtime poller directly, without the
// recvmmsg that would find nothing first (one system call fewer for every
// batch of a ping-pong). Anything else (a deadline, which counts from each
// batch; blocking or non-blocking mode; MSG_PEEK; other families) takes
// that call as RecvMMsg does.
//
// fn runs while the socket's receive side is held, between receives: it
// must not wait, must not receive on the socket (another goroutine's
// receive waits until RecvMMsgLoop returns) and must not replace b's
// buffers (Bufs, Control, SetControlSize): they are readied for the next
// receive once, when RecvMMsgLoop starts. It may send on the socket
// with MSG_DONTWAIT (SendMMsg) and return false to leave what would wait
// to its caller. Such a SendMMsg of b on the same socket is made directly
// on the descriptor the receive holds, without the poller's locks and
// deadlines: it never waits, so it needs none (a batch of one in a
// ping-pong pays for the send only what its system call costs).
func (s *Socket) RecvMMsgLoop(b *MMsgBatch, flags int, fn func(n int) bool) error {
	return s.RecvMMsgLoopContext(nil, b, flags, fn)
}

// RecvMMsgLoopContext is RecvMMsgLoop that ctx can end (see AcceptContext).
func (s *Socket) RecvMMsgLoopContext(ctx context.Context, b *MMsgBatch, flags int, fn func(n int) bool) error {
	if err := checkCInt("recvmmsg", "flags", flags); err != nil {
		return err
	}
	b.prepRecv()
	for {
		w := s.wait(ctx, flags)
		// A short batch proves the queue empty: recvmmsg(2) stops early
		// only at EAGAIN or at an error, and a UDP socket's errors
		// (sk_err) come with a wakeup the poller keeps for the next wait;
		// the one the kernel holds back for the next call was set by such
		// a wakeup during the batch (recvmmsg(2), BUGS).
		chain := !w.kernel && !w.nonblock && w.dl.IsZero() && s.typ == unix.SOCK_DGRAM &&
			(s.family == unix.AF_INET || s.family == unix.AF_INET6) &&
			flags&(unix.MSG_PEEK|unix.MSG_ERRQUEUE|unix.MSG_OOB) == 0
		stop := false
		err := s.ioRead("recvmmsg", w, func(fd, dw int) error {
			for {
				got, err := b.recvmmsg(fd, s.recvMMsgFlags(b, flags, dw), flags)
				if err != nil {
					return err
				}
				if !w.kernel {
					b.loopSock, b.loopFD = s, fd
				}
				more := fn(got)
				b.loopSock = nil
				if !more {
					stop = true
					return nil
				}
				// Ready the headers this batch and fn's sends used for
				// the next receive now, off the path from a datagram's
				// arrival to its echo, and only those: a ping-pong's
				// batch of one costs one header, not the batch's 32.
				b.prepUsed()
				if !chain {
					return nil
				}
				if got < len(b.hdrs) {
					return unix.EAGAIN // wait in the poller, then receive
				}
			}
		})
		if err != nil || stop {
			return err
		}
	}
}

// recvMMsgFlags returns the flags of one recvmmsg call: the caller's,
// MSG_CMSG_CLOEXEC where it applies and dw (MSG_DONTWAIT through the
// poller; 0 in the kernel, where recvmmsg would wait for the whole batch
// without MSG_WAITFORONE).
func (s *Socket) recvMMsgFlags(b *MMsgBatch, flags, dw int) int {
	// As in RecvMsgInto: only AF_UNIX takes MSG_CMSG_CLOEXEC.
	if s.family == unix.AF_UNIX && b.Control != nil {
		flags |= unix.MSG_CMSG_CLOEXEC
	}
	if dw == 0 {
		dw = unix.MSG_WAITFORONE
	}
	return flags | dw
}

// prepRecv points every header at its message's buffer, name and control
// buffer for recvmmsg.
func (b *MMsgBatch) prepRecv() {
	b.used = len(b.hdrs)
	b.prepUsed()
}

// prepUsed readies for recvmmsg the headers that a receive or a send
// changed since the last prepRecv or prepUsed (the first b.used); the
// others still point where prepRecv pointed them.
func (b *MMsgBatch) prepUsed() {
	n := b.used
	b.used = 0
	for i := range n {
		b.namelens[i] = uint32(len(b.names[i]))
		b.setHdr(i, i, len(b.Bufs[i]))
		if b.Control != nil && len(b.Control[i]) > 0 {
			b.hdrs[i].Hdr.Control = &b.Control[i][0]
			b.hdrs[i].Hdr.SetControllen(len(b.Control[i]))
		}
	}
}

// recvmmsg runs recvmmsg(2) once on fd with sysFlags and records what
// arrived; flags are the caller's (MSG_CMSG_CLOEXEC shows in Flags only
// when the caller asked for it).
func (b *MMsgBatch) recvmmsg(fd, sysFlags, flags int) (int, error) {
	r, _, e := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&b.hdrs[0])),
		uintptr(len(b.hdrs)), uintptr(sysFlags), 0, 0)
	runtime.KeepAlive(b)
	if e != 0 {
		return 0, e
	}
	got := int(r)
	b.used = max(b.used, got)
	for i := range got {
		b.N[i] = int(b.hdrs[i].Len)
		b.Flags[i] = int(b.hdrs[i].Hdr.Flags)
		if flags&unix.MSG_CMSG_CLOEXEC == 0 {
			b.Flags[i] &^= unix.MSG_CMSG_CLOEXEC // the kernel echoes what sockcore added
		}
		b.namelens[i] = min(b.hdrs[i].Hdr.Namelen, uint32(len(b.names[i])))
		if b.Control != nil {
			b.ControlN[i] = min(int(b.hdrs[i].Hdr.Controllen), len(b.Control[i]))
		}
	}
	return got, nil
}

// SendMMsg wraps sendmmsg(2): it sends the messages with the given indices,
// in order, each N[i] bytes to Name(i), and returns how many were sent. When
// fewer than all were sent the error, if any, belongs to message idx[sent].
func (s *Socket) SendMMsg(b *MMsgBatch, idx []int, flags int) (int, error) {
	return s.SendMMsgContext(nil, b, idx, flags)
}

// SendMMsgContext is SendMMsg that ctx can end (see AcceptContext).
func (s *Socket) SendMMsgContext(ctx context.Context, b *MMsgBatch, idx []int, flags int) (int, error) {
	if err := checkCInt("sendmmsg", "flags", flags); err != nil {
		return 0, err
	}
	if len(idx) == 0 {
		return 0, nil
	}
	b.used = max(b.used, len(idx))
	for j, i := range idx {
		b.setHdr(j, i, b.N[i])
		if b.SendControl != nil && len(b.SendControl[i]) > 0 {
			b.hdrs[j].Hdr.Control = &b.SendControl[i][0]
			b.hdrs[j].Hdr.SetControllen(len(b.SendControl[i]))
		}
	}
	if b.loopSock == s && ctx == nil && flags&unix.MSG_DONTWAIT != 0 {
		return b.sendNow(s, idx, flags)
	}
	var sent int
	err := s.ioWrite("sendmmsg", s.wait(ctx, flags), func(fd, dw int) error {
		r, _, e := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&b.hdrs[0])),
			uintptr(len(idx)), uintptr(s.sendFlags(flags|dw)), 0, 0)
		sent = int(r)
		return errnoErr(e)
	})
	runtime.KeepAlive(b)
	if err != nil {
		return 0, err
	}
	return sent, nil
}

// sendNow is SendMMsg with MSG_DONTWAIT from inside RecvMMsgLoop's
// callback: one sendmmsg on the descriptor the loop's receive holds (it
// stays open until the receive returns, even if the Socket is closed
// meanwhile), as the poller's path would make it once.
func (b *MMsgBatch) sendNow(s *Socket, idx []int, flags int) (int, error) {
	if s.fd.Load() < 0 {
		return 0, os.NewSyscallError("sendmmsg", errClosed)
	}
	for {
		r, _, e := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(b.loopFD), uintptr(unsafe.Pointer(&b.hdrs[0])),
			uintptr(len(idx)), uintptr(s.sendFlags(flags)), 0, 0)
		runtime.KeepAlive(b)
		switch e {
		case 0:
			return int(r), nil
		case unix.EINTR:
			continue
		}
		return 0, os.NewSyscallError("sendmmsg", e)
	}
}

// setHdr points header j at message i's buffer (n bytes) and name.
func (b *MMsgBatch) setHdr(j, i, n int) {
	v := &b.iovs[j]
	*v = unix.Iovec{}
	if n > 0 {
		v.Base = &b.Bufs[i][0]
		v.SetLen(n)
	}
	h := &b.hdrs[j]
	*h = unix.Mmsghdr{}
	h.Hdr.Iov = v
	h.Hdr.SetIovlen(1)
	if b.namelens[i] > 0 {
		h.Hdr.Name = &b.names[i][0]
		h.Hdr.Namelen = b.namelens[i]
	}
}
