package main

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func busloadCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "busload",
		Usage:     "print the bus load of each interface every second, as canbusload does",
		ArgsUsage: "IFACE@BITRATE...",
		Description: "Each second, one line an interface: IFACE@BITRATE, frames, bits on the bus (stuff bits " +
			"estimated for the worst case, -e exact, -i none), payload bits and the load in percent of the bit rate, " +
			"as canbusload (can-utils 2020.11) prints it; then an empty line. Classic CAN frames only, as canbusload.",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "t", Usage: "a line with the date, time and stuffing mode before each report"},
			&ucli.BoolFlag{Name: "c", Usage: "colour the lines (blue and red in turn)"},
			&ucli.BoolFlag{Name: "b", Usage: "a bar graph in 5% steps"},
			&ucli.BoolFlag{Name: "r", Usage: "redraw the terminal (like top)"},
			&ucli.BoolFlag{Name: "i", Usage: "ignore bit stuffing"},
			&ucli.BoolFlag{Name: "e", Usage: "exact bit stuffing: each frame's bits and CRC, stuffed"},
			countFlag("`COUNT` reports"),
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() == 0 {
				return cli.Usagef("busload: name at least one IFACE@BITRATE")
			}
			bl := &busload{timeLine: c.Bool("t"), colour: c.Bool("c"), bar: c.Bool("b"), redraw: c.Bool("r"),
				mode: canframe.StuffWorstCase, reports: c.Int("n")}
			switch {
			case c.Bool("e") && c.Bool("i"):
				return cli.Usagef("busload: -e (exact stuffing) and -i (no stuffing) exclude each other")
			case c.Bool("e"):
				bl.mode = canframe.StuffExact
			case c.Bool("i"):
				bl.mode = canframe.StuffNone
			}
			if c.IsSet("n") && bl.reports < 1 {
				return cli.Usagef("busload: -n %d: want a count of at least 1", bl.reports)
			}
			for _, arg := range c.Args().Slice() {
				name, rate, ok := strings.Cut(arg, "@")
				if !ok || name == "" {
					return cli.Usagef("busload: %q: want IFACE@BITRATE, e.g. can0@500000", arg)
				}
				br, err := strconv.Atoi(rate)
				if err != nil {
					return cli.Usagef("busload: %q: bit rate %q is not a number", arg, rate)
				}
				if br < 1 || br > 1000000 {
					return cli.Usagef("busload: %q: bit rate %d is outside 1-1000000", arg, br)
				}
				if err := checkIface(name); err != nil {
					return err
				}
				bl.stats = append(bl.stats, &busStat{iface: name, rate: rate, bitrate: br})
				bl.nameW, bl.rateW = max(bl.nameW, len(name)), max(bl.rateW, len(rate))
			}
			bl.out = bufio.NewWriter(e.stdout)
			defer bl.out.Flush()
			return bl.run(ctx, e)
		},
	}
}

type busStat struct {
	iface, rate              string
	bitrate                  int
	frames, bits, payloadBit int
}

type busload struct {
	timeLine, colour, bar, redraw bool
	mode                          canframe.Stuffing
	reports                       int
	stats                         []*busStat
	nameW, rateW                  int
	out                           *bufio.Writer
	mu                            sync.Mutex
}

var stuffingNames = map[canframe.Stuffing]string{
	canframe.StuffNone: "ignore bitstuffing", canframe.StuffWorstCase: "worst case bitstuffing", canframe.StuffExact: "exact bitstuffing",
}

func (bl *busload) run(ctx context.Context, e *env) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var socks []*sockcore.Socket
	defer func() {
		for _, s := range socks {
			s.Close()
		}
	}()
	for _, st := range bl.stats {
		s, err := e.openIface(st.iface)
		if err != nil {
			return err
		}
		socks = append(socks, s)
		bigRcvBuf(s) // a burst is counted, not dropped
	}
	stop := ctxClose(ctx, socks...)
	defer stop()
	if bl.redraw {
		bl.out.WriteString("\x1b[2J")
	}
	errc := make(chan error, len(socks))
	for i, s := range socks {
		go func() { errc <- bl.read(s, bl.stats[i]) }()
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for n := 0; bl.reports == 0 || n < bl.reports; n++ {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ended(ctx, err) {
				return nil
			}
			return err
		case <-tick.C:
			bl.report()
		}
	}
	return nil
}

func (bl *busload) read(s *sockcore.Socket, st *busStat) error {
	var buf frameBuf
	for {
		n, err := s.RecvInto(buf[:], 0)
		if err != nil {
			return err
		}
		if n != canframe.MTU {
			continue // CAN FD: canbusload's socket does not receive them
		}
		f, err := canframe.DecodeWire(buf[:n])
		if err != nil {
			continue
		}
		bits := canframe.FrameBits(&f, bl.mode)
		bl.mu.Lock()
		st.frames++
		st.payloadBit += 8 * f.Len()
		st.bits += bits
		bl.mu.Unlock()
	}
}

// report prints one line an interface and resets the counters.
func (bl *busload) report() {
	bl.mu.Lock()
	defer bl.mu.Unlock()
	w := bl.out
	if bl.redraw {
		w.WriteString("\x1b[H")
	}
	if bl.timeLine {
		fmt.Fprintf(w, "canrelay busload %s (%s)\n", time.Now().Format("2006-01-02 15:04:05"), stuffingNames[bl.mode])
	}
	for i, st := range bl.stats {
		if bl.colour {
			if i%2 == 1 {
				w.WriteString("\x1b[31m")
			} else {
				w.WriteString("\x1b[34m")
			}
		}
		percent := st.bits * 100 / st.bitrate
		fmt.Fprintf(w, " %*s@%-*d %5d %7d %6d %3d%%", bl.nameW, st.iface, bl.rateW, st.bitrate, st.frames, st.bits, st.payloadBit, percent)
		if bl.bar {
			w.WriteString(" |")
			p := min(percent, 100)
			for j := 0; j < 20; j++ {
				if j < p/5 {
					w.WriteByte('X')
				} else {
					w.WriteByte('.')
				}
			}
			w.WriteByte('|')
		}
		if bl.colour {
			w.WriteString(colourOff)
		}
		w.WriteByte('\n')
		st.frames, st.bits, st.payloadBit = 0, 0, 0
	}
	w.WriteByte('\n')
	w.Flush()
}
