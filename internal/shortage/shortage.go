// Package shortage keeps a server accepting through an open-files shortage
// (accept failing with EMFILE or ENFILE): it holds one descriptor in
// reserve; when accept fails for want of descriptors it frees the reserve,
// accepts the waiting connection with it, closes that at once (the client
// sees a clean end of stream instead of waiting in the backlog until it
// gives up) and takes the reserve back. Connections already open keep
// being served, and new ones are served again as soon as descriptors free
// up. It reports the shortage when it starts, at most once per interval
// while it lasts (with counts, not one line per failure: 83 a second
// flooded a journal), and when it ends.
package shortage

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Is reports whether err is accept failing for want of descriptors.
func Is(err error) bool { return errors.Is(err, unix.EMFILE) || errors.Is(err, unix.ENFILE) }

// Kind says what a Report is about.
type Kind int

const (
	Started Kind = iota // the first failure; Err and Limit are set
	Ongoing             // one interval of the shortage: counts since the last report
	Over                // an accept succeeded again: counts since the last report
)

// Report is what a Guard tells its owner.
type Report struct {
	Kind   Kind
	Err    error         // Started: the accept error
	Limit  uint64        // Started: the open-files soft limit
	Closed uint64        // connections closed at once since the last report
	Failed uint64        // failures without a reserve since the last report
	Since  time.Duration // Ongoing: time since the last report
}

// Guard is one server's shortage state. The zero value is not usable: call
// New.
type Guard struct {
	every  time.Duration
	report func(Report) // called with mu held: keep it short

	mu      sync.Mutex
	reserve int         // -1: none (it could not be taken back)
	on      atomic.Bool // accept failed and has not succeeded since (read without mu)
	lastLog time.Time   // of the last report
	closed  uint64
	failed  uint64
}

// New takes the reserve descriptor and returns the guard; report is called
// for each Report, at most one Ongoing per interval every.
func New(every time.Duration, report func(Report)) *Guard {
	g := &Guard{every: every, report: report, reserve: -1}
	g.takeReserve()
	return g
}

// takeReserve opens the reserve descriptor if it is not held (mu held or
// not yet shared).
func (g *Guard) takeReserve() {
	if g.reserve >= 0 {
		return
	}
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err == nil {
		g.reserve = fd
	}
}

// Close releases the reserve descriptor (the server has ended).
func (g *Guard) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.reserve >= 0 {
		unix.Close(g.reserve)
		g.reserve = -1
	}
}

// Failed handles an accept on the listening descriptor lfd that failed
// with err (Is(err)). It reports whether a connection was closed at once
// (shed); when none was, it waits a little for descriptors to free up
// rather than let the caller spin on accept.
func (g *Guard) Failed(lfd int, err error) (shed bool) {
	g.mu.Lock()
	now := time.Now()
	if !g.on.Load() {
		g.on.Store(true)
		g.lastLog = now
		var lim unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
		g.report(Report{Kind: Started, Err: err, Limit: lim.Cur})
	}
	// accept4 itself failed: the connection is still queued. Otherwise the
	// descriptor came and a later step (sockcore's own descriptor setup)
	// failed, and the connection is already closed.
	var se *os.SyscallError
	queued := errors.As(err, &se) && se.Syscall == "accept"
	if !queued {
		shed = true
	} else if g.reserve >= 0 {
		unix.Close(g.reserve)
		g.reserve = -1
		// The listener is non-blocking (the runtime poller waits for it):
		// accept4 answers EAGAIN when another loop took the connection.
		fd, _, aerr := unix.Accept4(lfd, unix.SOCK_CLOEXEC)
		if aerr == nil {
			unix.Close(fd)
			shed = true
		}
		g.takeReserve()
	}
	if shed {
		g.closed++
	} else {
		g.failed++
	}
	if now.Sub(g.lastLog) >= g.every {
		g.report(Report{Kind: Ongoing, Closed: g.closed, Failed: g.failed, Since: now.Sub(g.lastLog)})
		g.closed, g.failed, g.lastLog = 0, 0, now
	}
	g.mu.Unlock()
	if !shed {
		// No reserve (or ENFILE took it too): wait for descriptors to
		// free up rather than spin on accept.
		time.Sleep(10 * time.Millisecond)
	}
	return shed
}

// Accepted ends a shortage at the first accept that succeeds.
func (g *Guard) Accepted() {
	if !g.on.Load() {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.on.Load() {
		return
	}
	g.on.Store(false)
	g.report(Report{Kind: Over, Closed: g.closed, Failed: g.failed})
	g.closed, g.failed = 0, 0
	g.takeReserve()
}
