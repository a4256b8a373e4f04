package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// defaultProbeWait bounds each -z probe when -w is not given.
const defaultProbeWait = 2 * time.Second

// maxProbePorts bounds a -z port list.
const maxProbePorts = 65536

// probe runs -z: HOST PORTS..., where each PORTS is a list of ports and
// ranges ("22,80,8000-8010"; several operands, as OpenBSD nc's
// "HOST http 20 22-23", are one list in their order), or a single URL.
// One line per port on standard output; exit 0 only if every port is
// open.
func probe(ctx context.Context, o *options, scheme string, args []string) error {
	var eps []*cli.Endpoint
	switch {
	case len(args) == 1 && strings.Contains(args[0], "://"):
		e, err := cli.ParseURL(args[0])
		if err != nil {
			return err
		}
		eps = append(eps, e)
	case len(args) >= 2 && !strings.Contains(strings.Join(args, " "), "://"):
		proto := "tcp"
		if scheme == "udp" {
			proto = "udp"
		}
		ports, err := parsePorts(strings.Join(args[1:], ","), proto)
		if err != nil {
			return err
		}
		for _, p := range ports {
			e, err := cli.NewInetEndpoint(scheme, args[0], strconv.Itoa(p))
			if err != nil {
				return err
			}
			eps = append(eps, e)
		}
	default:
		return cli.Usagef("-z wants HOST PORTS (22,80,8000-8010, or 22 80 8000-8010) or a URL")
	}
	if o.wait <= 0 {
		o.wait = defaultProbeWait
	}
	closed := 0
	for _, e := range eps {
		state, err := probeOne(ctx, o, e)
		if state != "open" && o.waitFor > 0 {
			state, err = probeWaiting(ctx, o, e)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var gai *sockcore.GAIError
		if errors.As(err, &gai) {
			return err // an unknown host fails the same for every port
		}
		if state != "open" {
			closed++
		}
		line := fmt.Sprintf("%s %s", e, state)
		if err != nil {
			line += ": " + errText(err)
		}
		fmt.Fprintln(o.stdout, line)
	}
	if closed > 0 && o.waitFor > 0 {
		return cli.Exitf(cli.ExitTimeout, "--wait-for %s: %d of %d ports did not open", o.waitFor, closed, len(eps))
	}
	if closed > 0 {
		return cli.Quiet(cli.ExitFailure)
	}
	return nil
}

// probeOne connects (stream) or sends an empty datagram and waits for an
// ICMP refusal (datagram: no refusal within -w counts as open).
func probeOne(ctx context.Context, o *options, e *cli.Endpoint) (string, error) {
	s, err := dial(ctx, &options{family: o.family, wait: o.wait, numeric: o.numeric, source: o.source,
		sockopts: o.sockopts, stderr: o.stderr}, e)
	if err != nil {
		var gai *sockcore.GAIError
		switch {
		case errors.As(err, &gai):
			return "error", err
		case errors.Is(err, os.ErrDeadlineExceeded):
			return "timeout", nil
		}
		return "closed", err
	}
	defer s.Close()
	if s.Type() != unix.SOCK_DGRAM {
		return "open", nil
	}
	if _, err := s.Send(nil, 0); err != nil {
		return "closed", err
	}
	s.SetTimeout(o.wait)
	_, err = s.Recv(1, 0)
	switch {
	case err == nil:
		return "open", nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "open", nil // no ICMP port unreachable: open or filtered
	}
	return "closed", err
}

// errText is the errno part of err, e.g. "connection refused".
func errText(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}

// parsePorts parses "22,80,8000-8010" and service names of proto
// ("http,https", "ssh-8022"), as HOST PORT takes them. A bad number or
// range is a usage error; an unknown service name exits 3, as in connect
// mode.
func parsePorts(s, proto string) ([]int, error) {
	var ports []int
	for _, part := range strings.Split(s, ",") {
		a, b, err := portRange(part, proto)
		if err != nil {
			return nil, err
		}
		for p := a; p <= b; p++ {
			ports = append(ports, p)
		}
		if len(ports) > maxProbePorts {
			return nil, cli.Usagef("too many ports in %q", s)
		}
	}
	return ports, nil
}

// portRange reads PORT or LOW-HIGH, each a number or a service name; a
// name with a dash in it (ms-sql-s) is taken whole first.
func portRange(part, proto string) (lo, hi int, err error) {
	bad := cli.Usagef("bad port or range %q: want PORT or LOW-HIGH within 1-65535 (numbers or service names)", part)
	if p, ok := portNumber(part, proto); ok {
		return p, p, nil
	}
	l, h, isRange := strings.Cut(part, "-")
	if !isRange {
		if _, num, _ := sockcore.ParsePort(part); num || part == "" {
			return 0, 0, bad
		}
		return 0, 0, cli.Exitf(cli.ExitResolve, "-z: unknown %s service %q (see /etc/services)", proto, part)
	}
	a, ok1 := portNumber(l, proto)
	b, ok2 := portNumber(h, proto)
	if !ok1 || !ok2 || a > b {
		return 0, 0, bad
	}
	return a, b, nil
}

// portNumber reads a port number 1-65535 or a service name of proto.
func portNumber(s, proto string) (int, bool) {
	if n, num, err := sockcore.ParsePort(s); num {
		return n, err == nil && n >= 1
	}
	if s == "" || strings.ContainsAny(s, " \t,") {
		return 0, false
	}
	n, err := sockcore.GetServByName(s, proto)
	return n, err == nil && n >= 1 && n <= 65535
}
