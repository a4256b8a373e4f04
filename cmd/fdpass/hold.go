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
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// Defaults of the holder's limits (hold --max-conns, --max-conns-per-uid,
// --client-timeout).
const (
	defaultMaxConns       = 64
	defaultMaxConnsPerUID = 16
	defaultClientTimeout  = 30 * time.Second
)

type holder struct {
	maxNames      int
	maxConns      int           // connections served at once
	maxPerUID     int           // connections served at once per peer uid
	clientTimeout time.Duration // bounds every receive and send on a connection
	ownUID        uint32
	allowUIDs     map[uint32]bool
	allowGIDs     map[uint32]bool
	logw          io.Writer         // nil: quiet
	complain      *complainer       // rate-limited complaints; nil: quiet
	expired       func(name string) // called after an expiry, for tests

	mu      sync.Mutex
	entries map[string]*entry
	order   []string // names in the order they were stored
}

type entry struct {
	fds     []int
	expires time.Time // zero: never
	timer   *time.Timer
}

func newHolder(maxNames int, uids, gids []int, logw io.Writer) *holder {
	h := &holder{
		maxNames: maxNames, ownUID: uint32(os.Geteuid()), logw: logw,
		maxConns: defaultMaxConns, maxPerUID: defaultMaxConnsPerUID, clientTimeout: defaultClientTimeout,
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
	return allowedPeer(c, h.ownUID, h.allowUIDs, h.allowGIDs)
}

func allowedPeer(c *unix.Ucred, own uint32, uids, gids map[uint32]bool) bool {
	return c.Uid == 0 || c.Uid == own || uids[c.Uid] || gids[c.Gid]
}

// serve accepts connections on ln until ctx ends, then closes every
// connection and every held descriptor. No accept error ends it, except
// one that means ln itself is gone: a flood of connections at the
// open-files limit costs the flood its connections, never what is held.
func (h *holder) serve(ctx context.Context, ln *sockcore.Socket) error {
	var (
		wg     sync.WaitGroup
		cmu    sync.Mutex
		conns  = map[*sockcore.Socket]bool{}
		perUID = map[uint32]int{}
	)
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		cmu.Lock()
		for c := range conns {
			c.Close()
		}
		cmu.Unlock()
	})
	defer stop()
	acc := newAcceptor(ln, h.complain)
	defer acc.close()
	var err error
	for {
		c, _, aerr := acc.accept(ctx)
		if aerr != nil {
			if ctx.Err() == nil {
				err = aerr
			}
			break
		}
		cred, cerr := peerCred(c)
		if cerr != nil {
			c.Close()
			continue
		}
		who := credString(cred)
		if !h.allowed(cred) {
			h.logf("%s: refused", who)
			h.complain.say("refused", "refused uid %d gid %d (not allowed: --allow-uid, --allow-gid)", cred.Uid, cred.Gid)
			refuse(c, errReply(errDenied, "uid %d gid %d may not use this holder (it allows uid %d; start it with --allow-uid or --allow-gid)", cred.Uid, cred.Gid, h.ownUID))
			continue
		}
		cmu.Lock()
		n, nuid := len(conns), perUID[cred.Uid]
		full := n >= h.maxConns || nuid >= h.maxPerUID
		if !full {
			conns[c] = true
			perUID[cred.Uid]++
		}
		cmu.Unlock()
		if full {
			h.logf("%s: refused: busy", who)
			h.complain.say("busy", "busy: refused a connection of uid %d (%d connections, %d of this uid; --max-conns %d, --max-conns-per-uid %d)", cred.Uid, n, nuid, h.maxConns, h.maxPerUID)
			refuse(c, errReply(errBusy, "the holder serves %d connections at once, %d per uid (--max-conns, --max-conns-per-uid): try again", h.maxConns, h.maxPerUID))
			continue
		}
		c.SetTimeout(h.clientTimeout)
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.handle(c, who)
			cmu.Lock()
			delete(conns, c)
			if perUID[cred.Uid]--; perUID[cred.Uid] == 0 {
				delete(perUID, cred.Uid)
			}
			cmu.Unlock()
			c.Close()
			h.logf("%s: closed", who)
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
	h.complain.stop()
	return err
}

// refuse answers a peer that is not served with msg and closes the
// connection at once, without waiting for anything. SHUT_RD first makes the
// peer's further sends fail (EPIPE); what it sent before is drained (its
// descriptors closed), so that the close does not turn into ECONNRESET on
// the peer's side before it reads msg.
func refuse(c *sockcore.Socket, msg []byte) {
	defer c.Close()
	c.Shutdown(unix.SHUT_RD)
	c.SetBlocking(false)
	for range 1024 {
		b, err := recvBatch(c, scmMaxFD)
		if err == nil {
			b.Close()
			continue
		}
		if !errors.Is(err, errTruncated) {
			break
		}
	}
	c.Send(msg, unix.MSG_DONTWAIT)
}

// handle serves one connection. Every receive and send on it has the
// client timeout, so a peer that sends nothing or reads nothing is cut off;
// no reply is sent while the holder's lock is held, so such a peer stalls
// only its own connection.
func (h *holder) handle(c *sockcore.Socket, who string) {
	for {
		b, err := recvBatch(c, scmMaxFD)
		if err != nil {
			switch {
			case errors.Is(err, errOutOfFDs):
				h.complain.say("recvfds", "%s: %v", who, err)
				if !h.reply(c, who, errReply(errBusy, "the holder is out of descriptors (its open-files limit): none kept, try again")) {
					return
				}
				continue
			case errors.Is(err, errTruncated):
				h.logf("%s: %v", who, err)
				if !h.reply(c, who, errReply(errBad, "more than %d descriptors in one message: none kept", scmMaxFD)) {
					return
				}
				continue
			case errors.Is(err, os.ErrDeadlineExceeded):
				h.logf("%s: idle for %s: closing (--client-timeout)", who, h.clientTimeout)
			}
			return
		}
		req, err := parseRequest(b.Data)
		if err != nil {
			b.Close()
			h.logf("%s: bad request: %v", who, err)
			if !h.reply(c, who, errReply(errBad, "%v", err)) {
				return
			}
			continue
		}
		if req.Op != opStore && len(b.FDs) > 0 {
			b.Close()
			if !h.reply(c, who, errReply(errBad, "%s carries no descriptors", req.Op)) {
				return
			}
			continue
		}
		res, ok := h.do(c, who, req, b.FDs)
		h.logf("%s: %s -> %s", who, strings.TrimSuffix(req.String(), "\n"), res)
		if !ok {
			return
		}
	}
}

// reply sends one message; false when the connection is no use any more
// (the peer went away or read nothing within the client timeout).
func (h *holder) reply(c *sockcore.Socket, who string, msg []byte) bool {
	_, err := c.Send(msg, 0)
	return h.sent(who, err)
}

func (h *holder) sent(who string, err error) bool {
	if err == nil {
		return true
	}
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, syscall.EAGAIN) {
		h.logf("%s: reads no replies: closing after %s (--client-timeout)", who, h.clientTimeout)
	} else {
		h.logf("%s: send: %v", who, err)
	}
	return false
}

// do carries out one request and replies, with h.mu released before any
// reply is sent. It returns a word for the log and whether the connection
// is still usable.
func (h *holder) do(c *sockcore.Socket, who string, req request, fds []int) (string, bool) {
	answer := func(word string, msg []byte) (string, bool) { return word, h.reply(c, who, msg) }
	switch req.Op {
	case opStore:
		if len(fds) == 0 {
			return answer(errBad, errReply(errBad, "STORE %s came without descriptors", req.Name))
		}
		word, msg := h.store(req, fds)
		return answer(word, msg)
	case opRetrieve, opTake:
		fds, err := h.checkout(req.Name, req.Op == opTake)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return answer(errNotFound, errReply(errNotFound, "nothing held under %s", req.Name))
		case err != nil:
			h.complain.say("checkout", "%s: retrieve %s: %v", who, req.Name, err)
			return answer(errBusy, errReply(errBusy, "the holder could not copy the descriptors of %s: %v (its open-files limit?): try again", req.Name, err))
		}
		defer func() { closeFDs(fds) }()
		_, err = sockcore.SendFDs(c, [][]byte{okReply(strconv.Itoa(len(fds)))}, fds)
		if !h.sent(who, err) {
			if req.Op == opTake {
				// The peer did not get them: they stay held.
				h.putBack(req.Name, fds)
				fds = nil
			}
			return "not delivered", false
		}
		return "OK", true
	case opDelete:
		h.mu.Lock()
		e, ok := h.entries[req.Name]
		if ok {
			h.drop(req.Name, e)
		}
		h.mu.Unlock()
		if !ok {
			return answer(errNotFound, errReply(errNotFound, "nothing held under %s", req.Name))
		}
		return answer("OK", okReply())
	case opList:
		h.mu.Lock()
		list := make([]listEntry, 0, len(h.entries))
		now := time.Now()
		for _, name := range h.order {
			e := h.entries[name]
			le := listEntry{Name: name, N: len(e.fds)}
			if !e.expires.IsZero() {
				le.TTLms = max(1, e.expires.Sub(now).Milliseconds())
			}
			list = append(list, le)
		}
		h.mu.Unlock()
		if !h.reply(c, who, okReply(strconv.Itoa(len(list)))) {
			return "not delivered", false
		}
		for _, le := range list {
			if !h.reply(c, who, []byte(le.String())) {
				return "not delivered", false
			}
		}
		return "OK", true
	}
	return answer(errBad, errReply(errBad, "unknown request"))
}

// store keeps fds under req.Name, or closes them and says why not.
func (h *holder) store(req request, fds []int) (string, []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.entries[req.Name]; ok {
		closeFDs(fds)
		return errExists, errReply(errExists, "%s is already held (DELETE it first)", req.Name)
	}
	if len(h.entries) >= h.maxNames {
		closeFDs(fds)
		return errFull, errReply(errFull, "the holder keeps at most %d names (--max-names)", h.maxNames)
	}
	h.add(req.Name, fds, time.Duration(req.TTLms)*time.Millisecond)
	return "OK", okReply()
}

// add holds fds under name for ttl (0: for ever); h.mu is held.
func (h *holder) add(name string, fds []int, ttl time.Duration) {
	e := &entry{fds: fds}
	if ttl > 0 {
		e.expires = time.Now().Add(ttl)
		e.timer = time.AfterFunc(ttl, func() { h.expire(name, e) })
	}
	h.entries[name] = e
	h.order = append(h.order, name)
}

// putBack holds again what a TAKE could not deliver, unless the name was
// stored again meanwhile (then they are closed).
func (h *holder) putBack(name string, fds []int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.entries[name]; ok || len(h.entries) >= h.maxNames {
		closeFDs(fds)
		return
	}
	h.add(name, fds, 0)
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
		h.forget(name)
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
	h.forget(name)
	if e.timer != nil {
		e.timer.Stop()
	}
	closeFDs(e.fds)
}

// forget removes name from the entries and the stored order; h.mu is held.
func (h *holder) forget(name string) {
	delete(h.entries, name)
	for i, n := range h.order {
		if n == name {
			h.order = append(h.order[:i], h.order[i+1:]...)
			break
		}
	}
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
