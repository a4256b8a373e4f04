package main

import (
	"errors"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"
)

// A reset seen first by the receive side leaves the send a bare EPIPE: the
// reset is what is reported, whichever goroutine reported first.
func TestPreferReset(t *testing.T) {
	epipe := fmt.Errorf("send: %w", unix.EPIPE)
	reset := fmt.Errorf("recv: %w", unix.ECONNRESET)
	done := make(chan error, 2)
	done <- reset
	if err := preferReset(epipe, done); !errors.Is(err, unix.ECONNRESET) {
		t.Errorf("with the receive side's reset pending: %v, want the reset", err)
	}
	if err := preferReset(epipe, done); err != epipe {
		t.Errorf("with nothing else pending: %v, want the EPIPE", err)
	}
	done <- nil // the receive side saw an end of stream: EPIPE stands
	if err := preferReset(epipe, done); err != epipe {
		t.Errorf("after the peer's end of stream: %v, want the EPIPE", err)
	}
}
