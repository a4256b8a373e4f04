package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"path/filepath"

	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

type options struct {
	family      int
	noShutdown  bool
	quit        time.Duration // -q; < 0: not set
	wait        time.Duration // -w; 0: not set
	idle        time.Duration // -i, or -w when -i is not given; 0: none
	idleFlag    string        // the flag idle came from, for messages
	sendOnly    bool
	waitFor     time.Duration // --wait-for; 0: one try
	waitUntil   time.Time     // -z --wait-for: the end of the wait for every port
	tlsServer   *tls.Config   // -l --ssl
	tlsClient   *tls.Config   // --ssl
	proxy       *proxyConfig  // --proxy
	srv         serverConfig
	noStdin     bool
	recvCount   int
	dgramListen bool // -l over datagrams: the end of input waits for no replies
	verbose     bool
	numeric     bool
	crlf        bool
	hexdump     bool
	sockopts    []sockopt
	sendFile    string
	source      string
	sourcePort  string
	stdin       io.Reader
	stdout      io.Writer
	stderr      io.Writer
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	app := cli.NewApp("echocat", "netcat-class client and echo verifier on sockcore", stdin, stdout, stderr)
	app.UsageText = "echocat [options] HOST PORT\n   echocat [options] URL\n   echocat -l [options] [HOST] PORT | URL\n" +
		"   echocat -z [options] HOST PORT[-PORT][,PORT...]\n   echocat --verify [options] HOST PORT | URL\n\n" +
		cli.SchemeUsage() + "\nOptions may come before or after the address."
	app.Flags = []ucli.Flag{
		&ucli.BoolFlag{Name: "4", Usage: "IPv4 addresses only"},
		&ucli.BoolFlag{Name: "6", Usage: "IPv6 addresses only"},
		&ucli.BoolFlag{Name: "udp", Aliases: []string{"u"}, Usage: "UDP instead of TCP for HOST PORT"},
		&ucli.StringFlag{Name: "source", Aliases: []string{"s"}, Usage: "bind to source `ADDR` first (with -l: the address to listen on)"},
		&ucli.StringFlag{Name: "source-port", Aliases: []string{"p"}, Usage: "bind to source `PORT` first (with -l: the port to listen on)"},
		&ucli.BoolFlag{Name: "no-shutdown", Usage: "keep the write side open after end of input"},
		&ucli.BoolFlag{Name: "N", Usage: "as nc -N: shut down the write side after end of input (echocat's default)"},
		&ucli.Float64Flag{Name: "quit", Aliases: []string{"q"}, Value: -1, Usage: "quit `SECS` after end of input (default: when the peer closes)"},
		&ucli.StringFlag{Name: "wait", Aliases: []string{"w"}, Usage: "connect timeout and idle timeout, `TIME` in seconds or as ncat's 500ms, 2s, 1m (default: none; 2 for datagram replies and -z)"},
		&ucli.BoolFlag{Name: "no-stdin", Aliases: []string{"d"}, Usage: "do not read standard input"},
		&ucli.IntFlag{Name: "recv-count", Usage: "datagram sockets: exit after `N` replies (default: as many as were sent)"},
		&ucli.BoolFlag{Name: "listen", Aliases: []string{"l"}, Usage: "accept one connection (or the first datagram's sender) instead of connecting"},
		&ucli.BoolFlag{Name: "zero", Aliases: []string{"z"}, Usage: "probe ports: one line per port, exit 0 only if all are open"},
		&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "report connections on standard error"},
		&ucli.BoolFlag{Name: "numeric", Aliases: []string{"n", "nodns"}, Usage: "no name lookups"},
		&ucli.BoolFlag{Name: "unixsock", Aliases: []string{"U"}, Usage: "as ncat: the address is a UNIX socket PATH (unix://PATH; with -u unix-dgram://PATH)"},
		&ucli.BoolFlag{Name: "sctp", Usage: "as ncat: SCTP instead of TCP for HOST PORT (sctp://HOST:PORT)"},
		&ucli.BoolFlag{Name: "vsock", Usage: "as ncat: the address is vsock CID PORT (with -l: PORT; vsock://CID:PORT)"},
		&ucli.BoolFlag{Name: "crlf", Aliases: []string{"C"}, Usage: "send CRLF for each LF of input"},
		&ucli.BoolFlag{Name: "hex", Aliases: []string{"x"}, Usage: "hex dump of the traffic on standard error"},
		&ucli.StringSliceFlag{Name: "option", Aliases: []string{"O"}, Usage: "set socket option `NAME=VALUE` (TCP_NODELAY=1, SO_RCVBUF=262144, IP_TOS=0x10, TCP_CONGESTION=cubic)"},
		&ucli.StringFlag{Name: "send-file", Usage: "send `FILE` with sendfile(2) instead of standard input"},
		&ucli.BoolFlag{Name: "keep-open", Aliases: []string{"k"}, Usage: "with -l: accept connections until stopped (standard input to every client, every client's data to standard output)"},
		&ucli.StringFlag{Name: "exec", Aliases: []string{"e"}, Usage: "run `PROG` (split at blanks, no shell) per connection with the socket as its standard input and output"},
		&ucli.StringFlag{Name: "sh-exec", Aliases: []string{"c"}, Usage: "as --exec, but run `CMD` through /bin/sh -c"},
		&ucli.IntFlag{Name: "max-conns", Aliases: []string{"m"}, Usage: "with -l: at most `N` connections at once; more are closed at once (default: no limit)"},
		&ucli.StringSliceFlag{Name: "allow", Usage: "with -l: accept only these `HOSTS` (addresses, CIDR ranges, names; comma-separated, repeatable)"},
		&ucli.StringSliceFlag{Name: "deny", Usage: "with -l: refuse these `HOSTS` (addresses, CIDR ranges, names)"},
		&ucli.StringFlag{Name: "allowfile", Usage: "with -l: --allow for each line of `FILE` (# comments)"},
		&ucli.StringFlag{Name: "denyfile", Usage: "with -l: --deny for each line of `FILE` (# comments)"},
		&ucli.BoolFlag{Name: "broker", Usage: "with -l: send every client's data to all the other clients, and standard input to all"},
		&ucli.BoolFlag{Name: "chat", Usage: "with -l: --broker as ncat's chat (<userN> names, announcements, control bytes in octal)"},
		&ucli.BoolFlag{Name: "send-only", Usage: "only send; end at end of input"},
		&ucli.BoolFlag{Name: "recv-only", Usage: "only receive; standard input is not read"},
		&ucli.StringFlag{Name: "idle-timeout", Aliases: []string{"i"}, Usage: "exit 7 after `TIME` without traffic (30, 30s, 500ms, 2m); -w stays the connect timeout; with -l -k: the server's idle time, as ncat"},
		&ucli.StringFlag{Name: "wait-for", Usage: "retry the connection (with -z: each port) until it succeeds or `TIME` (30s, 2m) passes, then exit 7"},
		&ucli.BoolFlag{Name: "verify", Usage: "send random payloads and check every echoed byte"},
		&ucli.IntFlag{Name: "count", Value: 100, Usage: "--verify: payloads to send"},
		&ucli.IntFlag{Name: "size", Value: 64, Usage: "--verify: bytes per payload"},
		&ucli.Float64Flag{Name: "rate", Usage: "--verify: payloads per second (0: as fast as the echoes come)"},
		&ucli.DurationFlag{Name: "duration", Usage: "--verify: send for this long instead of --count payloads"},
		&ucli.Float64Flag{Name: "max-loss", Usage: "--verify: `PERCENT` of payloads that may be lost"},
		&ucli.BoolFlag{Name: "json", Usage: "--verify: report as JSON"},
	}
	app.Flags = append(app.Flags, tlsFlags()...)
	app.Flags = append(app.Flags, proxyFlags()...)
	app.Action = func(ctx context.Context, c *ucli.Command) error {
		o := &options{
			noShutdown: c.Bool("no-shutdown"), noStdin: c.Bool("no-stdin"), recvCount: c.Int("recv-count"),
			verbose: c.Bool("verbose"), numeric: c.Bool("numeric"), crlf: c.Bool("crlf"), hexdump: c.Bool("hex"),
			sendFile: c.String("send-file"), source: c.String("source"), sourcePort: c.String("source-port"),
			stdin: stdin, stdout: stdout, stderr: stderr,
		}
		switch {
		case c.Bool("4") && c.Bool("6"):
			return cli.Usagef("-4 and -6 exclude each other")
		case c.Bool("4"):
			o.family = unix.AF_INET
		case c.Bool("6"):
			o.family = unix.AF_INET6
		}
		var err error
		if o.quit, err = seconds("-q", c.Float64("quit")); err != nil {
			return err
		}
		if v := c.String("wait"); v != "" {
			// ncat's time values: seconds (1, 0.5) or 500ms, 2s, 1m, 1h.
			if o.wait, err = parseTime("-w", v); err != nil {
				return err
			}
		}
		o.idle, o.idleFlag = o.wait, "-w"
		if v := c.String("idle-timeout"); v != "" {
			if o.idle, err = parseTime("-i", v); err != nil {
				return err
			}
			o.idleFlag = "-i"
		}
		o.sendOnly = c.Bool("send-only")
		if v := c.String("wait-for"); v != "" {
			if o.waitFor, err = parseTime("--wait-for", v); err != nil {
				return err
			}
			if c.Bool("listen") {
				return cli.Usagef("--wait-for waits for a server: not with -l")
			}
		}
		if c.Bool("N") && (o.noShutdown || c.Bool("recv-only")) {
			return cli.Usagef("-N (shut down the write side at end of input) and --no-shutdown or --recv-only exclude each other")
		}
		if c.Bool("recv-only") {
			if o.sendOnly {
				return cli.Usagef("--send-only and --recv-only exclude each other")
			}
			o.noStdin, o.noShutdown = true, true
		}
		if err := o.srv.parse(c, o); err != nil {
			return err
		}
		if err := o.parseProxy(c, c.Bool("listen")); err != nil {
			return err
		}
		if o.recvCount < 0 {
			return cli.Usagef("--recv-count %d: want 0 or more", o.recvCount)
		}
		for _, kv := range c.StringSlice("option") {
			so, err := parseSockopt(kv)
			if err != nil {
				return err
			}
			o.sockopts = append(o.sockopts, so)
		}
		scheme := "tcp"
		if c.Bool("udp") {
			scheme = "udp"
		}
		args := c.Args().Slice()
		if scheme, args, err = ncatTransport(c, scheme, args); err != nil {
			return err
		}
		switch {
		case c.Bool("zero"):
			return probe(ctx, o, scheme, args)
		case c.Bool("listen"):
			e, err := listenEndpoint(scheme, args, o.source, o.sourcePort)
			if err != nil {
				return err
			}
			if err := o.setupTLS(c, e, true); err != nil {
				return err
			}
			return listen(ctx, o, e)
		case o.srv.listenOnly() != "":
			return cli.Usagef("%s needs -l", o.srv.listenOnly())
		}
		e, err := connectEndpoint(scheme, args)
		if err != nil {
			return err
		}
		if err := o.setupTLS(c, e, false); err != nil {
			return err
		}
		if c.Bool("verify") {
			v := verifyConfig{count: c.Int("count"), size: c.Int("size"), rate: c.Float64("rate"),
				duration: c.Duration("duration"), maxLoss: c.Float64("max-loss"), json: c.Bool("json")}
			if v.count < 1 && v.duration <= 0 || v.size < 1 || v.size > 65000 || v.rate < 0 || v.maxLoss < 0 {
				return cli.Usagef("--verify wants --count ≥ 1 (or --duration), 1 ≤ --size ≤ 65000, --rate ≥ 0, --max-loss ≥ 0")
			}
			return verify(ctx, o, e, v)
		}
		s, err := dialWaiting(ctx, o, e)
		if err != nil {
			return err
		}
		l := plain(s)
		if o.tlsClient != nil {
			if l, err = tlsClientLink(ctx, o, s, e.String()); err != nil {
				return err
			}
		}
		if o.srv.execArgv != nil {
			return runChild(ctx, o, l)
		}
		return session(ctx, o, l)
	}
	err := cli.RunApp(ctx, app, args)
	if errors.Is(err, context.Canceled) {
		return cli.Exit(cli.ExitInterrupted, errors.New("interrupted"))
	}
	return err
}

// seconds converts -q's value; negative means unset (-1). (-w, -i and
// --wait-for take ncat's time values: parseTime.)
func seconds(flag string, v float64) (time.Duration, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v > 1e6 {
		return 0, cli.Usagef("%s %v: want a number of seconds", flag, v)
	}
	if v < 0 {
		return -1, nil
	}
	return time.Duration(v * float64(time.Second)), nil
}

// connectEndpoint reads URL or HOST PORT.
func connectEndpoint(scheme string, args []string) (*cli.Endpoint, error) {
	switch len(args) {
	case 1:
		if !strings.Contains(args[0], "://") {
			return nil, addressHint(args[0])
		}
		return cli.ParseURL(args[0])
	case 2:
		return cli.NewInetEndpoint(scheme, args[0], args[1])
	case 0:
		return nil, cli.Usagef("missing address: want HOST PORT or URL (echocat --help)")
	}
	return nil, cli.Usagef("too many arguments %q: want HOST PORT or URL", args[2:])
}

// addressHint is the usage error for one argument that is not a URL:
// HOST:PORT gets the two forms that mean it (echocat HOST PORT, or
// tcp://HOST:PORT), anything else the general forms.
func addressHint(arg string) error {
	if host, port, err := net.SplitHostPort(arg); err == nil && host != "" && port != "" {
		return cli.Usagef("%q: want HOST PORT (echocat %s %s) or a URL (tcp://%s)", arg, host, port, cli.JoinHostPort(host, port))
	}
	return cli.Usagef("%q: want HOST PORT (echocat %s 50007) or a URL (tcp://HOST:PORT)", arg, arg)
}

// ncatTransport turns ncat's transport flags into echocat's address forms:
// -U PATH is unix://PATH (unix-dgram:// with -u), --vsock CID PORT is
// vsock://CID:PORT (with -l and PORT alone, any CID), --sctp is the sctp
// scheme for HOST PORT.
func ncatTransport(c *ucli.Command, scheme string, args []string) (string, []string, error) {
	var given []string
	for _, f := range []string{"unixsock", "vsock", "sctp"} {
		if c.Bool(f) {
			given = append(given, "--"+f)
		}
	}
	if len(given) == 0 {
		return scheme, args, nil
	}
	if len(given) > 1 {
		return "", nil, cli.Usagef("%s exclude each other", strings.Join(given, " and "))
	}
	if scheme == "udp" && given[0] != "--unixsock" {
		return "", nil, cli.Usagef("-u and %s exclude each other", given[0])
	}
	for _, a := range args {
		if strings.Contains(a, "://") {
			return "", nil, cli.Usagef("%s takes an address, not the URL %q", given[0], a)
		}
	}
	switch given[0] {
	case "--sctp":
		return "sctp", args, nil
	case "--unixsock":
		if len(args) != 1 {
			return "", nil, cli.Usagef("-U wants one socket PATH, not %q", args)
		}
		path, err := filepath.Abs(args[0])
		if err != nil {
			return "", nil, err
		}
		if scheme == "udp" {
			return scheme, []string{"unix-dgram://" + path}, nil
		}
		return scheme, []string{"unix://" + path}, nil
	}
	switch {
	case len(args) == 1 && c.Bool("listen"):
		return scheme, []string{"vsock://any:" + args[0]}, nil
	case len(args) == 2:
		return scheme, []string{"vsock://" + args[0] + ":" + args[1]}, nil
	}
	return "", nil, cli.Usagef("--vsock wants CID PORT (with -l: PORT), not %q", args)
}

// listenEndpoint reads URL, [HOST] PORT, or nothing with -p PORT. -s ADDR
// is the address to listen on, as nc -l -s ADDR -p PORT takes it; with a
// HOST or a URL, which name the address too, it is a usage error (as nc's
// and ncat's), never ignored: the listener would take every address.
func listenEndpoint(scheme string, args []string, source, port string) (*cli.Endpoint, error) {
	if source != "" && (len(args) > 1 || len(args) == 1 && strings.Contains(args[0], "://")) {
		return nil, cli.Usagef("-s %s and %q both name the address to listen on: give one", source, strings.Join(args, " "))
	}
	switch {
	case len(args) == 1 && strings.Contains(args[0], "://"):
		return cli.ParseURL(args[0])
	case len(args) == 1:
		return cli.NewInetEndpoint(scheme, source, args[0])
	case len(args) == 0 && port != "":
		return cli.NewInetEndpoint(scheme, source, port)
	}
	return connectEndpoint(scheme, args)
}

// sockopt is one -O NAME=VALUE.
type sockopt struct {
	name       string
	level, opt int
	ival       int
	sval       string
	isInt      bool
}

func parseSockopt(kv string) (sockopt, error) {
	name, val, ok := strings.Cut(kv, "=")
	if !ok || val == "" {
		return sockopt{}, cli.Usagef("-O %q: want NAME=VALUE (TCP_NODELAY=1)", kv)
	}
	level, opt, ok := sockcore.SockoptByName(name)
	if !ok {
		return sockopt{}, cli.Usagef("-O %s: unknown socket option name %q (C names such as TCP_NODELAY, SO_RCVBUF, IP_TOS)", kv, name)
	}
	so := sockopt{name: name, level: level, opt: opt}
	if v, err := strconv.ParseInt(val, 0, 32); err == nil {
		so.ival, so.isInt = int(v), true
	} else {
		so.sval = val
	}
	return so, nil
}

func (so sockopt) apply(s *sockcore.Socket) error {
	var err error
	if so.isInt {
		err = s.SetsockoptInt(so.level, so.opt, so.ival)
	} else {
		err = s.SetsockoptBytes(so.level, so.opt, []byte(so.sval))
	}
	if err != nil {
		return fmt.Errorf("-O %s: %w", so.name, err)
	}
	return nil
}

func (o *options) control(s *sockcore.Socket) error {
	for _, so := range o.sockopts {
		if err := so.apply(s); err != nil {
			return err
		}
	}
	return nil
}

// dial connects to e with the options, reporting with -v.
func dial(ctx context.Context, o *options, e *cli.Endpoint) (*sockcore.Socket, error) {
	if o.proxy != nil {
		return proxyDial(ctx, o, e)
	}
	cfg := cli.DialConfig{Timeout: o.wait, Family: o.family, SourceHost: o.source, SourcePort: o.sourcePort,
		Numeric: o.numeric, Control: o.control}
	s, err := e.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s.SetTimeout(sockcore.Forever)
	if o.verbose {
		peer, _ := s.PeerName()
		if peer != nil {
			fmt.Fprintf(o.stderr, "echocat: connected to %s\n", cli.AddrURL(cli.SchemeOf(s), peer))
		} else {
			fmt.Fprintf(o.stderr, "echocat: connected to %s\n", e)
		}
	}
	return s, nil
}

// listen serves stream connections (serve) or waits for the first datagram
// and talks to its sender.
func listen(ctx context.Context, o *options, e *cli.Endpoint) error {
	if o.srv.keepOpen && e.Type == unix.SOCK_DGRAM && (o.srv.execArgv == nil || o.srv.broker || o.srv.httpProxy) {
		return cli.Usagef("-k over datagrams needs -e or -c (a process per peer); otherwise a stream transport (TCP, MPTCP, UNIX stream or seqpacket, SCTP, vsock)")
	}
	if o.srv.acl != nil && !e.IsInet() {
		return cli.Usagef("--allow and --deny need an IP transport, not %s", e.Scheme)
	}
	backlog := 1
	if o.srv.keepOpen {
		backlog = 0
	}
	cfg := cli.ListenConfig{Family: o.family, Backlog: backlog}
	ln, err := e.Listen(cfg)
	if err != nil {
		return err
	}
	if err := o.control(ln); err != nil {
		ln.Close()
		return err
	}
	if o.verbose {
		fmt.Fprintf(o.stderr, "echocat: listening on %s\n", cli.SocketURL(ln))
	}
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	if ln.Type() == unix.SOCK_DGRAM && o.srv.keepOpen {
		return serveDatagrams(ctx, o, ln)
	}
	if o.wait > 0 && !o.srv.keepOpen {
		ln.SetTimeout(o.wait) // -w: the wait for the peer, as for a connect
	}
	if ln.Type() == unix.SOCK_DGRAM {
		buf := make([]byte, 65536)
		n, from, err := ln.RecvFromIntoContext(ctx, buf, 0)
		if err != nil {
			where := cli.SocketURL(ln)
			ln.Close()
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return cli.Exitf(cli.ExitTimeout, "no datagram on %s within %s (-w)", where, o.wait)
			}
			return ctxErr(ctx, fmt.Errorf("receive on %s: %w", where, err))
		}
		ln.SetTimeout(sockcore.Forever)
		if o.verbose {
			fmt.Fprintf(o.stderr, "echocat: datagram from %s\n", cli.AddrURL(cli.SchemeOf(ln), from))
		}
		if err := ln.Connect(from); err != nil {
			ln.Close()
			return fmt.Errorf("connect to %s: %w", from, err)
		}
		if o.srv.execArgv != nil {
			// The first datagram goes to the process first.
			return runChildWith(ctx, o, plain(ln), buf[:n], nil)
		}
		o.dump("<", buf[:n])
		if _, err := o.stdout.Write(buf[:n]); err != nil {
			ln.Close()
			return err
		}
		o.dgramListen = true
		return session(ctx, o, plain(ln))
	}
	return serve(ctx, o, ln)
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// dump writes a hex dump of b to stderr under -x: dir is ">" for sent, "<"
// for received.
func (o *options) dump(dir string, b []byte) {
	if !o.hexdump || len(b) == 0 {
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %d bytes\n", dir, len(b))
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		fmt.Fprintf(&sb, "%s %08x ", dir, off)
		for i := range 16 {
			if i < len(line) {
				fmt.Fprintf(&sb, " %02x", line[i])
			} else {
				sb.WriteString("   ")
			}
		}
		sb.WriteString("  |")
		for _, ch := range line {
			if ch < 0x20 || ch > 0x7e {
				ch = '.'
			}
			sb.WriteByte(ch)
		}
		sb.WriteString("|\n")
	}
	io.WriteString(o.stderr, sb.String())
}

// parseTime reads ncat's time values: seconds, or a number with ms, s, m
// or h.
func parseTime(flag, v string) (time.Duration, error) {
	unit := time.Second
	num := v
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}} {
		if strings.HasSuffix(v, u.suffix) {
			num, unit = strings.TrimSuffix(v, u.suffix), u.d
			break
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f*float64(unit) > float64(1e6*time.Second) {
		return 0, cli.Usagef("%s %q: want a time such as 30, 30s, 500ms or 2m", flag, v)
	}
	return time.Duration(f * float64(unit)), nil
}
