package main

import (
	"crypto/tls"
	"errors"
	"io"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// link is one connection as a session sees it: the socket, and the TLS
// layer over it with --ssl.
type link struct {
	s   *sockcore.Socket
	tls *tls.Conn // nil: plain
}

func plain(s *sockcore.Socket) *link { return &link{s: s} }

// recv reads what arrived; 0 bytes and no error at a stream's end, as
// RecvInto.
func (l *link) recv(b []byte) (int, error) {
	if l.tls == nil {
		return l.s.RecvInto(b, 0)
	}
	n, err := l.tls.Read(b)
	if errors.Is(err, io.EOF) {
		return n, nil
	}
	return n, err
}

// sendAll sends all of b.
func (l *link) sendAll(b []byte) error {
	if l.tls == nil {
		return l.s.SendAll(b, 0)
	}
	_, err := l.tls.Write(b)
	return err
}

// closeWrite half-closes: TLS close_notify first, then shutdown(SHUT_WR).
func (l *link) closeWrite() error {
	if l.tls != nil {
		if err := l.tls.CloseWrite(); err != nil {
			return err
		}
	}
	return l.s.Shutdown(unix.SHUT_WR)
}

func (l *link) Close() error {
	if l.tls != nil {
		return l.tls.Close()
	}
	return l.s.Close()
}

func (l *link) Read(b []byte) (int, error) {
	n, err := l.recv(b)
	if n == 0 && err == nil && len(b) > 0 && l.s.Type() != unix.SOCK_DGRAM {
		return 0, io.EOF
	}
	return n, err
}

func (l *link) Write(b []byte) (int, error) {
	if err := l.sendAll(b); err != nil {
		return 0, err
	}
	return len(b), nil
}
