package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 1 && args[1] == helperArg {
		return runHelper(args[2:])
	}
	app := cli.NewApp("fdpass", "hand open files and sockets between processes", stdin, stdout, stderr)
	app.DisableSliceFlagSeparator = true
	app.Commands = []*ucli.Command{
		sendCommand(), recvCommand(), activateCommand(), holdCommand(),
		storeCommand(), retrieveCommand(), listCommand(), deleteCommand(), infoCommand(),
	}
	return cli.RunApp(ctx, app, args)
}

func verboseFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "report peers' credentials and progress on stderr"}
}

func timeoutFlag(def time.Duration, usage string) *ucli.DurationFlag {
	return &ucli.DurationFlag{Name: "timeout", Value: def, Usage: usage}
}

// gatherFlags are the descriptor sources of send and store.
func gatherFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringSliceFlag{Name: "file", Usage: "open `PATH` read-only and pass it (repeatable)"},
		&ucli.StringSliceFlag{Name: "listen", Usage: "create a listening socket from `URL` and pass it (repeatable): tcp://HOST:PORT, udp://, udplite://, mptcp://, unix:///path, unix://@name, unix-dgram://, unix-seqpacket://, fd://N"},
	}
}

// gather collects the descriptors to pass, in this order: FD arguments,
// --file, --listen. release closes what gather opened (not the FD
// arguments, which belong to the caller).
func gather(c *ucli.Context) (fds []int, release func(), err error) {
	var opened []io.Closer
	closeOpened := func() {
		for _, o := range opened {
			o.Close()
		}
	}
	defer func() {
		if err != nil {
			closeOpened()
		}
	}()
	for _, a := range c.Args().Slice() {
		fd, err := strconv.Atoi(a)
		if err != nil || fd < 0 {
			return nil, nil, cli.Usagef("%q is not a descriptor number", a)
		}
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return nil, nil, cli.Exitf(cli.ExitNoSuchThing, "pass descriptor %d: not open in this process (open it in the shell: 3<file)", fd)
		}
		fds = append(fds, fd)
	}
	for _, p := range c.StringSlice("file") {
		f, err := os.Open(p)
		if err != nil {
			return nil, nil, err
		}
		opened = append(opened, f)
		fds = append(fds, int(f.Fd()))
	}
	for _, u := range c.StringSlice("listen") {
		s, err := listenURL(u)
		if err != nil {
			return nil, nil, fmt.Errorf("listen on %s: %w", u, err)
		}
		opened = append(opened, s)
		fds = append(fds, s.Fileno())
	}
	switch {
	case len(fds) == 0:
		return nil, nil, cli.Usagef("nothing to pass: give descriptor numbers, --file or --listen")
	case len(fds) > scmMaxFD:
		return nil, nil, cli.Usagef("%d descriptors: one message carries at most %d (SCM_MAX_FD)", len(fds), scmMaxFD)
	}
	return fds, closeOpened, nil
}

func sendCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "send",
		Usage:     "send descriptors to a UNIX socket in one message",
		ArgsUsage: "[FD...]",
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "to", Required: true, Usage: "the receiver's `SOCKET` (path or @abstract)"},
			&ucli.StringSliceFlag{Name: "name", Usage: "`NAME` for LISTEN_FDNAMES: once for all, or once per descriptor"},
			timeoutFlag(5*time.Second, "give up connecting or sending after `D`"),
			verboseFlag(),
		}, gatherFlags()...),
		Action: func(c *ucli.Context) error {
			fds, release, err := gather(c)
			if err != nil {
				return err
			}
			defer release()
			names, err := namesFor(c.StringSlice("name"), len(fds))
			if err != nil {
				return err
			}
			s, err := dialUnix(c.String("to"), c.Duration("timeout"))
			if err != nil {
				return err
			}
			defer s.Close()
			if c.Bool("verbose") {
				reportPeer(c.App.ErrWriter, "send", s)
			}
			if _, err := sockcore.SendFDs(s, [][]byte{encodeNames(names)}, fds); err != nil {
				return fmt.Errorf("send to %s: %w", c.String("to"), err)
			}
			return nil
		},
	}
}

func reportPeer(w io.Writer, what string, s *sockcore.Socket) {
	if cred, err := peerCred(s); err == nil {
		fmt.Fprintf(w, "fdpass: %s: peer %s (SO_PEERCRED)\n", what, credString(cred))
	}
}

var sockTypes = map[string]int{"seqpacket": unix.SOCK_SEQPACKET, "stream": unix.SOCK_STREAM, "dgram": unix.SOCK_DGRAM}

func recvCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "recv",
		Usage:     "receive one batch of descriptors and run COMMAND with them at 3, 4, … (LISTEN_FDS)",
		ArgsUsage: "-- COMMAND [ARGS...]",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "on", Required: true, Usage: "create and listen on `SOCKET` (path or @abstract)"},
			&ucli.IntFlag{Name: "max", Value: scmMaxFD, Usage: "accept at most `N` descriptors; a bigger batch is refused and closed"},
			timeoutFlag(0, "give up when nothing arrived within `D` (0: wait for ever)"),
			&ucli.BoolFlag{Name: "print", Usage: "describe the descriptors on stdout instead of running COMMAND"},
			&ucli.StringFlag{Name: "type", Value: "seqpacket", Usage: "socket `TYPE`: seqpacket, stream or dgram"},
			&ucli.StringFlag{Name: "mode", Value: "0600", Usage: "file `MODE` of the socket path"},
			verboseFlag(),
		},
		Action: func(c *ucli.Context) error {
			typ, ok := sockTypes[c.String("type")]
			if !ok {
				return cli.Usagef("--type %q: want seqpacket, stream or dgram", c.String("type"))
			}
			maxFDs := c.Int("max")
			if maxFDs < 1 || maxFDs > scmMaxFD {
				return cli.Usagef("--max %d: want 1 to %d", maxFDs, scmMaxFD)
			}
			mode, err := parseMode(c.String("mode"))
			if err != nil {
				return err
			}
			argv := c.Args().Slice()
			if !c.Bool("print") {
				if _, err := lookCommand(argv); err != nil {
					return err
				}
			}
			on := c.String("on")
			b, err := receiveOnce(c.Context, on, typ, mode, maxFDs, c.Duration("timeout"), verboseTo(c))
			if err != nil {
				return err
			}
			names := decodeNames(b.Data, len(b.FDs))
			return handOn(c, b.FDs, names, argv)
		},
	}
}

func verboseTo(c *ucli.Context) io.Writer {
	if c.Bool("verbose") {
		return c.App.ErrWriter
	}
	return nil
}

func parseMode(s string) (os.FileMode, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o777 {
		return 0, cli.Usagef("--mode %q: want octal permission bits such as 0600", s)
	}
	return os.FileMode(m), nil
}

// receiveOnce listens on SOCKET, takes one message and removes the socket.
func receiveOnce(ctx context.Context, on string, typ int, mode os.FileMode, maxFDs int, timeout time.Duration, logw io.Writer) (*batch, error) {
	ln, cleanup, err := listenUnix(on, typ, mode)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	setMode := func(s *sockcore.Socket, deadline time.Time) {
		if deadline.IsZero() {
			s.SetTimeout(sockcore.Forever)
		} else {
			s.SetTimeout(max(time.Until(deadline), time.Millisecond))
		}
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	if logw != nil {
		fmt.Fprintf(logw, "fdpass: recv: listening on %s\n", on)
	}
	conn := ln
	if typ != unix.SOCK_DGRAM {
		setMode(ln, deadline)
		c, _, err := ln.AcceptContext(ctx)
		if err != nil {
			return nil, recvError(ctx, on, timeout, err)
		}
		defer c.Close()
		conn = c
		if logw != nil {
			reportPeer(logw, "recv", c)
		}
	}
	setMode(conn, deadline)
	b, err := recvBatchContext(ctx, conn, maxFDs)
	if err != nil {
		return nil, recvError(ctx, on, timeout, err)
	}
	if logw != nil && b.Cred != nil {
		fmt.Fprintf(logw, "fdpass: recv: sender %s (SCM_CREDENTIALS), %d descriptors\n", credString(b.Cred), len(b.FDs))
	}
	return b, nil
}

func recvError(ctx context.Context, on string, timeout time.Duration, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, os.ErrDeadlineExceeded):
		return cli.Exitf(cli.ExitTimeout, "receive on %s: nothing received within %s (is the sender running?)", on, timeout)
	case cli.ExitCode(err) != cli.ExitFailure:
		return err
	}
	var ee *cli.ExitError
	if errors.As(err, &ee) {
		return err
	}
	return fmt.Errorf("receive on %s: %w", on, err)
}

// handOn prints the descriptors (--print) or runs COMMAND with them; either
// way fdpass's own copies are closed.
func handOn(c *ucli.Context, fds []int, names []string, argv []string) error {
	files := filesOf(fds, names)
	defer closeFiles(files)
	if c.Bool("print") {
		for i, fd := range fds {
			d, err := describeOwn(fd)
			if err != nil {
				return err
			}
			d.FD, d.Name, d.CloExec = 3+i, names[i], false
			fmt.Fprintln(c.App.Writer, d)
		}
		return nil
	}
	sp := &spawn{Argv: argv, Files: files, Names: names, Stdin: c.App.Reader, Stdout: c.App.Writer, Stderr: c.App.ErrWriter}
	cmd, err := sp.start()
	if err != nil {
		return err
	}
	closeFiles(files)
	if c.Bool("verbose") {
		fmt.Fprintf(c.App.ErrWriter, "fdpass: started %s as pid %d with %d descriptors\n", argv[0], cmd.Process.Pid, len(fds))
	}
	return wait(c.Context, cmd)
}

func infoCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "info",
		Usage:     "describe descriptors of this process (default: all) or of --pid PID",
		ArgsUsage: "[FD...]",
		Flags: []ucli.Flag{
			&ucli.IntFlag{Name: "pid", Usage: "describe the descriptors of process `PID`"},
		},
		Action: func(c *ucli.Context) error {
			if c.IsSet("pid") {
				if c.NArg() > 0 {
					return cli.Usagef("give descriptor numbers or --pid, not both")
				}
				ds, err := describePID(c.Int("pid"))
				if err != nil {
					return err
				}
				printDescs(c.App.Writer, ds)
				return nil
			}
			var fds []int
			explicit := c.NArg() > 0
			for _, a := range c.Args().Slice() {
				fd, err := strconv.Atoi(a)
				if err != nil || fd < 0 {
					return cli.Usagef("%q is not a descriptor number", a)
				}
				fds = append(fds, fd)
			}
			if !explicit {
				var err error
				if fds, err = ownFDs(); err != nil {
					return err
				}
			}
			var ds []*fdDesc
			for _, fd := range fds {
				d, err := describeOwn(fd)
				if err != nil {
					if explicit {
						return err
					}
					continue // the directory descriptor ownFDs read through
				}
				ds = append(ds, d)
			}
			printDescs(c.App.Writer, ds)
			return nil
		},
	}
}
