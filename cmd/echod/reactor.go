package main

import (
	"errors"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// A connection starts in a reactor: one goroutine for every two CPUs that waits for
// many connections in one level-triggered epoll set and echoes what a
// connection has queued with one recv and one send, with no goroutine, pipe
// or buffer of its own. Small messages cost two system calls each and many
// connections share each wakeup, where a goroutine per connection costs a
// third call (the read that finds nothing) and a scheduler round trip per
// message. Idle connections cost only their socket and a conn.
//
// A connection leaves its reactor for a goroutine (run, the splice path of
// stream.go) when a read fills the reactor's buffer (bulk data) or the
// socket cannot take the whole echo at once (the peer reads slowly: the rest
// is sent by the goroutine, which may block). The goroutine gives it back
// when its reads turn small again or it would wait without a pipe.

// reactorBuf is the reactor's read buffer; a read that fills it is bulk.
const reactorBuf = 64 << 10

// Small messages stay in the reactor however often they come. A chatty
// connection used to leave for a goroutine of its own (splice, then recv
// and send through a buffer); on this 2-CPU machine, 16 ping-pong
// connections, interleaved medians of 7 rounds (shared machine): that costs
// 3.4 system calls per round trip against 2.4 in the reactor (perf stat
// raw_syscalls:sys_enter), and with one reactor per CPU, reactors and
// clients took turns on the CPUs, while half as many reactors (below) gave
// 1.03x the round trips, 0.79x the p99 and 0.78x the CPU per round trip of
// the goroutines. See startReactors.
//
// A chatty connection alone in its reactor (chattyAlone or fewer there)
// still leaves for a goroutine of its own: with nothing to batch, the
// reactor's epoll wait is a second wakeup per round trip on top of the
// runtime poller's, and one ping-pong connection then did 0.41x the round
// trips of the io.Copy server.
const (
	chattyGap   = time.Millisecond
	chattyRuns  = 4
	chattyAlone = 2
)

// conn is one accepted connection and what it has moved.
//
// One goroutine owns a conn at a time: the accepting goroutine until it
// hands it over; then the loop of its home reactor while it is registered
// there (from takeAdds until serve, sweep or closeAll drops it), and the
// goroutine of run otherwise. Handing over is reactor.add (under r.mu) or
// `go srv.run`, both of which order the old owner's writes before the new
// owner's reads; nothing reads a conn it does not own.
type conn struct {
	s       *sockcore.Socket // current owner (and its timeout mode: see mode)
	peer    string           // set at accept, read-only after
	start   time.Time        // set at accept, read-only after
	in, out int64            // current owner
	home    reactorLoop      // set at accept, read-only after: where it waits between bursts (nil: always in its goroutine)
	mode    mode             // current owner: the path serving it (see next)
	last    time.Time        // reactor loop only: last activity it saw
	quick   int              // reactor loop only: messages in a row within chattyGap of the one before
	u       uconn            // ring reactor loop only (ureactor.go)
}

// reactorLoop is where a connection waits between bursts: the epoll
// reactor below or the io_uring one of ureactor.go (--io-uring).
type reactorLoop interface {
	add(c *conn) // take c (finish it after closeAll)
	closeAll()   // finish every connection, now and later
	stop()       // closeAll and end the loop
}

type reactor struct {
	srv *server
	ep  *sockcore.Epoll
	buf []byte

	conns  map[uint64]*conn // owned by the loop goroutine
	nextID uint64

	mu      sync.Mutex
	adds    []*conn // handed over, not yet registered
	closing bool    // closeAll: finish every connection, take no more
	quit    bool    // stop: the loop returns once closing is done
	done    chan struct{}
}

func newReactor(srv *server) (*reactor, error) {
	ep, err := sockcore.NewEpoll()
	if err != nil {
		return nil, err
	}
	r := &reactor{srv: srv, ep: ep, buf: make([]byte, reactorBuf), conns: map[uint64]*conn{}, done: make(chan struct{})}
	go r.loop()
	return r, nil
}

// add hands c to the reactor. After closeAll it closes c instead.
func (r *reactor) add(c *conn) {
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		r.srv.finish(c, drained, nil)
		return
	}
	r.adds = append(r.adds, c)
	first := len(r.adds) == 1
	r.mu.Unlock()
	if first {
		r.ep.Wake()
	}
}

// closeAll finishes every connection of the reactor, now and later.
func (r *reactor) closeAll() {
	r.mu.Lock()
	r.closing = true
	r.mu.Unlock()
	r.ep.Wake()
}

// stop closes every connection and ends the loop.
func (r *reactor) stop() {
	r.mu.Lock()
	r.closing, r.quit = true, true
	r.mu.Unlock()
	r.ep.Wake()
	<-r.done
	r.ep.Close()
}

// sweepEvery is how often a reactor looks for connections idle longer than
// --idle-timeout: an eighth of it, between 10 ms and 1 s.
func (srv *server) sweepEvery() time.Duration {
	return min(max(srv.cfg.idleTimeout/8, 10*time.Millisecond), time.Second)
}

func (r *reactor) loop() {
	defer close(r.done)
	evs := make([]sockcore.EpollEvent, 128)
	timeout := time.Duration(-1)
	var nextSweep time.Time
	if r.srv.cfg.idleTimeout > 0 {
		timeout = r.srv.sweepEvery()
		nextSweep = time.Now().Add(timeout)
	}
	for {
		n, err := r.ep.Poll(evs, timeout)
		if err != nil {
			r.srv.log.Error("epoll_wait", "err", err)
			return
		}
		now := time.Now()
		if r.takeAdds(now) {
			return
		}
		for _, ev := range evs[:n] {
			if c, ok := r.conns[ev.Token]; ok {
				r.serve(ev.Token, c, now)
			}
		}
		if !nextSweep.IsZero() && !now.Before(nextSweep) {
			r.sweep(now)
			nextSweep = now.Add(timeout)
		}
	}
}

// takeAdds registers the connections handed over since the last Poll, or
// finishes them all after closeAll. It reports whether the loop should end.
func (r *reactor) takeAdds(now time.Time) bool {
	r.mu.Lock()
	adds, closing, quit := r.adds, r.closing, r.quit
	r.adds = nil
	r.mu.Unlock()
	if closing {
		for _, c := range adds {
			r.srv.finish(c, drained, nil)
		}
		for id, c := range r.conns {
			delete(r.conns, id)
			r.srv.finish(c, drained, nil)
		}
		return quit
	}
	for _, c := range adds {
		r.nextID++
		c.s.SetTimeout(0) // non-blocking: the reactor never waits in a call
		if err := r.ep.Register(c.s, unix.EPOLLIN|unix.EPOLLRDHUP, r.nextID); err != nil {
			r.srv.finish(c, failed, err)
			continue
		}
		c.last = now
		c.mode = modeReactor
		r.conns[r.nextID] = c
	}
	return false
}

// serve echoes what connection c has queued.
func (r *reactor) serve(id uint64, c *conn, now time.Time) {
	srv := r.srv
	// RecvIntoNow and SendNow: epoll said the socket is readable, and the
	// calls cannot wait, so they skip the scheduler's system-call state
	// (see sendAllNow).
	n, err := c.s.RecvIntoNow(r.buf, 0)
	switch {
	case errors.Is(err, unix.EAGAIN):
		return
	case err != nil:
		r.drop(id)
		srv.finish(c, failed, err)
		return
	case n == 0:
		r.drop(id)
		c.s.Shutdown(unix.SHUT_WR)
		srv.finish(c, closed, nil)
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
	m := n
	if !srv.cfg.discard {
		m, err = sendAllNow(c.s, r.buf[:n])
		c.out += int64(m)
		srv.st.bytesOut.Add(uint64(m))
		if err != nil && !errors.Is(err, unix.EAGAIN) {
			r.drop(id)
			srv.finish(c, failed, err)
			return
		}
	}
	b := burst{n: n, sent: m, full: n == len(r.buf), quick: c.quick, peers: len(r.conns), home: true}
	if c.mode = next(c.mode, b); c.mode != modeReactor {
		// Bulk, a peer that does not read its echo, or a chatty connection
		// with no others to batch with: a goroutine of its own, which may
		// block, sends the rest.
		r.ep.Unregister(c.s)
		r.drop(id)
		pending := append([]byte(nil), r.buf[m:n]...)
		go srv.run(c, pending)
	}
}

func (r *reactor) drop(id uint64) { delete(r.conns, id) }

// sendAllNow sends b until it is sent or the socket would block (EAGAIN),
// and returns how much it sent. With SendNow and RecvIntoNow in place of
// SendAllCount and RecvInto (system calls the scheduler must assume can
// block: entersyscall, exitsyscall, a P that sysmon may hand over), the
// reactor took 0.90x the CPU per round trip at 16 ping-pong connections on
// this 2-CPU machine (medians of 5 interleaved rounds, shared machine).
func sendAllNow(s *sockcore.Socket, b []byte) (int, error) {
	m := 0
	for m < len(b) {
		k, err := s.SendNow(b[m:], 0)
		m += k
		if err != nil {
			return m, err
		}
	}
	return m, nil
}

// sweep closes the connections idle longer than --idle-timeout.
func (r *reactor) sweep(now time.Time) {
	for id, c := range r.conns {
		if now.Sub(c.last) >= r.srv.cfg.idleTimeout {
			delete(r.conns, id)
			r.srv.finish(c, idle, nil)
		}
	}
}

// run serves c in a goroutine of its own, first sending pending (what a
// reactor could not send), until it ends or goes back to a reactor.
func (srv *server) run(c *conn, pending []byte) {
	srv.setIdle(c.s)
	if len(pending) > 0 {
		m, err := c.s.SendAllCount(pending, 0)
		c.out += int64(m)
		srv.st.bytesOut.Add(uint64(m))
		if err != nil {
			srv.finish(c, failed, err)
			return
		}
	}
	o, err := srv.stream(c)
	if o == toReactor {
		c.home.add(c)
		return
	}
	srv.finish(c, o, err)
}

// finish logs c's end with -v, closes it and forgets it. o says why it
// ended (closed, idle, drained); with failed, err does. A deadline that
// passed is the idle timeout.
func (srv *server) finish(c *conn, o outcome, err error) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		o, err = idle, nil
	}
	if srv.cfg.verbose {
		args := []any{"peer", c.peer, "bytes_in", c.in, "bytes_out", c.out, "seconds", time.Since(c.start).Seconds()}
		switch {
		case err != nil:
			args = append(args, "err", err.Error())
		case o == idle:
			args = append(args, "err", "idle timeout")
		case o == drained:
			args = append(args, "err", "closed at the drain timeout")
		}
		srv.log.Info("closed", args...)
	}
	c.s.Close()
	srv.untrack(c.s)
}
