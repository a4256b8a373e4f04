package main

// Listen URLs, the forms echod takes. This file stands in for
// internal/cli/url.go until that lands: listenURL is the one function the
// rest of fdpass calls, so moving onto the shared parser is a one-line swap.

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// listenSpec is a parsed listen URL.
type listenSpec struct {
	Family, Type, Proto int
	Host, Port          string // inet forms
	Path                string // unix forms: exact sun_path ("\x00name" for @name)
	FD                  int    // fd://N; -1 otherwise
}

var inetSchemes = map[string]struct{ typ, proto int }{
	"tcp":     {unix.SOCK_STREAM, 0},
	"udp":     {unix.SOCK_DGRAM, 0},
	"udplite": {unix.SOCK_DGRAM, unix.IPPROTO_UDPLITE},
	"mptcp":   {unix.SOCK_STREAM, unix.IPPROTO_MPTCP},
}

var unixSchemes = map[string]int{
	"unix":           unix.SOCK_STREAM,
	"unix-dgram":     unix.SOCK_DGRAM,
	"unix-seqpacket": unix.SOCK_SEQPACKET,
}

// parseListenURL parses tcp://HOST:PORT, udp://, udplite://, mptcp://
// (HOST may be empty, an IPv4 address or a bracketed IPv6 address),
// unix:///path, unix://@abstract, unix-dgram://, unix-seqpacket:// and fd://N.
func parseListenURL(s string) (listenSpec, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return listenSpec{}, fmt.Errorf("listen URL %q has no scheme (use tcp://HOST:PORT, udp://HOST:PORT, unix:///path, unix://@name or fd://N)", s)
	}
	spec := listenSpec{FD: -1}
	if in, ok := inetSchemes[scheme]; ok {
		host, port, err := net.SplitHostPort(rest)
		if err != nil {
			return listenSpec{}, fmt.Errorf("listen URL %q: want %s://HOST:PORT", s, scheme)
		}
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 || n > 65535 {
			return listenSpec{}, fmt.Errorf("listen URL %q: port %q is not a number from 0 to 65535", s, port)
		}
		spec.Type, spec.Proto, spec.Host, spec.Port = in.typ, in.proto, host, port
		if strings.Contains(host, ":") {
			spec.Family = unix.AF_INET6
		}
		return spec, nil
	}
	if typ, ok := unixSchemes[scheme]; ok {
		if rest == "" || rest == "@" {
			return listenSpec{}, fmt.Errorf("listen URL %q: want %s:///path or %s://@name", s, scheme, scheme)
		}
		spec.Family, spec.Type = unix.AF_UNIX, typ
		spec.Path = unixPath(rest)
		if err := checkUnixPath(spec.Path); err != nil {
			return listenSpec{}, fmt.Errorf("listen URL %q: %v", s, err)
		}
		return spec, nil
	}
	if scheme == "fd" {
		n, err := strconv.Atoi(rest)
		if err != nil || n < 0 {
			return listenSpec{}, fmt.Errorf("listen URL %q: want fd://N with N a descriptor number", s)
		}
		spec.FD = n
		return spec, nil
	}
	return listenSpec{}, fmt.Errorf("listen URL %q: unknown scheme %q (tcp, udp, udplite, mptcp, unix, unix-dgram, unix-seqpacket, fd)", s, scheme)
}

// unixPath turns "@name" into the abstract sun_path "\x00name"; anything else
// is a filesystem path.
func unixPath(s string) string {
	if strings.HasPrefix(s, "@") {
		return "\x00" + s[1:]
	}
	return s
}

// checkUnixPath enforces sun_path's size: 107 bytes and a NUL for a path,
// 108 bytes for an abstract name with its leading NUL.
func checkUnixPath(p string) error {
	if len(p) > 0 && p[0] == 0 {
		if len(p) > sockcore.UnixPathMax {
			return fmt.Errorf("abstract name longer than %d bytes", sockcore.UnixPathMax-1)
		}
		return nil
	}
	if len(p) >= sockcore.UnixPathMax || strings.IndexByte(p, 0) >= 0 {
		return fmt.Errorf("UNIX socket path longer than %d bytes or with a NUL", sockcore.UnixPathMax-1)
	}
	return nil
}

// listenURL creates the socket a listen URL names: bound, and listening for
// stream and seqpacket types. fd://N wraps a duplicate of descriptor N.
func listenURL(s string) (*sockcore.Socket, error) {
	spec, err := parseListenURL(s)
	if err != nil {
		return nil, cli.Exit(cli.ExitUsage, err)
	}
	return listenOn(spec)
}

func listenOn(spec listenSpec) (*sockcore.Socket, error) {
	switch {
	case spec.FD >= 0:
		fd, err := dupFD(spec.FD)
		if err != nil {
			return nil, err
		}
		s, err := sockcore.FromFD(fd)
		if err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("fd://%d: %w", spec.FD, err)
		}
		return s, nil
	case spec.Family == unix.AF_UNIX:
		s, err := sockcore.New(unix.AF_UNIX, spec.Type, 0)
		if err != nil {
			return nil, err
		}
		a := &sockcore.UnixAddr{Name: spec.Path}
		if err := s.Bind(a); err != nil {
			s.Close()
			return nil, fmt.Errorf("bind %s: %w", a, err)
		}
		if spec.Type != unix.SOCK_DGRAM {
			if err := s.Listen(sockcore.DefaultBacklog); err != nil {
				s.Close()
				return nil, err
			}
		}
		return s, nil
	default:
		opts := []sockcore.ServerOption{sockcore.WithServerType(spec.Type), sockcore.WithServerProto(spec.Proto)}
		if spec.Family != 0 {
			opts = append(opts, sockcore.WithServerFamily(spec.Family))
		}
		return sockcore.CreateServer(spec.Host, spec.Port, opts...)
	}
}

// dupFD duplicates fd close-on-exec, saying clearly when fd is not open.
func dupFD(fd int) (int, error) {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		if err == unix.EBADF {
			return -1, cli.Exitf(cli.ExitNoSuchThing, "descriptor %d is not open in this process", fd)
		}
		return -1, fmt.Errorf("duplicate descriptor %d: %w", fd, os.NewSyscallError("fcntl", err))
	}
	return nfd, nil
}
