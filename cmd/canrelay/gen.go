package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"
	"unsafe"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/cpupin"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// genBatch is how many frames one sendmmsg call carries at -g 0.
const genBatch = 64

func genCommand(e *env) *ucli.Command {
	var verbose int
	return &ucli.Command{
		Name:      "gen",
		Usage:     "generate frames as cangen does",
		ArgsUsage: "IFACE",
		Description: "MODE is r (random, the default), i (increment) or a fixed value: a hex id for -I, " +
			"a length for -L, hex bytes for -D. At -g 0 frames leave in sendmmsg batches of 64 (-c). " +
			"When it ends (count reached or interrupted) it prints on stderr: gen IFACE: sent=N enobufs=N dropped=N. " +
			"A full transmit queue (ENOBUFS) is waited out and counted; with -i the frame is dropped and counted instead.",
		Flags: []ucli.Flag{
			&ucli.Float64Flag{Name: "g", Value: 200, Usage: "`MS` milliseconds between frames (0: as fast as the kernel takes them)"},
			&ucli.BoolFlag{Name: "e", Usage: "extended (29-bit) ids"},
			&ucli.BoolFlag{Name: "f", Usage: "CAN FD frames"},
			&ucli.BoolFlag{Name: "b", Usage: "CAN FD frames with bit rate switch (BRS)"},
			&ucli.BoolFlag{Name: "E", Usage: "CAN FD frames with error state indicator (ESI)"},
			&ucli.BoolFlag{Name: "R", Usage: "remote requests"},
			&ucli.StringFlag{Name: "I", Value: "r", Usage: "id `MODE`"},
			&ucli.StringFlag{Name: "L", Value: "r", Usage: "length `MODE`"},
			&ucli.StringFlag{Name: "D", Value: "r", Usage: "data `MODE`"},
			countFlag("`COUNT` frames (default: until interrupted)"),
			&ucli.BoolFlag{Name: "i", Usage: "drop a frame the transmit queue has no room for (ENOBUFS) instead of waiting"},
			&ucli.BoolFlag{Name: "x", Usage: "disable the local loopback of generated frames"},
			&ucli.IntFlag{Name: "c", Value: genBatch, Usage: "at -g 0, `N` frames a sendmmsg call (1-1024)"},
			&ucli.BoolFlag{Name: "v", Config: ucli.BoolConfig{Count: &verbose}, Usage: "print sent frames: -v compact, -v -v candump's columns, -v -v -v with ASCII"},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			iface, err := oneIface(c, "gen")
			if err != nil {
				return err
			}
			g := &canframe.Generator{Extended: c.Bool("e"), FD: c.Bool("f") || c.Bool("b") || c.Bool("E"), RTR: c.Bool("R")}
			if c.Bool("b") {
				g.Flags |= canframe.FDFlagBRS
			}
			if c.Bool("E") {
				g.Flags |= canframe.FDFlagESI
			}
			for _, m := range []struct {
				flag, field string
				to          *canframe.GenMode
			}{{"I", "id", &g.ID}, {"L", "length", &g.Len}, {"D", "data", &g.Data}} {
				mode, err := canframe.ParseGenMode(m.field, c.String(m.flag))
				if err != nil {
					return cli.Usagef("gen: -%s: %w", m.flag, err)
				}
				*m.to = mode
			}
			if err := g.Validate(); err != nil {
				return cli.Usagef("gen: %w", err)
			}
			gap := c.Float64("g")
			if gap < 0 {
				return cli.Usagef("gen: -g %v: want milliseconds, 0 or more", gap)
			}
			count := c.Int("n")
			if count < 0 || c.IsSet("n") && count == 0 {
				return cli.Usagef("gen: -n %d: want a count of at least 1", count)
			}
			batch := c.Int("c")
			if batch < 1 || batch > 1024 {
				return cli.Usagef("gen: -c %d: want 1-1024 frames a call", batch)
			}
			s, err := e.openIface(iface)
			if err != nil {
				return err
			}
			defer s.Close()
			// Write only: no receive filter, so the kernel does not hand
			// the socket every frame on the bus (cangen does the same);
			// a big send buffer, so that a burst does not wait for the
			// kernel to free the frames before it.
			if err := s.SetCANRawFilter([]sockcore.CANFilter{}); err != nil && s.Family() == unix.AF_CAN {
				return fmt.Errorf("gen: CAN_RAW_FILTER: %w", err)
			}
			if s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 4<<20) != nil {
				s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_SNDBUF, 4<<20)
			}
			if c.Bool("x") {
				if err := s.SetCANRawLoopback(false); err != nil && s.Family() == unix.AF_CAN {
					return fmt.Errorf("gen: CAN_RAW_LOOPBACK: %w", err)
				}
			}
			// The frames leave by raw system calls on a descriptor out of
			// Go's poller (Detach): a socket registered with epoll has
			// every frame's release, inside the sending call, run the
			// write-space wake-up of the poller's epoll instance (and wake
			// a thread of the runtime sleeping in epoll_pwait on the
			// sending CPU); cangen's socket has no waiter to wake.
			fd, err := s.Detach()
			if err != nil {
				return fmt.Errorf("gen: %w", err)
			}
			defer unix.Close(fd)
			gn := &generator{gen: g, iface: iface, count: count, gap: time.Duration(gap * float64(time.Millisecond)), batch: batch,
				drop: c.Bool("i"), verbose: verbose, out: bufio.NewWriter(e.stdout), pin: e.pinProcess, stderr: e.stderr}
			defer gn.out.Flush()
			err = gn.run(ctx, fd)
			fmt.Fprintf(e.stderr, "gen %s: sent=%d enobufs=%d dropped=%d\n", iface, gn.sent, gn.enobufs, gn.dropped)
			return err
		},
	}
}

type generator struct {
	gen     *canframe.Generator
	iface   string
	count   int // 0: for ever
	gap     time.Duration
	batch   int // frames a sendmmsg call at -g 0
	drop    bool
	verbose int
	out     *bufio.Writer
	pin     func(lowLatency bool, stderr io.Writer) // env.pinProcess
	stderr  io.Writer

	sent, enobufs, dropped int
	frame                  canframe.Frame
	line                   []byte
	hdrs                   []unix.Mmsghdr // sendNow's headers
	iovs                   []unix.Iovec
}

// run sends the frames on fd, a socket descriptor the caller owns and
// closes; it is not in Go's poller, so a send that finds the send buffer
// full waits in poll(2), a slice at a time, watching ctx.
func (g *generator) run(ctx context.Context, fd int) error {
	// vcan delivers through the writing CPU's backlog: frames leave from
	// one CPU. The whole process is put there (pin), not the goroutine
	// locked to its thread: the runtime preempts a goroutine that runs
	// for 10 ms (one sendmmsg of 64 frames under TCG), and a locked one
	// is then handed between two threads (futex and epoll calls, four
	// context switches on the sending CPU) every time.
	if g.pin != nil {
		g.pin(true, g.stderr)
	} else {
		cpupin.Pin() // tests: the process stays where it is
	}
	batch := 1
	if g.gap == 0 {
		batch = g.batch
	}
	b := sockcore.NewMMsgBatch(batch, canframe.FDMTU)
	idx := make([]int, 0, batch)
	next := time.Now()
	timer := time.NewTimer(0)
	<-timer.C
	for g.count == 0 || g.sent+g.dropped < g.count {
		n := batch
		if g.count > 0 {
			n = min(n, g.count-g.sent-g.dropped)
		}
		idx = idx[:0]
		for i := range n {
			g.gen.Next(&g.frame)
			w, err := canframe.AppendWire(b.Bufs[i][:0], &g.frame)
			if err != nil {
				return cli.Usagef("gen: frame %s: %w", g.frame.Text(), err)
			}
			b.N[i] = len(w)
			b.SetName(i, nil)
			idx = append(idx, i)
			g.print()
		}
		if err := g.send(ctx, fd, b, idx); err != nil {
			if ended(ctx, err) {
				return nil
			}
			return fmt.Errorf("gen: send on %s: %w", g.iface, err)
		}
		if g.gap > 0 {
			next = next.Add(g.gap)
			if d := time.Until(next); d > 0 {
				g.out.Flush()
				timer.Reset(d)
				select {
				case <-ctx.Done():
					return nil
				case <-timer.C:
				}
			} else if d < -time.Second {
				next = time.Now() // far behind (a stopped process): no burst to catch up
			}
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	return nil
}

// send writes the frames of idx with as few sendmmsg calls as the kernel
// allows. ENOBUFS (the interface's queue is full) is counted and waited
// out, or with -i the frame is dropped. Each call is a raw MSG_DONTWAIT
// system call (sendNow); a full send buffer (EAGAIN) is waited out in
// poll(2), at most pollSlice at a time so that ctx is seen.
func (g *generator) send(ctx context.Context, fd int, b *sockcore.MMsgBatch, idx []int) error {
	wait := 20 * time.Microsecond
	for len(idx) > 0 {
		n, err := g.sendNow(fd, b, idx)
		g.sent += n
		idx = idx[n:]
		switch {
		case err == nil:
		case errors.Is(err, unix.EAGAIN):
			if ctx.Err() != nil {
				return nil
			}
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
			if _, err := unix.Poll(pfd, int(pollSlice/time.Millisecond)); err != nil && err != unix.EINTR {
				return os.NewSyscallError("poll", err)
			}
		case errors.Is(err, unix.ENOBUFS):
			g.enobufs++
			if g.drop {
				g.dropped++
				idx = idx[1:]
				continue
			}
			if ctx.Err() != nil {
				return nil
			}
			time.Sleep(wait)
			wait = min(2*wait, 5*time.Millisecond)
		default:
			return err
		}
		if n > 0 {
			wait = 20 * time.Microsecond
		}
	}
	return nil
}

// pollSlice is the longest send waits in poll(2) for room in the send
// buffer before it looks at its context again.
const pollSlice = 100 * time.Millisecond

// sendNow is one sendmmsg(2) of the frames of idx with MSG_DONTWAIT, as a
// raw system call: it never blocks, and the runtime does not hand the
// thread's P to another thread while the kernel delivers the frames (on a
// virtual CAN interface that delivery happens inside the call, and under
// TCG it made every call pay for a hand-off and its return).
func (g *generator) sendNow(fd int, b *sockcore.MMsgBatch, idx []int) (int, error) {
	if len(g.hdrs) < len(idx) {
		g.hdrs = make([]unix.Mmsghdr, len(idx))
		g.iovs = make([]unix.Iovec, len(idx))
	}
	for j, i := range idx {
		g.iovs[j] = unix.Iovec{Base: &b.Bufs[i][0]}
		g.iovs[j].SetLen(b.N[i])
		g.hdrs[j] = unix.Mmsghdr{}
		g.hdrs[j].Hdr.Iov = &g.iovs[j]
		g.hdrs[j].Hdr.SetIovlen(1)
	}
	r, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&g.hdrs[0])),
		uintptr(len(idx)), unix.MSG_DONTWAIT, 0, 0)
	runtime.KeepAlive(b)
	if e != 0 {
		return 0, os.NewSyscallError("sendmmsg", e)
	}
	return int(r), nil
}

// print writes the frame about to be sent as cangen -v does.
func (g *generator) print() {
	if g.verbose == 0 {
		return
	}
	b := append(g.line[:0], "  "...)
	b = append(b, g.iface...)
	b = append(b, "  "...)
	if g.verbose == 1 {
		b = canframe.AppendTextSep(b, &g.frame)
	} else {
		b = canframe.AppendCandump(b, &g.frame, canframe.View{ASCII: g.verbose > 2})
	}
	b = append(b, '\n')
	g.out.Write(b)
	g.line = b
}
