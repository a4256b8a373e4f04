package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/cpupin"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func replayCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "replay",
		Usage:     "send the frames of a candump log with their original timing, as canplayer",
		ArgsUsage: "FILE [TXIF=LOGIF|stdout=LOGIF]... | -I FILE [TXIF=LOGIF|stdout=LOGIF]...",
		Description: "Assignments as canplayer's: TXIF=LOGIF sends the frames logged on LOGIF on TXIF, " +
			"stdout=LOGIF prints their log lines; with assignments, frames of other interfaces are skipped. " +
			"Lines that do not start with '(' are ignored; a line that does and is not candump's format is an error (exit 2).",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "I", Usage: "read the log from `FILE` (- for stdin) instead of the first argument"},
			&ucli.StringSliceFlag{Name: "map", Usage: "send frames logged on `FROM=TO` on interface TO instead (others as logged)"},
			&ucli.BoolFlag{Name: "fast", Usage: "ignore the timestamps and send at once"},
			&ucli.BoolFlag{Name: "t", Usage: "ignore the timestamps: send with -g's gap between frames"},
			&ucli.Float64Flag{Name: "g", Value: 1, Usage: "with -t, `MS` milliseconds between frames (canplayer's default 1)"},
			&ucli.Float64Flag{Name: "s", Usage: "skip pauses in the log longer than `SECS` seconds"},
			&ucli.StringFlag{Name: "l", Value: "1", Usage: "play the log `N` times, i for ever"},
			&ucli.BoolFlag{Name: "x", Usage: "disable the local loopback of sent frames (CAN_RAW_LOOPBACK)"},
			&ucli.BoolFlag{Name: "v", Usage: "print each sent frame as canplayer -v does"},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			args := c.Args().Slice()
			name := c.String("I")
			if name == "" {
				if len(args) == 0 {
					return cli.Usagef("replay: want a log file (- for stdin), or -I FILE")
				}
				name, args = args[0], args[1:]
			}
			r := &replayer{e: e, ifmap: map[string]string{}, fast: c.Bool("fast"), socks: map[string]*sockcore.Socket{},
				verbose: c.Bool("v"), noLoopback: c.Bool("x")}
			for _, m := range c.StringSlice("map") {
				from, to, ok := strings.Cut(m, "=")
				if !ok || from == "" || to == "" {
					return cli.Usagef("replay: --map %q: want FROM=TO", m)
				}
				if err := checkIface(from, to); err != nil {
					return err
				}
				r.ifmap[from] = to
			}
			for _, a := range args {
				to, from, ok := strings.Cut(a, "=")
				if !ok || from == "" || to == "" {
					return cli.Usagef("replay: assignment %q: want TXIF=LOGIF or stdout=LOGIF", a)
				}
				if to != "stdout" {
					if err := checkIface(to); err != nil {
						return err
					}
				}
				if r.assign == nil {
					r.assign = map[string]string{}
				}
				r.assign[from] = to
			}
			if c.Bool("t") {
				r.fast = true
				if g := c.Float64("g"); g < 0 {
					return cli.Usagef("replay: -g %v: want milliseconds, 0 or more", g)
				} else {
					r.gap = time.Duration(g * float64(time.Millisecond))
				}
			}
			if s := c.Float64("s"); s < 0 {
				return cli.Usagef("replay: -s %v: want seconds, 0 or more", s)
			} else {
				r.skipGap = time.Duration(s * float64(time.Second))
			}
			loops := 1
			switch l := c.String("l"); l {
			case "i":
				loops = -1
			default:
				n, err := strconv.Atoi(l)
				if err != nil || n < 1 {
					return cli.Usagef("replay: -l %q: want a number of times (at least 1) or i (for ever)", l)
				}
				loops = n
			}
			in := e.stdin
			if name != "-" {
				f, err := os.Open(name)
				if err != nil {
					return cli.Exitf(cli.ExitNoSuchThing, "replay: %w", err)
				}
				defer f.Close()
				in = f
			}
			defer r.close()
			if loops == 1 {
				return r.run(ctx, bufio.NewScanner(in))
			}
			// Several rounds: the log is read once and kept.
			log, err := io.ReadAll(in)
			if err != nil {
				return err
			}
			for i := 0; loops < 0 || i < loops; i++ {
				if err := r.run(ctx, bufio.NewScanner(strings.NewReader(string(log)))); err != nil || ctx.Err() != nil {
					return err
				}
			}
			return nil
		},
	}
}

type replayer struct {
	e          *env
	ifmap      map[string]string // --map: log interface -> send interface
	assign     map[string]string // canplayer's assignments: log interface -> send interface or "stdout"
	fast       bool
	gap        time.Duration
	skipGap    time.Duration
	verbose    bool
	noLoopback bool
	socks      map[string]*sockcore.Socket
	out        *bufio.Writer
}

func (r *replayer) close() {
	for _, s := range r.socks {
		s.Close()
	}
	if r.out != nil {
		r.out.Flush()
	}
}

func (r *replayer) sock(iface string) (*sockcore.Socket, error) {
	if s, ok := r.socks[iface]; ok {
		return s, nil
	}
	s, err := r.e.openIface(iface)
	if err != nil {
		return nil, err
	}
	if r.noLoopback {
		if err := s.SetCANRawLoopback(false); err != nil && s.Family() == unix.AF_CAN {
			s.Close()
			return nil, fmt.Errorf("replay: CAN_RAW_LOOPBACK on %s: %w", iface, err)
		}
	}
	r.socks[iface] = s
	return s, nil
}

// run sends each logged frame when its time offset from the first one has
// passed since the start (or, ignoring timestamps, one every gap).
func (r *replayer) run(ctx context.Context, sc *bufio.Scanner) error {
	cpupin.Pin()
	if r.out == nil {
		r.out = bufio.NewWriter(r.e.stdout)
	}
	var (
		start, first, prev time.Time
		buf                frameBuf
		line               int
		linebuf            []byte
	)
	timer := time.NewTimer(0)
	<-timer.C
	wait := func(d time.Duration) bool {
		if d <= 0 {
			return true
		}
		r.out.Flush()
		timer.Reset(d)
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
			return true
		}
	}
	for sc.Scan() {
		line++
		raw := sc.Text()
		text := strings.TrimSpace(raw)
		if !strings.HasPrefix(text, "(") {
			continue // canplayer skips what is not a frame line
		}
		l, err := canframe.ParseLogLine(text)
		if err != nil {
			return cli.Usagef("replay: line %d: %w", line, err)
		}
		txif := l.Iface
		if r.assign != nil {
			to, ok := r.assign[l.Iface]
			if !ok {
				continue
			}
			txif = to
		} else if to, ok := r.ifmap[txif]; ok {
			txif = to
		}
		switch {
		case first.IsZero():
			first, start = l.Time, time.Now()
		case r.fast:
			if !wait(r.gap) {
				return nil
			}
		default:
			if r.skipGap > 0 && l.Time.Sub(prev) > r.skipGap {
				first = first.Add(l.Time.Sub(prev)) // the pause is left out
			}
			if !wait(time.Until(start.Add(l.Time.Sub(first)))) {
				return nil
			}
		}
		prev = l.Time
		if txif == "stdout" {
			r.out.WriteString(raw)
			r.out.WriteByte('\n')
			continue
		}
		s, err := r.sock(txif)
		if err != nil {
			return err
		}
		if err := writeFrame(s, &l.Frame, buf[:]); err != nil {
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return nil
			}
			return fmt.Errorf("replay: line %d: send on %s: %w", line, txif, err)
		}
		if r.verbose {
			linebuf = append(linebuf[:0], txif...)
			linebuf = append(linebuf, " ("...)
			linebuf = append(linebuf, l.Iface...)
			linebuf = append(linebuf, ") "...)
			linebuf = canframe.AppendCandump(linebuf, &l.Frame, canframe.View{IndentSFF: true})
			linebuf = append(linebuf, '\n')
			r.out.Write(linebuf)
		}
	}
	return sc.Err()
}
