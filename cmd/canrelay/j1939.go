package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func j1939Command(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "j1939",
		Usage: "send or receive SAE J1939 messages (the kernel's CAN_J1939, with transport for long ones)",
		Commands: []*ucli.Command{
			{
				Name:      "send",
				Usage:     "send one message",
				ArgsUsage: "IFACE HEXDATA",
				Flags: []ucli.Flag{
					&ucli.StringFlag{Name: "src", Required: true, Usage: "source `ADDR` (0x00-0xfd)"},
					&ucli.StringFlag{Name: "dst", Value: "0xff", Usage: "destination `ADDR`, 0xff broadcast"},
					&ucli.StringFlag{Name: "pgn", Required: true, Usage: "parameter group number, e.g. `0x12300`"},
					&ucli.IntFlag{Name: "prio", Value: -1, Usage: "priority 0 (highest) to 7"},
					&ucli.StringFlag{Name: "name", Usage: "64-bit ECU `NAME` (0x...)"},
				},
				Action: func(ctx context.Context, c *ucli.Command) error {
					if c.NArg() != 2 {
						return cli.Usagef("j1939 send: want an interface and hex data")
					}
					iface := c.Args().First()
					data, err := hex.DecodeString(strings.ReplaceAll(c.Args().Get(1), ".", ""))
					if err != nil {
						return cli.Usagef("j1939 send: data %q is not hex bytes", c.Args().Get(1))
					}
					src, err := parseJ1939Num("src", c.String("src"), 0xff)
					if err != nil {
						return err
					}
					dst, err := parseJ1939Num("dst", c.String("dst"), 0xff)
					if err != nil {
						return err
					}
					pgn, err := parseJ1939Num("pgn", c.String("pgn"), sockcore.J1939PGNMax)
					if err != nil {
						return err
					}
					var name uint64
					if n := c.String("name"); n != "" {
						if name, err = strconv.ParseUint(n, 0, 64); err != nil {
							return cli.Usagef("j1939: --name %q is not a number", n)
						}
					}
					prio := c.Int("prio")
					if prio > 7 || prio < -1 {
						return cli.Usagef("j1939: --prio must be 0-7")
					}
					s, err := openJ1939(iface, &sockcore.CANAddr{Kind: sockcore.CANKindJ1939, Interface: iface,
						Name: name, PGN: sockcore.J1939NoPGN, Addr: uint8(src)})
					if err != nil {
						return err
					}
					defer s.Close()
					if dst == sockcore.J1939NoAddr {
						if err := s.SetBroadcast(true); err != nil {
							return err
						}
					}
					if prio >= 0 {
						if err := s.SetJ1939SendPrio(prio); err != nil {
							return err
						}
					}
					to := &sockcore.CANAddr{Kind: sockcore.CANKindJ1939, Interface: iface, PGN: uint32(pgn), Addr: uint8(dst)}
					if _, err := s.SendTo(data, 0, to); err != nil {
						return fmt.Errorf("j1939 send to %s: %w", to, err)
					}
					return nil
				},
			},
			{
				Name:      "recv",
				Usage:     "print received messages: src, dst, pgn, prio and data",
				ArgsUsage: "IFACE",
				Flags: []ucli.Flag{
					&ucli.StringFlag{Name: "addr", Value: "0xff", Usage: "own `ADDR`; 0xff receives broadcasts only (or all with --promisc)"},
					&ucli.StringFlag{Name: "pgn", Usage: "receive only this `PGN`"},
					&ucli.BoolFlag{Name: "promisc", Usage: "receive every message on the bus"},
					countFlag("`COUNT` messages"),
				},
				Action: func(ctx context.Context, c *ucli.Command) error {
					iface, err := oneIface(c, "j1939 recv")
					if err != nil {
						return err
					}
					addr, err := parseJ1939Num("addr", c.String("addr"), 0xff)
					if err != nil {
						return err
					}
					pgn := uint64(sockcore.J1939NoPGN)
					if p := c.String("pgn"); p != "" {
						if pgn, err = parseJ1939Num("pgn", p, sockcore.J1939PGNMax); err != nil {
							return err
						}
					}
					s, err := openJ1939(iface, &sockcore.CANAddr{Kind: sockcore.CANKindJ1939, Interface: iface,
						PGN: uint32(pgn), Addr: uint8(addr)})
					if err != nil {
						return err
					}
					defer s.Close()
					if c.Bool("promisc") {
						if err := s.SetJ1939Promisc(true); err != nil {
							return err
						}
					}
					if err := s.SetBroadcast(true); err != nil {
						return err
					}
					return j1939Recv(ctx, s, c.Int("n"), e.stdout)
				},
			},
		},
	}
}

func parseJ1939Num(flag, s string, max uint64) (uint64, error) {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil || v > max {
		return 0, cli.Usagef("j1939: --%s %q: want a number up to %#x (0x for hex)", flag, s, max)
	}
	return v, nil
}

func openJ1939(iface string, local *sockcore.CANAddr) (*sockcore.Socket, error) {
	if err := checkIface(iface); err != nil {
		return nil, err
	}
	s, err := sockcore.New(unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_J1939)
	if err != nil {
		return nil, err
	}
	if err := s.Bind(local); err != nil {
		s.Close()
		return nil, canIfaceErr(iface, err)
	}
	return s, nil
}

func j1939Recv(ctx context.Context, s *sockcore.Socket, count int, out io.Writer) error {
	stop := ctxClose(ctx, s)
	defer stop()
	for i := 0; count <= 0 || i < count; i++ {
		data, anc, _, from, err := s.RecvMsg(1<<17, 256, 0)
		if err != nil {
			if ended(ctx, err) {
				return nil
			}
			return err
		}
		info := sockcore.ParseJ1939Control(anc)
		var src, pgn uint64
		if a, ok := from.(*sockcore.CANAddr); ok {
			a = a.WithProto(unix.CAN_J1939)
			src, pgn = uint64(a.Addr), uint64(a.PGN)
		}
		fmt.Fprintf(out, "src=0x%02x dst=0x%02x pgn=0x%05x prio=%d data=%X\n", src, info.DestAddr, pgn, info.Prio, data)
	}
	return nil
}
