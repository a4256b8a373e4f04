package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// proxyFlags are the --proxy flags, new for each run: a flag keeps the state of the
// run that parsed it.
func proxyFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "proxy", Usage: "connect through the proxy at `HOST:PORT` (or a stream URL: unix:///run/proxy.sock)"},
		&ucli.StringFlag{Name: "proxy-type", Usage: "`TYPE` of --proxy: http (CONNECT; default), socks4 or socks5; with -l: http serves as an HTTP proxy"},
		&ucli.StringFlag{Name: "proxy-auth", Usage: "`USER:PASS` for the proxy (HTTP Basic, SOCKS5 username/password, SOCKS4 user id); with -l: what clients must give"},
		&ucli.StringFlag{Name: "proxy-dns", Value: "both", Usage: "where the target's name is resolved: local, remote (by the proxy), both (local, else the proxy) or none"},
	}
}

// proxyConfig is --proxy and its options.
type proxyConfig struct {
	typ  string // http, socks4, socks5
	at   *cli.Endpoint
	auth string // USER:PASS
	dns  string
}

// parseProxy reads the proxy flags: a client's --proxy, or with -l the
// HTTP proxy server's --proxy-type http and --proxy-auth.
func (o *options) parseProxy(c *ucli.Command, listen bool) error {
	typ, auth, dns := c.String("proxy-type"), c.String("proxy-auth"), c.String("proxy-dns")
	switch typ {
	case "", "http", "socks4", "socks5":
	default:
		return cli.Usagef("--proxy-type %q: want http, socks4 or socks5", typ)
	}
	switch dns {
	case "local", "remote", "both", "none":
	default:
		return cli.Usagef("--proxy-dns %q: want local, remote, both or none", dns)
	}
	if auth != "" && !strings.Contains(auth, ":") {
		return cli.Usagef("--proxy-auth: want USER:PASS")
	}
	if listen {
		if c.IsSet("proxy") {
			return cli.Usagef("--proxy is for clients: a proxy server is -l --proxy-type http")
		}
		switch typ {
		case "":
			if auth != "" {
				return cli.Usagef("--proxy-auth needs --proxy or --proxy-type http")
			}
			return nil
		case "http":
			o.srv.httpProxy, o.srv.proxyAuth, o.srv.keepOpen = true, auth, true
			if o.srv.execArgv != nil || o.srv.broker {
				return cli.Usagef("an HTTP proxy server (-l --proxy-type http) takes no --exec, --sh-exec or --broker")
			}
			return nil
		}
		return cli.Usagef("-l --proxy-type %s: echocat serves only HTTP proxies", typ)
	}
	addr := c.String("proxy")
	if addr == "" {
		if typ != "" || auth != "" {
			return cli.Usagef("--proxy-type and --proxy-auth need --proxy HOST:PORT")
		}
		return nil
	}
	if typ == "" {
		typ = "http"
	}
	p := &proxyConfig{typ: typ, auth: auth, dns: dns}
	if strings.Contains(addr, "://") {
		e, err := cli.ParseURL(addr)
		if err != nil {
			return err
		}
		if e.Type != unix.SOCK_STREAM || e.Scheme == "tls" {
			return cli.Usagef("--proxy %s: want a plain stream address", addr)
		}
		p.at = e
	} else {
		host, port, err := cli.SplitHostPort(addr)
		if err != nil {
			// A bare host takes the type's usual port, as ncat.
			host, port = addr, "3128"
			if typ != "http" {
				port = "1080"
			}
		}
		e, err := cli.NewInetEndpoint("tcp", host, port)
		if err != nil {
			return err
		}
		p.at = e
	}
	o.proxy = p
	return nil
}

// proxyDial connects to the proxy and asks it for a connection to e.
func proxyDial(ctx context.Context, o *options, e *cli.Endpoint) (*sockcore.Socket, error) {
	if !e.IsInet() || e.Type != unix.SOCK_STREAM {
		return nil, cli.Usagef("--proxy reaches TCP targets (HOST PORT), not %s", e)
	}
	p := o.proxy
	host, err := p.target(o, e)
	if err != nil {
		return nil, err
	}
	po := *o
	po.proxy = nil
	po.verbose = false
	s, err := dial(ctx, &po, p.at)
	if err != nil {
		return nil, fmt.Errorf("proxy %s: %w", p.at, err)
	}
	if o.wait > 0 {
		s.SetTimeout(o.wait)
	}
	stop := context.AfterFunc(ctx, func() { s.Shutdown(unix.SHUT_RDWR) })
	defer stop()
	switch p.typ {
	case "http":
		err = p.connectHTTP(s, host, e.Port)
	case "socks4":
		err = p.connectSOCKS4(s, host, e.Port)
	default:
		err = p.connectSOCKS5(s, host, e.Port)
	}
	if err != nil {
		s.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	s.SetBlocking(true)
	if o.verbose {
		fmt.Fprintf(o.stderr, "echocat: connected to %s through %s proxy %s\n", cli.JoinHostPort(host, e.Port), p.typ, p.at)
	}
	return s, nil
}

// target is the host the proxy is asked for, after --proxy-dns: an
// address resolved here (local; both when the name resolves), or the name
// for the proxy to resolve (remote; both when it does not resolve here).
func (p *proxyConfig) target(o *options, e *cli.Endpoint) (string, error) {
	if _, err := netip.ParseAddr(e.Host); err == nil {
		return e.Host, nil
	}
	switch p.dns {
	case "remote":
		return e.Host, nil
	case "none":
		return "", cli.Usagef("--proxy-dns none: %q is a name; give an address", e.Host)
	}
	if o.numeric {
		return "", cli.Usagef("-n: %q is a name; give an address", e.Host)
	}
	host := e.Host
	ais, err := sockcore.GetAddrInfo(&host, nil, o.family, unix.SOCK_STREAM, 0, 0)
	if err == nil {
		for _, ai := range ais {
			if ip, ok := addrIP(ai.Addr); ok && (p.typ != "socks4" || ip.Is4()) {
				return ip.String(), nil
			}
		}
	}
	if p.dns == "both" {
		return e.Host, nil
	}
	if err == nil {
		err = errors.New("no usable address")
	}
	return "", fmt.Errorf("look up %s (--proxy-dns local): %w", e.Host, err)
}

func (p *proxyConfig) user() (string, string) {
	u, pw, _ := strings.Cut(p.auth, ":")
	return u, pw
}

// readLine reads one CRLF- or LF-ended line a byte at a time, so that
// nothing after the proxy's answer is taken from the socket.
func readLine(r io.Reader) (string, error) {
	var b []byte
	one := make([]byte, 1)
	for len(b) < 8192 {
		if _, err := io.ReadFull(r, one); err != nil {
			return "", err
		}
		if one[0] == '\n' {
			return strings.TrimSuffix(string(b), "\r"), nil
		}
		b = append(b, one[0])
	}
	return "", errors.New("answer line too long")
}

func (p *proxyConfig) connectHTTP(s *sockcore.Socket, host, port string) error {
	hp := cli.JoinHostPort(host, port)
	req := "CONNECT " + hp + " HTTP/1.1\r\nHost: " + hp + "\r\n"
	if p.auth != "" {
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(p.auth)) + "\r\n"
	}
	if err := s.SendAll([]byte(req+"\r\n"), 0); err != nil {
		return fmt.Errorf("proxy %s: %w", p.at, err)
	}
	status, err := readLine(s)
	if err != nil {
		return fmt.Errorf("proxy %s: reading its answer: %w", p.at, eofText(err))
	}
	for {
		line, err := readLine(s)
		if err != nil {
			return fmt.Errorf("proxy %s: reading its answer: %w", p.at, eofText(err))
		}
		if line == "" {
			break
		}
	}
	f := strings.SplitN(status, " ", 3)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/") {
		return fmt.Errorf("proxy %s: not an HTTP answer: %q", p.at, status)
	}
	code, _ := strconv.Atoi(f[1])
	switch {
	case code >= 200 && code < 300:
		return nil
	case (code == 407 || code == 401) && p.auth == "":
		return cli.Exitf(cli.ExitPermission, "proxy %s wants credentials (%s): give --proxy-auth USER:PASS", p.at, status)
	case code == 407 || code == 401: // tinyproxy 1.11 answers wrong credentials with 401
		return cli.Exitf(cli.ExitPermission, "proxy %s refused the credentials of --proxy-auth (%s)", p.at, status)
	case code == 403:
		return cli.Exitf(cli.ExitPermission, "proxy %s refused to connect to %s (%s)", p.at, hp, status)
	}
	return cli.Exitf(cli.ExitNetwork, "proxy %s could not connect to %s (%s)", p.at, hp, status)
}

func eofText(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("it closed the connection")
	}
	return err
}

func (p *proxyConfig) connectSOCKS4(s *sockcore.Socket, host, port string) error {
	pn, err := targetPort(port)
	if err != nil {
		return err
	}
	req := []byte{4, 1, byte(pn >> 8), byte(pn)}
	ip, perr := netip.ParseAddr(host)
	user, _ := p.user()
	switch {
	case perr == nil && ip.Is4():
		a := ip.As4()
		req = append(append(append(req, a[:]...), user...), 0)
	case perr == nil:
		return cli.Usagef("SOCKS4 reaches IPv4 addresses only, not %s", host)
	default: // SOCKS4a: the proxy resolves the name
		req = append(append(append(req, 0, 0, 0, 1), user...), 0)
		req = append(append(req, host...), 0)
	}
	if err := s.SendAll(req, 0); err != nil {
		return fmt.Errorf("proxy %s: %w", p.at, err)
	}
	rep := make([]byte, 8)
	if _, err := io.ReadFull(s, rep); err != nil {
		return fmt.Errorf("proxy %s: reading its SOCKS4 answer: %w", p.at, eofText(err))
	}
	switch rep[1] {
	case 0x5a:
		return nil
	case 0x5c, 0x5d:
		return cli.Exitf(cli.ExitPermission, "SOCKS4 proxy %s refused: its identd check of the user id failed (code 0x%02x)", p.at, rep[1])
	}
	return cli.Exitf(cli.ExitNetwork, "SOCKS4 proxy %s refused or failed the connection to %s (code 0x%02x)", p.at, cli.JoinHostPort(host, port), rep[1])
}

var socks5Replies = map[byte]string{
	1: "general SOCKS server failure", 2: "connection not allowed by ruleset", 3: "network unreachable",
	4: "host unreachable", 5: "connection refused", 6: "TTL expired", 7: "command not supported", 8: "address type not supported",
}

func (p *proxyConfig) connectSOCKS5(s *sockcore.Socket, host, port string) error {
	pn, err := targetPort(port)
	if err != nil {
		return err
	}
	hello := []byte{5, 1, 0}
	if p.auth != "" {
		hello = []byte{5, 2, 0, 2}
	}
	if err := s.SendAll(hello, 0); err != nil {
		return fmt.Errorf("proxy %s: %w", p.at, err)
	}
	rep := make([]byte, 2)
	if _, err := io.ReadFull(s, rep); err != nil {
		return fmt.Errorf("proxy %s: reading its SOCKS5 answer: %w", p.at, eofText(err))
	}
	if rep[0] != 5 {
		return fmt.Errorf("proxy %s does not speak SOCKS5 (version byte %d)", p.at, rep[0])
	}
	switch rep[1] {
	case 0:
	case 2:
		if p.auth == "" {
			return cli.Exitf(cli.ExitPermission, "SOCKS5 proxy %s wants a username and password: give --proxy-auth USER:PASS", p.at)
		}
		user, pass := p.user()
		if len(user) > 255 || len(pass) > 255 {
			return cli.Usagef("--proxy-auth: SOCKS5 user and password are at most 255 bytes each")
		}
		a := append(append(append([]byte{1, byte(len(user))}, user...), byte(len(pass))), pass...)
		if err := s.SendAll(a, 0); err != nil {
			return fmt.Errorf("proxy %s: %w", p.at, err)
		}
		if _, err := io.ReadFull(s, rep); err != nil {
			return fmt.Errorf("proxy %s: reading its SOCKS5 answer: %w", p.at, eofText(err))
		}
		if rep[1] != 0 {
			return cli.Exitf(cli.ExitPermission, "SOCKS5 proxy %s refused the credentials of --proxy-auth", p.at)
		}
	case 0xff:
		if p.auth == "" {
			return cli.Exitf(cli.ExitPermission, "SOCKS5 proxy %s accepts none of our methods: it wants credentials (--proxy-auth USER:PASS)", p.at)
		}
		return cli.Exitf(cli.ExitPermission, "SOCKS5 proxy %s accepts neither no authentication nor a username and password", p.at)
	default:
		return fmt.Errorf("SOCKS5 proxy %s chose method %d, which we did not offer", p.at, rep[1])
	}
	req := []byte{5, 1, 0}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Is4() {
			a := ip.As4()
			req = append(append(req, 1), a[:]...)
		} else {
			a := ip.As16()
			req = append(append(req, 4), a[:]...)
		}
	} else {
		if len(host) > 255 {
			return cli.Usagef("host name %q is too long for SOCKS5", host)
		}
		req = append(append(req, 3, byte(len(host))), host...)
	}
	req = binary.BigEndian.AppendUint16(req, uint16(pn))
	if err := s.SendAll(req, 0); err != nil {
		return fmt.Errorf("proxy %s: %w", p.at, err)
	}
	head := make([]byte, 4)
	if _, err := io.ReadFull(s, head); err != nil {
		return fmt.Errorf("proxy %s: reading its SOCKS5 answer: %w", p.at, eofText(err))
	}
	if head[1] != 0 {
		why := socks5Replies[head[1]]
		if why == "" {
			why = fmt.Sprintf("reply %d", head[1])
		}
		code := cli.ExitNetwork
		if head[1] == 2 {
			code = cli.ExitPermission
		}
		return cli.Exitf(code, "SOCKS5 proxy %s could not connect to %s: %s", p.at, cli.JoinHostPort(host, port), why)
	}
	var rest int
	switch head[3] {
	case 1:
		rest = 4 + 2
	case 4:
		rest = 16 + 2
	case 3:
		l := make([]byte, 1)
		if _, err := io.ReadFull(s, l); err != nil {
			return fmt.Errorf("proxy %s: %w", p.at, eofText(err))
		}
		rest = int(l[0]) + 2
	default:
		return fmt.Errorf("SOCKS5 proxy %s: bad address type %d in its answer", p.at, head[3])
	}
	if _, err := io.ReadFull(s, make([]byte, rest)); err != nil {
		return fmt.Errorf("proxy %s: %w", p.at, eofText(err))
	}
	return nil
}

// targetPort is the target's port number for the proxy: a number or a TCP
// service name.
func targetPort(port string) (int, error) {
	n, ok := portNumber(port, "tcp")
	if !ok {
		return 0, cli.Exitf(cli.ExitResolve, "port %q: not a port number or a known TCP service", port)
	}
	return n, nil
}

// serveHTTPProxy answers one client of -l --proxy-type http: CONNECT
// HOST:PORT opens a tunnel, an absolute-URL request (GET http://…) is
// forwarded with Connection: close. With --proxy-auth the client must give
// the same credentials (Basic) or gets 407.
func serveHTTPProxy(ctx context.Context, o *options, l *link, from string) {
	defer l.Close()
	br := bufio.NewReader(l)
	req, err := http.ReadRequest(br)
	if err != nil {
		httpAnswer(l, 400, "Bad Request", "")
		return
	}
	if o.srv.proxyAuth != "" {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(o.srv.proxyAuth))
		if req.Header.Get("Proxy-Authorization") != want {
			fmt.Fprintf(o.stderr, "echocat: proxy: %s: refused: no or wrong Proxy-Authorization\n", from)
			httpAnswer(l, 407, "Proxy Authentication Required", "Proxy-Authenticate: Basic realm=\"echocat\"\r\n")
			return
		}
	}
	target := req.Host
	if req.Method != http.MethodConnect {
		if req.URL == nil || req.URL.Scheme != "http" || req.URL.Host == "" {
			httpAnswer(l, 400, "Bad Request", "")
			return
		}
		target = req.URL.Host
		if req.URL.Port() == "" {
			target += ":80"
		}
	}
	host, port, err := cli.SplitHostPort(target)
	if err != nil {
		httpAnswer(l, 400, "Bad Request", "")
		return
	}
	e, err := cli.NewInetEndpoint("tcp", host, port)
	if err != nil {
		httpAnswer(l, 400, "Bad Request", "")
		return
	}
	po := *o
	po.proxy, po.verbose = nil, false
	up, err := dial(ctx, &po, e)
	if err != nil {
		fmt.Fprintf(o.stderr, "echocat: proxy: %s: %s: %v\n", from, target, err)
		httpAnswer(l, 502, "Bad Gateway", "")
		return
	}
	if o.verbose {
		fmt.Fprintf(o.stderr, "echocat: proxy: %s %s for %s\n", req.Method, target, from)
	}
	upl := plain(up)
	defer upl.Close()
	// SIGTERM ends the tunnel: both sockets shut down, both copies return.
	stop := context.AfterFunc(ctx, func() {
		l.s.Shutdown(unix.SHUT_RDWR)
		up.Shutdown(unix.SHUT_RDWR)
	})
	defer stop()
	if req.Method == http.MethodConnect {
		if err := httpAnswer(l, 200, "Connection established", ""); err != nil {
			return
		}
	} else {
		req.Header.Del("Proxy-Authorization")
		req.Header.Del("Proxy-Connection")
		req.Close = true
		if err := req.Write(upl); err != nil {
			return
		}
	}
	relay(l, br, upl)
}

func httpAnswer(l *link, code int, reason, headers string) error {
	body := ""
	if code != 200 {
		body = fmt.Sprintf("%d %s\n", code, reason)
	}
	msg := fmt.Sprintf("HTTP/1.1 %d %s\r\n%s", code, reason, headers)
	if code != 200 {
		msg += fmt.Sprintf("Content-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n", len(body))
	}
	return l.sendAll([]byte(msg + "\r\n" + body))
}

// relay copies a (whose reads go through ar, holding what was read ahead)
// to b and b to a, half-closing each side when the other's data ends.
func relay(a *link, ar io.Reader, b *link) {
	done := make(chan struct{})
	go func() {
		io.Copy(b, ar)
		b.closeWrite()
		close(done)
	}()
	io.Copy(a, b)
	a.closeWrite()
	<-done
}
