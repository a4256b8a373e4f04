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

// probe runs -z: HOST PORTS, where PORTS is a list of ports and ranges
// ("22,80,8000-8010"), or a single URL. One line per port on standard
// output; exit 0 only if every port is open.
func probe(ctx context.Context, o *options, scheme string, args []string) error {
	var eps []*cli.Endpoint
	switch {
	case len(args) == 1 && strings.Contains(args[0], "://"):
		e, err := cli.ParseURL(args[0])
		if err != nil {
			return err
		}
		eps = append(eps, e)
	case len(args) == 2:
		ports, err := parsePorts(args[1])
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
		return cli.Usagef("-z wants HOST PORTS (22,80,8000-8010) or a URL")
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

// parsePorts parses "22,80,8000-8010".
func parsePorts(s string) ([]int, error) {
	var ports []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 1 || b > 65535 || a > b {
			return nil, cli.Usagef("bad port or range %q: want PORT or LOW-HIGH within 1-65535", part)
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
