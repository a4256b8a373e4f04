package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// sockAddr names the UNIX socket a SOCKET argument means: "@name" is the
// abstract name, anything else a filesystem path.
func sockAddr(arg string) (*sockcore.UnixAddr, error) {
	if arg == "" || arg == "@" {
		return nil, cli.Usagef("empty socket name: give a path or @name")
	}
	p := unixPath(arg)
	if err := checkUnixPath(p); err != nil {
		return nil, cli.Usagef("socket %q: %w", arg, err)
	}
	return &sockcore.UnixAddr{Name: p}, nil
}

// dialUnix connects to SOCKET trying SOCK_SEQPACKET, then SOCK_STREAM, then
// SOCK_DGRAM, so that it meets whatever type the receiver listens with.
// timeout > 0 bounds the connect and every later call on the socket.
func dialUnix(arg string, timeout time.Duration) (*sockcore.Socket, error) {
	a, err := sockAddr(arg)
	if err != nil {
		return nil, err
	}
	if !a.IsAbstract() {
		if err := checkSocketFile(a.Name); err != nil {
			return nil, err
		}
	}
	var last error
	for _, typ := range []int{unix.SOCK_SEQPACKET, unix.SOCK_STREAM, unix.SOCK_DGRAM} {
		s, err := sockcore.New(unix.AF_UNIX, typ, 0)
		if err != nil {
			return nil, err
		}
		if timeout > 0 {
			s.SetTimeout(timeout)
		} else {
			s.SetTimeout(sockcore.Forever)
		}
		err = s.Connect(a)
		if err == nil {
			return s, nil
		}
		s.Close()
		last = err
		// A path of another type gives EPROTOTYPE; an abstract name is
		// looked up with its type, so there it is ECONNREFUSED.
		if !errors.Is(err, syscall.EPROTOTYPE) && !(a.IsAbstract() && errors.Is(err, syscall.ECONNREFUSED)) {
			break
		}
	}
	return nil, connectError(arg, last)
}

func checkSocketFile(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return cli.Exitf(cli.ExitNoSuchThing, "connect to %s: no such socket (start the receiver first, or check the path)", path)
	case errors.Is(err, os.ErrPermission):
		return cli.Exitf(cli.ExitPermission, "connect to %s: permission denied on the path (run as a user who can reach it)", path)
	case err != nil:
		return fmt.Errorf("connect to %s: %w", path, err)
	case st.Mode().Type() != os.ModeSocket:
		return cli.Exitf(cli.ExitNoSuchThing, "connect to %s: not a socket but a %s (give the receiver's socket)", path, cli.FileKind(st.Mode()))
	}
	return nil
}

func connectError(arg string, err error) error {
	switch {
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return cli.Exitf(cli.ExitPermission, "connect to %s: permission denied (the socket is only for its owner: run as that user)", arg)
	case errors.Is(err, syscall.ECONNREFUSED) && arg[0] == '@':
		return cli.Exitf(cli.ExitNoSuchThing, "connect to %s: no socket bound to that abstract name (start the receiver first)", arg)
	case errors.Is(err, syscall.ECONNREFUSED):
		return cli.Exitf(cli.ExitNetwork, "connect to %s: connection refused (nobody listens there: a stale socket file?)", arg)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return cli.Exitf(cli.ExitTimeout, "connect to %s: timed out (the receiver's backlog is full)", arg)
	}
	return fmt.Errorf("connect to %s: %w", arg, err)
}

// listenUnix binds SOCKET with type typ and listens (except for datagrams).
// A path is created with mode (0600 unless told otherwise); a stale socket
// file nobody listens on is replaced, anything else there is an error.
// SO_PASSCRED is set so that every message carries SCM_CREDENTIALS. The
// returned cleanup closes the socket and removes the path.
func listenUnix(arg string, typ int, mode os.FileMode) (*sockcore.Socket, func(), error) {
	a, err := sockAddr(arg)
	if err != nil {
		return nil, nil, err
	}
	if !a.IsAbstract() {
		if err := clearStale(a.Name); err != nil {
			return nil, nil, err
		}
	}
	s, err := sockcore.New(unix.AF_UNIX, typ, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
		s.Close()
		return nil, nil, err
	}
	// bind creates the file with 0777 &^ umask: the mode comes from the
	// umask at bind time, so the file is never wider than asked and no
	// chmod by name follows (which would follow a symlink swapped in after
	// the bind).
	old := unix.Umask(int(0o777 &^ mode.Perm()))
	err = s.Bind(a)
	unix.Umask(old)
	if err != nil {
		s.Close()
		return nil, nil, bindError(arg, err)
	}
	cleanup := func() {
		s.Close()
		if !a.IsAbstract() {
			os.Remove(a.Name)
		}
	}
	if typ != unix.SOCK_DGRAM {
		if err := s.Listen(sockcore.DefaultBacklog); err != nil {
			cleanup()
			return nil, nil, err
		}
	}
	return s, cleanup, nil
}

func clearStale(path string) error {
	err := cli.ClearStaleSocket(path)
	if errors.Is(err, syscall.EADDRINUSE) {
		return cli.Exitf(cli.ExitNetwork, "listen on %s: address in use (another receiver listens there)", path)
	}
	return err
}

func bindError(arg string, err error) error {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return cli.Exitf(cli.ExitNetwork, "listen on %s: address in use (another receiver listens there)", arg)
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return cli.Exitf(cli.ExitPermission, "listen on %s: permission denied (choose a directory you can write)", arg)
	case errors.Is(err, syscall.ENOENT):
		return cli.Exitf(cli.ExitNoSuchThing, "listen on %s: the directory does not exist", arg)
	}
	return fmt.Errorf("listen on %s: %w", arg, err)
}

// peerCred returns SO_PEERCRED of a connected UNIX socket: the credentials
// of the peer when it connected.
func peerCred(s *sockcore.Socket) (*unix.Ucred, error) {
	b, err := s.GetsockoptBytes(unix.SOL_SOCKET, unix.SO_PEERCRED, unix.SizeofUcred)
	if err != nil {
		return nil, err
	}
	return ucredOf(b)
}

func ucredOf(b []byte) (*unix.Ucred, error) {
	if len(b) < unix.SizeofUcred {
		return nil, fmt.Errorf("credentials: %d bytes, want %d", len(b), unix.SizeofUcred)
	}
	m := unix.SocketControlMessage{Header: unix.Cmsghdr{Level: unix.SOL_SOCKET, Type: unix.SCM_CREDENTIALS}, Data: b}
	return unix.ParseUnixCredentials(&m)
}

func credString(c *unix.Ucred) string {
	return fmt.Sprintf("pid %d uid %d gid %d", c.Pid, c.Uid, c.Gid)
}

// expectFlag is --expect-uid of the clients: whom they accept as the
// server.
func expectFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "expect-uid", Usage: "accept a server run by `UID` (default: your own uid; root always), or any: anyone"}
}

// serverPolicy is whom a client accepts as the server it connected to.
type serverPolicy struct {
	any bool
	uid uint32
}

func parseExpectUID(s string) (serverPolicy, error) {
	switch s {
	case "":
		return serverPolicy{uid: uint32(os.Geteuid())}, nil
	case "any":
		return serverPolicy{any: true}, nil
	}
	u, err := strconv.ParseUint(s, 10, 32)
	if err != nil || u == 1<<32-1 {
		return serverPolicy{}, cli.Usagef("--expect-uid %q: want a numeric user id or any", s)
	}
	return serverPolicy{uid: uint32(u)}, nil
}

// check makes sure the server at the other end of s is run by the expected
// uid or root before anything is handed to it or taken from it: an
// abstract name belongs to whoever binds it first, and a path in a
// directory others can write to to whoever creates it. A stream or
// seqpacket server is known by SO_PEERCRED; a datagram socket has no peer
// credentials, so its file's owner stands for it, and an abstract datagram
// name cannot be checked at all.
func (p serverPolicy) check(s *sockcore.Socket, arg string) error {
	if p.any {
		return nil
	}
	var uid uint32
	who := ""
	if s.Type() == unix.SOCK_DGRAM {
		a, err := sockAddr(arg)
		if err != nil {
			return err
		}
		if a.IsAbstract() {
			return cli.Exitf(cli.ExitPermission, "connect to %s: an abstract datagram socket cannot tell who bound it (anyone may bind an abstract name first): use a path or a stream or seqpacket receiver, or --expect-uid any", arg)
		}
		var st unix.Stat_t
		if err := unix.Lstat(a.Name, &st); err != nil {
			return fmt.Errorf("connect to %s: %w", arg, os.NewSyscallError("lstat", err))
		}
		uid, who = st.Uid, "owned"
	} else {
		cred, err := peerCred(s)
		if err != nil {
			return fmt.Errorf("connect to %s: %w", arg, err)
		}
		uid, who = cred.Uid, fmt.Sprintf("run (pid %d)", cred.Pid)
	}
	if uid == 0 || uid == p.uid {
		return nil
	}
	return cli.Exitf(cli.ExitPermission, "connect to %s: it is %s by uid %d, not by uid %d or root: refusing to use it (an abstract name belongs to whoever binds it first; --expect-uid %d if that is the server you meant)", arg, who, uid, p.uid, uid)
}
