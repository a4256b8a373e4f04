package main

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func isotpdumpCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "isotpdump",
		Usage:     "print the ISO-TP frames between two ids as isotpdump does",
		ArgsUsage: "IFACE",
		Description: "Single (SF), first (FF), consecutive (CF) and flow-control (FC) frames of the ISO-TP " +
			"connection between -s and -d, decoded as isotpdump (can-utils 2020.11) prints them. " +
			"Ids are hex; 8 digits make an extended id.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "s", Usage: "source `ID` (the sender's id)"},
			&ucli.StringFlag{Name: "d", Usage: "destination `ID` (the receiver's id)"},
			&ucli.StringFlag{Name: "x", Usage: "extended addressing: the first data byte is the address `ADDR` (hex, or any)"},
			&ucli.StringFlag{Name: "X", Usage: "with -x, the address `ADDR` of frames from the destination (hex, or any)"},
			&ucli.BoolFlag{Name: "c", Usage: "colour: frames from the source red, from the destination blue"},
			&ucli.BoolFlag{Name: "a", Usage: "the payload as ASCII too"},
			&ucli.StringFlag{Name: "t", Usage: "timestamps: a absolute, A absolute with date, d delta, z since the first frame"},
			countFlag("`COUNT` frames"),
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			iface, err := oneIface(c, "isotpdump")
			if err != nil {
				return err
			}
			if !c.IsSet("s") || !c.IsSet("d") {
				return cli.Usagef("isotpdump: -s ID and -d ID are both needed")
			}
			ip := &isotpDumper{colour: c.Bool("c"), view: canframe.ISOTPView{ASCII: c.Bool("a")},
				ts: c.String("t"), iface: iface, count: c.Int("n")}
			if ip.src, err = isotpDumpID("s", c.String("s")); err != nil {
				return err
			}
			if ip.dst, err = isotpDumpID("d", c.String("d")); err != nil {
				return err
			}
			switch ip.ts {
			case "", "a", "A", "d", "z":
			default:
				return cli.Usagef("isotpdump: -t %q: want a, A, d or z", ip.ts)
			}
			if c.IsSet("X") && !c.IsSet("x") {
				return cli.Usagef("isotpdump: -X needs -x")
			}
			if c.IsSet("x") {
				ip.view.Extended = true
				if ip.txAny, ip.txAddr, err = isotpDumpAddr("x", c.String("x")); err != nil {
					return err
				}
			}
			if c.IsSet("X") {
				ip.rxExt = true
				if ip.rxAny, ip.rxAddr, err = isotpDumpAddr("X", c.String("X")); err != nil {
					return err
				}
			}
			s, err := e.openIface(ip.iface)
			if err != nil {
				return err
			}
			defer s.Close()
			filters := make([]sockcore.CANFilter, 0, 2)
			for _, id := range []uint32{ip.src, ip.dst} {
				if id&canframe.EFFFlag != 0 {
					filters = append(filters, sockcore.CANFilter{ID: id, Mask: canframe.EFFMask | canframe.EFFFlag | canframe.RTRFlag})
				} else {
					filters = append(filters, sockcore.CANFilter{ID: id, Mask: canframe.SFFMask | canframe.EFFFlag | canframe.RTRFlag})
				}
			}
			if err := s.SetCANRawFilter(filters); err != nil && s.Family() == unix.AF_CAN {
				return err
			}
			s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS_OLD, 1)
			bigRcvBuf(s) // an ISO-TP transfer at STmin 0 is a burst
			out := bufio.NewWriter(e.stdout)
			defer out.Flush()
			return ip.run(ctx, s, out)
		},
	}
}

// isotpDumpID reads an id as isotpdump does: hex, more than 7 digits make
// it extended.
func isotpDumpID(flag, s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return 0, cli.Usagef("isotpdump: -%s %q: want a hex CAN id", flag, s)
	}
	if len(s) > 7 {
		if v > canframe.EFFMask {
			return 0, cli.Usagef("isotpdump: -%s %q exceeds 1FFFFFFF", flag, s)
		}
		return uint32(v) | canframe.EFFFlag, nil
	}
	if v > canframe.SFFMask {
		return 0, cli.Usagef("isotpdump: -%s %q exceeds 7FF (use 8 digits for an extended id)", flag, s)
	}
	return uint32(v), nil
}

func isotpDumpAddr(flag, s string) (anyAddr bool, addr byte, err error) {
	if strings.HasPrefix(s, "any") {
		return true, 0, nil
	}
	v, perr := strconv.ParseUint(s, 16, 8)
	if perr != nil {
		return false, 0, cli.Usagef("isotpdump: -%s %q: want a hex address 00-FF or any", flag, s)
	}
	return false, byte(v), nil
}

type isotpDumper struct {
	iface          string
	src, dst       uint32
	txAny, rxAny   bool
	txAddr, rxAddr byte
	rxExt          bool
	colour         bool
	view           canframe.ISOTPView
	ts             string
	count          int
	previous       time.Time
}

func (ip *isotpDumper) run(ctx context.Context, s *sockcore.Socket, out *bufio.Writer) error {
	stop := ctxClose(ctx, s)
	defer stop()
	var buf frameBuf
	var line []byte
	for seen := 0; ip.count == 0 || seen < ip.count; {
		n, anc, _, _, err := s.RecvMsgInto([][]byte{buf[:]}, 64, 0)
		if err != nil {
			if ended(ctx, err) {
				return nil
			}
			return err
		}
		f, err := canframe.DecodeWire(buf[:n])
		if err != nil {
			continue
		}
		canID := f.CANID()
		first := byte(0)
		if len(f.Data) > 0 {
			first = f.Data[0]
		}
		if canID == ip.src && ip.view.Extended && !ip.txAny && ip.txAddr != first {
			continue
		}
		if canID == ip.dst && ip.rxExt && !ip.rxAny && ip.rxAddr != first {
			continue
		}
		seen++
		ts, ok := sockcore.ParseTimestamp(anc)
		if !ok {
			ts = time.Now()
		}
		b := line[:0]
		if ip.colour {
			if canID == ip.src {
				b = append(b, "\x1b[31m"...)
			} else {
				b = append(b, "\x1b[34m"...)
			}
		}
		b = ip.appendTime(b, ts)
		b = canframe.AppendISOTP(b, ip.iface, &f, ip.view)
		if ip.colour {
			b = append(b, colourOff...)
		}
		b = append(b, '\n')
		out.Write(b)
		out.Flush()
		line = b
	}
	return nil
}

// appendTime appends isotpdump's timestamp for -t.
func (ip *isotpDumper) appendTime(b []byte, ts time.Time) []byte {
	ts = ts.Truncate(time.Microsecond)
	switch ip.ts {
	case "a":
		return canframe.AppendISOTPTimestamp(b, ts.Unix(), ts.Nanosecond()/1000)
	case "A":
		b = canframe.AppendDateTimestamp(b, ts.Local())
		return append(b, ' ')
	case "d", "z":
		if ip.previous.IsZero() {
			ip.previous = ts
		}
		d := max(ts.Sub(ip.previous), 0)
		if ip.ts == "d" {
			ip.previous = ts
		}
		return canframe.AppendISOTPTimestamp(b, int64(d/time.Second), int(d%time.Second/time.Microsecond))
	}
	return b
}
