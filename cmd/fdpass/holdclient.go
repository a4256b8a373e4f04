package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// holdClient is one connection to a holder.
type holdClient struct {
	s   *sockcore.Socket
	arg string
}

// dialHolder connects to the holder at arg and checks who runs it.
func dialHolder(arg string, timeout time.Duration, p serverPolicy) (*holdClient, error) {
	s, err := dialUnix(arg, timeout)
	if err != nil {
		return nil, err
	}
	if s.Type() != unix.SOCK_SEQPACKET {
		s.Close()
		return nil, cli.Exitf(cli.ExitFailure, "connect to %s: not a holder (it does not take SOCK_SEQPACKET connections)", arg)
	}
	if err := p.check(s, arg); err != nil {
		s.Close()
		return nil, err
	}
	return &holdClient{s: s, arg: arg}, nil
}

func (hc *holdClient) Close() error { return hc.s.Close() }

// roundTrip sends req with fds and reads the reply, with up to maxFDs
// descriptors. A refused peer's "ERR denied" may already be waiting when the
// send fails with EPIPE: it is read and reported rather than the EPIPE.
func (hc *holdClient) roundTrip(what string, req request, fds []int, maxFDs int) (reply, *batch, error) {
	_, serr := sockcore.SendFDs(hc.s, [][]byte{[]byte(req.String())}, fds)
	if serr != nil && !errors.Is(serr, syscall.EPIPE) && !errors.Is(serr, syscall.ECONNRESET) {
		return reply{}, nil, hc.fail(what, serr)
	}
	b, err := recvBatch(hc.s, maxFDs)
	if err != nil {
		if serr != nil {
			err = serr
		}
		return reply{}, nil, hc.fail(what, err)
	}
	r, err := parseReply(b.Data)
	if err != nil {
		b.Close()
		return reply{}, nil, cli.Exitf(cli.ExitFailure, "%s at %s: %w", what, hc.arg, err)
	}
	if !r.OK {
		b.Close()
		return r, nil, replyError(what, hc.arg, r)
	}
	return r, b, nil
}

func (hc *holdClient) fail(what string, err error) error {
	if errors.Is(err, errPeerClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		// A holder at its open-files limit closes new connections at once,
		// unread: ECONNRESET, or EPIPE when it closed before the request.
		return cli.Exitf(cli.ExitFailure, "%s at %s: the holder closed the connection without answering (out of descriptors? try again)", what, hc.arg)
	}
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, os.ErrDeadlineExceeded) {
		return cli.Exitf(cli.ExitTimeout, "%s at %s: no reply within the timeout (is it a holder?)", what, hc.arg)
	}
	return fmt.Errorf("%s at %s: %w", what, hc.arg, err)
}

func replyError(what, arg string, r reply) error {
	code := map[string]int{errDenied: cli.ExitPermission, errNotFound: cli.ExitNoSuchThing}[r.Code]
	if code == 0 {
		code = cli.ExitFailure
	}
	word := map[string]string{errDenied: "refused"}[r.Code]
	if word == "" {
		word = r.Code
	}
	return cli.Exitf(code, "%s at %s: %s: %s", what, arg, word, r.Text)
}

func (hc *holdClient) store(name string, ttl time.Duration, fds []int) error {
	what := "store " + name
	_, b, err := hc.roundTrip(what, request{Op: opStore, Name: name, TTLms: ttl.Milliseconds()}, fds, 0)
	if err != nil {
		return err
	}
	b.Close()
	return nil
}

// retrieve returns the descriptors held under name; take also deletes them.
func (hc *holdClient) retrieve(name string, take bool) ([]int, error) {
	op, what := opRetrieve, "retrieve "+name
	if take {
		op = opTake
	}
	r, b, err := hc.roundTrip(what, request{Op: op, Name: name}, nil, scmMaxFD)
	if err != nil {
		return nil, err
	}
	if len(r.Fields) != 1 || r.Fields[0] != strconv.Itoa(len(b.FDs)) {
		b.Close()
		return nil, cli.Exitf(cli.ExitFailure, "%s at %s: the reply announced %v descriptors, %d came", what, hc.arg, r.Fields, len(b.FDs))
	}
	return b.FDs, nil
}

func (hc *holdClient) delete(name string) error {
	_, b, err := hc.roundTrip("delete "+name, request{Op: opDelete, Name: name}, nil, 0)
	if err == nil {
		b.Close()
	}
	return err
}

func (hc *holdClient) list() ([]listEntry, error) {
	r, b, err := hc.roundTrip("list", request{Op: opList}, nil, 0)
	if err != nil {
		return nil, err
	}
	b.Close()
	n := -1
	if len(r.Fields) == 1 {
		n, _ = strconv.Atoi(r.Fields[0])
	}
	if n < 0 {
		return nil, cli.Exitf(cli.ExitFailure, "list at %s: bad reply %v", hc.arg, r.Fields)
	}
	out := make([]listEntry, 0, n)
	for range n {
		b, err := recvBatch(hc.s, 0)
		if err != nil {
			return nil, hc.fail("list", err)
		}
		b.Close()
		e, err := parseListEntry(b.Data)
		if err != nil {
			return nil, cli.Exitf(cli.ExitFailure, "list at %s: %w", hc.arg, err)
		}
		out = append(out, e)
	}
	return out, nil
}
