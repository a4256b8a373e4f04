package main

import (
	"errors"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// pipeSize is the capacity asked for each splice pipe (F_SETPIPE_SZ).
const pipeSize = 1 << 20 // as Go's own splice (internal/poll)

// maxHotPipes is how many connections may hold a splice pipe while they
// wait for data. They wait in splice itself (three system calls a round
// trip, as Go's own io.Copy); beyond them a connection goes back to its
// reactor (or, in inetd mode, waits with a one-byte MSG_PEEK) and owns no
// pipe or buffer meanwhile.
const maxHotPipes = 256

// stream serves one connected stream or seqpacket socket in its goroutine,
// counting in c.in and c.out. It returns closed at the peer's end of stream
// (after shutting down the write side), toReactor when the connection
// should wait in its home reactor, idle, or failed and the error that
// ended it.
func (srv *server) stream(cn *conn) (outcome, error) {
	c := cn.s
	seqpacket := c.Type() == unix.SOCK_SEQPACKET
	spliceOK := !seqpacket && !srv.cfg.discard
	for {
		var n, m int64
		var o outcome
		var err error
		cn.mode = modeCopy
		if spliceOK {
			cn.mode = modeSplice
			n, m, o, err = srv.spliceLoop(cn)
			cn.in, cn.out = cn.in+n, cn.out+m
			if errors.Is(err, unix.EINVAL) && n == 0 {
				// This socket type cannot splice (vsock, some MPTCP
				// kernels): copy through user space from now on.
				spliceOK = false
				continue
			}
			if (errors.Is(err, unix.EMFILE) || errors.Is(err, unix.ENFILE)) && n == 0 {
				// No descriptors for a pipe: keep serving through a
				// buffer.
				spliceOK = false
				continue
			}
			if o == blocked {
				// Cold: wait for data without a pipe, in the reactor
				// when there is one.
				// (spliceLoop returns blocked only when cold.)
				if next(modeSplice, burst{idle: true, home: cn.home != nil}) == modeReactor {
					return toReactor, nil
				}
				o, err = srv.waitData(c)
			}
		} else {
			if o, err = srv.waitData(c); o == more {
				n, m, o, err = srv.copyBurst(c, seqpacket)
				cn.in, cn.out = cn.in+n, cn.out+m
			}
		}
		switch o {
		case closed:
			c.Shutdown(unix.SHUT_WR)
			return closed, nil
		case idle, failed:
			return o, err
		}
	}
}

// setIdle puts c in blocking mode bounded by the idle timeout.
func (srv *server) setIdle(c *sockcore.Socket) {
	if srv.cfg.idleTimeout > 0 {
		c.SetTimeout(srv.cfg.idleTimeout)
	} else {
		c.SetTimeout(sockcore.Forever)
	}
}

// waitData waits until the socket has data (more) or the peer closed
// (closed), within the idle timeout (idle).
func (srv *server) waitData(c *sockcore.Socket) (outcome, error) {
	srv.setIdle(c)
	var one [1]byte
	n, err := c.RecvInto(one[:], unix.MSG_PEEK)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return idle, nil
	case err != nil:
		return failed, err
	case n == 0 && c.Type() != unix.SOCK_SEQPACKET:
		return closed, nil
	}
	// An empty seqpacket record and end of stream both read as 0; the
	// record is consumed by copyBurst, the end shows there as well.
	return more, nil
}

// A hot connection whose last smallBursts reads each brought less than
// smallBurst bytes echoes through a buffer instead (recv and send cost less
// than two splices for small messages) until a read fills the buffer.
const (
	smallBurst  = 4096
	smallBursts = 8
)

// spliceLoop echoes through a pipe. A hot connection (one of the first
// maxHotPipes) keeps the pipe and waits in splice; any other moves what is
// queued and returns blocked when the socket would block, giving the pipe
// back. Otherwise it returns closed, idle, or failed and the error.
func (srv *server) spliceLoop(cn *conn) (in, out int64, o outcome, err error) {
	c := cn.s
	p, err := srv.pipes.get()
	if err != nil {
		return 0, 0, failed, err
	}
	hot := srv.hot.Add(1) <= maxHotPipes
	if !hot {
		srv.hot.Add(-1)
	} else {
		defer srv.hot.Add(-1)
		srv.setIdle(c)
	}
	small := 0
	for {
		if next(modeSplice, burst{hot: hot, small: small}) == modeBuffer {
			cn.mode = modeBuffer
			n, m, o, err := srv.bufferLoop(c)
			cn.mode = modeSplice
			in, out = in+n, out+m
			if o != more {
				srv.pipes.put(p)
				return in, out, o, err
			}
			small = 0
		}
		if !hot {
			c.SetTimeout(0)
		}
		n, err := c.SpliceRecv(p.w, pipeSize)
		switch {
		case err == nil && n == 0:
			srv.pipes.put(p)
			return in, out, closed, nil
		case errors.Is(err, unix.EAGAIN):
			srv.pipes.put(p)
			return in, out, blocked, nil
		case errors.Is(err, os.ErrDeadlineExceeded):
			srv.pipes.put(p)
			return in, out, idle, nil
		case err != nil:
			srv.pipes.put(p) // empty: nothing was moved
			return in, out, failed, err
		}
		if n < smallBurst {
			small++
		} else {
			small = 0
		}
		in += int64(n)
		srv.st.bytesIn.Add(uint64(n))
		if !hot {
			// The echo may wait for a peer that does not read: no longer
			// than the idle timeout, holding the pipe.
			srv.setIdle(c)
		}
		for sent := 0; sent < n; {
			m, err := c.SpliceSend(p.r, n-sent)
			if err != nil {
				p.close() // holds unsent bytes: never reuse it
				return in, out, failed, err
			}
			sent += m
			out += int64(m)
			srv.st.bytesOut.Add(uint64(m))
		}
	}
}

// bufferLoop echoes a hot connection through a buffer until a read fills
// it (bulk data again: more, back to splice), the peer closes (closed), the
// idle timeout passes (idle) or an error (failed).
func (srv *server) bufferLoop(c *sockcore.Socket) (in, out int64, o outcome, err error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for {
		n, err := c.RecvInto(buf, 0)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			return in, out, idle, nil
		case err != nil:
			return in, out, failed, err
		case n == 0:
			return in, out, closed, nil
		}
		in += int64(n)
		srv.st.bytesIn.Add(uint64(n))
		m, err := c.SendAllCount(buf[:n], 0)
		out += int64(m)
		srv.st.bytesOut.Add(uint64(m))
		if err != nil {
			return in, out, failed, err
		}
		if next(modeBuffer, burst{n: n, full: n == len(buf)}) == modeSplice {
			return in, out, more, nil
		}
	}
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// copyBurst is spliceBurst through a user-space buffer: for discard mode,
// seqpacket records and sockets that cannot splice. It returns blocked when
// the socket would block, closed at the peer's end, or failed and the error.
func (srv *server) copyBurst(c *sockcore.Socket, seqpacket bool) (in, out int64, o outcome, err error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for {
		c.SetTimeout(0)
		n, err := c.RecvInto(buf, 0)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) {
				return in, out, blocked, nil
			}
			return in, out, failed, err
		}
		if n == 0 && !seqpacket {
			return in, out, closed, nil
		}
		if n == 0 && seqpacket {
			// An empty record, or the end: peek tells them apart.
			if _, err := c.RecvInto(buf[:1], unix.MSG_PEEK|unix.MSG_DONTWAIT); errors.Is(err, unix.EAGAIN) {
				// Still open: echo the empty record.
			} else {
				return in, out, closed, nil
			}
		}
		in += int64(n)
		srv.st.bytesIn.Add(uint64(n))
		if srv.cfg.discard {
			continue
		}
		srv.setIdle(c) // a peer that never reads holds this buffer no longer
		if seqpacket {
			_, err = c.Send(buf[:n], 0)
		} else {
			_, err = c.SendAllCount(buf[:n], 0)
		}
		if err != nil {
			return in, out, failed, err
		}
		out += int64(n)
		srv.st.bytesOut.Add(uint64(n))
	}
}

// pipe is one splice pipe: read end r, write end w.
type pipe struct{ r, w int }

func (p *pipe) close() {
	unix.Close(p.r)
	unix.Close(p.w)
}

// pipePool keeps empty pipes for reuse, at most maxIdlePipes of them.
type pipePool struct {
	mu   sync.Mutex
	free []*pipe
}

const maxIdlePipes = 64

func (pp *pipePool) get() (*pipe, error) {
	pp.mu.Lock()
	if n := len(pp.free); n > 0 {
		p := pp.free[n-1]
		pp.free = pp.free[:n-1]
		pp.mu.Unlock()
		return p, nil
	}
	pp.mu.Unlock()
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return nil, os.NewSyscallError("pipe2", err)
	}
	// A larger pipe moves more per splice; the kernel may refuse (pipe-max-size).
	unix.FcntlInt(uintptr(fds[1]), unix.F_SETPIPE_SZ, pipeSize)
	return &pipe{r: fds[0], w: fds[1]}, nil
}

func (pp *pipePool) put(p *pipe) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if len(pp.free) >= maxIdlePipes {
		p.close()
		return
	}
	pp.free = append(pp.free, p)
}
