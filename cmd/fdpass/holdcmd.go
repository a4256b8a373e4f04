package main

import (
	"context"
	"fmt"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
)

func holdCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "hold",
		Usage: "run a descriptor holder on SOCKET: store, retrieve, list and delete descriptors by name",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "on", Required: true, Usage: "create and listen on `SOCKET` (path or @abstract)"},
			&ucli.StringFlag{Name: "mode", Value: "0600", Usage: "file `MODE` of the socket path"},
			&ucli.IntSliceFlag{Name: "allow-uid", Usage: "also serve peers with user id `UID` (repeatable)"},
			&ucli.IntSliceFlag{Name: "allow-gid", Usage: "also serve peers with group id `GID` (repeatable)"},
			&ucli.IntFlag{Name: "max-names", Value: 1000, Usage: "hold at most `N` names"},
			&ucli.IntFlag{Name: "max-conns", Value: defaultMaxConns, Usage: "serve at most `N` connections at once; more are refused (ERR busy) and closed at once"},
			&ucli.IntFlag{Name: "max-conns-per-uid", Value: defaultMaxConnsPerUID, Usage: "serve at most `N` connections at once per peer uid"},
			&ucli.DurationFlag{Name: "client-timeout", Value: defaultClientTimeout, Usage: "close a connection that sends no request or reads no reply for `D`"},
			verboseFlag(),
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return cli.Usagef("hold takes no arguments, got %q", c.Args().First())
			}
			mode, err := parseMode(c.String("mode"))
			if err != nil {
				return err
			}
			for _, f := range []string{"max-names", "max-conns", "max-conns-per-uid"} {
				if c.Int(f) < 1 {
					return cli.Usagef("--%s %d: want at least 1", f, c.Int(f))
				}
			}
			if d := c.Duration("client-timeout"); d <= 0 {
				return cli.Usagef("--client-timeout %s: want a positive duration", d)
			}
			ln, cleanup, err := listenUnix(c.String("on"), unix.SOCK_SEQPACKET, mode)
			if err != nil {
				return err
			}
			defer cleanup()
			h := newHolder(c.Int("max-names"), c.IntSlice("allow-uid"), c.IntSlice("allow-gid"), verboseTo(c))
			h.maxConns, h.maxPerUID, h.clientTimeout = c.Int("max-conns"), c.Int("max-conns-per-uid"), c.Duration("client-timeout")
			h.complain = newComplainer(c.Root().ErrWriter, "fdpass: hold: ", complainInterval)
			h.logf("listening on %s", c.String("on"))
			return h.serve(ctx, ln)
		},
	}
}

func holderTimeout() ucli.Flag { return timeoutFlag(5*time.Second, "give up on the holder after `D`") }

// dialHolderFlag connects to the holder named by flag with the command's
// --timeout and --expect-uid.
func dialHolderFlag(c *ucli.Command, flag string) (*holdClient, error) {
	p, err := parseExpectUID(c.String("expect-uid"))
	if err != nil {
		return nil, err
	}
	return dialHolder(c.String(flag), c.Duration("timeout"), p)
}

func storeCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "store",
		Usage:     "store descriptors in a holder under NAME",
		ArgsUsage: "[FD...]",
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "to", Required: true, Usage: "the holder's `SOCKET`"},
			&ucli.StringFlag{Name: "name", Required: true, Usage: "store under `NAME`"},
			&ucli.DurationFlag{Name: "ttl", Usage: "the holder closes them after `D` (0: never)"},
			holderTimeout(),
			expectFlag(),
		}, gatherFlags()...),
		Action: func(ctx context.Context, c *ucli.Command) error {
			name, err := holdName(c)
			if err != nil {
				return err
			}
			ttl := c.Duration("ttl")
			if ttl < 0 || (ttl > 0 && ttl < time.Millisecond) {
				return cli.Usagef("--ttl %s: want 0 or at least 1ms", ttl)
			}
			fds, release, err := gather(c)
			if err != nil {
				return err
			}
			defer release()
			hc, err := dialHolderFlag(c, "to")
			if err != nil {
				return err
			}
			defer hc.Close()
			return hc.store(name, ttl, fds)
		},
	}
}

func holdName(c *ucli.Command) (string, error) {
	name := c.String("name")
	if err := validName(name); err != nil {
		return "", cli.Usagef("--name: %w", err)
	}
	return name, nil
}

func retrieveCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "retrieve",
		Usage:     "retrieve the descriptors held under NAME and run COMMAND with them at 3, 4, … (LISTEN_FDS)",
		ArgsUsage: "-- COMMAND [ARGS...]",
		// COMMAND's own options are its own: parsing stops at COMMAND.
		StopOnNthArg: cli.OperandsOnly(1),
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "from", Required: true, Usage: "the holder's `SOCKET`"},
			&ucli.StringFlag{Name: "name", Required: true, Usage: "retrieve what is held under `NAME`"},
			&ucli.BoolFlag{Name: "take", Usage: "delete them from the holder too"},
			&ucli.BoolFlag{Name: "print", Usage: "describe the descriptors on stdout instead of running COMMAND"},
			holderTimeout(),
			expectFlag(),
			verboseFlag(),
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			name, err := holdName(c)
			if err != nil {
				return err
			}
			argv := c.Args().Slice()
			if !c.Bool("print") {
				if _, err := lookCommand(argv); err != nil {
					return err
				}
			}
			hc, err := dialHolderFlag(c, "from")
			if err != nil {
				return err
			}
			if c.Bool("verbose") {
				reportPeer(c.Root().ErrWriter, "retrieve", hc.s)
			}
			fds, err := hc.retrieve(name, c.Bool("take"))
			hc.Close()
			if err != nil {
				return err
			}
			names, _ := namesFor([]string{name}, len(fds))
			return handOn(ctx, c, fds, names, argv)
		},
	}
}

func listCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "list",
		Usage: "list what a holder holds: NAME, number of descriptors, time left",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "from", Required: true, Usage: "the holder's `SOCKET`"},
			holderTimeout(),
			expectFlag(),
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			hc, err := dialHolderFlag(c, "from")
			if err != nil {
				return err
			}
			defer hc.Close()
			list, err := hc.list()
			if err != nil {
				return err
			}
			for _, e := range list {
				left := "never"
				if e.TTLms > 0 {
					left = (time.Duration(e.TTLms) * time.Millisecond).String()
				}
				fmt.Fprintf(c.Root().Writer, "%s %d %s\n", e.Name, e.N, left)
			}
			return nil
		},
	}
}

func deleteCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "delete",
		Usage: "delete what a holder holds under NAME (it closes the descriptors)",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "from", Required: true, Usage: "the holder's `SOCKET`"},
			&ucli.StringFlag{Name: "name", Required: true, Usage: "delete `NAME`"},
			holderTimeout(),
			expectFlag(),
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			name, err := holdName(c)
			if err != nil {
				return err
			}
			hc, err := dialHolderFlag(c, "from")
			if err != nil {
				return err
			}
			defer hc.Close()
			return hc.delete(name)
		},
	}
}
