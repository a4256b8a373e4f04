// Package echotest holds what the echo tests of cmd/echod and
// integration/echo share. It imports sockcore, so it cannot live in
// internal/testenv (sockcore's own tests import that).
package echotest

import (
	"io"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// EchoAll sends data on a connected stream socket, half-closes it, and
// returns everything read back until the peer closes.
func EchoAll(s *sockcore.Socket, data []byte) ([]byte, error) {
	errc := make(chan error, 1)
	go func() {
		err := s.SendAll(data, 0)
		if err == nil {
			err = s.Shutdown(unix.SHUT_WR)
		}
		errc <- err
	}()
	got, err := io.ReadAll(s)
	if werr := <-errc; werr != nil {
		return got, werr
	}
	return got, err
}
