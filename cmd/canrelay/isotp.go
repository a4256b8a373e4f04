package main

import (
	"bufio"
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

func isotpFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "rx", Required: true, Usage: "CAN `ID` this end receives on (hex; 8 digits: extended)"},
		&ucli.StringFlag{Name: "tx", Required: true, Usage: "CAN `ID` this end sends on"},
		&ucli.StringFlag{Name: "pad", Usage: "pad frames to 8 bytes with `BYTE` (hex) and expect padding"},
		&ucli.IntFlag{Name: "bs", Usage: "block size asked of the sender in flow control (0: no limit)"},
		&ucli.IntFlag{Name: "stmin", Usage: "separation time asked of the sender, 0-127 ms"},
		&ucli.BoolFlag{Name: "fd", Usage: "CAN FD link layer: frames of up to 64 bytes"},
	}
}

func isotpCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "isotp",
		Usage: "send or receive ISO 15765-2 (ISO-TP) PDUs of up to 4095 bytes",
		Commands: []*ucli.Command{
			{
				Name:      "send",
				Usage:     "send one PDU: HEXDATA, or stdin's bytes",
				ArgsUsage: "IFACE [HEXDATA]",
				Flags:     isotpFlags(),
				Action: func(ctx context.Context, c *ucli.Command) error {
					if c.NArg() < 1 || c.NArg() > 2 {
						return cli.Usagef("isotp send: want an interface and optionally hex data")
					}
					var data []byte
					var err error
					if c.NArg() == 2 {
						data, err = hex.DecodeString(strings.ReplaceAll(c.Args().Get(1), ".", ""))
						if err != nil {
							return cli.Usagef("isotp send: data %q is not hex bytes", c.Args().Get(1))
						}
					} else if data, err = io.ReadAll(e.stdin); err != nil {
						return err
					}
					s, err := openISOTP(c, c.Args().First())
					if err != nil {
						return err
					}
					defer s.Close()
					if _, err := s.Send(data, 0); err != nil {
						return fmt.Errorf("isotp send %d bytes on %s: %w", len(data), c.Args().First(), err)
					}
					return nil
				},
			},
			{
				Name:      "recv",
				Usage:     "print each received PDU as a line of hex (or its raw bytes with --raw)",
				ArgsUsage: "IFACE",
				Flags: append(isotpFlags(),
					countFlag("`COUNT` PDUs"),
					&ucli.BoolFlag{Name: "raw", Usage: "write the PDUs' bytes, not hex lines"}),
				Action: func(ctx context.Context, c *ucli.Command) error {
					iface, err := oneIface(c, "isotp recv")
					if err != nil {
						return err
					}
					s, err := openISOTP(c, iface)
					if err != nil {
						return err
					}
					defer s.Close()
					return isotpRecv(ctx, s, c.Int("n"), c.Bool("raw"), e.stdout)
				},
			},
		},
	}
}

func openISOTP(c *ucli.Command, iface string) (*sockcore.Socket, error) {
	rx, err := parseID(c.String("rx"))
	if err != nil {
		return nil, err
	}
	tx, err := parseID(c.String("tx"))
	if err != nil {
		return nil, err
	}
	opts := sockcore.ISOTPOptions{Flags: sockcore.CAN_ISOTP_WAIT_TX_DONE}
	if p := c.String("pad"); p != "" {
		v, err := strconv.ParseUint(strings.TrimPrefix(p, "0x"), 16, 8)
		if err != nil {
			return nil, cli.Usagef("isotp: --pad %q is not a hex byte", p)
		}
		opts.Flags |= sockcore.CAN_ISOTP_TX_PADDING | sockcore.CAN_ISOTP_RX_PADDING
		opts.TxPadContent, opts.RxPadContent = uint8(v), uint8(v)
	}
	bs, stmin := c.Int("bs"), c.Int("stmin")
	if bs < 0 || bs > 255 || stmin < 0 || stmin > 127 {
		return nil, cli.Usagef("isotp: --bs is 0-255 and --stmin 0-127")
	}
	if err := checkIface(iface); err != nil {
		return nil, err
	}
	s, err := sockcore.New(unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_ISOTP)
	if err != nil {
		return nil, err
	}
	err = s.SetISOTPOptions(opts)
	if err == nil {
		err = s.SetISOTPFlowControl(sockcore.ISOTPFlowControl{BlockSize: uint8(bs), STmin: uint8(stmin)})
	}
	if err == nil && c.Bool("fd") {
		err = s.SetISOTPLinkLayer(sockcore.ISOTPLinkLayer{MTU: sockcore.CANFD_MTU, TxDL: 64})
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("isotp options: %w", err)
	}
	if err := s.Bind(&sockcore.CANAddr{Kind: sockcore.CANKindISOTP, Interface: iface, RxID: rx, TxID: tx}); err != nil {
		s.Close()
		return nil, canIfaceErr(iface, err)
	}
	return s, nil
}

func isotpRecv(ctx context.Context, s *sockcore.Socket, count int, raw bool, out io.Writer) error {
	stop := ctxClose(ctx, s)
	defer stop()
	w := bufio.NewWriter(out)
	defer w.Flush()
	buf := make([]byte, 1<<17)
	for i := 0; count <= 0 || i < count; i++ {
		n, err := s.RecvInto(buf, 0)
		if err != nil {
			if ended(ctx, err) {
				return nil
			}
			return err
		}
		if raw {
			w.Write(buf[:n])
		} else {
			fmt.Fprintf(w, "%X\n", buf[:n])
		}
		w.Flush()
	}
	return nil
}
