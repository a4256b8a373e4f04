package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func dumpCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "dump",
		Usage:     "print received frames as candump does",
		ArgsUsage: "IFACE[,FILTER...]... | any[,FILTER...]",
		Description: "FILTER is ID:MASK (pass when can_id & MASK == ID & MASK), ID~MASK (the inverse), " +
			"#ERRMASK (error frames of these classes) or j (join: every filter must match). " +
			"Error frames are decoded. 'any' receives from every CAN interface.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "t", Usage: "timestamps: a absolute, d delta to the previous frame, z since the first frame"},
			&ucli.BoolFlag{Name: "L", Usage: "write candump's log format (sec.usec) iface id#data to stdout"},
			&ucli.StringFlag{Name: "l", Usage: "also write candump's log format to `FILE`"},
			&ucli.IntFlag{Name: "n", Usage: "stop after `COUNT` frames"},
			&ucli.BoolFlag{Name: "j", Usage: "join the filters: a frame must match all of them"},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() == 0 {
				return cli.Usagef("dump: name at least one interface, or any")
			}
			mode := c.String("t")
			switch mode {
			case "", "a", "d", "z":
			default:
				return cli.Usagef("dump: -t %q: want a, d or z", mode)
			}
			var specs []dumpSpec
			for _, arg := range c.Args().Slice() {
				parts := strings.Split(arg, ",")
				sp := dumpSpec{iface: parts[0]}
				sp.filters.join = c.Bool("j")
				if sp.iface == "any" {
					sp.iface = ""
				}
				for _, f := range parts[1:] {
					if err := sp.filters.addFilter(f); err != nil {
						return err
					}
				}
				specs = append(specs, sp)
			}
			d := &dumper{out: bufio.NewWriter(e.stdout), tsMode: mode, logStyle: c.Bool("L"), count: c.Int("n")}
			if name := c.String("l"); name != "" {
				f, err := os.Create(name)
				if err != nil {
					return err
				}
				defer f.Close()
				lw := bufio.NewWriter(f)
				defer lw.Flush()
				d.log = lw
			}
			defer d.out.Flush()
			return d.run(ctx, e, specs)
		},
	}
}

type dumpSpec struct {
	iface   string // "" = any
	filters filterSet
}

type dumper struct {
	out      *bufio.Writer
	log      *bufio.Writer
	tsMode   string
	logStyle bool
	count    int

	mu      sync.Mutex
	seen    int
	first   time.Time
	prev    time.Time
	width   int
	sawEFF  bool // candump indents standard ids once it has seen an extended one
	names   map[int]string
	linebuf []byte
}

type dumpFrame struct {
	ts    time.Time
	iface string
	frame canframe.Frame
}

func (d *dumper) run(ctx context.Context, e *env, specs []dumpSpec) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var socks []*sockcore.Socket
	defer func() {
		for _, s := range socks {
			s.Close()
		}
	}()
	for _, sp := range specs {
		s, err := e.openRaw(sp.iface)
		if err != nil {
			return err
		}
		socks = append(socks, s)
		if err := sp.filters.apply(s); err != nil {
			return fmt.Errorf("filters on %s: %w", sp.iface, err)
		}
		// Kernel receive timestamps; a socket that cannot give them
		// (a socketpair in tests) is stamped on arrival instead.
		s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS_OLD, 1)
		d.width = max(d.width, len(sp.iface), len("any"))
	}
	stop := ctxClose(ctx, socks...)
	defer stop()
	var wg sync.WaitGroup
	errc := make(chan error, len(socks))
	for i, s := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- d.read(ctx, cancel, s, specs[i].iface)
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil && !ended(ctx, err) {
			return err
		}
	}
	return nil
}

// read receives frames from one socket until ctx ends or the count is
// reached.
func (d *dumper) read(ctx context.Context, cancel func(), s *sockcore.Socket, iface string) error {
	var buf frameBuf
	for {
		n, anc, _, from, err := s.RecvMsgInto([][]byte{buf[:]}, 64, 0)
		if err != nil {
			return err
		}
		f, err := canframe.DecodeWire(buf[:n])
		if err != nil {
			fmt.Fprintf(d.out, "# skipped %d bytes: %v\n", n, err)
			continue
		}
		df := dumpFrame{iface: iface, frame: f}
		if a, ok := from.(*sockcore.CANAddr); ok && iface == "" {
			df.iface = d.ifName(a) // "any": name the interface the frame came on
		}
		if df.iface == "" {
			df.iface = "any"
		}
		if ts, ok := sockcore.ParseTimestamp(anc); ok {
			df.ts = ts
		} else {
			df.ts = time.Now()
		}
		if done := d.print(&df); done {
			cancel()
			return nil
		}
	}
}

// ifName names a received frame's interface, remembering names by index as
// candump does.
func (d *dumper) ifName(a *sockcore.CANAddr) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n, ok := d.names[a.Ifindex]; ok {
		return n
	}
	n := a.IfName()
	if d.names == nil {
		d.names = map[int]string{}
	}
	d.names[a.Ifindex] = n
	return n
}

// print writes one frame; it reports whether the count is reached.
func (d *dumper) print(df *dumpFrame) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.count > 0 && d.seen >= d.count {
		return true
	}
	d.seen++
	if d.first.IsZero() {
		d.first, d.prev = df.ts, df.ts
	}
	if d.log != nil {
		d.writeLog(d.log, df)
	}
	if d.logStyle {
		d.writeLog(d.out, df)
	} else {
		b := d.linebuf[:0]
		b = append(b, ' ')
		switch d.tsMode {
		case "a":
			b = canframe.AppendTimestamp(b, df.ts)
			b = append(b, ' ')
		case "d":
			b = canframe.AppendDuration(b, df.ts.Sub(d.prev))
			b = append(b, ' ')
		case "z":
			b = canframe.AppendDuration(b, df.ts.Sub(d.first))
			b = append(b, ' ')
		}
		b = append(b, ' ')
		b = append(b, strings.Repeat(" ", max(0, d.width-len(df.iface)))...)
		b = append(b, df.iface...)
		b = append(b, "  "...)
		if df.frame.Extended {
			d.sawEFF = true
		} else if d.sawEFF && !df.frame.Err {
			b = append(b, "     "...)
		}
		b = canframe.AppendLong(b, &df.frame)
		b = append(b, '\n')
		d.out.Write(b)
		d.linebuf = b
	}
	d.prev = df.ts
	// Flush per frame so that a reader of a pipe sees frames as they come.
	d.out.Flush()
	return d.count > 0 && d.seen >= d.count
}

func (d *dumper) writeLog(w io.Writer, df *dumpFrame) {
	l := canframe.LogLine{Time: df.ts, Iface: df.iface, Frame: df.frame}
	b := canframe.AppendLogLine(d.linebuf[:0], &l)
	b = append(b, '\n')
	w.Write(b)
	d.linebuf = b
}
