package main

// fdpass activate: socket activation in one step (systemd-socket-activate).
// Without --accept, COMMAND starts at once with the listening sockets at 3,
// 4, …; with --accept, one COMMAND per connection gets the connection at 3
// (LISTEN_FDNAMES=connection, as systemd names it); with --inetd, the
// connection is COMMAND's stdin and stdout and no LISTEN_* is set.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func activateCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "activate",
		Usage:     "listen on URLs and run COMMAND with the sockets (or, with --accept, once per connection)",
		ArgsUsage: "-- COMMAND [ARGS...]",
		// COMMAND's own options are its own: parsing stops at COMMAND.
		StopOnNthArg: cli.OperandsOnly(1),
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "listen", Aliases: []string{"l"}, Required: true, Usage: "listen on `URL` (repeatable), the forms of send --listen"},
			&ucli.StringSliceFlag{Name: "name", Usage: "`NAME` for LISTEN_FDNAMES: once for all, or once per --listen"},
			&ucli.BoolFlag{Name: "accept", Aliases: []string{"a"}, Usage: "run COMMAND once per connection, with the connection at 3"},
			&ucli.BoolFlag{Name: "inetd", Usage: "run COMMAND once per connection, with the connection as stdin and stdout"},
			&ucli.IntFlag{Name: "max-connections", Value: defaultMaxConnections, Usage: "with --accept or --inetd: run at most `N` COMMANDs at once; more connections are closed at once (systemd's MaxConnections=)"},
			verboseFlag(),
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			argv := c.Args().Slice()
			if _, err := lookCommand(argv); err != nil {
				return err
			}
			urls := c.StringSlice("listen")
			perConn := c.Bool("accept") || c.Bool("inetd")
			if perConn && c.IsSet("name") {
				return cli.Usagef("--name names listening sockets: with --accept or --inetd COMMAND gets a connection")
			}
			if c.IsSet("max-connections") && !perConn {
				return cli.Usagef("--max-connections limits --accept and --inetd: without them COMMAND runs once")
			}
			if n := c.Int("max-connections"); n < 1 {
				return cli.Usagef("--max-connections %d: want at least 1", n)
			}
			names, err := namesFor(c.StringSlice("name"), len(urls))
			if err != nil {
				return err
			}
			var lns []*sockcore.Socket
			var created []socketFile
			defer func() {
				for _, s := range lns {
					s.Close()
				}
				for _, f := range created {
					f.remove()
				}
			}()
			for _, u := range urls {
				s, err := listenURL(u)
				if err != nil {
					return fmt.Errorf("listen on %s: %w", u, err)
				}
				lns = append(lns, s)
				if f, ok := boundSocketFile(u, s); ok {
					created = append(created, f)
				}
				if perConn && s.Type() == unix.SOCK_DGRAM {
					return cli.Usagef("listen on %s: --accept and --inetd need stream sockets, this is a datagram socket", u)
				}
				if c.Bool("verbose") {
					a, _ := s.SockName()
					fmt.Fprintf(c.Root().ErrWriter, "fdpass: activate: listening on %s (%s)\n", u, a)
				}
			}
			if perConn {
				return acceptLoop(ctx, c, lns, argv)
			}
			files := make([]*os.File, len(lns))
			for i, s := range lns {
				if files[i], err = s.File(); err != nil {
					closeFiles(files[:i])
					return err
				}
			}
			// COMMAND owns the listeners now; fdpass keeps no copy.
			for _, s := range lns {
				s.Close()
			}
			return handOnFiles(ctx, c, files, names, argv)
		},
	}
}

// handOnFiles runs COMMAND with files at 3, 4, … and waits for it.
func handOnFiles(ctx context.Context, c *ucli.Command, files []*os.File, names []string, argv []string) error {
	sp := &spawn{Argv: argv, Files: files, Names: names, Stdin: c.Root().Reader, Stdout: c.Root().Writer, Stderr: c.Root().ErrWriter}
	cmd, err := sp.start()
	closeFiles(files)
	if err != nil {
		return err
	}
	if c.Bool("verbose") {
		fmt.Fprintf(c.Root().ErrWriter, "fdpass: started %s as pid %d with %d descriptors\n", argv[0], cmd.Process.Pid, len(files))
	}
	return wait(ctx, cmd)
}

// defaultMaxConnections is systemd's MaxConnections= default.
const defaultMaxConnections = 64

// acceptLoop runs one COMMAND per connection until the context ends, at
// most --max-connections at once: a connection beyond that is accepted and
// closed at once, as systemd does. No accept error and no failure to start
// COMMAND ends the loop (only the listener going away does): each is
// complained about once per interval with a count.
// Children are not waited for one by one: each is reaped when it exits.
func acceptLoop(ctx context.Context, c *ucli.Command, lns []*sockcore.Socket, argv []string) error {
	complain := newComplainer(c.Root().ErrWriter, "fdpass: activate: ", complainInterval)
	defer complain.stop()
	type accepted struct {
		s    *sockcore.Socket
		peer sockcore.Addr
		err  error
	}
	conns := make(chan accepted)
	var wg sync.WaitGroup
	for _, ln := range lns {
		ln.SetTimeout(sockcore.Forever)
		wg.Add(1)
		go func() {
			defer wg.Done()
			acc := newAcceptor(ln, complain)
			defer acc.close()
			for {
				s, peer, err := acc.accept(ctx)
				select {
				case conns <- accepted{s, peer, err}:
				case <-ctx.Done():
					if s != nil {
						s.Close()
					}
					return
				}
				if err != nil {
					return
				}
			}
		}()
	}
	var (
		children sync.WaitGroup
		mu       sync.Mutex
		running  int
	)
	defer children.Wait()
	defer wg.Wait()
	maxConns := c.Int("max-connections")
	for {
		var a accepted
		select {
		case <-ctx.Done():
			return nil
		case a = <-conns:
		}
		if a.err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("accept: %w", a.err)
		}
		mu.Lock()
		n := running
		mu.Unlock()
		if n >= maxConns {
			a.s.Close()
			complain.say("busy", "too many connections (%d COMMANDs running, --max-connections %d): closed the connection from %s", n, maxConns, a.peer)
			continue
		}
		who := fmt.Sprint(a.peer)
		if c.Bool("verbose") && a.s.Family() == unix.AF_UNIX {
			if cred, err := peerCred(a.s); err == nil {
				who += " (" + credString(cred) + ", SO_PEERCRED)"
			}
		}
		cmd, err := startForConn(c, a.s, argv)
		if err != nil {
			complain.say("start", "connection from %s: %v: closed it", who, err)
			continue
		}
		if c.Bool("verbose") {
			fmt.Fprintf(c.Root().ErrWriter, "fdpass: activate: connection from %s: started %s as pid %d\n", who, argv[0], cmd.Process.Pid)
		}
		mu.Lock()
		running++
		mu.Unlock()
		children.Add(1)
		go func() {
			defer children.Done()
			cmd.Wait()
			mu.Lock()
			running--
			mu.Unlock()
		}()
	}
}

func startForConn(c *ucli.Command, s *sockcore.Socket, argv []string) (*exec.Cmd, error) {
	defer s.Close()
	f, err := s.File()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sp := &spawn{Argv: argv, Stdout: c.Root().Writer, Stderr: c.Root().ErrWriter}
	// Children running side by side share fdpass's stdin only when it is
	// a file they can inherit; a reader cannot be split between them.
	if in, ok := c.Root().Reader.(*os.File); ok {
		sp.Stdin = in
	}
	if c.Bool("inetd") {
		sp.Inetd, sp.Conn = true, f
	} else {
		sp.Files, sp.Names = []*os.File{f}, []string{"connection"}
	}
	return sp.start()
}

// socketFile is a UNIX socket path activate bound, removed when it exits
// (systemd-socket-activate leaves them; a second run would find the path in
// use).
type socketFile struct {
	path     string
	dev, ino uint64
}

// boundSocketFile reports the filesystem path s was bound to by a unix*://
// listen URL (not fd://, whose path belongs to someone else).
func boundSocketFile(u string, s *sockcore.Socket) (socketFile, bool) {
	if s.Family() != unix.AF_UNIX || strings.HasPrefix(u, "fd:") {
		return socketFile{}, false
	}
	a, err := s.SockName()
	ua, ok := a.(*sockcore.UnixAddr)
	if err != nil || !ok || ua.Name == "" || ua.IsAbstract() {
		return socketFile{}, false
	}
	var st unix.Stat_t
	if unix.Lstat(ua.Name, &st) != nil {
		return socketFile{}, false
	}
	return socketFile{path: ua.Name, dev: st.Dev, ino: st.Ino}, true
}

// remove unlinks the path if it is still the socket activate created.
func (f socketFile) remove() {
	var st unix.Stat_t
	if unix.Lstat(f.path, &st) == nil && st.Dev == f.dev && st.Ino == f.ino && st.Mode&unix.S_IFMT == unix.S_IFSOCK {
		os.Remove(f.path)
	}
}
