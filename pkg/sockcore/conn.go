package sockcore

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Read implements io.Reader (the makefile('rb') equivalent): io.EOF when a
// stream peer has closed.
func (s *Socket) Read(p []byte) (int, error) { return s.ReadContext(nil, p) }

// ReadContext is Read that ctx can end (see AcceptContext).
func (s *Socket) ReadContext(ctx context.Context, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := s.RecvIntoContext(ctx, p, 0)
	if err == nil && n == 0 && (s.typ == unix.SOCK_STREAM || s.typ == unix.SOCK_SEQPACKET) {
		return 0, io.EOF
	}
	return n, err
}

// ReaderContext returns an io.Reader whose reads ctx can end, for
// io.ReadFull and the like.
func (s *Socket) ReaderContext(ctx context.Context) io.Reader { return ctxReader{ctx, s} }

type ctxReader struct {
	ctx context.Context
	s   *Socket
}

func (r ctxReader) Read(p []byte) (int, error) { return r.s.ReadContext(r.ctx, p) }

// Write implements io.Writer with SendAll: n < len(p) only with an error.
func (s *Socket) Write(p []byte) (int, error) { return s.SendAllCount(p, 0) }

// Conn returns a net.Conn over the socket. Its deadlines are its own: they
// replace the socket's timeout mode for calls made through the Conn. Closing
// the Conn closes the Socket.
func (s *Socket) Conn() net.Conn { return &conn{s: s} }

type conn struct {
	s      *Socket
	mu     sync.Mutex
	rd, wd time.Time
}

func (c *conn) deadlines() (time.Time, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rd, c.wd
}

func (c *conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	rd, _ := c.deadlines()
	if !rd.IsZero() && !time.Now().Before(rd) {
		return 0, c.opError("read", timeoutError("recv"))
	}
	var n int
	err := c.s.ioRead("recv", wait{dl: rd}, func(fd, dw int) error {
		var e error
		n, _, e = unix.Recvfrom(fd, p, dw)
		return e
	})
	if err != nil {
		return 0, c.opError("read", err)
	}
	if n == 0 && c.s.typ != unix.SOCK_DGRAM {
		return 0, io.EOF
	}
	return n, nil
}

func (c *conn) Write(p []byte) (int, error) {
	_, wd := c.deadlines()
	total := 0
	for total < len(p) {
		if !wd.IsZero() && !time.Now().Before(wd) {
			return total, c.opError("write", timeoutError("send"))
		}
		n, err := c.s.sendto(p[total:], 0, nil, wait{dl: wd})
		if err != nil {
			return total, c.opError("write", err)
		}
		total += n
	}
	return total, nil
}

// opError wraps err in a *net.OpError, the net.Error that net.Conn callers
// test (Timeout() is true for a deadline); errors.Is still sees the errno
// and os.ErrDeadlineExceeded through it.
func (c *conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

func (c *conn) Close() error { return c.s.Close() }

// CloseWrite half-closes the connection (shutdown SHUT_WR).
func (c *conn) CloseWrite() error { return c.s.Shutdown(unix.SHUT_WR) }

// CloseRead shuts down the read side (shutdown SHUT_RD).
func (c *conn) CloseRead() error { return c.s.Shutdown(unix.SHUT_RD) }

// Socket returns the underlying Socket.
func (c *conn) Socket() *Socket { return c.s }

func (c *conn) LocalAddr() net.Addr  { a, _ := c.s.SockName(); return netAddr(a, c.s) }
func (c *conn) RemoteAddr() net.Addr { a, _ := c.s.PeerName(); return netAddr(a, c.s) }

func (c *conn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.rd, c.wd = t, t
	c.mu.Unlock()
	return c.poke()
}

func (c *conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.rd = t
	c.mu.Unlock()
	return c.poke()
}

func (c *conn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.wd = t
	c.mu.Unlock()
	return c.poke()
}

// poke applies the deadlines to calls already waiting, as net.Conn requires.
func (c *conn) poke() error {
	rd, wd := c.deadlines()
	if err := c.s.setDeadline(false, rd); err != nil {
		return err
	}
	return c.s.setDeadline(true, wd)
}

// Listener returns a net.Listener over a listening socket.
func (s *Socket) Listener() net.Listener { return &listener{s: s} }

type listener struct{ s *Socket }

func (l *listener) Accept() (net.Conn, error) {
	ns, _, err := l.s.accept(l.s.pollWait())
	if err != nil {
		if errors.Is(err, unix.EBADF) {
			return nil, net.ErrClosed
		}
		return nil, err
	}
	ns.SetTimeout(Forever)
	return ns.Conn(), nil
}

func (l *listener) Close() error   { return l.s.Close() }
func (l *listener) Addr() net.Addr { a, _ := l.s.SockName(); return netAddr(a, l.s) }

// sockAddr adapts an Addr to net.Addr.
type sockAddr struct {
	network string
	a       Addr
}

func (a sockAddr) Network() string { return a.network }
func (a sockAddr) String() string {
	if a.a == nil {
		return ""
	}
	return a.a.String()
}

// netAddr returns the net package's own address types for IP and UNIX
// sockets and a generic wrapper for the rest.
func netAddr(a Addr, s *Socket) net.Addr {
	switch v := a.(type) {
	case *InetAddr:
		ip := v.ip4()
		if s.typ == unix.SOCK_DGRAM {
			return &net.UDPAddr{IP: net.IP(ip[:]), Port: v.Port}
		}
		return &net.TCPAddr{IP: net.IP(ip[:]), Port: v.Port}
	case *Inet6Addr:
		ip := v.ip16()
		zone := ""
		if v.ScopeID != 0 {
			zone = zoneName(v.ScopeID)
		}
		if s.typ == unix.SOCK_DGRAM {
			return &net.UDPAddr{IP: net.IP(ip[:]), Port: v.Port, Zone: zone}
		}
		return &net.TCPAddr{IP: net.IP(ip[:]), Port: v.Port, Zone: zone}
	case *UnixAddr:
		n := "unix"
		switch s.typ {
		case unix.SOCK_DGRAM:
			n = "unixgram"
		case unix.SOCK_SEQPACKET:
			n = "unixpacket"
		}
		name := v.String()
		if v.Name == "" {
			name = "" // as the net package names an unnamed socket
		}
		return &net.UnixAddr{Name: name, Net: n}
	}
	return sockAddr{network: FamilyName(s.family), a: a}
}
