package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/cpupin"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func sendCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "send",
		Usage:     "send frames, as cansend does",
		ArgsUsage: "IFACE FRAME...",
		Flags: []ucli.Flag{
			&ucli.IntFlag{Name: "repeat", Value: 1, Usage: "send the frames `N` times"},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() < 2 {
				return cli.Usagef("send: want an interface and at least one frame")
			}
			args := c.Args().Slice()
			if err := checkIface(args[0]); err != nil {
				return err
			}
			frames := make([]canframe.Frame, 0, len(args)-1)
			for _, a := range args[1:] {
				f, err := parseFrameArg(a)
				if err != nil {
					return err
				}
				frames = append(frames, f)
			}
			s, err := e.openRaw(args[0])
			if err != nil {
				return err
			}
			defer s.Close()
			var buf frameBuf
			cpupin.Pin()
			for i := 0; i < c.Int("repeat"); i++ {
				for j := range frames {
					if err := writeFrame(s, &frames[j], buf[:]); err != nil {
						return fmt.Errorf("send %s on %s: %w", frames[j].Text(), args[0], err)
					}
				}
			}
			return nil
		},
	}
}

func replayCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "replay",
		Usage:     "send the frames of a candump log with their original timing",
		ArgsUsage: "FILE",
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "map", Usage: "send frames logged on `FROM=TO` on interface TO instead"},
			&ucli.BoolFlag{Name: "fast", Usage: "ignore the timestamps and send at once"},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() != 1 {
				return cli.Usagef("replay: want one log file (- for stdin)")
			}
			ifmap := map[string]string{}
			for _, m := range c.StringSlice("map") {
				from, to, ok := strings.Cut(m, "=")
				if !ok || from == "" || to == "" {
					return cli.Usagef("replay: --map %q: want FROM=TO", m)
				}
				ifmap[from] = to
			}
			in := e.stdin
			if name := c.Args().First(); name != "-" {
				f, err := os.Open(name)
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			r := &replayer{e: e, ifmap: ifmap, fast: c.Bool("fast"), socks: map[string]*sockcore.Socket{}}
			defer r.close()
			return r.run(ctx, bufio.NewScanner(in))
		},
	}
}

type replayer struct {
	e     *env
	ifmap map[string]string
	fast  bool
	socks map[string]*sockcore.Socket
}

func (r *replayer) close() {
	for _, s := range r.socks {
		s.Close()
	}
}

func (r *replayer) sock(iface string) (*sockcore.Socket, error) {
	if s, ok := r.socks[iface]; ok {
		return s, nil
	}
	s, err := r.e.openRaw(iface)
	if err != nil {
		return nil, err
	}
	r.socks[iface] = s
	return s, nil
}

// run sends each logged frame when its time offset from the first one has
// passed since the start.
func (r *replayer) run(ctx context.Context, sc *bufio.Scanner) error {
	cpupin.Pin()
	var (
		start, first time.Time
		buf          frameBuf
		line         int
	)
	timer := time.NewTimer(0)
	<-timer.C
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		l, err := canframe.ParseLogLine(text)
		if err != nil {
			return cli.Usagef("replay: line %d: %v", line, err)
		}
		if first.IsZero() {
			first, start = l.Time, time.Now()
		}
		if !r.fast {
			if wait := time.Until(start.Add(l.Time.Sub(first))); wait > 0 {
				timer.Reset(wait)
				select {
				case <-ctx.Done():
					return nil
				case <-timer.C:
				}
			}
		}
		iface := l.Iface
		if to, ok := r.ifmap[iface]; ok {
			iface = to
		}
		s, err := r.sock(iface)
		if err != nil {
			return err
		}
		if err := writeFrame(s, &l.Frame, buf[:]); err != nil {
			return fmt.Errorf("replay: line %d: send on %s: %w", line, iface, err)
		}
	}
	return sc.Err()
}
