package main

import (
	"context"
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/cpupin"
	"github.com/sockcore/sockcore/pkg/canframe"
)

func sendCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "send",
		Usage: "send frames, as cansend does",
		Description: "A full transmit queue (ENOBUFS) is waited out for up to 100ms a frame; a queue still " +
			"full then ends the command, saying how many frames were sent. SIGINT or SIGTERM ends it at once " +
			"(exit 130), saying the same.",
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
			s, err := e.openIface(args[0])
			if err != nil {
				return err
			}
			defer s.Close()
			var buf frameBuf
			cpupin.Pin()
			total, sent := c.Int("repeat")*len(frames), 0
			// SIGINT or SIGTERM: at most one full-queue wait (fullQueueWait)
			// after it, never the rest of --repeat; a wait that ends in
			// ENOBUFS after the signal is the interruption too.
			interrupted := func() error {
				return cli.Exitf(cli.ExitInterrupted, "send on %s: interrupted: %d of %d frames sent, the rest not", args[0], sent, total)
			}
			for i := 0; i < c.Int("repeat"); i++ {
				for j := range frames {
					if ctx.Err() != nil {
						return interrupted()
					}
					if err := writeFrame(s, &frames[j], buf[:]); err != nil {
						if ctx.Err() != nil {
							return interrupted()
						}
						if errors.Is(err, unix.ENOBUFS) {
							return fmt.Errorf("send %s on %s: %w: the transmit queue stayed full for %v; %d of %d frames sent, the rest not",
								frames[j].Text(), args[0], err, fullQueueWait, sent, total)
						}
						return fmt.Errorf("send %s on %s: %w", frames[j].Text(), args[0], err)
					}
					sent++
				}
			}
			return nil
		},
	}
}
