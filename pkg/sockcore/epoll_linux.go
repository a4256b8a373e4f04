package sockcore

import (
	"encoding/binary"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Epoll is a level-triggered epoll(7) instance for event loops that serve
// many sockets from one goroutine (Python's select.epoll). Poll waits in the
// runtime poller, not in a blocking system call: the instance's own
// descriptor is registered there, so a waiting Poll holds no thread and
// honours a timeout. Wake interrupts a Poll from another goroutine.
type Epoll struct {
	fd     int
	file   *os.File // fd, registered with the runtime poller
	rc     syscall.RawConn
	wake   int // eventfd for Wake, registered with token wakeToken
	woken  atomic.Bool
	raw    []unix.EpollEvent
	once   sync.Once
	closed atomic.Bool
	// deadline: a read deadline is set on file (the last Poll had a
	// timeout).
	deadline bool
	// The state of the Poll in progress, for wait, its method value made
	// once (pollFn): a closure per Poll would be three allocations each.
	pollFn  func(uintptr) bool
	pollRaw []unix.EpollEvent
	pollN   int
	woke    bool
	noWait  bool
	pollErr error
}

// EpollEvent is one ready descriptor: the token it was registered with and
// the ready events (EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR, EPOLLRDHUP).
type EpollEvent struct {
	Token  uint64
	Events uint32
}

// wakeToken is reserved for the Wake eventfd.
const wakeToken = ^uint64(0)

// NewEpoll wraps epoll_create1(2).
func NewEpoll() (*Epoll, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	ev := tokenEvent(unix.EPOLLIN, wakeToken)
	if err := unix.EpollCtl(fd, unix.EPOLL_CTL_ADD, wake, &ev); err != nil {
		unix.Close(fd)
		unix.Close(wake)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		unix.Close(wake)
		return nil, os.NewSyscallError("fcntl", err)
	}
	f := os.NewFile(uintptr(fd), "epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		unix.Close(wake)
		return nil, err
	}
	e := &Epoll{fd: fd, file: f, rc: rc, wake: wake}
	e.pollFn = e.wait
	return e, nil
}

func tokenEvent(events uint32, token uint64) unix.EpollEvent {
	ev := unix.EpollEvent{Events: events}
	// x/sys splits epoll_data into Fd and Pad; together they are the u64.
	ev.Fd = int32(uint32(token))
	ev.Pad = int32(uint32(token >> 32))
	return ev
}

func eventToken(ev *unix.EpollEvent) uint64 {
	return uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
}

// Register adds s for events (EPOLLIN, EPOLLOUT, EPOLLRDHUP, …), reported
// with token (any value but the largest uint64). It wraps epoll_ctl(2)
// EPOLL_CTL_ADD. Closing s removes it.
func (e *Epoll) Register(s *Socket, events uint32, token uint64) error {
	return e.ctl("epoll_ctl", unix.EPOLL_CTL_ADD, s, events, token)
}

// Modify changes the events and token of a registered socket (EPOLL_CTL_MOD).
func (e *Epoll) Modify(s *Socket, events uint32, token uint64) error {
	return e.ctl("epoll_ctl", unix.EPOLL_CTL_MOD, s, events, token)
}

// Unregister removes s (EPOLL_CTL_DEL).
func (e *Epoll) Unregister(s *Socket) error {
	return e.ctl("epoll_ctl", unix.EPOLL_CTL_DEL, s, 0, 0)
}

func (e *Epoll) ctl(op string, how int, s *Socket, events uint32, token uint64) error {
	if token == wakeToken && how != unix.EPOLL_CTL_DEL {
		return os.NewSyscallError(op, unix.EINVAL)
	}
	fd, err := s.ufd()
	if err != nil {
		return os.NewSyscallError(op, err)
	}
	ev := tokenEvent(events, token)
	if err := unix.EpollCtl(e.fd, how, fd, &ev); err != nil {
		return os.NewSyscallError(op, err)
	}
	return nil
}

// Poll fills evs with ready sockets and returns how many (epoll_wait(2)).
// It waits up to timeout (negative: no limit; 0: does not wait). It returns
// 0 and no error at the timeout or when woken by Wake. One goroutine polls
// an Epoll at a time.
func (e *Epoll) Poll(evs []EpollEvent, timeout time.Duration) (int, error) {
	if len(evs) == 0 {
		return 0, os.NewSyscallError("epoll_wait", unix.EINVAL)
	}
	if cap(e.raw) < len(evs) {
		e.raw = make([]unix.EpollEvent, len(evs))
	}
	raw := e.raw[:len(evs)]
	var dl time.Time
	if timeout > 0 {
		dl = time.Now().Add(timeout)
	}
	// A deadline is a runtime timer: set or clear it only when it changes
	// from one Poll to the next (an event loop polls once per batch).
	if !dl.IsZero() || e.deadline {
		if err := e.file.SetReadDeadline(dl); err != nil {
			return 0, os.NewSyscallError("epoll_wait", errClosed)
		}
		e.deadline = !dl.IsZero()
	}
	e.pollRaw, e.pollN, e.woke, e.noWait, e.pollErr = raw, 0, false, timeout == 0, nil
	err := e.rc.Read(e.pollFn)
	n, opErr := e.pollN, e.pollErr
	e.pollRaw = nil
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return 0, nil
	case err != nil:
		return 0, os.NewSyscallError("epoll_wait", errClosed)
	case opErr != nil:
		return 0, os.NewSyscallError("epoll_wait", opErr)
	}
	for i := range n {
		evs[i] = EpollEvent{Token: eventToken(&raw[i]), Events: raw[i].Events}
	}
	return n, nil
}

// wait is one epoll_wait of Poll that does not wait (the runtime poller
// does): it reports whether Poll is done.
func (e *Epoll) wait(uintptr) bool {
	raw := e.pollRaw
	var n int
	var opErr error
	for {
		n, opErr = unix.EpollWait(e.fd, raw, 0)
		if opErr != unix.EINTR {
			break
		}
	}
	if opErr != nil {
		e.pollErr = opErr
		return true
	}
	// Drop the wake event, keeping the order of the others.
	j := 0
	woken := false
	for i := range n {
		if eventToken(&raw[i]) == wakeToken {
			woken = true
			continue
		}
		raw[j] = raw[i]
		j++
	}
	e.pollN = j
	if woken {
		e.woke = true
		// Clear the flag first: a Wake from now on writes again.
		e.woken.Store(false)
		var b [8]byte
		unix.Read(e.wake, b[:])
	}
	return j > 0 || e.woke || e.noWait
}

// Wake makes a Poll in progress, or the next one, return. It is safe from
// any goroutine and costs one write when several wakes come before a Poll;
// it must not race with Close.
func (e *Epoll) Wake() error {
	if e.closed.Load() {
		return os.NewSyscallError("write", errClosed)
	}
	if e.woken.Swap(true) {
		return nil
	}
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	if _, err := unix.Write(e.wake, one[:]); err != nil && err != unix.EAGAIN {
		return os.NewSyscallError("write", err)
	}
	return nil
}

// Close closes the instance; registered sockets stay open. Later calls
// return nil.
func (e *Epoll) Close() error {
	var err error
	e.once.Do(func() {
		e.closed.Store(true)
		err = e.file.Close()
		unix.Close(e.wake)
	})
	return err
}
