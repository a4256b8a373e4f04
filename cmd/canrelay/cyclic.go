package main

import (
	"context"
	"fmt"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func cyclicCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "cyclic",
		Usage:     "send a frame periodically through the kernel's broadcast manager (BCM TX_SETUP)",
		ArgsUsage: "IFACE FRAME",
		Description: "The kernel sends the frame every --interval until canrelay stops (the job is " +
			"deleted with TX_DELETE), or --count times and then canrelay exits when the kernel reports " +
			"TX_EXPIRED.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "interval", Value: "100ms", Usage: "time between frames, e.g. `100ms`"},
			&ucli.IntFlag{Name: "count", Usage: "send `N` frames and stop (0: until interrupted)"},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() != 2 {
				return cli.Usagef("cyclic: want an interface and a frame")
			}
			if err := checkIface(c.Args().First()); err != nil {
				return err
			}
			f, err := parseFrameArg(c.Args().Get(1))
			if err != nil {
				return err
			}
			ival, err := parseDurationFlag("interval", c.String("interval"))
			if err != nil {
				return err
			}
			if ival < time.Microsecond {
				return cli.Usagef("cyclic: --interval must be at least 1µs")
			}
			count := c.Int("count")
			if count < 0 {
				return cli.Usagef("cyclic: --count must not be negative")
			}
			return cyclic(ctx, c.Args().First(), &f, ival, uint32(count))
		},
	}
}

// cyclicSetup is the TX_SETUP message for f: count frames at ival1 then
// stop (with TX_EXPIRED announced), or with count 0 forever at ival2.
func cyclicSetup(f *canframe.Frame, ival time.Duration, count uint32) (*sockcore.BCMMsg, error) {
	wire, err := canframe.EncodeWire(f)
	if err != nil {
		return nil, cli.Usagef("cyclic: frame %s: %w", f.Text(), err)
	}
	m := &sockcore.BCMMsg{Opcode: sockcore.TX_SETUP, Flags: sockcore.BCM_SETTIMER | sockcore.BCM_STARTTIMER,
		CANID: f.CANID(), Frames: [][]byte{wire}}
	if f.FD {
		m.Flags |= sockcore.BCM_CAN_FD_FRAME
	}
	if count > 0 {
		m.Count, m.Ival1 = count, ival
		m.Flags |= sockcore.BCM_TX_COUNTEVT
	} else {
		m.Ival2 = ival
	}
	return m, nil
}

func cyclic(ctx context.Context, iface string, f *canframe.Frame, ival time.Duration, count uint32) error {
	setup, err := cyclicSetup(f, ival, count)
	if err != nil {
		return err
	}
	s, err := sockcore.New(unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_BCM)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Connect(&sockcore.CANAddr{Interface: iface}); err != nil {
		return canIfaceErr(iface, err)
	}
	b, err := sockcore.EncodeBCM(setup)
	if err != nil {
		return err
	}
	if _, err := s.Send(b, 0); err != nil {
		return fmt.Errorf("cyclic: BCM TX_SETUP on %s: %w", iface, err)
	}
	if count == 0 {
		<-ctx.Done()
		del := &sockcore.BCMMsg{Opcode: sockcore.TX_DELETE, CANID: setup.CANID}
		if b, err := sockcore.EncodeBCM(del); err == nil {
			s.Send(b, 0)
		}
		return nil
	}
	stop := ctxClose(ctx, s)
	defer stop()
	// Wait for the kernel to say the count is done.
	buf := make([]byte, sockcore.BCMHeadLen+canframe.FDMTU)
	for {
		n, err := s.RecvInto(buf, 0)
		if err != nil {
			if ended(ctx, err) {
				return nil
			}
			return err
		}
		m, err := sockcore.DecodeBCM(buf[:n])
		if err == nil && m.Opcode == sockcore.TX_EXPIRED {
			return nil
		}
	}
}
