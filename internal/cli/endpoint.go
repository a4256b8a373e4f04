package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// ListenConfig tunes Endpoint.Listen.
type ListenConfig struct {
	Family    int  // AF_INET or AF_INET6 to restrict an inet endpoint with an empty host; 0: dual-stack where possible
	Backlog   int  // 0: sockcore.DefaultBacklog
	ReusePort bool // SO_REUSEPORT

	createServer func(host, port string, opts ...sockcore.ServerOption) (*sockcore.Socket, error) // tests; nil: sockcore.CreateServer
}

// listenFamily is where an inet endpoint listens. With dual, Listen tries
// one dual-stack IPv6 socket on "::" first and falls back to host and
// family where the host has no usable IPv6 (EAFNOSUPPORT, EADDRNOTAVAIL).
// An empty host with no --4/--6 (cfgFamily 0) is dual-stack where the
// kernel has IPv6, else IPv4; cfgFamily restricts an empty host or a name;
// a literal host keeps its own family.
func listenFamily(e *Endpoint, cfgFamily int, hasDualStack bool) (dual bool, host string, family int) {
	host, family = e.Host, e.Family
	switch {
	case host != "" && family == 0:
		family = cfgFamily
	case host == "" && cfgFamily != 0:
		family = cfgFamily
	case host == "":
		dual, family = hasDualStack, unix.AF_INET
	}
	if host == "" && family == unix.AF_INET6 {
		host = "::"
	}
	return dual, host, family
}

// Listen opens the endpoint as a server socket: bound, and listening for
// stream and seqpacket types. An inet endpoint with an empty host and no
// family is one dual-stack IPv6 socket (IPV6_V6ONLY=0 set explicitly), or
// IPv4 where the host has no IPv6. A filesystem UNIX path left behind by a
// dead server (a socket file nobody accepts on) is removed first; anything
// else at the path is left alone (ClearStaleSocket). fd://N wraps descriptor N.
func (e *Endpoint) Listen(cfg ListenConfig) (*sockcore.Socket, error) {
	backlog := cfg.Backlog
	if backlog == 0 {
		backlog = sockcore.DefaultBacklog
	}
	switch {
	case e.Scheme == "fd":
		s, err := sockcore.FromFD(e.FD)
		if err != nil {
			return nil, fmt.Errorf("fd://%d: %w", e.FD, err)
		}
		return s, nil
	case e.IsInet():
		opts := []sockcore.ServerOption{sockcore.WithServerType(e.Type), sockcore.WithServerProto(e.Proto), sockcore.WithBacklog(backlog)}
		if cfg.ReusePort {
			opts = append(opts, sockcore.WithReusePort())
		}
		create := cfg.createServer
		if create == nil {
			create = sockcore.CreateServer
		}
		dual, host, family := listenFamily(e, cfg.Family, sockcore.HasDualStackIPv6())
		if dual {
			s, err := create("::", e.Port, append(opts, sockcore.WithDualStack())...)
			if err == nil {
				return s, nil
			}
			if !errors.Is(err, unix.EAFNOSUPPORT) && !errors.Is(err, unix.EADDRNOTAVAIL) {
				return nil, fmt.Errorf("listen on %s: %w", e, err)
			}
		}
		s, err := create(host, e.Port, append(opts, sockcore.WithServerFamily(family))...)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w", e, err)
		}
		return s, nil
	}
	s, err := sockcore.New(e.Family, e.Type, e.Proto)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", e, err)
	}
	addr := e.Addr()
	if e.Family == unix.AF_TIPC {
		// Publish the service's single instance, cluster-wide.
		addr = &sockcore.TIPCAddr{AddrType: unix.TIPC_ADDR_NAMESEQ, V1: e.TIPCType, V2: e.TIPCInstance, V3: e.TIPCInstance, Scope: unix.TIPC_CLUSTER_SCOPE}
	}
	err = s.Bind(addr)
	if errors.Is(err, unix.EADDRINUSE) && e.Family == unix.AF_UNIX && e.Path[0] != 0 {
		if cerr := ClearStaleSocket(e.Path); cerr != nil {
			s.Close()
			return nil, cerr
		}
		err = s.Bind(e.Addr())
	}
	if err == nil && e.Type != unix.SOCK_DGRAM {
		err = s.Listen(backlog)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("listen on %s: %w", e, err)
	}
	return s, nil
}

// DialConfig tunes Endpoint.Dial.
type DialConfig struct {
	Timeout    time.Duration // connect timeout and the socket's timeout; 0: blocking
	Family     int           // restrict inet addresses to AF_INET or AF_INET6
	SourceHost string        // bind to this source first ("" with SourcePort alone: any address)
	SourcePort string
	Numeric    bool                         // no name lookups
	Control    func(*sockcore.Socket) error // runs before bind and connect (socket options)
}

// Dial connects to the endpoint. Inet endpoints try every address
// (sockcore.CreateConnection).
func (e *Endpoint) Dial(ctx context.Context, cfg DialConfig) (*sockcore.Socket, error) {
	if e.IsInet() {
		opts := []sockcore.ConnOption{sockcore.WithType(e.Type), sockcore.WithProto(e.Proto), sockcore.WithFamily(cfg.Family)}
		if cfg.Timeout > 0 {
			opts = append(opts, sockcore.WithTimeout(cfg.Timeout))
		} else {
			opts = append(opts, sockcore.WithTimeout(-1))
		}
		if cfg.SourceHost != "" || cfg.SourcePort != "" {
			port := cfg.SourcePort
			if port == "" {
				port = "0"
			}
			opts = append(opts, sockcore.WithSource(cfg.SourceHost, port))
		}
		if cfg.Numeric {
			opts = append(opts, sockcore.WithNumericHost())
		}
		if cfg.Control != nil {
			opts = append(opts, sockcore.WithControl(cfg.Control))
		}
		host := e.Host
		if host == "" {
			host = "localhost"
		}
		s, err := sockcore.CreateConnection(ctx, host, e.Port, opts...)
		var gai *sockcore.GAIError
		if errors.As(err, &gai) {
			return nil, fmt.Errorf("look up %s port %s: %w", host, e.Port, err)
		}
		return s, err
	}
	if e.Scheme == "fd" {
		s, err := sockcore.FromFD(e.FD)
		if err != nil {
			return nil, fmt.Errorf("fd://%d: %w", e.FD, err)
		}
		return s, nil
	}
	s, err := sockcore.New(e.Family, e.Type, e.Proto)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout > 0 {
		s.SetTimeout(cfg.Timeout)
	}
	if cfg.Control != nil {
		if err := cfg.Control(s); err != nil {
			s.Close()
			return nil, err
		}
	}
	if e.Family == unix.AF_UNIX && e.Type == unix.SOCK_DGRAM {
		// Autobind to an abstract name, so that the server can answer.
		if err := s.Bind(&sockcore.UnixAddr{}); err != nil {
			s.Close()
			return nil, fmt.Errorf("bind a reply address for %s: %w", e, err)
		}
	}
	if err := s.ConnectContext(ctx, e.Addr()); err != nil {
		s.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("connect to %s: %w", e, err)
	}
	return s, nil
}

// SchemeOf names the URL scheme of an open socket from its family, type and
// protocol ("tcp", "udp", "unix-dgram", …); "" when no scheme fits.
func SchemeOf(s *sockcore.Socket) string {
	var rows []scheme
	for _, sc := range schemes {
		inet := s.Family() == unix.AF_INET || s.Family() == unix.AF_INET6
		if sc.over == "" && sc.kind != fdAddr && (sc.family == s.Family() || sc.kind == inetAddr && inet) {
			rows = append(rows, sc)
		}
	}
	if len(rows) == 1 {
		return rows[0].name // the family's only scheme (vsock), whatever the type
	}
	// The row of the socket's type and protocol (mptcp, sctp, udplite), else
	// the type's plain row (tcp for IPPROTO_TCP or 0).
	for _, sc := range rows {
		if sc.typ == s.Type() && sc.proto != 0 && sc.proto == s.Proto() {
			return sc.name
		}
	}
	for _, sc := range rows {
		if sc.typ == s.Type() && sc.proto == 0 {
			return sc.name
		}
	}
	return ""
}

// AddrURL writes a socket address in URL form for the scheme:
// tcp://[::]:50007, unix:///run/x.sock, unix://@name, vsock://2:1024,
// tipc://2000:205 (a service name). A TIPC socket ID, which getsockname(2)
// and accept(2) give, has no URL form: tipc://<NODE:REF>.
func AddrURL(scheme string, a sockcore.Addr) string {
	if scheme == "" {
		scheme = sockcore.FamilyName(a.Family())
	}
	if t, ok := a.(*sockcore.TIPCAddr); ok && (t.AddrType == unix.TIPC_ADDR_NAME || t.AddrType == unix.TIPC_ADDR_NAMESEQ && t.V2 == t.V3) {
		return fmt.Sprintf("%s://%d:%d", scheme, t.V1, t.V2)
	}
	if u, ok := a.(*sockcore.UnixAddr); ok && u.IsAbstract() {
		return scheme + "://@" + u.String()[1:]
	}
	if v, ok := a.(*sockcore.VSockAddr); ok {
		return scheme + "://" + VSockName(v.CID, v.Port)
	}
	return scheme + "://" + a.String()
}

// SocketURL names an open socket's local address in URL form.
func SocketURL(s *sockcore.Socket) string {
	a, err := s.SockName()
	if err != nil {
		return fmt.Sprintf("fd://%d", s.Fileno())
	}
	return AddrURL(SchemeOf(s), a)
}
