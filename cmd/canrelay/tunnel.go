package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func tunnelCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "tunnel",
		Usage:     "carry CAN and CAN FD frames over UDP to another canrelay tunnel",
		ArgsUsage: "IFACE",
		Description: "Frames read on IFACE go to --peer in datagrams of several frames (as many as are " +
			"waiting, up to --max-datagram bytes); datagrams from --peer are written to IFACE. Each " +
			"datagram has a sequence number: lost and reordered datagrams are counted, and frames are written " +
			"in sequence order (a datagram that overtook another waits up to --reorder-wait; one that comes after " +
			"the wait gave up on it is dropped and counted as late, never written out of order). A tunnel that starts " +
			"sends a hello, so that the peer takes its datagrams, numbered from 1 again, as a new run (peer_restarts) " +
			"rather than as late ones. Frames the bus's transmit queue refuses for over 100ms (ENOBUFS) are counted " +
			"as can_drops. Addresses are " +
			"numeric: 192.0.2.1:20000 or [2001:db8::1]:20000. Counters are printed when it stops. Like the bridge it runs " +
			"on one CPU, as SCHED_BATCH unless --low-latency. " +
			"WITHOUT --key-file THE TUNNEL IS UNAUTHENTICATED: anyone who can send UDP from the peer's address " +
			"puts frames on IFACE; use it only on an isolated link or inside WireGuard or IPsec. With --key-file " +
			"(the same key at both ends) each datagram carries an HMAC-SHA256 tag (128 bits) and a 64-bit sequence " +
			"number; forged, reflected and replayed datagrams are counted (auth_failed, replayed) and dropped.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "listen", Required: true, Usage: "local UDP `ADDR:PORT`"},
			&ucli.StringFlag{Name: "peer", Required: true, Usage: "the other tunnel's UDP `ADDR:PORT`"},
			&ucli.IntFlag{Name: "max-datagram", Value: 1400, Usage: "largest datagram in `BYTES` (76 to 65507)"},
			countFlag("writing `COUNT` frames to IFACE"),
			&ucli.StringFlag{Name: "reorder-wait", Value: "20ms", Usage: "hold datagrams that arrive ahead of a gap up to `D` for the missing ones (0: write at once)"},
			lowLatencyFlag("frame or datagram"),
			&ucli.StringFlag{Name: "key-file", Usage: "authenticate datagrams with the pre-shared key in `FILE` (16 to 4096 bytes, e.g. head -c 32 /dev/urandom; the peer needs the same); without it the tunnel is unauthenticated"},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			iface, err := checkedIface(c, "tunnel")
			if err != nil {
				return err
			}
			listen, err := parseUDPAddr("listen", c.String("listen"))
			if err != nil {
				return err
			}
			peer, err := parseUDPAddr("peer", c.String("peer"))
			if err != nil {
				return err
			}
			if listen.Family() != peer.Family() {
				return cli.Usagef("tunnel: --listen and --peer must both be IPv4 or both IPv6")
			}
			max := c.Int("max-datagram")
			if max < canframe.TunnelHeaderLen+canframe.FDMTU-2 || max > 65507 {
				return cli.Usagef("tunnel: --max-datagram %d is out of range 76-65507", max)
			}
			var auth, authRx *canframe.TunnelAuth
			if kf := c.String("key-file"); kf != "" {
				if auth, authRx, err = tunnelAuth(kf); err != nil {
					return err
				}
				if max < canframe.TunnelHeaderLen+canframe.FDMTU-2+canframe.TunnelAuthOverhead {
					return cli.Usagef("tunnel: --max-datagram %d is too small for authenticated datagrams (at least %d)", max, canframe.TunnelHeaderLen+canframe.FDMTU-2+canframe.TunnelAuthOverhead)
				}
			}
			wait, err := parseDurationFlag("reorder-wait", c.String("reorder-wait"))
			if err != nil {
				return err
			}
			s, err := e.openIface(iface)
			if err != nil {
				return err
			}
			defer s.Close()
			u, err := sockcore.New(listen.Family(), unix.SOCK_DGRAM, 0)
			if err != nil {
				return err
			}
			defer u.Close()
			if err := u.Bind(listen); err != nil {
				return fmt.Errorf("tunnel: bind %s: %w", c.String("listen"), err)
			}
			t := &tunnel{can: s, iface: iface, udp: u, peer: peer, maxDatagram: max, limit: int64(c.Int("n")), reorderWait: wait,
				auth: auth, authRx: authRx, stderr: e.stderr}
			if e.pinProcess != nil {
				e.pinProcess(c.Bool("low-latency"), e.stderr)
			}
			err = t.run(ctx)
			t.printStats(e.stdout, c.Args().First())
			return err
		},
	}
}

// parseUDPAddr reads a numeric ADDR:PORT.
func parseUDPAddr(flag, s string) (sockcore.Addr, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return nil, cli.Usagef("tunnel: --%s %q: want ADDR:PORT", flag, s)
	}
	ap, err := netip.ParseAddrPort(net.JoinHostPort(host, port))
	if err != nil {
		return nil, cli.Usagef("tunnel: --%s %q: want a numeric ADDR:PORT (%w)", flag, s, err)
	}
	if ap.Addr().Is4() {
		return &sockcore.InetAddr{IP: ap.Addr(), Port: int(ap.Port())}, nil
	}
	return &sockcore.Inet6Addr{IP: ap.Addr(), Port: int(ap.Port())}, nil
}

// tunnelAuth reads the pre-shared key and returns the sender's and the
// receiver's authenticators (one each: they run on two goroutines). The
// key buffer is cleared once HMAC has taken its copy.
func tunnelAuth(path string) (tx, rx *canframe.TunnelAuth, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, cli.Exitf(cli.ExitCode(err), "tunnel: --key-file: %w", err)
	}
	defer f.Close()
	key, err := cli.ReadSecret(f, path, canframe.MaxTunnelKeyLen)
	if err != nil {
		return nil, nil, fmt.Errorf("tunnel: --key-file: %w", err)
	}
	defer clear(key)
	if len(key) < canframe.MinTunnelKeyLen {
		return nil, nil, cli.Usagef("tunnel: --key-file: the key in %s is %d bytes, at least %d are needed (head -c 32 /dev/urandom > %s)", path, len(key), canframe.MinTunnelKeyLen, path)
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, nil, err
	}
	sender := binary.BigEndian.Uint64(id[:])
	epoch := uint32(time.Now().Unix())
	if tx, err = canframe.NewTunnelAuth(key, sender, epoch); err != nil {
		return nil, nil, cli.Usagef("tunnel: --key-file: %w", err)
	}
	rx, _ = canframe.NewTunnelAuth(key, sender, epoch)
	return tx, rx, nil
}

// tunnel joins a CAN socket and a UDP socket.
type tunnel struct {
	can         *sockcore.Socket
	iface       string
	udp         *sockcore.Socket
	peer        sockcore.Addr
	maxDatagram int
	limit       int64 // stop after writing this many frames to CAN; 0: never
	reorderWait time.Duration

	seq     uint8
	tracker canframe.SeqTracker
	mu      sync.Mutex // guards tracker

	// session is the number this tunnel's hello carries; peerSession the
	// one of the peer's last hello (peerKnown: one came).
	session     uint64
	peerSession uint64
	peerKnown   bool

	// auth seals what canToUDP sends, authRx opens what udpToCAN
	// receives (nil: unauthenticated); window refuses replays.
	auth, authRx *canframe.TunnelAuth
	window       canframe.ReplayWindow
	stderr       io.Writer
	warned       bool // the key mismatch was said on stderr

	txFrames, txDatagrams, txErrors     atomic.Uint64
	rxFrames, rxDatagrams, bad, foreign atomic.Uint64
	canDrops                            atomic.Uint64
	late                                atomic.Uint64 // datagrams dropped by the reorder buffer
	restarts                            atomic.Uint64 // hellos of a new session after the peer's datagrams or hello
	authFailed, replayed                atomic.Uint64
}

func (t *tunnel) printStats(w io.Writer, iface string) {
	t.mu.Lock()
	lost, reordered := t.tracker.Lost, t.tracker.Reordered
	t.mu.Unlock()
	fmt.Fprintf(w, "tunnel %s: tx_frames=%d tx_datagrams=%d tx_errors=%d rx_frames=%d rx_datagrams=%d lost=%d reordered=%d bad=%d foreign=%d can_drops=%d late=%d peer_restarts=%d",
		iface, t.txFrames.Load(), t.txDatagrams.Load(), t.txErrors.Load(), t.rxFrames.Load(), t.rxDatagrams.Load(),
		lost, reordered, t.bad.Load(), t.foreign.Load(), t.canDrops.Load(), t.late.Load(), t.restarts.Load())
	if t.auth != nil {
		fmt.Fprintf(w, " auth_failed=%d replayed=%d", t.authFailed.Load(), t.replayed.Load())
	}
	fmt.Fprintln(w)
}

func (t *tunnel) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	bigRcvBuf(t.can)
	bigRcvBuf(t.udp)
	drain, err := t.can.Dup()
	if err != nil {
		return err
	}
	defer drain.Close()
	drain.SetTimeout(0)    // non-blocking: empties what is queued into one datagram
	rx, err := t.udp.Dup() // the receiver's own timeout mode, apart from the sender's
	if err != nil {
		return err
	}
	defer rx.Close()
	stop := ctxClose(ctx, t.can, t.udp, drain, rx)
	defer stop()
	if err := t.hello(); err != nil {
		return err
	}
	errc := make(chan error, 2)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		errc <- t.canToUDP(drain)
		cancel()
	}()
	go func() {
		defer wg.Done()
		errc <- t.udpToCAN(rx)
		cancel()
	}()
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil && !ended(ctx, err) {
			return err
		}
	}
	return nil
}

// helloCopies is how many times a starting tunnel sends its hello: one
// lost on the way still leaves the peer told.
const helloCopies = 3

// hello tells the peer that this tunnel starts a session: the data
// datagrams that follow number from 1, whatever its last run sent. A
// hello that cannot be sent is not an error (the peer may not be up yet).
func (t *tunnel) hello() error {
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return err
	}
	t.session = binary.BigEndian.Uint64(id[:])
	h := canframe.AppendTunnelHello(nil, t.session)
	for range helloCopies {
		out := h
		if t.auth != nil {
			out = t.auth.Seal(nil, h) // each copy its own number: not a replay
		}
		t.udp.SendTo(out, 0, t.peer)
	}
	t.seq = 1
	return nil
}

// tunnelBatch is how many frames one recvmmsg/sendmmsg call moves.
const tunnelBatch = 64

// canToUDP reads the frames queued (waiting for one), then those queued
// meanwhile, and sends them as one datagram, or several when they do not
// fit.
func (t *tunnel) canToUDP(drain *sockcore.Socket) error {
	b := newFrameBatch(tunnelBatch)
	room := t.maxDatagram
	var sealed []byte
	if t.auth != nil {
		room -= canframe.TunnelAuthOverhead
		sealed = make([]byte, 0, t.maxDatagram)
	}
	dgram := make([]byte, 0, room)
	count := 0
	flush := func() {
		if count == 0 {
			return
		}
		dgram[2] = t.seq
		dgram[3], dgram[4] = byte(count>>8), byte(count)
		out := dgram
		if t.auth != nil {
			sealed = t.auth.Seal(sealed[:0], dgram)
			out = sealed
		}
		if _, err := t.udp.SendTo(out, 0, t.peer); err != nil {
			t.txErrors.Add(1)
		} else {
			t.txDatagrams.Add(1)
			t.txFrames.Add(uint64(count))
		}
		t.seq++
		dgram = dgram[:0]
		count = 0
	}
	for {
		n, err := t.can.RecvMMsg(b, 0)
		for err == nil {
			for i := range n {
				f, derr := canframe.DecodeWire(b.Bufs[i][:b.N[i]])
				if derr != nil {
					continue
				}
				if count > 0 && len(dgram)+canframe.TunnelFrameLen(&f) > room || count == 0xffff {
					flush()
				}
				if count == 0 {
					dgram = canframe.AppendTunnelHeader(dgram, 0, 0)
				}
				dgram, _ = canframe.AppendTunnelFrame(dgram, &f)
				count++
			}
			if n < b.Len() {
				break // the queue was empty
			}
			n, err = drain.RecvMMsg(b, 0)
		}
		if err != nil && !errors.Is(err, unix.EAGAIN) {
			flush()
			return err
		}
		flush()
	}
}

// authenticate checks a datagram from the peer's address: with a key, its
// tag, its sender (not this tunnel: a reflection) and its sequence number
// (not seen, not below the replay window), and returns the datagram it
// carries; what fails is counted and dropped. A key on one end only is
// said once on stderr.
func (t *tunnel) authenticate(b []byte) ([]byte, bool) {
	if t.authRx == nil {
		if len(b) > 0 && b[0] == canframe.TunnelAuthVersion {
			t.bad.Add(1)
			t.warnOnce("the peer authenticates its datagrams (--key-file) and this end has no key: dropping them; give both ends the same --key-file")
			return nil, false
		}
		return b, true
	}
	o, err := t.authRx.Open(b)
	switch {
	case errors.Is(err, canframe.ErrUnauthenticated):
		t.authFailed.Add(1)
		t.warnOnce("the peer sends unauthenticated datagrams (it has no --key-file): dropping them; give both ends the same --key-file")
		return nil, false
	case err != nil:
		t.authFailed.Add(1)
		return nil, false
	case o.Sender == t.authRx.Sender():
		t.authFailed.Add(1) // this tunnel's own datagram, sent back
		return nil, false
	case !t.window.Check(o.Seq):
		t.replayed.Add(1)
		return nil, false
	}
	t.window.Accept(o.Seq)
	return o.Datagram, true
}

func (t *tunnel) warnOnce(msg string) {
	if t.warned || t.stderr == nil {
		return
	}
	t.warned = true
	fmt.Fprintf(t.stderr, "canrelay: tunnel: warning: %s\n", msg)
}

// reorderWindow is how many datagrams may wait for a missing one.
const reorderWindow = 64

// udpToCAN writes the frames of each datagram from the peer to CAN, in
// sequence order: a datagram that overtook another waits for it (at most
// reorderWait, at most reorderWindow datagrams).
func (t *tunnel) udpToCAN(rx *sockcore.Socket) error {
	pkt := make([]byte, 65536)
	out := newFrameBatch(tunnelBatch)
	idx := make([]int, 0, tunnelBatch)
	peer := t.peer.String()
	reorder := newReorderBuf(reorderWindow)
	var ready []canframe.Datagram
	reported := false
	drop := func(err error) {
		t.canDrops.Add(1)
		if !reported && !errors.Is(err, unix.EBADF) && t.stderr != nil { // EBADF: the tunnel is stopping
			reported = true
			cli.Report(t.stderr, "canrelay", fmt.Errorf("tunnel: write to %s: %w (dropped and counted as can_drops; reported once)", t.iface, err))
		}
	}
	// write sends the frames of the ready datagrams, up to tunnelBatch in
	// one sendmmsg, and reports whether the limit is reached.
	write := func() bool {
		for _, d := range ready {
			for start := 0; start < len(d.Frames); start += tunnelBatch {
				frames := d.Frames[start:min(start+tunnelBatch, len(d.Frames))]
				if t.limit > 0 {
					frames = frames[:min(int64(len(frames)), t.limit-int64(t.rxFrames.Load()))]
				}
				idx = idx[:0]
				for i := range frames {
					w, err := canframe.AppendWire(out.Bufs[i][:0], &frames[i])
					if err != nil {
						t.canDrops.Add(1)
						continue
					}
					out.N[i] = len(w)
					idx = append(idx, i)
				}
				sent, _ := sendCANs(t.can, out, idx, drop) // a closed socket: the rest counted as dropped
				if r := t.rxFrames.Add(uint64(sent)); t.limit > 0 && int64(r) >= t.limit {
					return true
				}
			}
		}
		ready = ready[:0]
		return false
	}
	for {
		if reorder.waiting() {
			rx.SetTimeout(t.reorderWait)
		} else {
			rx.SetTimeout(sockcore.Forever)
		}
		n, from, err := rx.RecvFromInto(pkt, 0)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			ready = reorder.flush(ready)
			if write() {
				return nil
			}
			continue
		}
		if err != nil {
			return err
		}
		if from == nil || from.String() != peer {
			t.foreign.Add(1)
			continue
		}
		body, ok := t.authenticate(pkt[:n])
		if !ok {
			continue
		}
		if sess, ok := canframe.ParseTunnelHello(body); ok {
			// The peer (re)started: what waits from its last run goes
			// to the bus, and its numbers start again from 1. A hello
			// seen before (a copy) changes nothing.
			if t.peerKnown && sess == t.peerSession {
				continue
			}
			t.mu.Lock()
			heard := t.tracker.Received > 0
			t.mu.Unlock()
			if t.peerKnown || heard {
				t.restarts.Add(1)
			}
			t.peerKnown, t.peerSession = true, sess
			ready = reorder.restart(1, ready)
			t.mu.Lock()
			t.tracker.Restart(1)
			t.mu.Unlock()
			if write() {
				return nil
			}
			continue
		}
		d, err := canframe.DecodeDatagram(body)
		if err != nil {
			t.bad.Add(1)
			continue
		}
		t.rxDatagrams.Add(1)
		t.mu.Lock()
		t.tracker.Observe(d.Seq)
		t.mu.Unlock()
		if t.reorderWait > 0 {
			ready = reorder.push(d, ready)
			t.late.Store(reorder.late)
		} else {
			ready = append(ready, d)
		}
		if write() {
			return nil
		}
	}
}
