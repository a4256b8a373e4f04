package sockcore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ConnOption configures CreateConnection.
type ConnOption func(*connConfig)

type connConfig struct {
	timeout    time.Duration
	hasTimeout bool
	family     int
	typ        int
	proto      int
	srcHost    *string
	srcPort    *string
	flags      int
	control    func(*Socket) error
}

// WithTimeout sets the timeout of the connect and of the returned socket
// (Python's timeout argument); without it the default timeout applies.
func WithTimeout(d time.Duration) ConnOption {
	return func(c *connConfig) { c.timeout, c.hasTimeout = d, true }
}

// WithFamily restricts the addresses tried to one family (AF_INET, AF_INET6).
func WithFamily(f int) ConnOption { return func(c *connConfig) { c.family = f } }

// WithType sets the socket type (default SOCK_STREAM): SOCK_DGRAM gives a
// connected datagram socket.
func WithType(t int) ConnOption { return func(c *connConfig) { c.typ = t } }

// WithProto sets the protocol (IPPROTO_MPTCP, IPPROTO_UDPLITE, …).
func WithProto(p int) ConnOption { return func(c *connConfig) { c.proto = p } }

// WithSource binds the socket to a source address first (source_address);
// host "" and port "0" leave that part to the kernel.
func WithSource(host, port string) ConnOption {
	return func(c *connConfig) { c.srcHost, c.srcPort = &host, &port }
}

// WithNumericHost adds AI_NUMERICHOST: no name lookups.
func WithNumericHost() ConnOption { return func(c *connConfig) { c.flags |= AI_NUMERICHOST } }

// WithControl runs fn on each socket before it binds and connects (to set
// options such as TCP_NODELAY).
func WithControl(fn func(*Socket) error) ConnOption { return func(c *connConfig) { c.control = fn } }

// ConnectError lists every address CreateConnection tried and why each failed.
type ConnectError struct {
	Host, Port string
	Tried      []string
	Errs       []error
}

func (e *ConnectError) Error() string {
	parts := make([]string, len(e.Tried))
	for i, a := range e.Tried {
		parts[i] = fmt.Sprintf("%s: %v", a, e.Errs[i])
	}
	return fmt.Sprintf("connect to %s port %s failed (%s)", e.Host, e.Port, strings.Join(parts, "; "))
}

// Unwrap returns the errors, so errors.Is finds ECONNREFUSED and timeouts.
func (e *ConnectError) Unwrap() []error { return e.Errs }

// CreateConnection connects to host:port (socket.create_connection): every
// address getaddrinfo returns is tried in order until one connects. The
// context cancels the attempt; WithTimeout bounds each connect.
func CreateConnection(ctx context.Context, host, port string, opts ...ConnOption) (*Socket, error) {
	cfg := connConfig{typ: unix.SOCK_STREAM}
	cfg.timeout, cfg.hasTimeout = DefaultTimeout()
	for _, o := range opts {
		o(&cfg)
	}
	h, p := host, port
	// As Python, the lookup is by type only: getaddrinfo knows no
	// IPPROTO_MPTCP; the protocol matters to socket() alone.
	infos, err := resolveConnect(&h, &p, cfg.family, cfg.typ, 0, cfg.flags)
	if err != nil {
		return nil, err
	}
	var srcInfos []AddrInfo
	if cfg.srcHost != nil {
		// As Python's bind, host "" is the any address of each socket's
		// family (getaddrinfo's NULL host with AI_PASSIVE: 0.0.0.0, ::).
		srcHost := cfg.srcHost
		if *srcHost == "" {
			srcHost = nil
		}
		srcInfos, err = GetAddrInfo(srcHost, cfg.srcPort, cfg.family, cfg.typ, 0, AI_PASSIVE|cfg.flags)
		if err != nil {
			return nil, fmt.Errorf("source address %s: %w", *cfg.srcHost, err)
		}
	}
	cerr := &ConnectError{Host: host, Port: port}
	for _, ai := range infos {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var src Addr
		if srcInfos != nil {
			// The source's first address of the destination's family;
			// none: this destination cannot be reached from the source.
			if src = sourceOf(srcInfos, ai.Family); src == nil {
				continue
			}
		}
		s, err := connectOne(ctx, ai, src, &cfg)
		if err == nil {
			return s, nil
		}
		cerr.Tried = append(cerr.Tried, ai.Addr.String())
		cerr.Errs = append(cerr.Errs, err)
	}
	if len(cerr.Tried) == 0 {
		return nil, NewGAIError(EAI_ADDRFAMILY)
	}
	if len(cerr.Errs) == 1 {
		// One address: its error is the whole story, but keep the address.
		return nil, fmt.Errorf("connect to %s: %w", cerr.Tried[0], cerr.Errs[0])
	}
	return nil, cerr
}

// sourceOf is the first address of family among the source's addresses.
func sourceOf(srcs []AddrInfo, family int) Addr {
	for _, si := range srcs {
		if si.Family == family {
			return si.Addr
		}
	}
	return nil
}

// resolveConnect is the lookup CreateConnection uses; tests replace it to
// give a host several addresses without depending on name services.
var resolveConnect = GetAddrInfo

func connectOne(ctx context.Context, ai AddrInfo, src Addr, cfg *connConfig) (*Socket, error) {
	// As Python: socket(af, socktype, proto) with getaddrinfo's proto,
	// unless the caller chose one (IPPROTO_MPTCP).
	proto := cfg.proto
	if proto == 0 {
		proto = ai.Proto
	}
	s, err := New(ai.Family, ai.Type, proto)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	if cfg.hasTimeout {
		s.SetTimeout(cfg.timeout)
	} else {
		s.SetTimeout(-1)
	}
	if cfg.control != nil {
		if err := cfg.control(s); err != nil {
			return nil, err
		}
	}
	if src != nil {
		if err := s.Bind(src); err != nil {
			return nil, err
		}
	}
	err = s.ConnectContext(ctx, ai.Addr)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// ServerOption configures CreateServer.
type ServerOption func(*serverConfig)

type serverConfig struct {
	family    int
	typ       int
	proto     int
	backlog   int
	reusePort bool
	dualStack bool
}

// WithServerFamily chooses the family (default: from the host, AF_INET for "").
func WithServerFamily(f int) ServerOption { return func(c *serverConfig) { c.family = f } }

// WithServerType chooses the type (default SOCK_STREAM; SOCK_DGRAM binds only).
func WithServerType(t int) ServerOption { return func(c *serverConfig) { c.typ = t } }

// WithServerProto chooses the protocol (IPPROTO_MPTCP, IPPROTO_UDPLITE, …).
func WithServerProto(p int) ServerOption { return func(c *serverConfig) { c.proto = p } }

// WithBacklog sets the listen backlog (default DefaultBacklog).
func WithBacklog(n int) ServerOption { return func(c *serverConfig) { c.backlog = n } }

// WithReusePort sets SO_REUSEPORT.
func WithReusePort() ServerOption { return func(c *serverConfig) { c.reusePort = true } }

// WithDualStack makes an AF_INET6 socket that also accepts IPv4
// (IPV6_V6ONLY=0); with host "" the family becomes AF_INET6.
func WithDualStack() ServerOption { return func(c *serverConfig) { c.dualStack = true } }

// ErrNoDualStack is returned by CreateServer when dual-stack is asked for but
// the host has no dual-stack IPv6.
var ErrNoDualStack = errors.New("dual-stack IPv6 is not supported on this host")

// CreateServer binds (and for stream sockets listens) on host:port
// (socket.create_server). Stream sockets get SO_REUSEADDR; IPV6_V6ONLY is set
// explicitly on AF_INET6 sockets, to 0 with WithDualStack and 1 otherwise.
func CreateServer(host, port string, opts ...ServerOption) (*Socket, error) {
	cfg := serverConfig{typ: unix.SOCK_STREAM, backlog: DefaultBacklog}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.dualStack && cfg.family != 0 && cfg.family != unix.AF_INET6 {
		return nil, fmt.Errorf("dual-stack needs AF_INET6, not %s", FamilyName(cfg.family))
	}
	if cfg.dualStack && !HasDualStackIPv6() {
		return nil, ErrNoDualStack
	}
	family := cfg.family
	if family == 0 && cfg.dualStack {
		family = unix.AF_INET6
	}
	if family == 0 && host == "" {
		family = unix.AF_INET
	}
	h, p := host, port
	var hp *string
	if host != "" {
		hp = &h
	}
	infos, err := GetAddrInfo(hp, &p, family, cfg.typ, 0, AI_PASSIVE)
	if err != nil {
		return nil, err
	}
	ai := infos[0]
	s, err := New(ai.Family, cfg.typ, cfg.proto)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	if cfg.typ == unix.SOCK_STREAM || cfg.typ == unix.SOCK_SEQPACKET {
		if err := s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return nil, err
		}
	}
	if cfg.reusePort {
		if err := s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return nil, err
		}
	}
	if ai.Family == unix.AF_INET6 {
		v6only := 1
		if cfg.dualStack {
			v6only = 0
		}
		if err := s.SetsockoptInt(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v6only); err != nil {
			return nil, err
		}
	}
	if err := s.Bind(ai.Addr); err != nil {
		return nil, fmt.Errorf("bind %s: %w", ai.Addr, err)
	}
	if cfg.typ == unix.SOCK_STREAM || cfg.typ == unix.SOCK_SEQPACKET {
		if err := s.Listen(cfg.backlog); err != nil {
			return nil, err
		}
	}
	ok = true
	return s, nil
}

// HasDualStackIPv6 reports whether an AF_INET6 TCP socket can also handle
// IPv4 (socket.has_dualstack_ipv6).
func HasDualStackIPv6() bool {
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	return unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0) == nil
}
