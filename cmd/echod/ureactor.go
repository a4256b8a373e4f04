package main

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// uringReactor is the io_uring backend of the reactor (--io-uring): the
// same hand-overs as the epoll reactor of reactor.go (add, closeAll,
// stop; a connection leaves for a goroutine of its own on bulk data or a
// peer that does not take its echo at once, and comes back through add),
// but a connection waits in a receive queued in the ring, not in an epoll
// set, and the receives and sends of a whole batch of connections go to
// the kernel in one io_uring_enter.
//
// Each registered connection has one receive in the ring, drawing from
// the ring's provided buffers; its data's echo is a send of that buffer
// (MSG_DONTWAIT: it completes at once, whole, short or EAGAIN), and the
// receive is queued again once the send has completed. One send at a time
// per connection keeps the echo in order (data received meanwhile waits in
// its queue). A short send hands the rest, and what came after it, to a
// goroutine (run), as the epoll reactor does, so that a peer that does not
// read never holds one of the ring's buffers while it waits; leaving
// cancels the receive (IORING_OP_ASYNC_CANCEL) and the connection goes
// once its operations have completed. The idle sweep and closeAll cancel
// the same way.
//
// With uringMultishot the receive is a multishot one
// (IORING_RECV_MULTISHOT, 6.0), armed once and left in the ring; it is off:
// the kernel completes a receive in task work of the thread that queued
// it, and a multishot receive keeps the thread that armed it, which in a
// Go program is soon parked elsewhere: 16 ping-pong connections cost 3.7x
// the futex calls, 2.3x the context switches and 1.4x the CPU per round
// trip of a receive queued again by the loop each time
// (docs/bench/io_uring.md, session 9).
//
// The loop goroutine waits in Go's runtime poller for an eventfd that the
// kernel signals at every completion (IORING_REGISTER_EVENTFD) and add and
// stop signal too, and calls io_uring_enter only to submit, without
// waiting: no thread is parked where the scheduler cannot see it. (Waiting
// for the ring's own descriptor to turn readable, as the prototype did,
// missed wake-ups now and then: bench/echo.sh saw 16 connections served
// once a second, at the idle sweep's deadline.)
type uringReactor struct {
	srv  *server
	ring *uring
	efd  int      // the eventfd
	ef   *os.File // efd in the runtime poller
	erc  syscall.RawConn

	conns     map[uint64]*conn // owned by the loop goroutine
	nextID    uint64
	starved   []uint64 // receives that found no buffer (ENOBUFS): queued again after the batch
	single    bool     // one receive at a time: multishot off (uringMultishot) or refused by the kernel (before 6.0)
	cancelled bool     // closeAll seen: every connection is ending

	mu      sync.Mutex
	adds    []*conn
	closing bool
	quit    bool
	exited  bool // the loop closed efd
	done    chan struct{}
}

// The kinds of operation, in the low bits of user_data; the connection's
// id is above them.
const (
	ukRecv   = 1
	ukSend   = 2
	ukCancel = 3
	ukBits   = 2
)

func ud(id uint64, kind uint64) uint64 { return id<<ukBits | kind }

// uconn is a connection's state in a ring reactor (loop goroutine only).
//
// A connection has a receive in the ring (recvOp): each completion brings
// one provided buffer of data, which becomes a send (sendOp). One send at
// a time keeps the echo in order: data received while one is in the ring
// waits in queue. The receive is queued again when the kernel has ended it
// (always, but for a multishot one: out of buffers, a full completion
// queue) once no send is in the ring.
type uconn struct {
	fd     int32
	recvOp uint64 // user_data of its receive in the ring; 0: none
	sendOp uint64 // user_data of its send in the ring; 0: none
	bid    uint16 // the buffer being sent, bytes off to n
	off, n int
	queue  []ubuf // received, waiting for the send in the ring
	eof    bool   // the peer's end of stream came: close once the queue is sent
	starve bool   // its receive found no buffer (ENOBUFS): armed again after the batch

	// leaving: bound for a goroutine of its own (short send, bulk, chatty
	// alone); its receive is cancelled, and what arrives until both
	// operations have completed is kept in pend, sent by the goroutine.
	leaving bool
	pend    []byte
	ending  bool // cancelled: finish it with end (err) once no operation is left
	end     outcome
	err     error
}

// ubuf is a received provided buffer: its id and length.
type ubuf struct {
	bid uint16
	n   int
}

func newUringReactor(srv *server) (*uringReactor, error) {
	ring, err := newUring()
	if err != nil {
		return nil, err
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		ring.close()
		return nil, os.NewSyscallError("eventfd", err)
	}
	if err := ring.notify(efd); err != nil {
		ring.close()
		unix.Close(efd)
		return nil, err
	}
	r := &uringReactor{srv: srv, ring: ring, single: !uringMultishot, efd: efd, ef: os.NewFile(uintptr(efd), "io_uring-eventfd"), conns: map[uint64]*conn{}, done: make(chan struct{})}
	if r.erc, err = r.ef.SyscallConn(); err != nil {
		ring.close()
		r.ef.Close()
		return nil, err
	}
	go r.loop()
	return r, nil
}

// poke wakes the loop (r.mu held).
func (r *uringReactor) poke() {
	if !r.exited {
		one := [8]byte{1}
		unix.Write(r.efd, one[:])
	}
}

// wait waits for a completion or a poke (or the sweep's deadline).
func (r *uringReactor) wait() error {
	var b [8]byte
	return r.erc.Read(func(fd uintptr) bool {
		// Reset the count first: a completion or poke after the check
		// below counts again and wakes the poller.
		n, _ := unix.Read(int(fd), b[:])
		return n == 8 || r.ring.ready()
	})
}

func (r *uringReactor) add(c *conn) {
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		r.srv.finish(c, drained, nil)
		return
	}
	r.adds = append(r.adds, c)
	if len(r.adds) == 1 {
		r.poke()
	}
	r.mu.Unlock()
}

func (r *uringReactor) closeAll() {
	r.mu.Lock()
	r.closing = true
	r.poke()
	r.mu.Unlock()
}

func (r *uringReactor) stop() {
	r.mu.Lock()
	r.closing, r.quit = true, true
	r.poke()
	r.mu.Unlock()
	<-r.done
}

func (r *uringReactor) loop() {
	defer close(r.done)
	sweep := r.srv.cfg.idleTimeout > 0
	every := r.srv.sweepEvery()
	var nextSweep time.Time
	if sweep {
		nextSweep = time.Now().Add(every)
		r.ef.SetReadDeadline(nextSweep)
	}
	for {
		err := r.wait()
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			r.fail(err)
			return
		}
		now := time.Now()
		quit := r.takeAdds(now)
		r.reap(now)
		if sweep && !now.Before(nextSweep) {
			r.sweep(now)
			nextSweep = now.Add(every)
			r.ef.SetReadDeadline(nextSweep)
		}
		for _, id := range r.starved {
			if c, ok := r.conns[id]; ok {
				c.u.starve = false
				r.settle(id, c)
			}
		}
		r.starved = r.starved[:0]
		r.ring.publishBufs()
		if err := r.ring.submit(); err != nil {
			r.fail(err)
			return
		}
		if quit && len(r.conns) == 0 {
			r.exit()
			return
		}
	}
}

// exit closes the ring (the kernel cancels what it still holds) and the
// eventfd.
func (r *uringReactor) exit() {
	r.ring.close()
	r.mu.Lock()
	r.exited = true
	r.mu.Unlock()
	r.ef.Close()
}

// fail ends the reactor on an error of the ring itself: closing the ring
// cancels what it holds, then every connection is finished.
func (r *uringReactor) fail(err error) {
	r.srv.log.Error("io_uring", "err", err)
	r.exit()
	r.mu.Lock()
	r.closing = true
	adds := r.adds
	r.adds = nil
	r.mu.Unlock()
	for _, c := range adds {
		r.srv.finish(c, failed, err)
	}
	for id, c := range r.conns {
		delete(r.conns, id)
		r.srv.finish(c, failed, err)
	}
}

// takeAdds registers the connections handed over, each with a receive, or
// after closeAll ends every connection. It reports whether stop was asked.
func (r *uringReactor) takeAdds(now time.Time) bool {
	r.mu.Lock()
	adds, closing, quit := r.adds, r.closing, r.quit
	r.adds = nil
	r.mu.Unlock()
	if closing {
		for _, c := range adds {
			r.srv.finish(c, drained, nil)
		}
		if !r.cancelled {
			r.cancelled = true
			for id, c := range r.conns {
				r.end(id, c, drained, nil)
			}
		}
		return quit
	}
	for _, c := range adds {
		fd := c.s.Fileno()
		if fd < 0 { // closed at the drain timeout meanwhile
			r.srv.finish(c, drained, nil)
			continue
		}
		r.nextID++
		c.u = uconn{fd: int32(fd)}
		c.last = now
		c.mode = modeReactor
		r.conns[r.nextID] = c
		r.recv(r.nextID, c)
	}
	return false
}

// drop forgets connection id and finishes it.
func (r *uringReactor) drop(id uint64, c *conn, o outcome, err error) {
	delete(r.conns, id)
	r.srv.finish(c, o, err)
}

// leave hands c to a goroutine of its own with pending, what it has still
// to send.
func (r *uringReactor) leave(id uint64, c *conn, pending []byte) {
	delete(r.conns, id)
	c.mode = modeSplice
	go r.srv.run(c, pending)
}

// end finishes c with o (and err): at once when it has no operation in
// the ring, otherwise when they have completed, which it cancels.
func (r *uringReactor) end(id uint64, c *conn, o outcome, err error) {
	if c.u.ending {
		return
	}
	r.putQueue(c)
	if c.u.recvOp == 0 && c.u.sendOp == 0 {
		r.drop(id, c, o, err)
		return
	}
	c.u.ending, c.u.end, c.u.err = true, o, err
	r.cancel(id, c.u.recvOp)
	r.cancel(id, c.u.sendOp)
}

// cancel asks the kernel to end operation op (0: none) of connection id;
// its completion, -ECANCELED or its own, follows.
func (r *uringReactor) cancel(id, op uint64) {
	if op == 0 {
		return
	}
	s, err := r.ring.get()
	if err != nil {
		return // it completes on its own, or the ring's close ends it
	}
	s.Opcode = uopAsyncCancel
	s.Addr = op
	s.UserData = ud(id, ukCancel)
}

// putQueue gives back the buffers waiting in c's queue.
func (r *uringReactor) putQueue(c *conn) {
	for _, b := range c.u.queue {
		r.ring.putBuf(b.bid)
	}
	c.u.queue = c.u.queue[:0]
}

// startLeaving cancels c's receive; c leaves for a goroutine of its own
// with pend once no operation of it is left in the ring (settle).
func (r *uringReactor) startLeaving(id uint64, c *conn) {
	c.u.leaving = true
	for _, b := range c.u.queue {
		c.u.pend = append(c.u.pend, r.ring.buf(b.bid)[:b.n]...)
	}
	r.putQueue(c)
	r.cancel(id, c.u.recvOp)
}

// settle moves c on once a completion has been handled: finished or
// handed to a goroutine when its operations are done, its next send
// queued, its receive armed again.
func (r *uringReactor) settle(id uint64, c *conn) {
	u := &c.u
	switch {
	case u.ending:
		if u.recvOp == 0 && u.sendOp == 0 {
			r.drop(id, c, u.end, u.err)
		}
	case u.leaving:
		if u.recvOp == 0 && u.sendOp == 0 {
			pending := u.pend
			u.pend = nil
			r.leave(id, c, pending)
		}
	case u.sendOp != 0:
	case len(u.queue) > 0:
		b := u.queue[0]
		u.queue = append(u.queue[:0], u.queue[1:]...)
		u.bid, u.off, u.n = b.bid, 0, b.n
		r.send(id, c)
	case u.eof:
		c.s.Shutdown(unix.SHUT_WR)
		r.end(id, c, closed, nil)
	case u.recvOp == 0 && !u.starve:
		r.recv(id, c)
	}
}

func (r *uringReactor) recv(id uint64, c *conn) {
	s, err := r.ring.get()
	if err != nil {
		r.end(id, c, failed, err)
		return
	}
	s.Opcode = uopRecv
	s.Fd = c.u.fd
	s.Flags = usqeBufferSelect
	s.BufGroup = uringBgid
	if !r.single {
		s.Ioprio = urecvMultishot
	}
	s.UserData = ud(id, ukRecv)
	c.u.recvOp = s.UserData
}

func (r *uringReactor) send(id uint64, c *conn) {
	s, err := r.ring.get()
	if err != nil {
		r.ring.putBuf(c.u.bid)
		r.end(id, c, failed, err)
		return
	}
	b := r.ring.buf(c.u.bid)[c.u.off:c.u.n]
	s.Opcode = uopSend
	s.Fd = c.u.fd
	s.Addr = uint64(uintptr(unsafe.Pointer(&b[0])))
	s.Len = uint32(len(b))
	s.OpFlags = unix.MSG_NOSIGNAL | unix.MSG_DONTWAIT
	s.UserData = ud(id, ukSend)
	c.u.sendOp = s.UserData
}

// uringMultishot arms multishot receives (IORING_RECV_MULTISHOT); off (see
// uringReactor). A variable: the tests run the ring both ways.
var uringMultishot = false

// reap handles the completions queued.
func (r *uringReactor) reap(now time.Time) {
	ring := r.ring
	head := *(*uint32)(ring.cqHead)
	tail := loadU32(ring.cqTail)
	mask := *(*uint32)(ring.cqMask)
	for ; head != tail; head++ {
		r.complete(ring.cqes[head&mask], now)
	}
	storeU32(ring.cqHead, head)
}

func (r *uringReactor) complete(e ucqe, now time.Time) {
	kind, id := e.UserData&(1<<ukBits-1), e.UserData>>ukBits
	if kind == ukCancel {
		return // the cancelled operation completes on its own
	}
	c, ok := r.conns[id]
	if !ok {
		if e.Flags&ucqeFBuffer != 0 {
			r.ring.putBuf(uint16(e.Flags >> ucqeBufShift))
		}
		return
	}
	if kind == ukRecv {
		if e.Flags&ucqeFMore == 0 {
			c.u.recvOp = 0 // the kernel ended the receive
		}
		r.received(id, c, e, now)
	} else {
		c.u.sendOp = 0
		r.sent(id, c, e)
	}
	if _, ok := r.conns[id]; ok {
		r.settle(id, c)
	}
}

func (r *uringReactor) received(id uint64, c *conn, e ucqe, now time.Time) {
	srv := r.srv
	u := &c.u
	if e.Res < 0 {
		switch errno := unix.Errno(-e.Res); {
		case errno == unix.ECANCELED && (u.ending || u.leaving):
		case u.ending || u.leaving:
		case errno == unix.ENOBUFS: // every buffer in use: again after the batch gives some back
			if u.recvOp == 0 && !u.starve {
				u.starve = true
				r.starved = append(r.starved, id)
			}
		case errno == unix.EINVAL && !r.single:
			// A kernel before 6.0: no multishot receive. Single
			// receives from now on (settle arms one).
			r.single = true
		case errno == unix.EINTR || errno == unix.EAGAIN || errno == unix.ECANCELED:
		default:
			r.end(id, c, failed, errno)
		}
		return
	}
	bid := uint16(e.Flags >> ucqeBufShift)
	if e.Res == 0 {
		if e.Flags&ucqeFBuffer != 0 {
			r.ring.putBuf(bid)
		}
		u.eof = true // settle closes once the queue is sent
		if u.leaving {
			u.eof = false // the goroutine reads the end of stream itself
		}
		return
	}
	n := int(e.Res)
	if u.ending {
		r.ring.putBuf(bid)
		return
	}
	if u.leaving {
		u.pend = append(u.pend, r.ring.buf(bid)[:n]...)
		r.ring.putBuf(bid)
		return
	}
	if now.Sub(c.last) < chattyGap {
		c.quick++
	} else {
		c.quick = 0
	}
	c.last = now
	c.in += int64(n)
	srv.st.bytesIn.Add(uint64(n))
	if srv.cfg.discard {
		r.ring.putBuf(bid)
		return
	}
	if next(modeReactor, burst{n: n, sent: n, full: n == uringBufSize, quick: c.quick, peers: len(r.conns), home: true}) != modeReactor {
		// Bulk, or a chatty connection with no others to batch with (a
		// ring round trip alone costs more system calls and wakeups
		// than a goroutine's: docs/bench/io_uring.md): a goroutine of its
		// own, once the receive is cancelled.
		u.queue = append(u.queue, ubuf{bid, n})
		r.startLeaving(id, c)
		return
	}
	u.queue = append(u.queue, ubuf{bid, n}) // settle sends it
}

func (r *uringReactor) sent(id uint64, c *conn, e ucqe) {
	srv := r.srv
	u := &c.u
	if e.Res < 0 {
		if errno := unix.Errno(-e.Res); errno != unix.EAGAIN && errno != unix.EINTR && errno != unix.ECANCELED {
			r.ring.putBuf(u.bid)
			r.end(id, c, failed, errno)
			return
		}
	} else {
		u.off += int(e.Res)
		c.out += int64(e.Res)
		srv.st.bytesOut.Add(uint64(e.Res))
	}
	if u.off == u.n || u.ending {
		r.ring.putBuf(u.bid)
		return
	}
	// A short send: the peer does not take its echo at once. A goroutine
	// of its own, which may wait, sends the rest and what came after it
	// (the epoll reactor's rule, next), and the ring's buffer goes back at
	// once.
	rest := r.ring.buf(u.bid)[u.off:u.n]
	if u.leaving {
		u.pend = append(append([]byte(nil), rest...), u.pend...)
	} else {
		u.pend = append(u.pend[:0], rest...)
		r.startLeaving(id, c)
	}
	r.ring.putBuf(u.bid)
}

// sweep ends the connections idle longer than --idle-timeout.
func (r *uringReactor) sweep(now time.Time) {
	for id, c := range r.conns {
		if now.Sub(c.last) >= r.srv.cfg.idleTimeout {
			r.end(id, c, idle, nil)
		}
	}
}

// defaultIOUring is --io-uring's default.
const defaultIOUring = "off"
