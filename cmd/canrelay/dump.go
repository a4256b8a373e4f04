package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// candump's silent levels (-s).
const (
	silentOff = 0 // every frame printed
	silentAni = 1 // a spinning bar, one step a frame
	silentOn  = 2 // nothing on stdout
)

// dumpColours are candump's colours, one per interface in the order they
// are first seen: blue, red, green, bold, magenta, cyan.
var dumpColours = [...]string{
	"\x1b[1m\x1b[34m", "\x1b[1m\x1b[31m", "\x1b[1m\x1b[32m", "\x1b[1m", "\x1b[1m\x1b[35m", "\x1b[1m\x1b[36m",
}

const colourOff = "\x1b[0m"

func dumpCommand(e *env) *ucli.Command {
	var colour int
	return &ucli.Command{
		Name:      "dump",
		Usage:     "print received frames as candump does",
		ArgsUsage: "IFACE[,FILTER...]... | any[,FILTER...]",
		Description: "FILTER is ID:MASK (pass when can_id & MASK == ID & MASK), ID~MASK (the inverse), " +
			"#ERRMASK (error frames of these classes) or j (join: every filter must match). " +
			"'any' receives from every CAN interface. Output is byte for byte candump's (can-utils 2020.11).",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "t", Usage: "timestamps: a absolute, A absolute with date, d delta to the previous frame, z since the first frame"},
			&ucli.BoolFlag{Name: "e", Usage: "decode error frames in words, one class a line"},
			&ucli.BoolFlag{Name: "x", Usage: "extra columns: RX or TX, B (bit rate switch), E (error state indicator)"},
			&ucli.BoolFlag{Name: "a", Usage: "ASCII column after the data (frames of up to 8 bytes)"},
			&ucli.BoolFlag{Name: "c", Config: ucli.BoolConfig{Count: &colour}, Usage: "colour per interface: once the name, twice the line, three times with the timestamp (on a terminal; see --force-color)"},
			&ucli.BoolFlag{Name: "force-color", Usage: "colour with -c even when stdout is not a terminal"},
			&ucli.IntFlag{Name: "T", Usage: "exit after `MSECS` without receiving a frame"},
			&ucli.BoolFlag{Name: "d", Usage: "report frames the kernel dropped because dump read too slowly (SO_RXQ_OVFL)"},
			&ucli.BoolFlag{Name: "D", Usage: "carry on when an interface goes down (ENETDOWN) instead of exiting"},
			&ucli.IntFlag{Name: "s", Value: -1, Usage: "silent `LEVEL`: 0 print frames, 1 spinning bar, 2 nothing (the default with -l)"},
			&ucli.BoolFlag{Name: "L", Usage: "write candump's log format (sec.usec) iface id#data to stdout"},
			&ucli.BoolFlag{Name: "l", Usage: "log to candump-YYYY-MM-DD_HHMMSS.log in the current directory (local time), as candump -l"},
			&ucli.StringFlag{Name: "f", Aliases: []string{"log-file"}, Usage: "log to `FILE` (candump's log format)"},
			// The older form -l FILE, rewritten by olderLogForm.
			&ucli.StringFlag{Name: olderLogFlag, Hidden: true},
			&ucli.IntFlag{Name: "n", Usage: "stop after `COUNT` frames"},
			&ucli.BoolFlag{Name: "j", Usage: "join the filters: a frame must match all of them"},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() == 0 && !c.IsSet(olderLogFlag) {
				return cli.Usagef("dump: name at least one interface, or any")
			}
			d := &dumper{tsMode: c.String("t"), logStyle: c.Bool("L"), count: c.Int("n"),
				extra: c.Bool("x"), dropMon: c.Bool("d"), keepDown: c.Bool("D"), stderr: e.stderr,
				view: canframe.View{ASCII: c.Bool("a"), Errors: c.Bool("e")}}
			switch d.tsMode {
			case "", "a", "A", "d", "z":
			default:
				return cli.Usagef("dump: -t %q: want a, A, d or z", d.tsMode)
			}
			if d.logStyle && (d.view.ASCII || d.view.Errors) {
				return cli.Usagef("dump: -L writes the log format: -a and -e do not apply")
			}
			if c.IsSet("n") && d.count < 1 {
				return cli.Usagef("dump: -n %d: want a count of at least 1", d.count)
			}
			if c.IsSet("T") {
				if c.Int("T") < 1 {
					return cli.Usagef("dump: -T %d: want milliseconds, at least 1", c.Int("T"))
				}
				d.idle = time.Duration(c.Int("T")) * time.Millisecond
			}
			operands := c.Args().Slice()
			candumpLog, logFile, older := c.Bool("l"), c.String("f"), false
			if c.IsSet(olderLogFlag) {
				switch {
				case len(operands) == 0:
					// -l X and nothing else: candump's -l on
					// interface X (one that is not up here yet).
					operands, candumpLog = []string{c.String(olderLogFlag)}, true
				case logFile != "":
					return cli.Usagef("dump: -l %s (the older form of -f FILE) and -f %s both name a log file", c.String(olderLogFlag), logFile)
				default:
					logFile, older = c.String(olderLogFlag), true
					fmt.Fprintf(e.stderr, "canrelay dump: -l %s read as -f %s, the older form (candump's -l takes no file name)\n", logFile, logFile)
				}
			}
			logging := candumpLog || logFile != ""
			d.silent = c.Int("s")
			switch {
			case c.IsSet("s") && (d.silent < silentOff || d.silent > silentOn):
				return cli.Usagef("dump: -s %d: want 0 (off), 1 (spinning bar) or 2 (silent)", d.silent)
			case !c.IsSet("s") && logging && !older:
				d.silent = silentOn
			case !c.IsSet("s"):
				d.silent = silentOff
			}
			if colour > 0 && (c.Bool("force-color") || isTerminal(e.stdout)) {
				d.colour = colour
			}
			var specs []dumpSpec
			for _, arg := range operands {
				parts := strings.Split(arg, ",")
				sp := dumpSpec{iface: parts[0], arg: arg}
				sp.filters.join = c.Bool("j")
				if sp.iface == "any" {
					sp.iface = ""
				}
				if err := checkIface(sp.iface); err != nil {
					return err
				}
				for _, f := range parts[1:] {
					if err := sp.filters.addFilter(f); err != nil {
						return err
					}
				}
				specs = append(specs, sp)
				d.width = max(d.width, len(parts[0]))
			}
			d.out = bufio.NewWriter(e.stdout)
			defer d.out.Flush()
			if logging {
				name := logFile
				if name == "" {
					name = canframe.CandumpLogName(time.Now())
				}
				switch {
				case older: // as it was: the frames on stdout as well, nothing said
				case d.silent != silentOn:
					d.out.WriteString("\nWarning: console output active while logging!")
				case !c.IsSet("s"):
					fmt.Fprintln(e.stderr, "Disabled standard output while logging.")
				}
				if !older {
					fmt.Fprintf(e.stderr, "\nEnabling Logfile '%s'\n\n", name)
				}
				f, err := os.Create(name)
				if err != nil {
					return fmt.Errorf("log file: %w", err)
				}
				defer f.Close()
				lw := bufio.NewWriter(f)
				defer lw.Flush()
				d.log = lw
			}
			return d.run(ctx, e, specs)
		},
	}
}

// olderLogFlag is the hidden option that olderLogForm turns sockcore's older
// `dump -l FILE` into.
const olderLogFlag = "older-log-file"

// olderLogForm keeps sockcore's older `dump -l FILE` working now that -l is
// candump's (log to a file named by the date, no value). candump's -l takes
// no value, so `-l=FILE` is always the older form (unless FILE is a
// boolean), and `-l X` is when X is not an option and not an operand that
// names an interface here (any, or an interface that exists, filters after
// a comma ignored). The form is rewritten as --older-log-file FILE before
// urfave/cli parses; if X turns out to be the only operand, the action reads
// it back as candump's -l on interface X. Arguments after -- and those of
// other subcommands are left alone.
func olderLogForm(args []string, isIface func(string) bool) []string {
	sub := 1
	for sub < len(args) && strings.HasPrefix(args[sub], "-") && args[sub] != "--" {
		sub++
	}
	if sub >= len(args) || args[sub] != "dump" {
		return args
	}
	out := slices.Clone(args[:sub+1])
	for i := sub + 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i:]...)
		case a == "-l" || a == "--l":
			if i+1 < len(args) {
				x := args[i+1]
				iface, _, _ := strings.Cut(x, ",")
				if x != "" && !strings.HasPrefix(x, "-") && iface != "any" && !isIface(iface) {
					out = append(out, "--"+olderLogFlag, x)
					i++
					continue
				}
			}
		case strings.HasPrefix(a, "-l=") || strings.HasPrefix(a, "--l="):
			_, v, _ := strings.Cut(a, "=")
			if _, err := strconv.ParseBool(v); err != nil {
				out = append(out, "--"+olderLogFlag+"="+v)
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

// isIface reports whether a network interface of that name exists here.
func isIface(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

type dumpSpec struct {
	iface   string // "" = any
	arg     string // as given, filters included: candump names a socket so in DROPCOUNT lines
	filters filterSet
}

type dumper struct {
	out      *bufio.Writer
	log      *bufio.Writer
	stderr   io.Writer
	tsMode   string
	logStyle bool
	count    int
	extra    bool
	dropMon  bool
	keepDown bool
	silent   int
	colour   int
	idle     time.Duration
	view     canframe.View

	mu      sync.Mutex
	seen    int
	ani     int
	first   time.Time
	prev    time.Time
	width   int
	idleT   *time.Timer
	ifaces  []string          // interfaces in the order first seen (colour), by index or name
	names   map[string]string // their names
	linebuf []byte
}

type dumpFrame struct {
	ts        time.Time
	iface     string
	idx       int // position of the interface in dumper.ifaces
	frame     canframe.Frame
	wireFlags byte // CAN FD flags as received (FDF included)
	tx        bool // sent from this host (MSG_DONTROUTE)
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
		if d.dropMon {
			if err := s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1); err != nil && s.Family() == unix.AF_CAN {
				return fmt.Errorf("SO_RXQ_OVFL on %s: %w", sp.arg, err)
			}
		}
	}
	stop := ctxClose(ctx, socks...)
	defer stop()
	if d.idle > 0 {
		d.idleT = time.AfterFunc(d.idle, cancel)
		defer d.idleT.Stop()
	}
	var wg sync.WaitGroup
	errc := make(chan error, len(socks))
	for i, s := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- d.read(cancel, s, &specs[i])
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
func (d *dumper) read(cancel func(), s *sockcore.Socket, sp *dumpSpec) error {
	var buf frameBuf
	var lastDrops uint32
	for {
		n, anc, flags, from, err := s.RecvMsgInto([][]byte{buf[:]}, 64, 0)
		if err != nil {
			if d.keepDown && errors.Is(err, unix.ENETDOWN) {
				fmt.Fprintf(d.stderr, "%s: interface down\n", sp.iface)
				continue
			}
			return err
		}
		f, err := canframe.DecodeWire(buf[:n])
		if err != nil {
			fmt.Fprintf(d.out, "# skipped %d bytes: %v\n", n, err)
			continue
		}
		df := dumpFrame{iface: sp.iface, frame: f, tx: flags&unix.MSG_DONTROUTE != 0}
		if n == canframe.FDMTU {
			df.wireFlags = buf[5]
		}
		ifindex := -1
		if a, ok := from.(*sockcore.CANAddr); ok {
			ifindex = a.Ifindex
		}
		if ts, ok := sockcore.ParseTimestamp(anc); ok {
			df.ts = ts
		} else {
			df.ts = time.Now()
		}
		drops, dropped := rxqOvfl(anc)
		if done := d.print(&df, ifindex, from, sp, drops, dropped && drops != lastDrops, lastDrops); done {
			cancel()
			return nil
		}
		if dropped {
			lastDrops = drops
		}
	}
}

// ifIndex finds (or adds) the interface of a frame in the cache of
// interfaces seen, as candump does: its position picks the colour. Frames
// from a socket that is not CAN (tests) are told apart by name.
func (d *dumper) ifIndex(ifindex int, from sockcore.Addr, fallback string) (int, string) {
	key := "name " + fallback
	if ifindex >= 0 {
		key = "index " + strconv.Itoa(ifindex)
	}
	for i, k := range d.ifaces {
		if k == key {
			return i, d.names[k]
		}
	}
	name := fallback
	if a, ok := from.(*sockcore.CANAddr); ok {
		if n := a.IfName(); n != "" {
			name = n
		}
	}
	if name == "" {
		name = "any"
	}
	if d.names == nil {
		d.names = map[string]string{}
	}
	d.ifaces = append(d.ifaces, key)
	d.names[key] = name
	d.width = max(d.width, len(name))
	return len(d.ifaces) - 1, name
}

// print writes one frame; it reports whether the count is reached.
func (d *dumper) print(df *dumpFrame, ifindex int, from sockcore.Addr, sp *dumpSpec, drops uint32, newDrops bool, lastDrops uint32) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.count > 0 && d.seen >= d.count {
		return true
	}
	d.seen++
	if d.idleT != nil {
		d.idleT.Reset(d.idle)
	}
	if newDrops {
		n := drops - lastDrops // modulo 2^32, as candump
		plural := ""
		if n > 1 {
			plural = "s"
		}
		line := fmt.Sprintf("DROPCOUNT: dropped %d CAN frame%s on '%s' socket (total drops %d)\n", n, plural, sp.arg, drops)
		if d.silent != silentOn {
			d.out.WriteString(line)
		}
		if d.log != nil {
			d.log.WriteString(line)
		}
	}
	df.idx, df.iface = d.ifIndex(ifindex, from, df.iface)
	if df.frame.Extended {
		d.view.IndentSFF = true // candump indents standard ids once it has seen an extended one
	}
	if d.first.IsZero() {
		d.first, d.prev = df.ts, df.ts
	}
	if d.log != nil {
		d.writeLog(d.log, df)
	}
	switch {
	case d.logStyle && d.silent == silentOff:
		d.writeLog(d.out, df)
	case d.silent == silentAni:
		d.out.WriteByte(`|/-\`[d.ani%4])
		d.out.WriteByte('\b')
		d.ani++
	case d.silent == silentOn || d.logStyle:
	default:
		d.out.Write(d.appendLine(d.linebuf[:0], df))
	}
	if d.tsMode == "d" {
		d.prev = df.ts
	}
	// Flush per frame so that a reader of a pipe sees frames as they come.
	d.out.Flush()
	return d.count > 0 && d.seen >= d.count
}

// appendLine appends candump's default line for df.
func (d *dumper) appendLine(b []byte, df *dumpFrame) []byte {
	colour := dumpColours[df.idx%len(dumpColours)]
	b = append(b, ' ')
	if d.colour > 2 {
		b = append(b, colour...)
	}
	switch d.tsMode {
	case "a":
		b = canframe.AppendTimestamp(b, df.ts)
		b = append(b, ' ')
	case "A":
		b = canframe.AppendDateTimestamp(b, df.ts.Local())
		b = append(b, ' ')
	case "d", "z":
		// candump subtracts microsecond timevals: truncate first.
		b = canframe.AppendDuration(b, df.ts.Truncate(time.Microsecond).Sub(d.prev.Truncate(time.Microsecond)))
		b = append(b, ' ')
	}
	b = append(b, ' ')
	if d.colour == 1 || d.colour == 2 {
		b = append(b, colour...)
	}
	b = append(b, strings.Repeat(" ", max(0, d.width-len(df.iface)))...)
	b = append(b, df.iface...)
	if d.extra {
		b = append(b, "  "...)
		b = append(b, canframe.ExtraInfo(df.tx, df.wireFlags)...)
	}
	if d.colour == 1 {
		b = append(b, colourOff...)
	}
	b = append(b, "  "...)
	b = canframe.AppendCandump(b, &df.frame, d.view)
	if d.colour > 1 {
		b = append(b, colourOff...)
	}
	return append(b, '\n')
}

// writeLog writes df in candump's log format: "(sec.usec) iface id#data",
// the interface right-aligned as candump pads it, and with -x " R" or " T".
func (d *dumper) writeLog(w io.Writer, df *dumpFrame) {
	b := canframe.AppendTimestamp(d.linebuf[:0], df.ts)
	b = append(b, ' ')
	b = append(b, strings.Repeat(" ", max(0, d.width-len(df.iface)))...)
	b = append(b, df.iface...)
	b = append(b, ' ')
	b = canframe.AppendTextFlags(b, &df.frame, df.wireFlags)
	if d.extra {
		if df.tx {
			b = append(b, " T"...)
		} else {
			b = append(b, " R"...)
		}
	}
	b = append(b, '\n')
	w.Write(b)
	d.linebuf = b
}

// rxqOvfl returns the SO_RXQ_OVFL counter a received frame carries.
func rxqOvfl(anc []sockcore.ControlMessage) (uint32, bool) {
	for _, m := range anc {
		if m.Level == unix.SOL_SOCKET && m.Type == unix.SO_RXQ_OVFL && len(m.Data) >= 4 {
			return binary.NativeEndian.Uint32(m.Data), true
		}
	}
	return 0, false
}
