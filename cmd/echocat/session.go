package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
)

// defaultReplyWait bounds the wait for datagram replies after end of input
// when -w is not given.
const defaultReplyWait = 2 * time.Second

// session copies standard input to s and s to standard output until the
// end-of-stream rules (README.md, "end of stream") say it is over:
//
//   - End of input (or -d, or the end of --send-file) half-closes the write
//     side of a stream socket, unless --no-shutdown.
//   - The peer closing its side ends the session, exit 0, once the input at
//     hand is sent too (at most 0.5 s more, as socat's -t).
//   - -q SECS ends it SECS after end of input, exit 0.
//   - -w SECS ends it after SECS without traffic either way, exit 7.
//   - A datagram socket ends, after end of input, once --recv-count replies
//     (default: one per datagram sent) have arrived, exit 0, or after -w
//     (default 2) seconds without them, exit 7. Not with -l: a datagram
//     listener goes on receiving after end of input, as nc -ul and ncat
//     -ul, until -q, -w/-i or a signal ends it.
//   - TIPC and SCTP streams cannot half-close (TIPC's shutdown(2) takes only
//     SHUT_RDWR, SCTP's SHUTDOWN ends both directions): they end, after end
//     of input, once as many bytes came back as were sent, exit 0, or after
//     -w (default 2) seconds without them, exit 7.
//   - --send-only reads nothing: the session ends at end of input.
func session(ctx context.Context, o *options, l *link) error {
	defer l.Close()
	s := l.s
	stream := s.Type() != unix.SOCK_DGRAM
	// TIPC's shutdown(2) takes only SHUT_RDWR; SCTP has no half-closed
	// state (a SHUTDOWN stops the peer's data too, RFC 9260 9.2).
	halfClose := stream && s.Family() != unix.AF_TIPC && s.Proto() != unix.IPPROTO_SCTP
	counted := stream && !halfClose // waits for the bytes it sent to come back
	// Replies are waited for after end of input (a datagram client, a
	// stream that cannot half-close); a datagram listener (nc -ul) just
	// goes on receiving.
	awaitReplies := !halfClose && !(o.dgramListen && !stream)
	done := make(chan error, 2)
	var last atomic.Int64
	touch := func() { last.Store(time.Now().UnixNano()) }
	touch()
	var sent, received atomic.Int64
	recvd := make(chan struct{}, 1)
	inputEnd := make(chan struct{})

	recvLoop := func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := l.recv(buf)
			if err != nil {
				done <- err
				return
			}
			touch()
			if n == 0 && stream {
				done <- nil
				return
			}
			o.dump("<", buf[:n])
			if _, err := o.stdout.Write(buf[:n]); err != nil {
				done <- err
				return
			}
			if !stream || counted {
				if counted {
					received.Add(int64(n))
				} else {
					received.Add(1)
				}
				select {
				case recvd <- struct{}{}:
				default:
				}
			}
		}
	}
	if !o.sendOnly {
		go recvLoop()
	}
	go func() {
		if err := sendInput(o, l, stream, touch, &sent); err != nil {
			done <- err
			return
		}
		if halfClose && !o.noShutdown && !o.noStdin {
			if err := l.closeWrite(); err != nil && !errors.Is(err, unix.ENOTCONN) {
				done <- err
				return
			}
		}
		close(inputEnd)
	}()

	idle := o.idle
	var idleC <-chan time.Time
	var idleT *time.Timer
	armIdle := func(d time.Duration) {
		idle = d
		idleT = time.NewTimer(d)
		idleC = idleT.C
	}
	if idle > 0 {
		armIdle(idle)
	}
	defer func() {
		if idleT != nil {
			idleT.Stop()
		}
	}()
	var quitC <-chan time.Time
	inputDone := false
	target := int64(-1) // datagram replies to wait for, once known
	endC := (<-chan struct{})(inputEnd)
	for {
		if awaitReplies && inputDone && received.Load() >= target {
			return nil
		}
		select {
		case err := <-done:
			if err == nil && stream && !inputDone {
				// The peer finished its side: input already at hand is
				// still sent (nothing the peer may read is dropped), for
				// at most peerEOFLinger, as socat's -t.
				return lingerForInput(endC, done)
			}
			if errors.Is(err, unix.EPIPE) && !o.sendOnly {
				return preferReset(err, done)
			}
			return err
		case <-endC:
			endC = nil
			inputDone = true
			if o.sendOnly {
				return nil
			}
			if o.quit >= 0 {
				quitC = time.After(o.quit)
			}
			if awaitReplies {
				target = int64(o.recvCount)
				if target == 0 || counted {
					target = sent.Load()
				}
				if idleT == nil {
					armIdle(defaultReplyWait)
				}
			}
		case <-recvd:
		case <-quitC:
			return nil
		case <-idleC:
			quiet := time.Since(time.Unix(0, last.Load()))
			if quiet >= idle {
				if counted && inputDone {
					return cli.Exitf(cli.ExitTimeout, "%d of %d bytes came back within %s", received.Load(), target, idle)
				}
				if !stream && inputDone && awaitReplies {
					return cli.Exitf(cli.ExitTimeout, "%d of %d datagram replies arrived within %s", received.Load(), target, idle)
				}
				return cli.Exitf(cli.ExitTimeout, "no traffic for %s (%s)", idle, o.idleFlag)
			}
			idleT.Reset(idle - quiet)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// resetWait bounds how long a send's EPIPE waits for the receive side's error.
const resetWait = 200 * time.Millisecond

// preferReset reports a reset connection as a reset. A reset peer sets one
// pending error on the socket, and the first system call to see it takes it:
// when that is the receive side, the send that follows gets a bare EPIPE
// ("broken pipe"), and which of the two goroutines reports first is a race.
// So a send's EPIPE waits briefly for the receive side, and its
// ECONNRESET is the one reported.
func preferReset(epipe error, done <-chan error) error {
	t := time.NewTimer(resetWait)
	defer t.Stop()
	select {
	case err := <-done:
		if errors.Is(err, unix.ECONNRESET) {
			return err
		}
	case <-t.C:
	}
	return epipe
}

// peerEOFLinger bounds how long input is still sent after the peer closed
// its side (socat's -t default).
const peerEOFLinger = 500 * time.Millisecond

// lingerForInput waits for the input side to finish after the peer's end of
// stream: nil once all input was sent, the send error if one came first, nil
// after peerEOFLinger (an interactive terminal with nothing typed).
func lingerForInput(inputEnd <-chan struct{}, done <-chan error) error {
	t := time.NewTimer(peerEOFLinger)
	defer t.Stop()
	select {
	case <-inputEnd:
		return nil
	case err := <-done:
		return err
	case <-t.C:
		return nil
	}
}

// maxDatagramInput bounds one read of standard input on a datagram
// socket, so one datagram, as ncat's 8192 (OpenBSD nc: 16384). A 64 KiB
// read of a file or pipe is more than a UDP datagram holds (65,507 bytes
// over IPv4): send(2) failed with EMSGSIZE and nothing was sent.
const maxDatagramInput = 8192

// sendInput sends standard input (each read, at most maxDatagramInput
// bytes, one datagram on a datagram socket) or --send-file, then returns
// at its end.
func sendInput(o *options, l *link, stream bool, touch func(), sent *atomic.Int64) error {
	s := l.s
	if o.sendFile != "" {
		f, err := os.Open(o.sendFile)
		if err != nil {
			return err
		}
		defer f.Close()
		if !stream {
			return cli.Usagef("--send-file needs a stream socket (sendfile(2))")
		}
		if l.tls != nil {
			n, err := io.Copy(l, f)
			sent.Add(n)
			touch()
			return err
		}
		n, err := s.SendFile(f, 0, 0)
		sent.Add(int64(n))
		touch()
		return err
	}
	if o.noStdin {
		return nil
	}
	buf := make([]byte, 64<<10)
	if !stream {
		buf = buf[:maxDatagramInput]
	}
	for {
		n, err := o.stdin.Read(buf)
		if n > 0 {
			data := buf[:n]
			if o.crlf {
				data = toCRLF(data)
			}
			o.dump(">", data)
			if stream {
				err = l.sendAll(data)
				sent.Add(int64(len(data)))
			} else {
				_, err = s.Send(data, 0)
				sent.Add(1)
			}
			touch()
			if err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// toCRLF turns each LF not already after CR into CRLF.
func toCRLF(b []byte) []byte {
	if bytes.IndexByte(b, '\n') < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}
