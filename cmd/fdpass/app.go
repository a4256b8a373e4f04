package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v3"
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
	cli.Complete(app, cli.Completions{Flags: map[string]func() []string{"listen": cli.URLSchemes, "l": cli.URLSchemes}})
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
		&ucli.StringSliceFlag{Name: "listen", Usage: "create a listening socket from `URL` and pass it (repeatable): SCHEME://ADDRESS as echod --listen takes it, SCHEME one of " + cli.SchemeNames},
	}
}

// gather collects the descriptors to pass, in this order: FD arguments,
// --file, --listen. release closes what gather opened (not the FD
// arguments, which belong to the caller).
func gather(c *ucli.Command) (fds []int, release func(), err error) {
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
			timeoutFlag(5*time.Second, "give up connecting, sending or waiting for the receiver's answer after `D`"),
			expectFlag(),
			verboseFlag(),
		}, gatherFlags()...),
		Action: func(ctx context.Context, c *ucli.Command) error {
			fds, release, err := gather(c)
			if err != nil {
				return err
			}
			defer release()
			names, err := namesFor(c.StringSlice("name"), len(fds))
			if err != nil {
				return err
			}
			policy, err := parseExpectUID(c.String("expect-uid"))
			if err != nil {
				return err
			}
			to := c.String("to")
			s, err := dialUnix(to, c.Duration("timeout"))
			if err != nil {
				return err
			}
			defer s.Close()
			if c.Bool("verbose") {
				reportPeer(c.Root().ErrWriter, "send", s)
			}
			if err := policy.check(s, to); err != nil {
				return err
			}
			if _, err := sockcore.SendFDs(s, [][]byte{encodeNames(names)}, fds); err != nil {
				if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
					return awaitAnswer(s, to, c.Duration("timeout"))
				}
				return fmt.Errorf("send to %s: %w", to, err)
			}
			if s.Type() == unix.SOCK_DGRAM {
				return nil // no connection to answer on
			}
			if c.Bool("verbose") {
				fmt.Fprintf(c.Root().ErrWriter, "fdpass: send: sent %d descriptors, waiting for the receiver's answer\n", len(fds))
			}
			return awaitAnswer(s, to, c.Duration("timeout"))
		},
	}
}

// awaitAnswer reads what the receiver says about the batch: fdpass recv
// answers "OK" once it has the descriptors and "ERR code text" when it
// refuses them (a holder answers a batch that is not a request with ERR
// bad). A receiver that is not fdpass (python's recv_fds) answers nothing
// and closes the connection after reading: that is success too. A
// connection reset means the receiver went away without reading the batch.
func awaitAnswer(s *sockcore.Socket, to string, timeout time.Duration) error {
	var msg []byte
	for len(msg) < 512 && (len(msg) == 0 || msg[len(msg)-1] != '\n') {
		b, err := s.Recv(512-len(msg), 0)
		switch {
		case err == nil && len(b) == 0 && len(msg) == 0:
			return nil // closed after reading: a receiver that does not answer
		case err == nil && len(b) == 0:
			return cli.Exitf(cli.ExitFailure, "send to %s: the receiver's answer %q was cut short", to, msg)
		case errors.Is(err, syscall.ECONNRESET):
			return cli.Exitf(cli.ExitFailure, "send to %s: the receiver closed the connection without reading the descriptors (nothing was delivered)", to)
		case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, syscall.EAGAIN):
			return cli.Exitf(cli.ExitTimeout, "send to %s: sent, but the receiver did not answer within %s (is it fdpass recv?)", to, timeout)
		case err != nil:
			return fmt.Errorf("send to %s: %w", to, err)
		}
		msg = append(msg, b...)
	}
	r, err := parseReply(msg)
	if err != nil {
		return cli.Exitf(cli.ExitFailure, "send to %s: %w", to, err)
	}
	if r.OK {
		return nil
	}
	if r.Code == errBad {
		r.Text += " (nothing was delivered; is it a holder? use fdpass store)"
	}
	return replyError("send", to, r)
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
		// COMMAND's own options are its own: parsing stops at COMMAND.
		StopOnNthArg: cli.OperandsOnly(1),
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "on", Required: true, Usage: "create and listen on `SOCKET` (path or @abstract)"},
			&ucli.IntFlag{Name: "max", Value: scmMaxFD, Usage: "accept at most `N` descriptors; a bigger batch is refused and closed"},
			timeoutFlag(0, "give up when nothing arrived within `D` (0: wait for ever)"),
			&ucli.BoolFlag{Name: "print", Usage: "describe the descriptors on stdout instead of running COMMAND"},
			&ucli.StringFlag{Name: "type", Value: "seqpacket", Usage: "socket `TYPE`: seqpacket, stream or dgram"},
			&ucli.StringFlag{Name: "mode", Value: "0600", Usage: "file `MODE` of the socket path"},
			&ucli.IntSliceFlag{Name: "allow-uid", Usage: "also take descriptors from senders with user id `UID` (repeatable; your own uid and root always)"},
			&ucli.IntSliceFlag{Name: "allow-gid", Usage: "also take descriptors from senders with group id `GID` (repeatable)"},
			verboseFlag(),
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
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
			ro := &recvOpts{
				on: on, typ: typ, mode: mode, maxFDs: maxFDs, timeout: c.Duration("timeout"), logw: verboseTo(c),
				own: uint32(os.Geteuid()), allowUIDs: map[uint32]bool{}, allowGIDs: map[uint32]bool{},
				complain: newComplainer(c.Root().ErrWriter, "fdpass: recv: ", complainInterval),
			}
			defer ro.complain.stop()
			for _, u := range c.IntSlice("allow-uid") {
				ro.allowUIDs[uint32(u)] = true
			}
			for _, g := range c.IntSlice("allow-gid") {
				ro.allowGIDs[uint32(g)] = true
			}
			b, err := receiveOnce(ctx, ro)
			if err != nil {
				return err
			}
			names := decodeNames(b.Data, len(b.FDs))
			return handOn(ctx, c, b.FDs, names, argv)
		},
	}
}

func verboseTo(c *ucli.Command) io.Writer {
	if c.Bool("verbose") {
		return c.Root().ErrWriter
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

// recvOpts is what recv was told.
type recvOpts struct {
	on        string
	typ       int
	mode      os.FileMode
	maxFDs    int
	timeout   time.Duration
	logw      io.Writer // -v; nil: quiet
	own       uint32
	allowUIDs map[uint32]bool
	allowGIDs map[uint32]bool
	complain  *complainer
}

// receiveOnce listens on SOCKET, takes one message from an allowed sender
// (the same policy as hold: this uid, root, --allow-uid, --allow-gid) and
// removes the socket. A sender that is not allowed is answered "ERR denied"
// and closed, its descriptors closed unseen, and recv goes on waiting.
// Connected senders are answered "OK" once the batch is taken, or "ERR …"
// when it is refused.
func receiveOnce(ctx context.Context, o *recvOpts) (*batch, error) {
	ln, cleanup, err := listenUnix(o.on, o.typ, o.mode)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var deadline time.Time
	if o.timeout > 0 {
		deadline = time.Now().Add(o.timeout)
	}
	setMode := func(s *sockcore.Socket) {
		if deadline.IsZero() {
			s.SetTimeout(sockcore.Forever)
		} else {
			s.SetTimeout(max(time.Until(deadline), time.Millisecond))
		}
	}
	if o.logw != nil {
		fmt.Fprintf(o.logw, "fdpass: recv: listening on %s\n", o.on)
	}
	refused := func(cred *unix.Ucred) {
		o.complain.say("refused", "refused a sender with uid %d gid %d (not allowed: --allow-uid, --allow-gid)", cred.Uid, cred.Gid)
	}
	deny := func(cred *unix.Ucred) []byte {
		return errReply(errDenied, "uid %d gid %d may not send to this receiver (it allows uid %d; start it with --allow-uid or --allow-gid)", cred.Uid, cred.Gid, o.own)
	}
	if o.typ == unix.SOCK_DGRAM {
		for {
			setMode(ln)
			b, err := recvBatchContext(ctx, ln, o.maxFDs)
			if err != nil {
				return nil, recvError(ctx, o.on, o.timeout, err)
			}
			if b.Cred == nil || !allowedPeer(b.Cred, o.own, o.allowUIDs, o.allowGIDs) {
				b.Close()
				if b.Cred != nil {
					refused(b.Cred)
				}
				continue
			}
			if o.logw != nil {
				fmt.Fprintf(o.logw, "fdpass: recv: sender %s (SCM_CREDENTIALS), %d descriptors\n", credString(b.Cred), len(b.FDs))
			}
			return b, nil
		}
	}
	acc := newAcceptor(ln, o.complain)
	defer acc.close()
	for {
		setMode(ln)
		c, _, err := acc.accept(ctx)
		if err != nil {
			return nil, recvError(ctx, o.on, o.timeout, err)
		}
		cred, err := peerCred(c)
		if err != nil {
			c.Close()
			continue
		}
		if o.logw != nil {
			fmt.Fprintf(o.logw, "fdpass: recv: peer %s (SO_PEERCRED)\n", credString(cred))
		}
		if !allowedPeer(cred, o.own, o.allowUIDs, o.allowGIDs) {
			refused(cred)
			refuse(c, deny(cred))
			continue
		}
		b, err := o.take(ctx, c, setMode)
		if err != nil {
			return nil, recvError(ctx, o.on, o.timeout, err)
		}
		return b, nil
	}
}

// take receives the batch on connection c and answers the sender.
func (o *recvOpts) take(ctx context.Context, c *sockcore.Socket, setMode func(*sockcore.Socket)) (*batch, error) {
	defer c.Close()
	setMode(c)
	b, err := recvBatchContext(ctx, c, o.maxFDs)
	if err != nil {
		switch {
		case errors.Is(err, errOutOfFDs):
			c.Send(errReply(errBusy, "the receiver is out of descriptors (its open-files limit): none kept"), unix.MSG_DONTWAIT)
		case errors.Is(err, errTruncated):
			c.Send(errReply(errFull, "the receiver takes at most %d descriptors (recv --max) or %d bytes: none kept", o.maxFDs, maxMessage), unix.MSG_DONTWAIT)
		}
		return nil, err
	}
	if b.Cred != nil && o.logw != nil {
		fmt.Fprintf(o.logw, "fdpass: recv: sender %s (SCM_CREDENTIALS), %d descriptors\n", credString(b.Cred), len(b.FDs))
	}
	c.Send(okReply(strconv.Itoa(len(b.FDs))), unix.MSG_DONTWAIT)
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
func handOn(ctx context.Context, c *ucli.Command, fds []int, names []string, argv []string) error {
	files := filesOf(fds, names)
	defer closeFiles(files)
	if c.Bool("print") {
		for i, fd := range fds {
			d, err := describeOwn(fd)
			if err != nil {
				return err
			}
			d.FD, d.Name, d.CloExec = 3+i, names[i], false
			fmt.Fprintln(c.Root().Writer, d)
		}
		return nil
	}
	sp := &spawn{Argv: argv, Files: files, Names: names, Stdin: c.Root().Reader, Stdout: c.Root().Writer, Stderr: c.Root().ErrWriter}
	cmd, err := sp.start()
	if err != nil {
		return err
	}
	closeFiles(files)
	if c.Bool("verbose") {
		fmt.Fprintf(c.Root().ErrWriter, "fdpass: started %s as pid %d with %d descriptors\n", argv[0], cmd.Process.Pid, len(fds))
	}
	return wait(ctx, cmd)
}

func infoCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "info",
		Usage:     "describe the descriptors this process inherited (default: all) or those of --pid PID",
		ArgsUsage: "[FD...]",
		Flags: []ucli.Flag{
			&ucli.IntFlag{Name: "pid", Usage: "describe the descriptors of process `PID`"},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.IsSet("pid") {
				if c.NArg() > 0 {
					return cli.Usagef("give descriptor numbers or --pid, not both")
				}
				ds, err := describePID(c.Int("pid"))
				if err != nil {
					return err
				}
				printDescs(c.Root().Writer, ds)
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
				if !isInherited(fd) {
					// The Go runtime's own, or the directory ownFDs read.
					if explicit {
						return cli.Exitf(cli.ExitNoSuchThing, "describe descriptor %d: not open in this process (nothing was inherited there)", fd)
					}
					continue
				}
				d, err := describeOwn(fd)
				if err != nil {
					if explicit {
						return err
					}
					continue
				}
				ds = append(ds, d)
			}
			printDescs(c.Root().Writer, ds)
			return nil
		},
	}
}
