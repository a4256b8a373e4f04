package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/cpupin"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// env is what the subcommands reach the outside world through; tests swap
// openRaw for socketpairs so that everything but the kernel runs on a host
// without CAN.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// openRaw returns a CAN_RAW socket bound to iface ("" = every
	// interface) that reads and writes CAN FD frames as well.
	openRaw func(iface string) (*sockcore.Socket, error)
	// isIface reports whether a network interface exists (nil: the
	// host's, net.InterfaceByName).
	isIface func(name string) bool
	// pinProcess puts the whole process on one CPU (nil: tests, which
	// run in the test binary's process, leave it alone).
	pinProcess func(lowLatency bool, stderr io.Writer)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runEnv(ctx, args, &env{stdin: stdin, stdout: stdout, stderr: stderr, openRaw: openRaw, pinProcess: pinProcess})
}

func runEnv(ctx context.Context, args []string, e *env) error {
	app := cli.NewApp("canrelay", "CAN frames: dump, send, replay, bridge, tunnel over UDP, cyclic, ISO-TP, J1939",
		e.stdin, e.stdout, e.stderr)
	app.Description = "Frames are written as can-utils writes them: 123#DEADBEEF (standard id), " +
		"12345678#11 (extended id), 123#R or 123#R5 (remote request), 123##1DEADBEEF (CAN FD, flags digit). " +
		"Options may come before or after the arguments; -- ends them."
	app.Commands = []*ucli.Command{
		echoCommand(e), dumpCommand(e), sendCommand(e), replayCommand(e), bridgeCommand(e),
		tunnelCommand(e), cyclicCommand(e), isotpCommand(e), j1939Command(e),
		genCommand(e), busloadCommand(e), isotpdumpCommand(e),
	}
	// CAN interfaces (ARPHRD_CAN, 280) for the IFACE operand.
	cli.Complete(app, cli.Completions{Operands: func() []string { return cli.Interfaces(280) }})
	if e.isIface == nil {
		e.isIface = isIface
	}
	return cli.RunApp(ctx, app, olderLogForm(args, e.isIface))
}

// checkIface validates CAN interface names as the kernel's dev_valid_name
// does, before any socket is opened, so that a bad name is a usage error
// (exit 2) on every host, with CAN or without. "" (every interface) passes.
func checkIface(names ...string) error {
	for _, n := range names {
		switch {
		case n == "":
		case len(n) >= unix.IFNAMSIZ:
			return cli.Usagef("CAN interface name %q is %d bytes, the limit is %d", n, len(n), unix.IFNAMSIZ-1)
		case n == "." || n == ".." || strings.ContainsAny(n, "/: \t\n\v\f\r"):
			return cli.Usagef("%q is not a valid interface name", n)
		}
	}
	return nil
}

// countFlag is the -n flag of the subcommands that can stop after a count:
// its usage reads "stop after " + what (what names `COUNT`).
func countFlag(what string) ucli.Flag {
	return &ucli.IntFlag{Name: "n", Usage: "stop after " + what}
}

// lowLatencyFlag is the --low-latency flag of the relays that run as
// SCHED_BATCH (env.pinProcess); what is the unit that would preempt.
func lowLatencyFlag(what string) ucli.Flag {
	return &ucli.BoolFlag{Name: "low-latency", Usage: "do not run as SCHED_BATCH: on a busy CPU each " + what + " preempts the running task"}
}

// oneIface returns the IFACE operand of subcommand cmd, which takes that
// one operand and no other: another count is the usage error "CMD: want one
// interface". The name is not checked yet (see checkedIface, openIface),
// so that each subcommand keeps its order of usage checks.
func oneIface(c *ucli.Command, cmd string) (string, error) {
	if c.NArg() != 1 {
		return "", cli.Usagef("%s: want one interface", cmd)
	}
	return c.Args().First(), nil
}

// checkedIface is oneIface with the name checked at once (checkIface).
func checkedIface(c *ucli.Command, cmd string) (string, error) {
	iface, err := oneIface(c, cmd)
	if err != nil {
		return "", err
	}
	return iface, checkIface(iface)
}

// openIface checks iface's name (a usage error on every host, before any
// socket) and opens a CAN_RAW socket on it through e.openRaw: every
// subcommand opens its CAN_RAW sockets here, after its other usage checks.
// The real openRaw checks the name too, so on a host nothing changes; a
// test's openRaw (socketpairs) gets names checked as a host's would be.
func (e *env) openIface(iface string) (*sockcore.Socket, error) {
	if err := checkIface(iface); err != nil {
		return nil, err
	}
	return e.openRaw(iface)
}

// openRaw opens a CAN_RAW socket on iface with CAN FD frames enabled.
func openRaw(iface string) (*sockcore.Socket, error) {
	if err := checkIface(iface); err != nil {
		return nil, err
	}
	s, err := sockcore.New(unix.AF_CAN, unix.SOCK_RAW, unix.CAN_RAW)
	if err != nil {
		return nil, err
	}
	if err := s.SetCANRawFDFrames(true); err != nil && !errors.Is(err, unix.ENOPROTOOPT) {
		s.Close()
		return nil, err
	}
	if err := s.Bind(&sockcore.CANAddr{Interface: iface}); err != nil {
		s.Close()
		return nil, canIfaceErr(iface, err)
	}
	return s, nil
}

// pinProcess puts every thread on the current CPU, so that frames written to
// vcan or vxcan, which are delivered through the writing CPU's backlog,
// stay in order without locking goroutines to threads; and, unless
// lowLatency, makes the threads SCHED_BATCH. What fails is said on stderr
// and the relay goes on: unpinned, frames may leave out of order.
func pinProcess(lowLatency bool, stderr io.Writer) {
	if cpupin.PinProcess() < 0 {
		fmt.Fprintln(stderr, "canrelay: warning: cannot pin the process to one CPU (sched_setaffinity): frames may be reordered")
	}
	if !lowLatency {
		if err := cpupin.SchedBatch(); err != nil {
			fmt.Fprintf(stderr, "canrelay: warning: cannot run as SCHED_BATCH (%v): relaying as --low-latency\n", err)
		}
	}
}

// canIfaceErr names the interface in a bind or resolve error.
func canIfaceErr(iface string, err error) error {
	if len(iface) >= unix.IFNAMSIZ {
		return cli.Usagef("CAN interface name %q is %d bytes, the limit is %d", iface, len(iface), unix.IFNAMSIZ-1)
	}
	if errors.Is(err, unix.ENODEV) {
		if _, ierr := net.InterfaceByName(iface); ierr == nil {
			return cli.Exitf(cli.ExitNoSuchThing, "interface %q is not a CAN interface (AF_CAN binds to can, vcan and vxcan devices only)", iface)
		}
		return cli.Exitf(cli.ExitNoSuchThing, "no CAN interface %q (ip link add dev %s type vcan; ip link set %s up)", iface, iface, iface)
	}
	return fmt.Errorf("bind %s: %w", iface, err)
}

// parseFrameArg parses frame text given on the command line: errors are
// usage errors.
func parseFrameArg(s string) (canframe.Frame, error) {
	f, err := canframe.Parse(s)
	if err != nil {
		return f, cli.Usagef("frame %q: %w", s, err)
	}
	return f, nil
}

// parseID reads a CAN id as the frame text writes it: 8 hex digits (or a
// value above 7FF) is an extended id, returned with CAN_EFF_FLAG. A leading
// "0x" is allowed.
func parseID(s string) (uint32, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	v, err := strconv.ParseUint(t, 16, 32)
	if err != nil {
		return 0, cli.Usagef("CAN id %q is not hexadecimal", s)
	}
	if len(t) == 8 || v > canframe.SFFMask {
		if v > canframe.EFFMask {
			return 0, cli.Usagef("CAN id %q exceeds 1FFFFFFF", s)
		}
		return uint32(v) | canframe.EFFFlag, nil
	}
	return uint32(v), nil
}

// frameBuf is room for one struct canfd_frame.
type frameBuf [canframe.FDMTU]byte

// writeFrame encodes f and writes it to s. A full transmit queue (ENOBUFS)
// is waited out for up to fullQueueWait.
func writeFrame(s *sockcore.Socket, f *canframe.Frame, buf []byte) error {
	b, err := canframe.AppendWire(buf[:0], f)
	if err != nil {
		return cli.Usagef("frame %s: %w", f.Text(), err)
	}
	var q fullQueue
	for {
		_, err = s.Send(b, 0)
		if !errors.Is(err, unix.ENOBUFS) || !q.wait() {
			return err
		}
	}
}

// ctxClose closes the sockets when ctx ends, so that blocked reads return.
// The returned stop ends the watch.
func ctxClose(ctx context.Context, socks ...*sockcore.Socket) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			for _, s := range socks {
				s.Close()
			}
		case <-done:
		}
	}()
	return func() { close(done) }
}

// ended reports whether err is only the end of ctx (a read on a socket
// ctxClose closed).
func ended(ctx context.Context, err error) bool { return err != nil && ctx.Err() != nil }

// newFrameBatch returns a recvmmsg/sendmmsg batch of count CAN FD frames,
// with room for an SO_RXQ_OVFL counter per frame.
func newFrameBatch(count int) *sockcore.MMsgBatch {
	b := sockcore.NewMMsgBatch(count, canframe.FDMTU)
	b.SetControlSize(32)
	return b
}

// sendCANs writes the frames b.Bufs[i][:b.N[i]] for the i in idx, in order,
// with as few sendmmsg calls as the kernel allows, on the interface s is
// bound to, and returns how many were sent. A full transmit queue (ENOBUFS:
// CAN drivers and the qdisc in front of them say so instead of blocking) is
// waited out with backoff for up to fullQueueWait (measured on the clock,
// not summed from the sleeps, which a busy machine stretches), so that a relay passes
// bursts on instead of dropping them; a frame that cannot be sent after
// that, or for another reason, is handed to drop and skipped. Only a socket
// that is gone (closed: EBADF, ENOTSOCK) ends it with an error, the frames
// not sent handed to drop first: every frame is sent or dropped.
func sendCANs(s *sockcore.Socket, b *sockcore.MMsgBatch, idx []int, drop func(error)) (int, error) {
	for _, i := range idx {
		// No destination: the source address RecvMMsg left would send
		// the frame back to the interface it came from.
		b.SetName(i, nil)
	}
	sent := 0
	var q fullQueue
	for len(idx) > 0 {
		n, err := s.SendMMsg(b, idx, 0)
		sent += n
		idx = idx[n:]
		if n > 0 {
			q = fullQueue{}
		}
		switch {
		case err == nil:
		case errors.Is(err, unix.EBADF) || errors.Is(err, unix.ENOTSOCK):
			for range idx {
				drop(err)
			}
			return sent, err
		case errors.Is(err, unix.ENOBUFS) && q.wait():
		default:
			drop(err)
			idx = idx[1:]
			q = fullQueue{}
		}
	}
	return sent, nil
}

// fullQueueWait is how long a writer waits for room in a full transmit
// queue (ENOBUFS) before it gives the frame up: on a real bus a frame
// leaves every 0.1 to 1 ms, so a queue still full after this is not
// draining (bus off, a peer that stopped acknowledging).
const fullQueueWait = 100 * time.Millisecond

// fullQueue waits out ENOBUFS with backoff; the zero value starts a wait.
type fullQueue struct {
	since time.Time
	step  time.Duration
}

// wait sleeps a little and reports true, or reports false once the queue
// has been full for fullQueueWait.
func (q *fullQueue) wait() bool {
	if q.since.IsZero() {
		q.since, q.step = time.Now(), 50*time.Microsecond
	} else if time.Since(q.since) > fullQueueWait {
		return false
	}
	time.Sleep(q.step)
	q.step = min(2*q.step, 10*time.Millisecond)
	return true
}

// bigRcvBuf gives s a 4 MiB receive buffer (beyond rmem_max when root) for
// bursts: the kernel drops what does not fit, silently for CAN.
func bigRcvBuf(s *sockcore.Socket) {
	if s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 4<<20) != nil {
		s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF, 4<<20)
	}
}

// parseDurationFlag is time.ParseDuration with a usage error.
func parseDurationFlag(name, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, cli.Usagef("--%s %q is not a duration like 100ms", name, s)
	}
	return d, nil
}
