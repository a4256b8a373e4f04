package main

// fdpass hold: the descriptor holder daemon (s6-fdholder's job). The protocol
// is in holdproto.go.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// denyWait is how long a refused peer has to send the request that gets
// the refusal.
const denyWait = 5 * time.Second

type holder struct {
	maxNames  int
	ownUID    uint32
	allowUIDs map[uint32]bool
	allowGIDs map[uint32]bool
	logw      io.Writer         // nil: quiet
	expired   func(name string) // called after an expiry, for tests

	mu      sync.Mutex
	entries map[string]*entry
}

type entry struct {
	fds     []int
	expires time.Time // zero: never
	timer   *time.Timer
}

func newHolder(maxNames int, uids, gids []int, logw io.Writer) *holder {
	h := &holder{
		maxNames: maxNames, ownUID: uint32(os.Geteuid()), logw: logw,
		allowUIDs: map[uint32]bool{}, allowGIDs: map[uint32]bool{},
		entries: map[string]*entry{},
	}
	for _, u := range uids {
		h.allowUIDs[uint32(u)] = true
	}
	for _, g := range gids {
		h.allowGIDs[uint32(g)] = true
	}
	return h
}

func (h *holder) logf(format string, args ...any) {
	if h.logw != nil {
		fmt.Fprintf(h.logw, "fdpass: hold: "+format+"\n", args...)
	}
}

// allowed: the holder's own uid, root (which could take the descriptors
// with pidfd_getfd anyway), and the uids and gids given with --allow-uid and
// --allow-gid.
func (h *holder) allowed(c *unix.Ucred) bool {
	return c.Uid == 0 || c.Uid == h.ownUID || h.allowUIDs[c.Uid] || h.allowGIDs[c.Gid]
}

// serve accepts connections on ln until ctx ends, then closes every
// connection and every held descriptor.
func (h *holder) serve(ctx context.Context, ln *sockcore.Socket) error {
	var (
		wg    sync.WaitGroup
		cmu   sync.Mutex
		conns = map[*sockcore.Socket]bool{}
	)
	var err error
	for {
		c, _, aerr := ln.AcceptContext(ctx)
		if aerr != nil {
			if ctx.Err() == nil {
				err = aerr
			}
			break
		}
		c.SetTimeout(sockcore.Forever)
		cmu.Lock()
		conns[c] = true
		cmu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.handle(ctx, c)
			cmu.Lock()
			delete(conns, c)
			cmu.Unlock()
			c.Close()
		}()
	}
	ln.Close()
	cmu.Lock()
	for c := range conns {
		c.Close()
	}
	cmu.Unlock()
	wg.Wait()
	h.closeAll()
	return err
}

func (h *holder) handle(ctx context.Context, c *sockcore.Socket) {
	cred, err := peerCred(c)
	if err != nil {
		return
	}
	who := credString(cred)
	if !h.allowed(cred) {
		// Read the first request before refusing it: closing with it unread
		// would make the peer's recvmsg fail with ECONNRESET before it sees
		// the refusal.
		h.logf("%s: refused", who)
		c.SetTimeout(denyWait)
		if b, err := recvBatchContext(ctx, c, scmMaxFD); err == nil {
			b.Close()
		}
		c.Send(errReply(errDenied, "uid %d gid %d may not use this holder (it allows uid %d; start it with --allow-uid or --allow-gid)", cred.Uid, cred.Gid, h.ownUID), 0)
		return
	}
	for {
		b, err := recvBatchContext(ctx, c, scmMaxFD)
		if err != nil {
			if errors.Is(err, errTruncated) {
				h.logf("%s: %v", who, err)
				c.Send(errReply(errBad, "more than %d descriptors in one message: none kept", scmMaxFD), 0)
				continue
			}
			return
		}
		req, err := parseRequest(b.Data)
		if err != nil {
			b.Close()
			h.logf("%s: bad request: %v", who, err)
			c.Send(errReply(errBad, "%v", err), 0)
			continue
		}
		if req.Op != opStore && len(b.FDs) > 0 {
			b.Close()
			c.Send(errReply(errBad, "%s carries no descriptors", req.Op), 0)
			continue
		}
		res := h.do(c, req, b.FDs)
		h.logf("%s: %s -> %s", who, strings.TrimSuffix(req.String(), "\n"), res)
	}
}

// do carries out one request and replies; it returns a word for the log.
func (h *holder) do(c *sockcore.Socket, req request, fds []int) string {
	send := func(msg []byte) { c.Send(msg, 0) }
	switch req.Op {
	case opStore:
		if len(fds) == 0 {
			send(errReply(errBad, "STORE %s came without descriptors", req.Name))
			return errBad
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.entries[req.Name]; ok {
			closeFDs(fds)
			send(errReply(errExists, "%s is already held (DELETE it first)", req.Name))
			return errExists
		}
		if len(h.entries) >= h.maxNames {
			closeFDs(fds)
			send(errReply(errFull, "the holder keeps at most %d names (--max-names)", h.maxNames))
			return errFull
		}
		e := &entry{fds: fds}
		if req.TTLms > 0 {
			ttl := time.Duration(req.TTLms) * time.Millisecond
			e.expires = time.Now().Add(ttl)
			e.timer = time.AfterFunc(ttl, func() { h.expire(req.Name, e) })
		}
		h.entries[req.Name] = e
		send(okReply())
		return "OK"
	case opRetrieve, opTake:
		fds, err := h.checkout(req.Name, req.Op == opTake)
		if err != nil {
			send(errReply(errNotFound, "nothing held under %s", req.Name))
			return errNotFound
		}
		defer closeFDs(fds)
		if _, err := sockcore.SendFDs(c, [][]byte{okReply(strconv.Itoa(len(fds)))}, fds); err != nil {
			return err.Error()
		}
		return "OK"
	case opDelete:
		h.mu.Lock()
		e, ok := h.entries[req.Name]
		if ok {
			h.drop(req.Name, e)
		}
		h.mu.Unlock()
		if !ok {
			send(errReply(errNotFound, "nothing held under %s", req.Name))
			return errNotFound
		}
		send(okReply())
		return "OK"
	case opList:
		h.mu.Lock()
		list := make([]listEntry, 0, len(h.entries))
		now := time.Now()
		for name, e := range h.entries {
			le := listEntry{Name: name, N: len(e.fds)}
			if !e.expires.IsZero() {
				le.TTLms = max(1, e.expires.Sub(now).Milliseconds())
			}
			list = append(list, le)
		}
		h.mu.Unlock()
		send(okReply(strconv.Itoa(len(list))))
		for _, le := range list {
			send([]byte(le.String()))
		}
		return "OK"
	}
	return errBad
}

// checkout returns descriptors to send for name: duplicates for RETRIEVE
// (the held ones stay held even if an expiry closes them meanwhile), the
// held ones themselves for TAKE. The caller closes what it gets.
func (h *holder) checkout(name string, take bool) ([]int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.entries[name]
	if !ok {
		return nil, os.ErrNotExist
	}
	if take {
		delete(h.entries, name)
		if e.timer != nil {
			e.timer.Stop()
		}
		return e.fds, nil
	}
	dups := make([]int, 0, len(e.fds))
	for _, fd := range e.fds {
		d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			closeFDs(dups)
			return nil, os.NewSyscallError("fcntl", err)
		}
		dups = append(dups, d)
	}
	return dups, nil
}

// drop removes e and closes its descriptors; h.mu is held.
func (h *holder) drop(name string, e *entry) {
	delete(h.entries, name)
	if e.timer != nil {
		e.timer.Stop()
	}
	closeFDs(e.fds)
}

func (h *holder) expire(name string, e *entry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.entries[name] == e {
		h.drop(name, e)
		h.logf("%s expired", name)
		if h.expired != nil {
			h.expired(name)
		}
	}
}

func (h *holder) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, e := range h.entries {
		h.drop(name, e)
	}
}
