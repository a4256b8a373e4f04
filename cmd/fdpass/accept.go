package main

// Accepting connections without dying of it: hold and activate --accept
// ride out every accept error a peer or the system can cause (EMFILE,
// ENFILE, ENOBUFS, ENOMEM, ECONNABORTED, EINTR, EPROTO, EPERM …) by backing
// off and accepting again; only an error that means the listener itself is
// gone (EBADF, EINVAL, ENOTSOCK) ends the loop. At the open-files limit a
// reserve descriptor is given up for a moment to accept the waiting
// connection and close it at once, so that clients beyond the limit get a
// clean close instead of waiting in the backlog, and the complaint is
// printed once per interval with a count.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
)

type acceptor struct {
	ln       *sockcore.Socket
	complain *complainer
	reserve  int // a descriptor kept for accept-and-close at EMFILE; -1: none
	backoff  time.Duration
	starved  bool // accept failed for want of descriptors since the last success
	shed     int  // connections closed at once meanwhile
}

func newAcceptor(ln *sockcore.Socket, c *complainer) *acceptor {
	return &acceptor{ln: ln, complain: c, reserve: openReserve()}
}

func openReserve() int {
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	return fd
}

// close releases the reserve descriptor.
func (a *acceptor) close() {
	if a.reserve >= 0 {
		unix.Close(a.reserve)
		a.reserve = -1
	}
}

// accept returns the next connection. It returns an error only when ctx
// ends, the listener is gone or its timeout expired.
func (a *acceptor) accept(ctx context.Context) (*sockcore.Socket, sockcore.Addr, error) {
	for {
		s, peer, err := a.ln.AcceptContext(ctx)
		if err == nil {
			a.backoff = 0
			if a.reserve < 0 {
				a.reserve = openReserve()
			}
			if a.starved {
				a.complain.say("accept-again", "accept: descriptors free again: accepting (%s closed at once meanwhile)", shedCount(a.shed))
				a.starved, a.shed = false, 0
			}
			return s, peer, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if listenerGone(err) || errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, nil, err
		}
		if outOfDescriptors(err) {
			a.starved = true
			a.complain.say("accept", "accept: %v: closing new connections at once until descriptors free up (raise the open-files limit, ulimit -n)", err)
			if a.shedOne() {
				continue
			}
		} else {
			a.complain.say("accept", "accept: %v: backing off and accepting again", err)
		}
		a.backoff = min(max(2*a.backoff, acceptBackoffMin), acceptBackoffMax)
		t := time.NewTimer(a.backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil, ctx.Err()
		case <-t.C:
		}
	}
}

// shedCount says how many connections were shed: "1 connection was",
// "2 connections were".
func shedCount(n int) string {
	if n == 1 {
		return "1 connection was"
	}
	return fmt.Sprintf("%d connections were", n)
}

// shedOne gives up the reserve descriptor, accepts the waiting connection,
// closes it and takes the reserve back. It reports whether a connection was
// closed.
func (a *acceptor) shedOne() bool {
	if a.reserve < 0 {
		a.reserve = openReserve()
		return false
	}
	unix.Close(a.reserve)
	a.reserve = -1
	closed := false
	if fd := a.ln.Fileno(); fd >= 0 {
		nfd, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK)
		if err == nil {
			unix.Close(nfd)
			a.shed++
			closed = true
		}
	}
	a.reserve = openReserve()
	return closed
}

func outOfDescriptors(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}

// listenerGone reports the accept errors after which accepting again
// cannot succeed.
func listenerGone(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.EBADF) || errors.Is(err, syscall.EINVAL) ||
		errors.Is(err, syscall.ENOTSOCK) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.EFAULT)
}
