package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/shortage"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// DefaultPort is the port of the socket documentation's echo examples.
const DefaultPort = "50007"

// The defaults that keep one host from taking every connection (README,
// "Security"). A smoke or load test from one machine opens tens of
// connections, a busy one a few hundred at most over several source
// addresses, and an interactive session pauses for seconds or minutes:
// 256 connections per source address (per /64 for IPv6) and 5 minutes of
// silence are far from both, while one address flooding idle connections
// is stopped at 256 descriptors and each of them is given back within 5
// minutes.
const (
	defaultPerSource   = 256
	defaultIdleTimeout = 5 * time.Minute
)

type config struct {
	discard      bool
	maxConns     int
	perSource    int
	idleTimeout  time.Duration
	drainTimeout time.Duration
	workers      int
	reusePort    bool
	backlog      int
	udpRate      float64
	maxDatagram  int
	verbose      bool
	ioUring      string // auto, on or off: the reactor's backend
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	app := cli.NewApp("echod", "echo (RFC 862) and discard (RFC 863) server", stdin, stdout, stderr)
	app.UsageText = "echod [--listen URL]... [options]\n\n" +
		"With no --listen, echod serves TCP and UDP on port " + DefaultPort + " of every address\n" +
		"(one dual-stack IPv6 socket each, IPv4 where the host has no IPv6).\n" +
		cli.SchemeUsage()
	app.Flags = []ucli.Flag{
		&ucli.StringSliceFlag{Name: "listen", Aliases: []string{"l"}, Usage: "serve on `URL` (repeatable)"},
		&ucli.BoolFlag{Name: "systemd", Usage: "serve the sockets systemd passes (LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES)"},
		&ucli.BoolFlag{Name: "inetd", Usage: "serve the socket on standard input (inetd nowait for stream, wait for datagram)"},
		&ucli.StringFlag{Name: "mode", Value: "echo", Usage: "echo or discard"},
		&ucli.IntFlag{Name: "max-conns", Usage: "close connections beyond `N` open at once (0: no limit)"},
		&ucli.IntFlag{Name: "max-conns-per-source", Value: defaultPerSource, Usage: "close connections beyond `N` open at once from one source address (IPv6: one /64; 0: no limit)"},
		&ucli.DurationFlag{Name: "idle-timeout", Value: defaultIdleTimeout, Usage: "close a connection idle this long (0: never); with --inetd and a datagram socket, exit when idle (only when given)"},
		&ucli.DurationFlag{Name: "drain-timeout", Value: 10 * time.Second, Usage: "on SIGTERM/SIGINT, wait this long for open connections before closing them"},
		&ucli.IntFlag{Name: "workers", Value: 1, Usage: "`N` accept/receive loops per socket"},
		&ucli.BoolFlag{Name: "reuse-port", Usage: "give each worker its own SO_REUSEPORT socket"},
		&ucli.IntFlag{Name: "backlog", Value: sockcore.DefaultBacklog, Usage: "listen backlog"},
		&ucli.Float64Flag{Name: "udp-rate", Value: 1000, Usage: "datagrams per second echoed to one source address (0: no limit)"},
		&ucli.IntFlag{Name: "max-datagram", Value: 8192, Usage: "drop datagrams longer than `BYTES`"},
		&ucli.StringFlag{Name: "io-uring", Value: defaultIOUring, Sources: ucli.EnvVars("ECHOD_IO_URING"), Usage: "stream connections wait in io_uring (on), in epoll (off), or in io_uring where the kernel allows it (auto)"},
		&ucli.DurationFlag{Name: "stats-interval", Usage: "log the counters this often (SIGUSR1 logs them at once)"},
		&ucli.StringFlag{Name: "log-format", Value: "text", Usage: "text or json"},
		&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log every connection"},
		&ucli.StringFlag{Name: "tls-cert", Usage: "tls:// listeners: certificate chain in PEM `FILE` (default: an ephemeral self-signed one)"},
		&ucli.StringFlag{Name: "tls-key", Usage: "tls:// listeners: private key in PEM `FILE` for --tls-cert"},
	}
	app.Action = func(ctx context.Context, c *ucli.Command) error {
		if c.NArg() > 0 {
			return cli.Usagef("unexpected argument %q (addresses go in --listen URL)", c.Args().First())
		}
		cfg := config{
			maxConns: c.Int("max-conns"), perSource: c.Int("max-conns-per-source"), idleTimeout: c.Duration("idle-timeout"), drainTimeout: c.Duration("drain-timeout"),
			workers: c.Int("workers"), reusePort: c.Bool("reuse-port"), backlog: c.Int("backlog"),
			udpRate: c.Float64("udp-rate"), maxDatagram: c.Int("max-datagram"), verbose: c.Bool("verbose"),
			ioUring: c.String("io-uring"),
		}
		switch cfg.ioUring {
		case "auto", "on", "off":
		default:
			return cli.Usagef("--io-uring %q: want auto, on or off", cfg.ioUring)
		}
		switch c.String("mode") {
		case "echo":
		case "discard":
			cfg.discard = true
		default:
			return cli.Usagef("--mode %q: want echo or discard", c.String("mode"))
		}
		if cfg.workers < 1 {
			return cli.Usagef("--workers %d: want 1 or more", cfg.workers)
		}
		if cfg.maxDatagram < 1 || cfg.maxDatagram > 65535 {
			return cli.Usagef("--max-datagram %d: want 1 to 65535", cfg.maxDatagram)
		}
		if cfg.maxConns < 0 || cfg.perSource < 0 || cfg.udpRate < 0 || cfg.backlog < 0 || cfg.idleTimeout < 0 {
			return cli.Usagef("--max-conns, --max-conns-per-source, --udp-rate, --backlog and --idle-timeout cannot be negative")
		}
		var h slog.Handler
		switch c.String("log-format") {
		case "text":
			h = slog.NewTextHandler(stderr, nil)
		case "json":
			h = slog.NewJSONHandler(stderr, nil)
		default:
			return cli.Usagef("--log-format %q: want text or json", c.String("log-format"))
		}
		srv := newServer(cfg, slog.New(h))
		srv.tlsCert, srv.tlsKey = c.String("tls-cert"), c.String("tls-key")
		nmodes := 0
		for _, on := range []bool{c.Bool("systemd"), c.Bool("inetd"), len(c.StringSlice("listen")) > 0} {
			if on {
				nmodes++
			}
		}
		if nmodes > 1 {
			return cli.Usagef("--listen, --systemd and --inetd exclude each other")
		}
		var err error
		switch {
		case c.Bool("inetd"):
			return srv.inetd(ctx, c.IsSet("idle-timeout"))
		case c.Bool("systemd"):
			err = srv.openSystemd()
		default:
			err = srv.openListeners(c.StringSlice("listen"))
		}
		if err != nil {
			srv.closeListeners()
			return err
		}
		// SIGUSR1 is watched before the listening lines: a script that
		// waits for them and signals at once must not find it ignored.
		srv.watchUSR1()
		// The reactors before the listening lines: --io-uring on where
		// the kernel refuses io_uring fails before echod says it serves.
		if err := srv.startReactors(); err != nil {
			srv.closeListeners()
			return err
		}
		for _, l := range srv.listeners {
			printBound(stdout, c.String("log-format"), l)
		}
		return srv.serve(ctx, c.Duration("stats-interval"))
	}
	cli.Complete(app, cli.Completions{Flags: map[string]func() []string{"listen": cli.URLSchemes, "l": cli.URLSchemes}})
	return cli.RunApp(ctx, app, args)
}

// printBound prints one line per bound socket on standard output, so that
// scripts and tests learn the ports the kernel chose.
func printBound(w io.Writer, format string, l *listener) {
	u := cli.SocketURL(l.s)
	if l.tls != nil {
		u = "tls" + strings.TrimPrefix(u, "tcp")
	}
	dual := l.s.Family() == unix.AF_INET6 && isDualStack(l.s)
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false) // tipc://<NODE:REF> as it is
		enc.Encode(struct {
			Listening string `json:"listening"`
			DualStack bool   `json:"dual_stack"`
			Name      string `json:"name"`
		}{u, dual, l.name})
		return
	}
	line := "listening " + u
	if dual {
		line += " (dual-stack)"
	}
	if l.name != "" {
		line += " name=" + l.name
	}
	fmt.Fprintln(w, line)
}

func isDualStack(s *sockcore.Socket) bool {
	v, err := s.GetsockoptInt(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY)
	return err == nil && v == 0
}

// listener is one server socket with what it serves.
type listener struct {
	s        *sockcore.Socket
	name     string          // LISTEN_FDNAMES entry
	idleExit bool            // inetd wait mode: stop after --idle-timeout without datagrams
	file     *cli.SocketFile // a UNIX socket file echod bound: removed at exit
	tls      *tls.Config     // tls:// listeners
}

func (l *listener) stream() bool {
	return l.s.Type() == unix.SOCK_STREAM || l.s.Type() == unix.SOCK_SEQPACKET
}

// server holds the sockets, the open connections and the counters.
type server struct {
	cfg           config
	log           *slog.Logger
	st            stats
	limiter       *rateLimiter
	shortage      *shortage.Guard // accept out of descriptors
	pipes         pipePool
	hot           atomic.Int64 // connections holding a splice pipe while they wait
	listeners     []*listener
	usr1          chan os.Signal // SIGUSR1: log the counters
	reactors      []reactorLoop  // one for every two CPUs; none in inetd nowait mode
	nextHome      atomic.Uint64
	uringFallback bool        // --io-uring auto found io_uring refused
	tlsCert       string      // --tls-cert
	tlsKey        string      // --tls-key
	tlsConfig     *tls.Config // made at the first tls:// listener

	mu        sync.Mutex
	conns     map[*sockcore.Socket]netip.Addr // with the source key (zero: not an IP peer)
	perSource map[netip.Addr]int
	wg        sync.WaitGroup // connections
}

func newServer(cfg config, log *slog.Logger) *server {
	srv := &server{cfg: cfg, log: log, limiter: newRateLimiter(cfg.udpRate),
		conns: map[*sockcore.Socket]netip.Addr{}, perSource: map[netip.Addr]int{}}
	srv.shortage = srv.newShortage()
	return srv
}

// openListeners opens every --listen URL, or the default TCP and UDP pair.
func (srv *server) openListeners(urls []string) error {
	if len(urls) == 0 {
		urls = []string{"tcp://:" + DefaultPort, "udp://:" + DefaultPort}
	}
	eps := make([]*cli.Endpoint, len(urls))
	for i, u := range urls {
		e, err := cli.ParseURL(u)
		if err != nil {
			return err
		}
		eps[i] = e
	}
	for _, e := range eps {
		n := 1
		if srv.cfg.reusePort && e.IsInet() {
			n = srv.cfg.workers
		}
		for range n {
			s, err := e.Listen(cli.ListenConfig{Backlog: srv.cfg.backlog, ReusePort: srv.cfg.reusePort})
			if err != nil {
				return err
			}
			l := &listener{s: s, file: cli.BoundSocketFile(s)}
			if e.Scheme == "tls" {
				if l.tls, err = srv.tlsServerConfig(e); err != nil {
					s.Close()
					return err
				}
			}
			srv.listeners = append(srv.listeners, l)
			if e.Port == "0" && n > 1 {
				// Every SO_REUSEPORT sibling must share the port the kernel chose.
				a, _ := s.SockName()
				e = withPort(e, a)
			}
		}
	}
	return nil
}

func withPort(e *cli.Endpoint, a sockcore.Addr) *cli.Endpoint {
	c := *e
	switch a := a.(type) {
	case *sockcore.InetAddr:
		c.Port = fmt.Sprint(a.Port)
	case *sockcore.Inet6Addr:
		c.Port = fmt.Sprint(a.Port)
	}
	return &c
}

// openSystemd takes the sockets of systemd's socket activation protocol
// (sd_listen_fds(3)): descriptors 3 … 3+LISTEN_FDS-1 when LISTEN_PID is us.
func (srv *server) openSystemd() error {
	pid, nfds, names := os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS"), os.Getenv("LISTEN_FDNAMES")
	for _, v := range []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"} {
		os.Unsetenv(v)
	}
	if pid == "" || nfds == "" {
		return cli.Exitf(cli.ExitNoSuchThing, "--systemd: LISTEN_PID and LISTEN_FDS are not set (start echod from a systemd .socket unit or systemd-socket-activate)")
	}
	if pid != fmt.Sprint(os.Getpid()) {
		return cli.Exitf(cli.ExitNoSuchThing, "--systemd: LISTEN_PID=%s is not this process (%d)", pid, os.Getpid())
	}
	var n int
	if _, err := fmt.Sscanf(nfds, "%d", &n); err != nil || n < 1 {
		return cli.Exitf(cli.ExitNoSuchThing, "--systemd: LISTEN_FDS=%q: want a positive number", nfds)
	}
	nameList := splitNames(names)
	for i := range n {
		s, err := sockcore.FromFD(3 + i)
		if err != nil {
			return cli.Exit(cli.ExitNoSuchThing, fmt.Errorf("--systemd: descriptor %d: %w", 3+i, err))
		}
		l := &listener{s: s}
		if i < len(nameList) {
			l.name = nameList[i]
		}
		srv.listeners = append(srv.listeners, l)
	}
	return nil
}

func splitNames(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ':' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// inetd serves the socket on standard input: a connected stream socket is
// served once (nowait), a listening one or a datagram socket (wait) until a
// signal or, with --idle-timeout, until idle.
func (srv *server) inetd(ctx context.Context, idleGiven bool) error {
	s, err := sockcore.FromFD(0)
	if err != nil {
		return cli.Exit(cli.ExitNoSuchThing, fmt.Errorf("--inetd: standard input is not a socket: %w", err))
	}
	if s.Type() == unix.SOCK_DGRAM {
		srv.listeners = []*listener{{s: s, idleExit: idleGiven}}
		return srv.serve(ctx, 0)
	}
	if acc, _ := s.GetsockoptInt(unix.SOL_SOCKET, unix.SO_ACCEPTCONN); acc == 1 {
		srv.listeners = []*listener{{s: s}}
		return srv.serve(ctx, 0)
	}
	srv.track(s, netip.Addr{})
	srv.serveConn(s, "stdin") // no reactors: in a goroutine
	done := make(chan struct{})
	go func() {
		srv.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		srv.drain()
		<-done
	}
	return nil
}

// serve runs every listener until ctx ends, then drains.
func (srv *server) serve(ctx context.Context, statsEvery time.Duration) error {
	if srv.reactors == nil {
		if err := srv.startReactors(); err != nil {
			srv.closeListeners()
			return err
		}
	}
	defer srv.stopReactors()
	var loops sync.WaitGroup
	errc := make(chan error, 1)
	for _, l := range srv.listeners {
		n := srv.cfg.workers
		if srv.cfg.reusePort && (l.s.Family() == unix.AF_INET || l.s.Family() == unix.AF_INET6) {
			n = 1 // one loop per SO_REUSEPORT socket
		}
		for range n {
			loops.Add(1)
			go func() {
				defer loops.Done()
				var err error
				if l.stream() {
					err = srv.acceptLoop(l)
				} else {
					err = srv.dgramLoop(l, n > 1)
				}
				if err != nil {
					select {
					case errc <- err:
					default:
					}
				}
			}()
		}
	}
	srv.watchUSR1()
	defer signal.Stop(srv.usr1)
	usr1 := srv.usr1
	var tick <-chan time.Time
	if statsEvery > 0 {
		t := time.NewTicker(statsEvery)
		defer t.Stop()
		tick = t.C
	}
	loopsDone := make(chan struct{})
	go func() { loops.Wait(); close(loopsDone) }()
	var ferr error
wait:
	for {
		select {
		case <-usr1:
			srv.logStats("stats")
		case <-tick:
			srv.logStats("stats")
		case err := <-errc:
			ferr = err
			break wait
		case <-loopsDone:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	srv.closeListeners()
	<-loopsDone
	srv.drain()
	srv.shortage.Close()
	if srv.cfg.verbose {
		srv.logStats("exit")
	}
	return ferr
}

// closeListeners closes every listener and removes the UNIX socket files
// echod bound, while they are still its own (a newer server may have bound
// the path since).
// watchUSR1 starts catching SIGUSR1 for serve, once.
func (srv *server) watchUSR1() {
	if srv.usr1 == nil {
		srv.usr1 = make(chan os.Signal, 1)
		signal.Notify(srv.usr1, syscall.SIGUSR1)
	}
}

func (srv *server) closeListeners() {
	for _, l := range srv.listeners {
		l.file.Remove() // first: an open socket's inode cannot be reused
		l.s.Close()
	}
}

// drain waits for open connections up to the drain timeout, then closes them.
func (srv *server) drain() {
	done := make(chan struct{})
	go func() { srv.wg.Wait(); close(done) }()
	srv.mu.Lock()
	open := len(srv.conns)
	srv.mu.Unlock()
	if open > 0 {
		srv.log.Info("draining", "connections", open, "timeout", srv.cfg.drainTimeout.String())
	}
	t := time.NewTimer(srv.cfg.drainTimeout)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	}
	for _, r := range srv.reactors {
		r.closeAll()
	}
	srv.mu.Lock()
	srv.log.Warn("drain timeout: closing connections", "connections", len(srv.conns))
	for s := range srv.conns {
		s.Close()
	}
	srv.mu.Unlock()
	<-done
}

// startReactors starts one reactor for every two CPUs (at least one) when
// a listener accepts stream connections. A busy reactor keeps its CPU, and
// the kernel's half of every send and receive (the TCP stack, waking the
// peer) needs the other: with one reactor per CPU, reactors preempted each
// other and the clients, each woke for fewer ready connections, and the p99
// of 16 ping-pong connections on 2 CPUs was the worst of the servers
// measured (reactor.go has the figures).
func (srv *server) startReactors() error {
	need := false
	for _, l := range srv.listeners {
		need = need || l.s.Type() == unix.SOCK_STREAM
	}
	if !need {
		return nil
	}
	for range max(1, runtime.GOMAXPROCS(0)/2) {
		r, err := srv.newReactorLoop()
		if err != nil {
			srv.stopReactors()
			return err
		}
		srv.reactors = append(srv.reactors, r)
	}
	return nil
}

// newReactorLoop starts a reactor on the backend --io-uring chose: with
// auto, io_uring where the kernel allows it, and the epoll reactor where it
// refuses (io_uring_setup failing with ENOSYS or EPERM: kernels without it,
// sysctl kernel.io_uring_disabled, seccomp filters of containers; kernels
// without provided buffer rings).
func (srv *server) newReactorLoop() (reactorLoop, error) {
	if srv.cfg.ioUring == "on" || srv.cfg.ioUring == "auto" {
		r, err := newUringReactor(srv)
		switch {
		case err == nil:
			return r, nil
		case srv.cfg.ioUring == "on":
			return nil, cli.Exit(cli.ExitUnsupported, fmt.Errorf("--io-uring on: %w", err))
		case !errors.Is(err, errUringUnavailable):
			return nil, err
		}
		if !srv.uringFallback {
			srv.uringFallback = true
			if srv.cfg.verbose {
				srv.log.Info("io_uring unavailable: using epoll", "err", err)
			}
		}
	}
	r, err := newReactor(srv)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (srv *server) stopReactors() {
	for _, r := range srv.reactors {
		r.stop()
	}
	srv.reactors = nil
}

func (srv *server) track(s *sockcore.Socket, src netip.Addr) {
	srv.mu.Lock()
	srv.conns[s] = src
	if src.IsValid() {
		srv.perSource[src]++
	}
	srv.mu.Unlock()
	srv.wg.Add(1)
}

func (srv *server) untrack(s *sockcore.Socket) {
	srv.mu.Lock()
	if src := srv.conns[s]; src.IsValid() {
		if srv.perSource[src]--; srv.perSource[src] <= 0 {
			delete(srv.perSource, src)
		}
	}
	delete(srv.conns, s)
	srv.mu.Unlock()
	srv.wg.Done()
}

// admit decides whether a new connection from src may be served, and
// tracks it if so; it names the limit that refused it otherwise.
func (srv *server) admit(s *sockcore.Socket, src netip.Addr) (refusedBy string) {
	srv.mu.Lock()
	switch {
	case srv.cfg.maxConns > 0 && len(srv.conns) >= srv.cfg.maxConns:
		refusedBy = "--max-conns"
	case srv.cfg.perSource > 0 && src.IsValid() && srv.perSource[src] >= srv.cfg.perSource:
		refusedBy = "--max-conns-per-source"
	}
	if refusedBy == "" {
		srv.conns[s] = src
		if src.IsValid() {
			srv.perSource[src]++
		}
	}
	srv.mu.Unlock()
	if refusedBy == "" {
		srv.wg.Add(1)
	}
	return refusedBy
}

// peerKey is the source key of an accepted connection's peer: its IPv4
// address or its IPv6 /64; zero for other families.
func peerKey(a sockcore.Addr) netip.Addr {
	switch a := a.(type) {
	case *sockcore.InetAddr:
		return sourceKey(a.IP)
	case *sockcore.Inet6Addr:
		return sourceKey(a.IP)
	}
	return netip.Addr{}
}

// sourceKey is what per-source limits count by: an IPv4 address (an
// IPv4-mapped one unmapped), or the /64 of an IPv6 address, the usual
// allocation to one host, whose 2^64 addresses it may rotate through at
// will.
func sourceKey(ip netip.Addr) netip.Addr {
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.Addr()
	}
	return ip
}

// acceptLoop accepts connections until the listener is closed.
func (srv *server) acceptLoop(l *listener) error {
	scheme := cli.SchemeOf(l.s)
	for {
		c, peer, err := l.s.Accept()
		if err != nil {
			if errors.Is(err, unix.EBADF) {
				return nil
			}
			if shortage.Is(err) {
				srv.st.acceptErrors.Add(1)
				if srv.shortage.Failed(l.s.Fileno(), err) {
					srv.st.refused.Add(1)
				}
				continue
			}
			if errors.Is(err, unix.ECONNABORTED) || errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("accept on %s: %w", cli.SocketURL(l.s), err)
		}
		srv.shortage.Accepted()
		c.SetTimeout(sockcore.Forever)
		peerName := cli.AddrURL(scheme, peer)
		if limit := srv.admit(c, peerKey(peer)); limit != "" {
			srv.st.refused.Add(1)
			if srv.cfg.verbose {
				srv.log.Info("refused: "+limit+" reached", "peer", peerName)
			}
			c.Close()
			continue
		}
		srv.st.accepted.Add(1)
		if l.tls != nil {
			go srv.serveTLS(c, peerName, l.tls)
			continue
		}
		srv.serveConn(c, peerName)
	}
}

// serveConn echoes (or discards) one tracked connection until the peer
// closes it, then closes it: in a reactor when it is a stream socket and
// there are reactors, otherwise in a goroutine of its own.
func (srv *server) serveConn(s *sockcore.Socket, peer string) {
	c := &conn{s: s, peer: peer, start: time.Now()}
	if srv.cfg.verbose {
		srv.log.Info("connection", "peer", peer)
	}
	if len(srv.reactors) > 0 && s.Type() == unix.SOCK_STREAM {
		c.home = srv.reactors[srv.nextHome.Add(1)%uint64(len(srv.reactors))]
		c.home.add(c)
		return
	}
	go srv.run(c, nil)
}
