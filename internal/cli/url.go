package cli

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// Endpoint is a parsed listen or connect address URL:
//
//	tcp://HOST:PORT  tls://HOST:PORT (TCP)  udp://HOST:PORT  udplite://HOST:PORT  mptcp://HOST:PORT
//	unix:///path  unix-dgram:///path  unix-seqpacket:///path  unix://@abstract
//	vsock://CID:PORT  fd://N  sctp://HOST:PORT
//	tipc://TYPE:INSTANCE  tipc-seqpacket://TYPE:INSTANCE
//
// HOST is a name, an IPv4 address, an IPv6 address in brackets
// ([::1], [fe80::1%eth0]) or empty for every address. A unix URL whose path
// starts with @ names an abstract socket. A tipc URL names a TIPC service
// (type 64 or more; lower types are reserved): a server binds the single
// instance with cluster scope, a client connects to the service name.
type Endpoint struct {
	Scheme string // "tcp", "udp", …
	Family int    // AF_INET6 or AF_INET for inet URLs with a literal host, 0 for a name or empty host; AF_UNIX; AF_VSOCK; 0 for fd
	Type   int    // SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET (0 for fd: read from the socket)
	Proto  int    // IPPROTO_MPTCP, IPPROTO_UDPLITE, IPPROTO_SCTP or 0

	Host string // inet: without brackets; "" means any
	Port string // inet: a number 0-65535 or a service name

	Path string // unix: exact sun_path bytes; abstract names start with NUL

	CID   uint32 // vsock
	VPort uint32 // vsock

	FD int // fd://N

	TIPCType, TIPCInstance uint32 // tipc: the service name
}

// addrKind is how a scheme writes its address.
type addrKind int

const (
	inetAddr  addrKind = iota // HOST:PORT; AF_INET or AF_INET6 by the host
	unixAddr                  // /path or @abstract
	vsockAddr                 // CID:PORT
	tipcAddr                  // TYPE:INSTANCE, a service name
	fdAddr                    // N, an inherited descriptor
)

// scheme is one URL scheme. Everything else (ParseURL, IsInet, String,
// SchemeOf, the usage texts, completion) is derived from the schemes table.
type scheme struct {
	name               string
	kind               addrKind
	family, typ, proto int    // family 0 for inet (by the host) and fd (from the socket)
	forms              string // the URL forms the usage texts show
	over               string // the scheme whose socket this one's protocol runs on (tls: tcp); SchemeOf names that one
}

// schemes is the one table of URL schemes, in the order usage texts list
// them. Adding a scheme is a row here (plus the tool code for its protocol,
// for a row with over).
var schemes = []scheme{
	{name: "tcp", kind: inetAddr, typ: unix.SOCK_STREAM, forms: "tcp://HOST:PORT"},
	{name: "tls", kind: inetAddr, typ: unix.SOCK_STREAM, forms: "tls://HOST:PORT", over: "tcp"},
	{name: "udp", kind: inetAddr, typ: unix.SOCK_DGRAM, forms: "udp://HOST:PORT"},
	{name: "udplite", kind: inetAddr, typ: unix.SOCK_DGRAM, proto: sockcore.IPPROTO_UDPLITE, forms: "udplite://HOST:PORT"},
	{name: "mptcp", kind: inetAddr, typ: unix.SOCK_STREAM, proto: sockcore.IPPROTO_MPTCP, forms: "mptcp://HOST:PORT"},
	{name: "sctp", kind: inetAddr, typ: unix.SOCK_STREAM, proto: unix.IPPROTO_SCTP, forms: "sctp://HOST:PORT"},
	{name: "unix", kind: unixAddr, family: unix.AF_UNIX, typ: unix.SOCK_STREAM, forms: "unix:///path unix://@abstract"},
	{name: "unix-dgram", kind: unixAddr, family: unix.AF_UNIX, typ: unix.SOCK_DGRAM, forms: "unix-dgram:///path"},
	{name: "unix-seqpacket", kind: unixAddr, family: unix.AF_UNIX, typ: unix.SOCK_SEQPACKET, forms: "unix-seqpacket:///path"},
	{name: "vsock", kind: vsockAddr, family: unix.AF_VSOCK, typ: unix.SOCK_STREAM, forms: "vsock://CID:PORT"},
	{name: "tipc", kind: tipcAddr, family: unix.AF_TIPC, typ: unix.SOCK_STREAM, forms: "tipc://TYPE:INSTANCE"},
	{name: "tipc-seqpacket", kind: tipcAddr, family: unix.AF_TIPC, typ: unix.SOCK_SEQPACKET, forms: "tipc-seqpacket://TYPE:INSTANCE"},
	{name: "fd", kind: fdAddr, forms: "fd://N"},
}

// lookupScheme returns the row of a scheme name.
func lookupScheme(name string) (scheme, bool) {
	for _, sc := range schemes {
		if sc.name == name {
			return sc, true
		}
	}
	return scheme{}, false
}

// SchemeNames lists the URL schemes ParseURL accepts, for usage texts:
// "tcp, tls, udp, …".
var SchemeNames = func() string {
	names := make([]string, len(schemes))
	for i, sc := range schemes {
		names[i] = sc.name
	}
	return strings.Join(names, ", ")
}()

// SchemeUsage is the "URLs: …" paragraph of the usage texts: every
// scheme's forms, wrapped before 80 columns.
func SchemeUsage() string {
	var b strings.Builder
	line := "URLs:"
	for _, sc := range schemes {
		for _, f := range strings.Fields(sc.forms) {
			if len(line)+1+len(f) >= 80 {
				b.WriteString(line + "\n")
				line = f
				continue
			}
			line += " " + f
		}
	}
	b.WriteString(line)
	return b.String()
}

// ParseURL parses an address URL. Errors are usage errors that name the bad
// part.
func ParseURL(s string) (*Endpoint, error) {
	name, rest, ok := strings.Cut(s, "://")
	if !ok {
		return nil, Usagef("bad URL %q: no scheme (want SCHEME://ADDRESS, SCHEME one of %s)", s, SchemeNames)
	}
	sc, ok := lookupScheme(name)
	if !ok {
		return nil, Usagef("bad URL %q: unknown scheme %q (want one of %s)", s, name, SchemeNames)
	}
	e := &Endpoint{Scheme: name, Family: sc.family, Type: sc.typ, Proto: sc.proto}
	switch sc.kind {
	case fdAddr:
		n, err := strconv.Atoi(rest)
		if err != nil || n < 0 {
			return nil, Usagef("bad URL %q: descriptor %q is not a non-negative number", s, rest)
		}
		e.FD = n
	case unixAddr:
		if rest == "" || rest == "@" {
			return nil, Usagef("bad URL %q: missing UNIX socket path (unix:///path or unix://@name)", s)
		}
		if rest[0] == '@' {
			e.Path = "\x00" + rest[1:]
		} else {
			e.Path = rest
		}
		if len(e.Path) >= sockcore.UnixPathMax && rest[0] != '@' || len(e.Path) > sockcore.UnixPathMax {
			return nil, Usagef("bad URL %q: UNIX socket path is %d bytes, the limit is %d", s, len(rest), sockcore.UnixPathMax-1)
		}
		if strings.IndexByte(rest, 0) >= 0 {
			return nil, Usagef("bad URL %q: UNIX socket path contains a NUL byte", s)
		}
	case vsockAddr:
		cid, port, ok := strings.Cut(rest, ":")
		if !ok {
			return nil, Usagef("bad URL %q: want vsock://CID:PORT", s)
		}
		c, err := parseVSockCID(cid)
		if err != nil {
			return nil, Usagef("bad URL %q: %w", s, err)
		}
		p, err := parseVSockPort(port)
		if err != nil {
			return nil, Usagef("bad URL %q: %w", s, err)
		}
		e.CID, e.VPort = c, p
	case tipcAddr:
		typ, inst, err := parseTIPCName(rest)
		if err != nil {
			return nil, Usagef("bad URL %q: %w", s, err)
		}
		e.TIPCType, e.TIPCInstance = typ, inst
	case inetAddr:
		host, port, err := SplitHostPort(rest)
		if err != nil {
			return nil, Usagef("bad URL %q: %w", s, err)
		}
		e.Host, e.Port = host, port
		e.Family = hostFamily(host)
	}
	return e, nil
}

// NewInetEndpoint is the Endpoint of HOST PORT arguments, for tools that take
// them as well as URLs. scheme is "tcp", "udp", "udplite", "mptcp" or "sctp".
func NewInetEndpoint(scheme, host, port string) (*Endpoint, error) {
	sc, ok := lookupScheme(scheme)
	if !ok || sc.kind != inetAddr {
		return nil, Usagef("%q is not an IP transport", scheme)
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if err := checkPort(port); err != nil {
		return nil, Usagef("%w", err)
	}
	return &Endpoint{Scheme: scheme, Type: sc.typ, Proto: sc.proto, Host: host, Port: port, Family: hostFamily(host)}, nil
}

// IsInet reports whether the endpoint is an IP one (tcp, tls, udp, udplite,
// mptcp, sctp).
func (e *Endpoint) IsInet() bool {
	sc, ok := lookupScheme(e.Scheme)
	return ok && sc.kind == inetAddr
}

// Addr returns the socket address of a unix, vsock or tipc endpoint (for
// tipc the service name a client connects to); inet endpoints are resolved
// with GetAddrInfo instead.
func (e *Endpoint) Addr() sockcore.Addr {
	switch e.Family {
	case unix.AF_TIPC:
		return &sockcore.TIPCAddr{AddrType: unix.TIPC_ADDR_NAME, V1: e.TIPCType, V2: e.TIPCInstance}
	case unix.AF_UNIX:
		return &sockcore.UnixAddr{Name: e.Path}
	case unix.AF_VSOCK:
		return &sockcore.VSockAddr{CID: e.CID, Port: e.VPort}
	}
	return nil
}

// String returns the URL form.
func (e *Endpoint) String() string {
	sc, _ := lookupScheme(e.Scheme)
	switch sc.kind {
	case fdAddr:
		return e.Scheme + "://" + strconv.Itoa(e.FD)
	case unixAddr:
		if strings.HasPrefix(e.Path, "\x00") {
			return e.Scheme + "://@" + e.Path[1:]
		}
		return e.Scheme + "://" + e.Path
	case vsockAddr:
		return e.Scheme + "://" + VSockName(e.CID, e.VPort)
	case tipcAddr:
		return fmt.Sprintf("%s://%d:%d", e.Scheme, e.TIPCType, e.TIPCInstance)
	}
	return e.Scheme + "://" + JoinHostPort(e.Host, e.Port)
}

// JoinHostPort puts brackets around IPv6 hosts.
func JoinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// SplitHostPort splits HOST:PORT, [IPV6]:PORT or :PORT and checks the port.
func SplitHostPort(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", fmt.Errorf("IPv6 address %q has no closing bracket", s)
		}
		host = s[1:end]
		if _, err := netip.ParseAddr(host); err != nil {
			return "", "", fmt.Errorf("%q in brackets is not an IPv6 address", host)
		}
		if !strings.Contains(host, ":") {
			return "", "", fmt.Errorf("%q in brackets is not an IPv6 address", host)
		}
		rest := s[end+1:]
		if !strings.HasPrefix(rest, ":") {
			return "", "", fmt.Errorf("missing :PORT after [%s]", host)
		}
		port = rest[1:]
	} else {
		i := strings.LastIndexByte(s, ':')
		if i < 0 {
			return "", "", fmt.Errorf("missing :PORT in %q", s)
		}
		host, port = s[:i], s[i+1:]
		if strings.Contains(host, ":") {
			return "", "", fmt.Errorf("IPv6 address %q must be in brackets ([%s]:%s)", host, host, port)
		}
		if strings.ContainsAny(host, "/@[] ") {
			return "", "", fmt.Errorf("bad host %q", host)
		}
	}
	if err := checkPort(port); err != nil {
		return "", "", err
	}
	return host, port, nil
}

// checkPort accepts a number 0-65535 or a service name (letters, digits, -).
func checkPort(port string) error {
	if port == "" {
		return fmt.Errorf("missing port")
	}
	if port[0] >= '0' && port[0] <= '9' || port[0] == '-' || port[0] == '+' {
		// A sign is taken as strtoul takes it: "+80" is 80, "-0" is 0.
		digits := port
		if port[0] == '-' || port[0] == '+' {
			digits = port[1:]
		}
		n, isNumber, err := sockcore.ParsePort(digits)
		if !isNumber || err != nil || port[0] == '-' && n != 0 {
			return fmt.Errorf("port %q is not a number from 0 to 65535", port)
		}
		return nil
	}
	for _, c := range port {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("port %q is neither a number nor a service name", port)
		}
	}
	return nil
}

func hostFamily(host string) int {
	a, err := netip.ParseAddr(host)
	switch {
	case err != nil:
		return 0
	case a.Is4():
		return unix.AF_INET
	}
	return unix.AF_INET6
}

var vsockCIDs = map[string]uint32{
	"any": unix.VMADDR_CID_ANY, "hypervisor": unix.VMADDR_CID_HYPERVISOR,
	"local": unix.VMADDR_CID_LOCAL, "host": unix.VMADDR_CID_HOST,
}

func parseVSockCID(s string) (uint32, error) {
	if c, ok := vsockCIDs[s]; ok {
		return c, nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("vsock CID %q is not a number or one of any, hypervisor, local, host", s)
	}
	return uint32(n), nil
}

// VSockName writes CID:PORT with the wildcards by name (any:any), as URLs
// take them, rather than as 4294967295.
func VSockName(cid, port uint32) string {
	c, p := strconv.FormatUint(uint64(cid), 10), strconv.FormatUint(uint64(port), 10)
	if cid == unix.VMADDR_CID_ANY {
		c = "any"
	}
	if port == unix.VMADDR_PORT_ANY {
		p = "any"
	}
	return c + ":" + p
}

func parseVSockPort(s string) (uint32, error) {
	if s == "any" {
		return unix.VMADDR_PORT_ANY, nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("vsock port %q is not a number or any", s)
	}
	return uint32(n), nil
}

// parseTIPCName parses TYPE:INSTANCE, two unsigned 32-bit numbers; types
// below TIPC_RESERVED_TYPES (64) belong to TIPC itself.
func parseTIPCName(s string) (typ, inst uint32, err error) {
	ts, is, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, fmt.Errorf("want tipc://TYPE:INSTANCE")
	}
	t, err := strconv.ParseUint(ts, 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("TIPC service type %q is not a number from 0 to 4294967295", ts)
	}
	if t < unix.TIPC_RESERVED_TYPES {
		return 0, 0, fmt.Errorf("TIPC service types below %d are reserved", unix.TIPC_RESERVED_TYPES)
	}
	i, err := strconv.ParseUint(is, 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("TIPC instance %q is not a number from 0 to 4294967295", is)
	}
	return uint32(t), uint32(i), nil
}
