package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// scmMaxFD is the most descriptors one SCM_RIGHTS message may carry
// (SCM_MAX_FD in include/net/scm.h).
const scmMaxFD = 253

// maxMessage bounds the data part of one message: 253 names of 255 bytes.
const maxMessage = 64 << 10

var (
	errTruncated  = errors.New("message truncated")
	errPeerClosed = errors.New("the peer closed the connection")
	errOutOfFDs   = errors.New("out of descriptors")
)

// batch is one received message: descriptors (close-on-exec, owned by the
// receiver), the data that came with them, and the sender's credentials
// when the socket has SO_PASSCRED.
type batch struct {
	FDs  []int
	Data []byte
	Cred *unix.Ucred // SCM_CREDENTIALS; nil when none came
}

// Close closes every descriptor of the batch.
func (b *batch) Close() {
	closeFDs(b.FDs)
	b.FDs = nil
}

func closeFDs(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// recvBatch receives one message with at most maxFDs descriptors. RecvMsg
// always passes MSG_CMSG_CLOEXEC, so nothing received leaks into a program
// this process starts unless handed on on purpose. A truncated control
// message (more descriptors than maxFDs, or no room for them) or truncated
// data is an error, as is more than maxFDs descriptors, and every descriptor that did arrive is closed before
// returning: the caller owns descriptors only when err is nil.
func recvBatch(s *sockcore.Socket, maxFDs int) (*batch, error) {
	return recvBatchContext(context.Background(), s, maxFDs)
}

// recvBatchContext is recvBatch that ctx can end.
func recvBatchContext(ctx context.Context, s *sockcore.Socket, maxFDs int) (*batch, error) {
	rights, err := sockcore.CMSGSpace(4 * maxFDs)
	if err != nil {
		return nil, err
	}
	creds, _ := sockcore.CMSGSpace(unix.SizeofUcred)
	data, anc, flags, _, err := s.RecvMsgContext(ctx, maxMessage, rights+creds, 0)
	if err != nil {
		return nil, err
	}
	b := &batch{FDs: sockcore.FDsOf(anc), Data: data}
	for _, m := range anc {
		if m.Level == unix.SOL_SOCKET && m.Type == unix.SCM_CREDENTIALS {
			b.Cred, _ = ucredOf(m.Data)
		}
	}
	switch {
	case flags&unix.MSG_CTRUNC != 0 && len(b.FDs) < maxFDs:
		// There was room for maxFDs: the kernel could not install them
		// (EMFILE at the open-files limit) and closed the rest.
		n := len(b.FDs)
		b.Close()
		return nil, cli.Exit(cli.ExitFailure, fmt.Errorf("receive: %w: could take only %d of the descriptors passed (closed them; raise the open-files limit)", errOutOfFDs, n))
	case flags&unix.MSG_CTRUNC != 0 || len(b.FDs) > maxFDs:
		// The room kept for SCM_CREDENTIALS can hold a few more descriptors
		// than asked for: more than maxFDs is refused like a truncation.
		n := len(b.FDs)
		b.Close()
		return nil, cli.Exit(cli.ExitFailure, fmt.Errorf("receive: %w: the sender passed more than %d descriptors (closed the %d that fit; --max goes up to %d)", errTruncated, maxFDs, n, scmMaxFD))
	case flags&unix.MSG_TRUNC != 0:
		b.Close()
		return nil, cli.Exit(cli.ExitFailure, fmt.Errorf("receive: %w: more than %d bytes of data (closed its descriptors)", errTruncated, maxMessage))
	case len(data) == 0 && len(b.FDs) == 0:
		return nil, cli.Exit(cli.ExitFailure, fmt.Errorf("receive: %w without sending descriptors", errPeerClosed))
	}
	return b, nil
}

// The data of a send → recv message is the descriptors' names in
// LISTEN_FDNAMES form, "name:name:…\n". A message whose data does not name
// every descriptor (a foreign sender, python's send_fds) gets "unknown" for
// each, systemd's name for a descriptor nobody named.

const unknownName = "unknown"

func encodeNames(names []string) []byte { return []byte(strings.Join(names, ":") + "\n") }

func decodeNames(data []byte, n int) []string {
	parts := strings.Split(strings.TrimSuffix(string(data), "\n"), ":")
	ok := len(parts) == n
	for _, p := range parts {
		ok = ok && validName(p) == nil
	}
	if !ok {
		parts = make([]string, n)
		for i := range parts {
			parts[i] = unknownName
		}
	}
	return parts
}

// validName accepts what systemd accepts in FileDescriptorName= (1 to 255
// printable ASCII characters, no ':') minus the space, which the hold
// protocol uses to separate fields.
func validName(s string) error {
	if s == "" || len(s) > 255 {
		return fmt.Errorf("name %q: want 1 to 255 characters", s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return fmt.Errorf("name %q: only printable ASCII without spaces or ':'", s)
		}
	}
	return nil
}

// namesFor expands --name values over n descriptors: none gives "unknown"
// to each, one names them all, otherwise there must be one per descriptor.
func namesFor(given []string, n int) ([]string, error) {
	for _, g := range given {
		if err := validName(g); err != nil {
			return nil, cli.Usagef("--name: %w", err)
		}
	}
	switch len(given) {
	case 0, 1:
		name := unknownName
		if len(given) == 1 {
			name = given[0]
		}
		out := make([]string, n)
		for i := range out {
			out[i] = name
		}
		return out, nil
	case n:
		return given, nil
	}
	return nil, cli.Usagef("--name given %d times for %d descriptors: give it once or once per descriptor", len(given), n)
}
