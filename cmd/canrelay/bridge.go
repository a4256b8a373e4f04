package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func bridgeCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "bridge",
		Usage:     "forward frames between two interfaces (a user-space gateway)",
		ArgsUsage: "IFACE_A IFACE_B",
		Description: "Forwards A to B, and B to A unless --one-way. The bridge never receives its own " +
			"transmissions (CAN_RAW_RECV_OWN_MSGS stays off, and a frame flagged as its own is dropped " +
			"and counted as a loop). Counters per direction are printed when it stops: overflows are " +
			"frames the kernel dropped because the bridge did not read them in time (SO_RXQ_OVFL). Frames are " +
			"read and written up to 64 at a time (recvmmsg, sendmmsg). The bridge runs on one CPU, as SCHED_BATCH " +
			"unless --low-latency: on a CPU busy with other work it lets frames queue up and takes them in batches " +
			"rather than preempting that work for each frame.",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "one-way", Usage: "forward A to B only"},
			&ucli.StringSliceFlag{Name: "filter", Usage: "forward A to B only frames passing `FILTER` (ID:MASK, ID~MASK, #ERRMASK, j)"},
			&ucli.StringSliceFlag{Name: "filter-back", Usage: "the same for B to A"},
			&ucli.StringSliceFlag{Name: "rewrite", Usage: "A to B: send id FROM as id TO (`FROM=TO`, hex)"},
			&ucli.StringSliceFlag{Name: "rewrite-back", Usage: "the same for B to A"},
			countFlag("forwarding `COUNT` frames (both directions together)"),
			lowLatencyFlag("frame"),
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() != 2 {
				return cli.Usagef("bridge: want two interfaces")
			}
			a, b := c.Args().Get(0), c.Args().Get(1)
			if err := checkIface(a, b); err != nil {
				return err
			}
			if a == b {
				return cli.Usagef("bridge: %s to itself would loop", a)
			}
			ab := &bridgeDir{fromName: a, toName: b}
			ba := &bridgeDir{fromName: b, toName: a}
			for _, x := range []struct {
				d       *bridgeDir
				filters []string
				rewrite []string
			}{{ab, c.StringSlice("filter"), c.StringSlice("rewrite")}, {ba, c.StringSlice("filter-back"), c.StringSlice("rewrite-back")}} {
				for _, f := range x.filters {
					if err := x.d.filters.addFilter(f); err != nil {
						return err
					}
				}
				for _, r := range x.rewrite {
					if err := x.d.addRewrite(r); err != nil {
						return err
					}
				}
			}
			sa, err := e.openIface(a)
			if err != nil {
				return err
			}
			defer sa.Close()
			sb, err := e.openIface(b)
			if err != nil {
				return err
			}
			defer sb.Close()
			dirs := []*bridgeDir{ab}
			if !c.Bool("one-way") {
				dirs = append(dirs, ba)
			}
			ab.from, ab.to, ba.from, ba.to = sa, sb, sb, sa
			err = bridge(ctx, dirs, int64(c.Int("n")), e.pinProcess, c.Bool("low-latency"), e.stderr)
			for _, d := range dirs {
				d.printStats(e.stdout)
			}
			return err
		},
	}
}

// bridgeDir is one direction of a bridge.
type bridgeDir struct {
	from, to         *sockcore.Socket
	fromName, toName string
	filters          filterSet
	rewrite          map[uint32]uint32 // can_id (with EFF flag) to can_id

	received, forwarded, filtered, rewritten, dropped, loops atomic.Uint64
	overflows                                                atomic.Uint64 // SO_RXQ_OVFL: dropped by the kernel before the bridge read them
}

func (d *bridgeDir) addRewrite(s string) error {
	from, to, ok := strings.Cut(s, "=")
	if !ok {
		return cli.Usagef("bridge: --rewrite %q: want FROM=TO", s)
	}
	f, err := parseID(from)
	if err != nil {
		return err
	}
	t, err := parseID(to)
	if err != nil {
		return err
	}
	if d.rewrite == nil {
		d.rewrite = map[uint32]uint32{}
	}
	d.rewrite[f] = t
	return nil
}

func (d *bridgeDir) printStats(w io.Writer) {
	fmt.Fprintf(w, "%s->%s received=%d forwarded=%d filtered=%d rewritten=%d dropped=%d loops=%d overflows=%d\n",
		d.fromName, d.toName, d.received.Load(), d.forwarded.Load(), d.filtered.Load(),
		d.rewritten.Load(), d.dropped.Load(), d.loops.Load(), d.overflows.Load())
}

// bridge runs every direction until ctx ends, a read fails, or limit frames
// (0: no limit) are forwarded. pin (nil: none) places the process before the
// frames flow.
func bridge(ctx context.Context, dirs []*bridgeDir, limit int64, pin func(lowLatency bool, stderr io.Writer), lowLatency bool, errw io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var socks []*sockcore.Socket
	for _, d := range dirs {
		socks = append(socks, d.from, d.to)
		// The bridge must never be handed back what it sent.
		d.from.SetCANRawRecvOwnMsgs(false)
		bigRcvBuf(d.from)
		d.from.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1)
	}
	stop := ctxClose(ctx, socks...)
	defer stop()
	if pin != nil {
		pin(lowLatency, errw)
	}
	var total atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, len(dirs))
	for _, d := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := d.run(&total, limit, errw)
			if err != nil && !ended(ctx, err) {
				errc <- err
			}
			cancel()
		}()
	}
	wg.Wait()
	close(errc)
	return <-errc
}

// bridgeBatch is how many frames one recvmmsg/sendmmsg call moves.
const bridgeBatch = 64

func (d *bridgeDir) run(total *atomic.Int64, limit int64, errw io.Writer) error {
	b := newFrameBatch(bridgeBatch)
	idx := make([]int, 0, bridgeBatch)
	reported := false
	for limit <= 0 || total.Load() < limit {
		// With a limit, take no more frames than may still be forwarded.
		if rest := limit - total.Load(); limit > 0 && rest < int64(b.Len()) {
			b = newFrameBatch(int(rest))
		}
		n, err := d.from.RecvMMsg(b, 0)
		if err != nil {
			return err
		}
		d.received.Add(uint64(n))
		idx = idx[:0]
		for i := range n {
			// Read in place: once the socket has dropped a frame, the
			// count rides on every frame after, and ControlMessages
			// would copy it for each just when the bridge is behind.
			if m, ok := sockcore.FindControl(b.Control[i][:b.ControlN[i]], unix.SOL_SOCKET, unix.SO_RXQ_OVFL); ok && len(m) >= 4 {
				d.overflows.Store(uint64(binary.NativeEndian.Uint32(m)))
			}
			if b.Flags[i]&unix.MSG_CONFIRM != 0 {
				d.loops.Add(1)
				continue
			}
			f := b.Bufs[i][:b.N[i]]
			id, ok := canframe.WireCANID(f)
			if !ok || (len(f) != canframe.MTU && len(f) != canframe.FDMTU) || b.Flags[i]&unix.MSG_TRUNC != 0 {
				d.dropped.Add(1)
				continue
			}
			if !d.filters.match(id) {
				d.filtered.Add(1)
				continue
			}
			if to, ok := d.rewrite[id&^(canframe.RTRFlag|canframe.ErrFlag)]; ok {
				canframe.SetWireCANID(f, to|id&canframe.RTRFlag)
				d.rewritten.Add(1)
			}
			idx = append(idx, i)
		}
		if limit > 0 {
			// The other direction may have forwarded meanwhile.
			idx = idx[:reserve(total, limit, len(idx))]
		}
		sent, err := sendCANs(d.to, b, idx, func(err error) {
			d.dropped.Add(1)
			if !reported && !errors.Is(err, unix.EBADF) { // EBADF: the bridge is stopping
				reported = true
				cli.Report(errw, "canrelay", fmt.Errorf("bridge %s->%s: send: %w (dropped and counted; reported once)", d.fromName, d.toName, err))
			}
		})
		d.forwarded.Add(uint64(sent))
		if limit > 0 {
			total.Add(int64(sent - len(idx))) // give back what was reserved but dropped
		} else {
			total.Add(int64(sent))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// reserve takes up to n of the limit frames still to forward from total and
// returns how many it took.
func reserve(total *atomic.Int64, limit int64, n int) int {
	for {
		cur := total.Load()
		k := max(0, min(int64(n), limit-cur))
		if k == 0 || total.CompareAndSwap(cur, cur+k) {
			return int(k)
		}
	}
}
