package main

// fdpass activate: socket activation in one step (systemd-socket-activate).
// Without --accept, COMMAND starts at once with the listening sockets at 3,
// 4, …; with --accept, one COMMAND per connection gets the connection at 3
// (LISTEN_FDNAMES=connection, as systemd names it); with --inetd, the
// connection is COMMAND's stdin and stdout and no LISTEN_* is set.

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func activateCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "activate",
		Usage:     "listen on URLs and run COMMAND with the sockets (or, with --accept, once per connection)",
		ArgsUsage: "-- COMMAND [ARGS...]",
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "listen", Aliases: []string{"l"}, Required: true, Usage: "listen on `URL` (repeatable), the forms of send --listen"},
			&ucli.StringSliceFlag{Name: "name", Usage: "`NAME` for LISTEN_FDNAMES: once for all, or once per --listen"},
			&ucli.BoolFlag{Name: "accept", Aliases: []string{"a"}, Usage: "run COMMAND once per connection, with the connection at 3"},
			&ucli.BoolFlag{Name: "inetd", Usage: "run COMMAND once per connection, with the connection as stdin and stdout"},
			verboseFlag(),
		},
		Action: func(c *ucli.Context) error {
			argv := c.Args().Slice()
			if _, err := lookCommand(argv); err != nil {
				return err
			}
			urls := c.StringSlice("listen")
			perConn := c.Bool("accept") || c.Bool("inetd")
			if perConn && c.IsSet("name") {
				return cli.Usagef("--name names listening sockets: with --accept or --inetd COMMAND gets a connection")
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
					fmt.Fprintf(c.App.ErrWriter, "fdpass: activate: listening on %s (%s)\n", u, a)
				}
			}
			if perConn {
				return acceptLoop(c, lns, argv)
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
			return handOnFiles(c, files, names, argv)
		},
	}
}

// handOnFiles runs COMMAND with files at 3, 4, … and waits for it.
func handOnFiles(c *ucli.Context, files []*os.File, names []string, argv []string) error {
	sp := &spawn{Argv: argv, Files: files, Names: names, Stdin: c.App.Reader, Stdout: c.App.Writer, Stderr: c.App.ErrWriter}
	cmd, err := sp.start()
	closeFiles(files)
	if err != nil {
		return err
	}
	if c.Bool("verbose") {
		fmt.Fprintf(c.App.ErrWriter, "fdpass: started %s as pid %d with %d descriptors\n", argv[0], cmd.Process.Pid, len(files))
	}
	return wait(c.Context, cmd)
}

// acceptLoop runs one COMMAND per connection until the context ends.
// Children are not waited for one by one: each is reaped when it exits.
func acceptLoop(c *ucli.Context, lns []*sockcore.Socket, argv []string) error {
	ctx := c.Context
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
			for {
				s, peer, err := ln.AcceptContext(ctx)
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
	var children sync.WaitGroup
	defer children.Wait()
	defer wg.Wait()
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
		who := fmt.Sprint(a.peer)
		if c.Bool("verbose") && a.s.Family() == unix.AF_UNIX {
			if cred, err := peerCred(a.s); err == nil {
				who += " (" + credString(cred) + ", SO_PEERCRED)"
			}
		}
		cmd, err := startForConn(c, a.s, argv)
		if err != nil {
			return err
		}
		if c.Bool("verbose") {
			fmt.Fprintf(c.App.ErrWriter, "fdpass: activate: connection from %s: started %s as pid %d\n", who, argv[0], cmd.Process.Pid)
		}
		children.Add(1)
		go func() {
			defer children.Done()
			cmd.Wait()
		}()
	}
}

func startForConn(c *ucli.Context, s *sockcore.Socket, argv []string) (*exec.Cmd, error) {
	defer s.Close()
	f, err := s.File()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sp := &spawn{Argv: argv, Stdout: c.App.Writer, Stderr: c.App.ErrWriter}
	// Children running side by side share fdpass's stdin only when it is
	// a file they can inherit; a reader cannot be split between them.
	if in, ok := c.App.Reader.(*os.File); ok {
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
