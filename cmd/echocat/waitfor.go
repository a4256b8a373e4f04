package main

import (
	"context"
	"time"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// maxBackoff bounds the pause between two --wait-for tries.
const maxBackoff = time.Second

// retryFor runs try until it succeeds or d has passed, pausing between
// tries from 50 ms up, doubling, at most maxBackoff. Each try gets the
// context of the whole wait, so a connect in progress ends at its end.
// Usage errors and cancellation end it at once. What stays, after d, is
// an ExitTimeout error naming what was waited for and the last failure.
func retryFor(ctx context.Context, d time.Duration, what string, try func(ctx context.Context) error) error {
	deadline := time.Now().Add(d)
	wctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	pause := 50 * time.Millisecond
	var last error
	for {
		err := try(wctx)
		if err == nil {
			return nil
		}
		if wctx.Err() == nil || last == nil {
			last = err // the cut-off try's error says less than the one before
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if cli.ExitCode(err) == cli.ExitUsage {
			return err
		}
		left := time.Until(deadline)
		if left <= 0 || wctx.Err() != nil {
			return cli.Exitf(cli.ExitTimeout, "--wait-for %s: %s did not come up: %v", d.Round(time.Millisecond), what, last)
		}
		t := time.NewTimer(min(pause, left))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		pause = min(2*pause, maxBackoff)
	}
}

// dialWaiting is dial, retried for --wait-for when given.
func dialWaiting(ctx context.Context, o *options, e *cli.Endpoint) (*sockcore.Socket, error) {
	if o.waitFor <= 0 {
		return dial(ctx, o, e)
	}
	var s *sockcore.Socket
	err := retryFor(ctx, o.waitFor, e.String(), func(ctx context.Context) error {
		var err error
		s, err = dial(ctx, o, e)
		return err
	})
	return s, err
}

// probeWaiting retries one -z port for --wait-for; the deadline is shared
// by all the ports (set on the first call).
func probeWaiting(ctx context.Context, o *options, e *cli.Endpoint) (string, error) {
	if o.waitUntil.IsZero() {
		o.waitUntil = time.Now().Add(o.waitFor)
	}
	state, last := "closed", error(nil)
	err := retryFor(ctx, time.Until(o.waitUntil), e.String(), func(ctx context.Context) error {
		st, err := probeOne(ctx, o, e)
		if st == "open" {
			state, last = st, nil
			return nil
		}
		if err == nil {
			err = errNotOpen(st)
		}
		if ctx.Err() == nil || last == nil {
			state, last = st, err
		}
		return err
	})
	if err != nil && ctx.Err() == nil && cli.ExitCode(err) == cli.ExitUsage {
		return "error", err
	}
	return state, last
}

type errNotOpen string

func (e errNotOpen) Error() string { return string(e) }
