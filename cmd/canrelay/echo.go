package main

import (
	"context"
	"fmt"
	"io"

	ucli "github.com/urfave/cli/v3"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/cpupin"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func echoCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "echo",
		Usage:     "send every received frame back, printing can_id, dlc and data",
		ArgsUsage: "IFACE",
		Description: "The CAN example of Python's socket documentation made solid: a failed send is " +
			"reported on stderr and counted, not fatal. The counts are printed when it stops.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "send", Usage: "send `FRAME` once before echoing"},
			countFlag("echoing `COUNT` frames"),
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			iface, err := checkedIface(c, "echo")
			if err != nil {
				return err
			}
			var first *canframe.Frame
			if t := c.String("send"); t != "" {
				f, err := parseFrameArg(t)
				if err != nil {
					return err
				}
				first = &f
			}
			s, err := e.openIface(iface)
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := echo(ctx, s, first, c.Int("n"), e.stdout, e.stderr)
			fmt.Fprintf(e.stdout, "echo %s: received=%d sent=%d send_errors=%d\n", iface, st.received, st.sent, st.sendErrors)
			return err
		},
	}
}

type echoStats struct{ received, sent, sendErrors int }

// echo answers every frame on s with the same frame until ctx ends or count
// frames are answered.
func echo(ctx context.Context, s *sockcore.Socket, first *canframe.Frame, count int, out, errw io.Writer) (echoStats, error) {
	cpupin.Pin()
	var st echoStats
	stop := ctxClose(ctx, s)
	defer stop()
	var out16 frameBuf
	send := func(b []byte) {
		if _, err := s.Send(b, 0); err != nil {
			st.sendErrors++
			cli.Report(errw, "canrelay", fmt.Errorf("echo: send: %w (counted, going on)", err))
			return
		}
		st.sent++
	}
	if first != nil {
		b, err := canframe.AppendWire(out16[:0], first)
		if err != nil {
			return st, cli.Usagef("echo: --send %s: %w", first.Text(), err)
		}
		send(b)
	}
	var buf frameBuf
	for count <= 0 || st.received < count {
		n, err := s.RecvInto(buf[:], 0)
		if err != nil {
			if ended(ctx, err) {
				return st, nil
			}
			return st, err
		}
		f, err := canframe.DecodeWire(buf[:n])
		if err != nil {
			cli.Report(errw, "canrelay", fmt.Errorf("echo: %w (skipped)", err))
			continue
		}
		st.received++
		fmt.Fprintf(out, "can_id=%x dlc=%d data=%x\n", f.CANID(), f.Len(), f.Data)
		send(buf[:n])
	}
	return st, nil
}
