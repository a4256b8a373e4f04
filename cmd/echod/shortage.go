package main

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// shortageLogEvery is how often echod logs, while accept keeps failing for
// want of descriptors (EMFILE, ENFILE), how many connections it closed at
// once meanwhile: one line per interval, not one per failure (83 a second
// flooded the journal).
const shortageLogEvery = 10 * time.Second

// shortage is the state of an open-files shortage. echod keeps one
// descriptor in reserve (on /dev/null); when accept fails for want of
// descriptors it frees the reserve, accepts the waiting connection with it,
// closes that at once (the client sees a clean end of stream instead of
// waiting in the backlog until it gives up) and takes the reserve back.
// Connections already open keep being served, and echod serves new ones
// again by itself as soon as descriptors free up.
type shortage struct {
	mu      sync.Mutex
	reserve int         // -1: none (it could not be taken back)
	on      atomic.Bool // accept failed and has not succeeded since (read without mu)
	lastLog time.Time   // of the last line
	closed  uint64      // connections closed at once since the last line
	failed  uint64      // failures without a reserve since the last line
}

func (sh *shortage) init() {
	sh.reserve = -1
	sh.takeReserve()
}

// takeReserve opens the reserve descriptor if it is not held.
func (sh *shortage) takeReserve() {
	if sh.reserve >= 0 {
		return
	}
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err == nil {
		sh.reserve = fd
	}
}

// release closes the reserve descriptor (serve has ended).
func (sh *shortage) release() {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.reserve >= 0 {
		unix.Close(sh.reserve)
		sh.reserve = -1
	}
}

// outOfDescriptors handles an accept that failed with EMFILE or ENFILE on l.
func (srv *server) outOfDescriptors(l *listener, err error) {
	sh := &srv.shortage
	sh.mu.Lock()
	now := time.Now()
	if !sh.on.Load() {
		sh.on.Store(true)
		sh.lastLog = now
		var lim unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
		srv.log.Error("out of descriptors: closing new connections at once until some close (raise the open-files limit)",
			"err", err, "open_files_limit", lim.Cur)
	}
	// accept4 itself failed: the connection is still queued. Otherwise the
	// descriptor came and a later step (sockcore's own descriptor setup)
	// failed, and the connection is already closed.
	var se *os.SyscallError
	queued := errors.As(err, &se) && se.Syscall == "accept"
	shed := false
	if !queued {
		sh.closed++
		srv.st.refused.Add(1)
		shed = true
	} else if sh.reserve >= 0 {
		unix.Close(sh.reserve)
		sh.reserve = -1
		// The listener is non-blocking (the runtime poller waits for it):
		// accept4 answers EAGAIN when another loop took the connection.
		fd, _, aerr := unix.Accept4(l.s.Fileno(), unix.SOCK_CLOEXEC)
		if aerr == nil {
			unix.Close(fd)
			sh.closed++
			srv.st.refused.Add(1)
			shed = true
		}
		sh.takeReserve()
	}
	if !shed {
		sh.failed++
	}
	if now.Sub(sh.lastLog) >= shortageLogEvery {
		srv.log.Warn("out of descriptors", "closed_at_once", sh.closed, "accept_failures", sh.failed,
			"seconds", now.Sub(sh.lastLog).Round(time.Second).Seconds())
		sh.closed, sh.failed, sh.lastLog = 0, 0, now
	}
	sh.mu.Unlock()
	if !shed {
		// No reserve (or ENFILE took it too): wait for descriptors to
		// free up rather than spin on accept.
		time.Sleep(10 * time.Millisecond)
	}
}

// descriptorsBack ends a shortage at the first accept that succeeds.
func (srv *server) descriptorsBack() {
	sh := &srv.shortage
	if !sh.on.Load() {
		return
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if !sh.on.Load() {
		return
	}
	sh.on.Store(false)
	srv.log.Info("descriptors available again", "closed_at_once", sh.closed, "accept_failures", sh.failed)
	sh.closed, sh.failed = 0, 0
	sh.takeReserve()
}
