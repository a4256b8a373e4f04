package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

type verifyConfig struct {
	count    int
	size     int
	rate     float64
	duration time.Duration
	maxLoss  float64
	json     bool
}

// defaultVerifyWait is how long --verify waits for one echo without -w.
const defaultVerifyWait = 2 * time.Second

// report is what --verify prints.
type report struct {
	URL        string  `json:"url"`
	Sent       int     `json:"sent"`
	Received   int     `json:"received"`
	Lost       int     `json:"lost"`
	Corrupted  int     `json:"corrupted"`
	Late       int     `json:"late"`       // datagrams: echoes that came after their payload's wait (counted lost)
	Duplicates int     `json:"duplicates"` // datagrams: further echoes of a payload already echoed
	LossPct    float64 `json:"loss_percent"`
	RTTMin     float64 `json:"rtt_min_ms"`
	RTTP50     float64 `json:"rtt_p50_ms"`
	RTTP99     float64 `json:"rtt_p99_ms"`
	RTTMax     float64 `json:"rtt_max_ms"`
	Seconds    float64 `json:"seconds"`
	Throughput float64 `json:"throughput_bytes_per_second"`
	OK         bool    `json:"ok"`
	Error      string  `json:"error,omitempty"`
}

// verify sends random payloads one at a time and checks each echo byte for
// byte. Datagram payloads start with an 8-byte sequence number so that late
// replies are told apart from lost ones.
func verify(ctx context.Context, o *options, e *cli.Endpoint, v verifyConfig) error {
	s, err := dialWaiting(ctx, o, e)
	if err != nil {
		return err
	}
	defer s.Close()
	dgram := s.Type() == unix.SOCK_DGRAM
	if dgram && v.size < 8 {
		return cli.Usagef("--size %d: datagram payloads carry an 8-byte sequence number, want 8 or more", v.size)
	}
	wait := o.wait
	if wait <= 0 {
		wait = defaultVerifyWait
	}
	s.SetTimeout(wait)
	// A stream is read and written through rw: the socket, or TLS over it
	// (each call then bounded by a deadline instead of the timeout).
	// Both end their waits when ctx is cancelled (SIGINT).
	var rw io.ReadWriter = ctxSocket{ctx, s}
	var deadline func()
	if o.tlsClient != nil {
		l, err := tlsClientLink(ctx, o, s, e.String())
		if err != nil {
			return err
		}
		rw = l.tls
		deadline = func() { l.tls.SetDeadline(time.Now().Add(wait)) }
		stop := context.AfterFunc(ctx, func() { l.tls.SetDeadline(time.Now()) })
		defer stop()
	}
	rng := rand.New(rand.NewChaCha8([32]byte{'e', 'c', 'h', 'o', 'c', 'a', 't'}))
	payload := make([]byte, v.size)
	reply := make([]byte, v.size+1)
	var rtts []time.Duration
	r := report{URL: e.String()}
	start := time.Now()
	var interval time.Duration
	if v.rate > 0 {
		interval = time.Duration(float64(time.Second) / v.rate)
	}
	// Datagrams that are not the awaited echo: a late echo of a payload
	// counted lost, or a copy of one already echoed (the network, or the
	// server, duplicated it). Anything else is noise.
	lostSeqs := map[uint64]struct{}{}
	stray := func(seq, current uint64) {
		if _, ok := lostSeqs[seq]; ok {
			delete(lostSeqs, seq)
			r.Late++
		} else if seq < current {
			r.Duplicates++
		}
	}
	var ferr error
	for seq := 0; ; seq++ {
		if v.duration > 0 {
			if time.Since(start) >= v.duration {
				break
			}
		} else if seq >= v.count {
			break
		}
		if interval > 0 {
			if d := time.Until(start.Add(time.Duration(seq) * interval)); d > 0 {
				time.Sleep(d) // pacing to --rate
			}
		}
		fillRandom(rng, payload)
		if dgram {
			binary.BigEndian.PutUint64(payload, uint64(seq))
		}
		t0 := time.Now()
		if deadline != nil {
			deadline()
		}
		if _, err := rw.Write(payload); err != nil {
			ferr = err
			break
		}
		r.Sent++
		var ok, corrupt bool
		if dgram {
			ok, corrupt, err = recvDatagram(ctx, s, payload, reply, uint64(seq), t0.Add(wait), stray)
			s.SetTimeout(wait)
		} else {
			ok, corrupt, err = recvStream(rw, payload, reply[:v.size])
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			ferr = err
			break
		}
		if !ok {
			r.Lost++
			if dgram {
				lostSeqs[uint64(seq)] = struct{}{}
			}
			if !dgram {
				// A stream that stalled cannot be resynchronised.
				ferr = cli.Exitf(cli.ExitTimeout, "no echo of payload %d within %s", seq, wait)
				break
			}
			continue
		}
		rtts = append(rtts, time.Since(t0))
		r.Received++
		if corrupt {
			r.Corrupted++
		}
	}
	elapsed := time.Since(start)
	if dgram && ferr == nil && len(lostSeqs) > 0 {
		// As ping does, wait one more -w for the echoes of payloads
		// counted lost, so that a late echo is told apart from a lost
		// one (#16).
		end := time.Now().Add(wait)
		for len(lostSeqs) > 0 {
			d := time.Until(end)
			if d <= 0 {
				break
			}
			s.SetTimeout(d)
			n, err := s.RecvIntoContext(ctx, reply, 0)
			if err != nil {
				break
			}
			if n >= 8 {
				stray(binary.BigEndian.Uint64(reply), uint64(r.Sent))
			}
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if r.Sent > 0 {
		r.LossPct = 100 * float64(r.Sent-r.Received) / float64(r.Sent)
		r.Lost = r.Sent - r.Received
	}
	if len(rtts) > 0 {
		slices.Sort(rtts)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		r.RTTMin, r.RTTMax = ms(rtts[0]), ms(rtts[len(rtts)-1])
		r.RTTP50, r.RTTP99 = ms(percentile(rtts, 50)), ms(percentile(rtts, 99))
	}
	r.Seconds = elapsed.Seconds()
	if r.Seconds > 0 {
		r.Throughput = float64(2*r.Received*v.size) / r.Seconds
	}
	var verr error
	switch {
	case ferr != nil:
		verr = ferr
	case r.Corrupted > 0:
		verr = cli.Exitf(cli.ExitFailure, "verify %s: %d of %d echoes corrupted", r.URL, r.Corrupted, r.Received)
	case r.LossPct > v.maxLoss:
		verr = cli.Exitf(cli.ExitFailure, "verify %s: %.2f%% lost, more than --max-loss %.2f%%", r.URL, r.LossPct, v.maxLoss)
	case r.Sent == 0:
		verr = cli.Exitf(cli.ExitFailure, "verify %s: nothing sent", r.URL)
	}
	r.OK = verr == nil
	if verr != nil {
		r.Error = verr.Error()
	}
	printReport(o.stdout, r, v.json)
	return verr
}

func fillRandom(rng *rand.Rand, b []byte) {
	for i := 0; i < len(b); i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], rng.Uint64())
		copy(b[i:], w[:])
	}
}

// ctxSocket reads and writes a stream socket until ctx is cancelled.
type ctxSocket struct {
	ctx context.Context
	s   *sockcore.Socket
}

func (c ctxSocket) Read(p []byte) (int, error) { return c.s.ReadContext(c.ctx, p) }
func (c ctxSocket) Write(p []byte) (int, error) {
	return c.s.SendAllCountContext(c.ctx, p, 0)
}

// recvStream reads len(want) bytes and compares them.
func recvStream(r io.Reader, want, got []byte) (ok, corrupt bool, err error) {
	if _, err := io.ReadFull(r, got); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return false, false, fmt.Errorf("the peer closed the connection before echoing everything")
		}
		return false, false, err
	}
	return true, string(got) != string(want), nil
}

// recvDatagram waits until deadline for the reply with sequence number seq,
// dropping late replies to earlier ones (and duplicates): they do not
// extend the wait, or a payload whose echo came after -w would count as
// received.
func recvDatagram(ctx context.Context, s *sockcore.Socket, want, buf []byte, seq uint64, deadline time.Time, stray func(seq, current uint64)) (ok, corrupt bool, err error) {
	for {
		d := time.Until(deadline)
		if d <= 0 {
			return false, false, os.ErrDeadlineExceeded
		}
		s.SetTimeout(d)
		n, err := s.RecvIntoContext(ctx, buf, 0)
		if err != nil {
			return false, false, err
		}
		if n < 8 {
			continue // noise
		}
		if got := binary.BigEndian.Uint64(buf); got != seq {
			stray(got, seq) // a late echo of an earlier payload, a copy, or noise
			continue
		}
		return true, n != len(want) || string(buf[:n]) != string(want), nil
	}
}

func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

func printReport(w io.Writer, r report, asJSON bool) {
	if asJSON {
		b, _ := json.Marshal(r)
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	status := "ok"
	if !r.OK {
		status = "FAILED"
	}
	fmt.Fprintf(w, "verify %s: %s: sent %d, received %d, lost %d (%.2f%%), corrupted %d",
		r.URL, status, r.Sent, r.Received, r.Lost, r.LossPct, r.Corrupted)
	if r.Late > 0 || r.Duplicates > 0 {
		fmt.Fprintf(w, ", late %d, duplicates %d", r.Late, r.Duplicates)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "rtt min %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms; %.0f bytes/s both ways in %.3f s\n",
		r.RTTMin, r.RTTP50, r.RTTP99, r.RTTMax, r.Throughput, r.Seconds)
}
