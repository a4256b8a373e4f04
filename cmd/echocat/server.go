package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/shortage"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// shortageReportEvery is how often a -k server says, while accept keeps
// failing for want of descriptors, how many clients it closed at once.
const shortageReportEvery = 10 * time.Second

// newShortage is a -k server's open-files shortage guard (one descriptor
// in reserve to close the clients beyond the limit at once instead of
// ending the server), reporting on o.stderr: one line when the shortage
// starts, at most one per shortageReportEvery while it lasts, one when it
// ends.
func newShortage(o *options, ln *sockcore.Socket) *shortage.Guard {
	url := cli.SocketURL(ln)
	return shortage.New(shortageReportEvery, func(r shortage.Report) {
		switch r.Kind {
		case shortage.Started:
			var why error = r.Err
			if en := unix.Errno(0); errors.As(r.Err, &en) {
				why = en
			}
			fmt.Fprintf(o.stderr, "echocat: accept on %s: %v: closing new connections at once until some close (open-files limit %d)\n",
				url, why, r.Limit)
		case shortage.Ongoing:
			fmt.Fprintf(o.stderr, "echocat: out of descriptors: %d connections closed at once, %d accept failures in %s\n",
				r.Closed, r.Failed, r.Since.Round(time.Second))
		case shortage.Over:
			fmt.Fprintf(o.stderr, "echocat: descriptors available again: %d connections closed at once, %d accept failures\n",
				r.Closed, r.Failed)
		}
	})
}

// serverConfig is what -l does with the connections it accepts.
type serverConfig struct {
	keepOpen     bool
	execArgv     []string // --exec or --sh-exec, argv[0] resolved; nil: none
	broker, chat bool
	maxConns     int // 0: no limit
	acl          *accessList
	needListen   string // the first given flag that only -l takes
	httpProxy    bool   // -l --proxy-type http
	proxyAuth    string // USER:PASS its clients must give
}

func (sc *serverConfig) parse(c *ucli.Command, o *options) error {
	sc.keepOpen, sc.broker, sc.chat, sc.maxConns = c.Bool("keep-open"), c.Bool("broker"), c.Bool("chat"), c.Int("max-conns")
	for _, f := range []string{"keep-open", "broker", "chat", "max-conns", "allow", "deny", "allowfile", "denyfile"} {
		if c.IsSet(f) {
			sc.needListen = "--" + f
			break
		}
	}
	if sc.maxConns < 0 {
		return cli.Usagef("--max-conns %d: want 0 (no limit) or more", sc.maxConns)
	}
	if sc.chat {
		sc.broker = true
	}
	if sc.broker {
		sc.keepOpen = true
	}
	switch ex, sh := c.String("exec"), c.String("sh-exec"); {
	case ex != "" && sh != "":
		return cli.Usagef("--exec and --sh-exec exclude each other")
	case (ex != "" || sh != "") && sc.broker:
		return cli.Usagef("--broker and --chat relay between clients: no --exec or --sh-exec with them")
	case ex != "":
		sc.execArgv = splitArgs(ex)
		if err := lookProgram("--exec", sc.execArgv); err != nil {
			return err
		}
	case sh != "":
		sc.execArgv = []string{"/bin/sh", "-c", sh}
	}
	var err error
	sc.acl, err = newAccessList(c.StringSlice("allow"), c.StringSlice("deny"), c.String("allowfile"), c.String("denyfile"), o.numeric)
	return err
}

// listenOnly names a given flag that needs -l, "" if none.
func (sc *serverConfig) listenOnly() string { return sc.needListen }

// lockedWriter serialises the writes of the server's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(b)
}

// serve accepts on a listening stream socket: one connection, or with -k
// every connection until ctx ends. Refused peers (--allow/--deny,
// --max-conns) are closed at once and told on standard error.
func serve(ctx context.Context, o *options, ln *sockcore.Socket) error {
	oo := *o
	o = &oo
	o.stderr = &lockedWriter{w: o.stderr}
	var active atomic.Int64
	var wg sync.WaitGroup
	waitAll := true // not when -i ends a -k -e server: its processes go on, as ncat's
	defer func() {
		if waitAll {
			wg.Wait()
		}
	}()
	var idle *serverIdle
	// The processes' context: ended with ctx (SIGTERM), but not when -i
	// ends the server (ncat leaves its processes running then).
	childCtx, endChildren := context.WithCancel(context.WithoutCancel(ctx))
	stopEnding := context.AfterFunc(ctx, endChildren)
	// Connections accepted whose process has not started yet: -i ending
	// the server waits for them (ncat forks before it accepts again), so
	// that no accepted client is dropped on its way to its process. A TLS
	// handshake still going on then is ended (linkCtx): it could last.
	var starting sync.WaitGroup
	linkCtx, endLinks := context.WithCancel(ctx)
	defer endLinks()
	if o.srv.keepOpen && o.idleFlag == "-i" && o.idle > 0 && !o.srv.httpProxy {
		idle = newServerIdle(o.idle, &active, ln)
		defer idle.stop()
	}
	var h *hub
	if o.srv.keepOpen && o.srv.execArgv == nil && !o.srv.httpProxy {
		h = newHub(o)
		h.idle = idle
		h.ln = ln
		go h.input(ctx)
	}
	var short *shortage.Guard
	if o.srv.keepOpen {
		short = newShortage(o, ln)
		defer short.Close()
	}
	for {
		c, peer, err := ln.Accept()
		idle.touch()
		if err != nil {
			if h != nil && h.inputEnded.Load() {
				// --send-only: nothing more to send, as ncat.
				h.closeAll()
				return nil
			}
			if idle.expired() {
				if h != nil {
					h.closeAll()
					return cli.Exitf(cli.ExitTimeout, "no traffic for %s with clients connected (-i)", o.idle)
				}
				if stopEnding() {
					waitAll = false
				}
				endLinks()
				starting.Wait()
				return cli.Exitf(cli.ExitTimeout, "no new connection for %s while processes ran (-i)", o.idle)
			}
			if ctx.Err() != nil {
				if h != nil {
					h.closeAll()
				}
				return ctx.Err()
			}
			if errors.Is(err, unix.ECONNABORTED) || errors.Is(err, unix.EINTR) {
				continue
			}
			if short != nil && shortage.Is(err) {
				short.Failed(ln.Fileno(), err)
				continue
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return cli.Exitf(cli.ExitTimeout, "no connection to %s within %s (-w)", cli.SocketURL(ln), o.wait)
			}
			return fmt.Errorf("accept on %s: %w", cli.SocketURL(ln), err)
		}
		if short != nil {
			short.Accepted()
		}
		c.SetBlocking(true)
		from := cli.AddrURL(cli.SchemeOf(c), peer)
		if o.srv.acl != nil {
			if ip, ok := addrIP(peer); !ok || !o.srv.acl.permits(ip) {
				fmt.Fprintf(o.stderr, "echocat: refused %s: not allowed by --allow/--deny\n", from)
				reset(c)
				continue
			}
		}
		if o.srv.maxConns > 0 && active.Load() >= int64(o.srv.maxConns) {
			fmt.Fprintf(o.stderr, "echocat: refused %s: --max-conns %d reached\n", from, o.srv.maxConns)
			reset(c)
			continue
		}
		var m *member
		if h != nil && o.tlsServer == nil {
			// Joined here, in the order of accepting, as ncat: the
			// announcements of --chat come in that order.
			m = h.join(plain(c))
		}
		if o.verbose {
			fmt.Fprintf(o.stderr, "echocat: connection from %s\n", from)
		}
		if !o.srv.keepOpen {
			ln.Close()
			l, err := o.serverLink(ctx, c, from)
			if err != nil {
				return err
			}
			if o.srv.execArgv != nil {
				return runChild(ctx, o, l)
			}
			return session(ctx, o, l)
		}
		active.Add(1)
		wg.Add(1)
		starting.Add(1)
		go func() {
			defer wg.Done()
			defer active.Add(-1)
			started := sync.OnceFunc(starting.Done)
			defer started()
			if m != nil {
				started()
				h.serve(m)
				if o.verbose {
					fmt.Fprintf(o.stderr, "echocat: %s closed\n", from)
				}
				return
			}
			l, err := o.serverLink(linkCtx, c, from)
			if err != nil {
				if !idle.expired() {
					cli.Report(o.stderr, "echocat", err)
				}
				return
			}
			if o.srv.httpProxy {
				serveHTTPProxy(ctx, o, l, from)
				return
			}
			if h == nil {
				if err := runChildWith(childCtx, o, l, nil, started); err != nil && childCtx.Err() == nil {
					cli.Report(o.stderr, "echocat", err)
				}
				return
			}
			started()
			h.serve(h.join(l))
			if o.verbose {
				fmt.Fprintf(o.stderr, "echocat: %s closed\n", from)
			}
		}()
	}
}

// serverLink is the accepted connection with the TLS handshake done under
// --ssl.
func (o *options) serverLink(ctx context.Context, c *sockcore.Socket, from string) (*link, error) {
	if o.tlsServer == nil {
		return plain(c), nil
	}
	return tlsServerLink(ctx, o, c, from)
}

// hub joins the clients of a -k server without --exec: standard input goes
// to every client and each client's data to standard output; with --broker
// each client's data goes to the others instead, and --chat names them.
type hub struct {
	o    *options
	idle *serverIdle // -i; nil: none
	ln   *sockcore.Socket
	// inputEnded: --send-only at the end of input, which ends the server
	inputEnded atomic.Bool
	mu         sync.Mutex
	clients    map[*member]struct{}
	joinMu     sync.Mutex // a client joins and is announced before the next
	inputDone  bool
	outMu      sync.Mutex
}

type member struct {
	l    *link
	fd   int    // the descriptor, ncat's user number
	name string // --chat: <userN>
	who  string // --chat: the peer's address, as ncat's announcements give it
	mu   sync.Mutex
}

func newHub(o *options) *hub { return &hub{o: o, clients: map[*member]struct{}{}} }

// send writes b to every member but from; a member that cannot take it is
// closed (its reader then leaves).
func (h *hub) send(from *member, b []byte) {
	h.mu.Lock()
	to := make([]*member, 0, len(h.clients))
	for m := range h.clients {
		if m != from {
			to = append(to, m)
		}
	}
	h.mu.Unlock()
	for _, m := range to {
		m.mu.Lock()
		if err := m.l.sendAll(b); err != nil {
			m.l.s.Shutdown(unix.SHUT_RDWR)
		}
		m.mu.Unlock()
	}
}

// input copies standard input to every client (--chat: as <user0>, ncat's
// name for standard input); at its end the clients' write sides are
// half-closed (unless --no-shutdown, --broker or --chat), and new clients
// get no input.
func (h *hub) input(ctx context.Context) {
	if h.o.noStdin {
		h.mu.Lock()
		h.inputDone = true
		h.mu.Unlock()
		return
	}
	buf := make([]byte, 64<<10)
	for ctx.Err() == nil {
		n, err := h.o.stdin.Read(buf)
		if n > 0 {
			data := buf[:n]
			if h.o.crlf {
				data = toCRLF(data)
			}
			h.idle.touch()
			if h.o.srv.chat {
				data = chatFilter("<user0>", data)
			}
			h.o.dump(">", data)
			h.send(nil, data)
		}
		if err != nil {
			break
		}
	}
	h.mu.Lock()
	h.inputDone = true
	var to []*member
	for m := range h.clients {
		to = append(to, m)
	}
	h.mu.Unlock()
	if h.o.sendOnly && !h.o.noStdin {
		h.inputEnded.Store(true)
		h.ln.Close()
		return
	}
	if h.o.noShutdown || h.o.srv.broker {
		return
	}
	for _, m := range to {
		m.mu.Lock()
		m.l.closeWrite()
		m.mu.Unlock()
	}
}

// join adds a client (under --chat, announced to all).
func (h *hub) join(l *link) *member {
	h.joinMu.Lock()
	defer h.joinMu.Unlock()
	m := &member{l: l, fd: l.s.Fileno()}
	m.name = fmt.Sprintf("<user%d>", m.fd)
	if h.o.srv.chat {
		peer, _ := l.s.PeerName()
		m.who = "?"
		if ip, ok := addrIP(peer); ok {
			m.who = ip.String()
		} else if peer != nil {
			m.who = cli.AddrURL(cli.SchemeOf(l.s), peer)
		}
	}
	h.mu.Lock()
	var others []*member
	for c := range h.clients {
		others = append(others, c)
	}
	h.clients[m] = struct{}{}
	closed := h.inputDone && !h.o.srv.broker && !h.o.noShutdown
	h.mu.Unlock()
	if closed {
		l.closeWrite()
	}
	if h.o.srv.chat {
		// As ncat: the others by descriptor number, each "ADDR as <userN>".
		slices.SortFunc(others, func(a, b *member) int { return a.fd - b.fd })
		already := "nobody"
		if len(others) > 0 {
			names := make([]string, len(others))
			for i, c := range others {
				names[i] = c.who + " as " + c.name
			}
			already = strings.Join(names, ", ")
		}
		h.send(nil, fmt.Appendf(nil, "<announce> %s is connected as %s.\n<announce> already connected: %s.\n", m.who, m.name, already))
	}
	return m
}

// serve runs one client until it closes.
func (h *hub) serve(m *member) {
	l := m.l
	buf := make([]byte, 64<<10)
	for {
		n, err := l.recv(buf)
		h.idle.touch()
		if n == 0 || err != nil {
			break
		}
		data := buf[:n]
		switch {
		case h.o.sendOnly:
			// --send-only: what clients send is read and dropped.
		case h.o.srv.chat:
			h.send(m, chatFilter(m.name, data))
		case h.o.srv.broker:
			h.send(m, data)
		default:
			h.o.dump("<", data)
			h.outMu.Lock()
			h.o.stdout.Write(data) // as before: a failed write to stdout does not end the session
			h.outMu.Unlock()
		}
	}
	h.mu.Lock()
	delete(h.clients, m)
	h.mu.Unlock()
	m.mu.Lock()
	l.Close()
	m.mu.Unlock()
	if h.o.srv.chat {
		h.send(nil, fmt.Appendf(nil, "<announce> %s is disconnected.\n", m.name))
	}
}

// closeAll ends every client (SIGTERM).
func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for m := range h.clients {
		m.l.s.Shutdown(unix.SHUT_RDWR)
	}
}

// reset closes a refused connection with a reset (SO_LINGER 0), so that
// the client sees "connection reset" rather than an empty answer.
func reset(c *sockcore.Socket) {
	c.SetsockoptBytes(unix.SOL_SOCKET, unix.SO_LINGER, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	c.Close()
}

// chatFilter is what --chat sends of a client's data, as ncat's chat: the
// sender's name and a blank, then the data with every byte that is not
// printable ASCII, CR, LF or tab written as a backslash and three octal
// digits (ESC is \033), so that no client can drive the others' terminals.
func chatFilter(name string, data []byte) []byte {
	out := make([]byte, 0, len(name)+1+len(data))
	out = append(out, name...)
	out = append(out, ' ')
	for _, c := range data {
		if c >= 0x20 && c <= 0x7e || c == '\r' || c == '\n' || c == '\t' {
			out = append(out, c)
			continue
		}
		out = append(out, '\\', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
	}
	return out
}

// serverIdle is -i for a -l -k server, as ncat's: the server ends after the
// idle time without a connection coming, standard input or a client's data
// (a process's traffic under -e/-c is its own and not seen), counted only
// while at least one connection is open or one process runs.
type serverIdle struct {
	d      time.Duration
	active *atomic.Int64
	last   atomic.Int64 // UnixNano of the last activity
	fired  atomic.Bool
	t      *time.Timer
	ln     interface{ Close() error }
}

func newServerIdle(d time.Duration, active *atomic.Int64, ln interface{ Close() error }) *serverIdle {
	si := &serverIdle{d: d, active: active, ln: ln}
	si.touch()
	// Armed once si.t is set: check resets it, and a timer armed at once
	// may fire first (a short -i, a loaded machine).
	si.t = time.AfterFunc(time.Duration(math.MaxInt64), si.check)
	si.t.Reset(d)
	return si
}

// touch records activity; nil-safe.
func (si *serverIdle) touch() {
	if si != nil {
		si.last.Store(time.Now().UnixNano())
	}
}

// check runs when the timer fires: with connections open and nothing for
// the idle time it closes the listener (the accept loop then ends the
// server), else it waits again.
func (si *serverIdle) check() {
	quiet := time.Since(time.Unix(0, si.last.Load()))
	if quiet < si.d {
		si.t.Reset(si.d - quiet)
		return
	}
	if si.active.Load() == 0 {
		// No connection: the time starts again with the next one.
		si.touch()
		si.t.Reset(si.d)
		return
	}
	si.fired.Store(true)
	si.ln.Close()
}

func (si *serverIdle) expired() bool { return si != nil && si.fired.Load() }

func (si *serverIdle) stop() { si.t.Stop() }
