package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// splitArgs splits --exec's PROG into argv at blanks, without a shell; a
// backslash keeps the next character (a blank included), as ncat.
func splitArgs(s string) []string {
	var argv []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			in = true
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				argv = append(argv, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		argv = append(argv, cur.String())
	}
	return argv
}

// lookProgram resolves argv[0] once, so that a program that does not exist
// is an error before anything listens or connects.
func lookProgram(flag string, argv []string) error {
	if len(argv) == 0 {
		return cli.Usagef("%s: no program given", flag)
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) {
			err = ee.Err
		}
		if errors.Is(err, exec.ErrNotFound) {
			return cli.Exitf(cli.ExitNoSuchThing, "%s %s: no such program in $PATH", flag, argv[0])
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		code := cli.ExitCode(err)
		if code == cli.ExitFailure {
			code = cli.ExitNoSuchThing
		}
		return cli.Exit(code, fmt.Errorf("%s %s: cannot run it: %w", flag, argv[0], err))
	}
	argv[0] = path
	return nil
}

// childEnv is what ncat sets for --exec (NCAT_*) and what ucspi-tcp's
// tcpserver sets (TCP*), from the connection's addresses.
func childEnv(s *sockcore.Socket) []string {
	peer, _ := s.PeerName()
	local, _ := s.SockName()
	return envFor(cli.SchemeOf(s), peer, local)
}

// envFor is childEnv from a scheme and the two addresses.
func envFor(scheme string, peer, local sockcore.Addr) []string {
	env := []string{"NCAT_PROTO=" + strings.ToUpper(scheme)}
	add := func(a sockcore.Addr, ncat, tcp string) {
		if a == nil {
			return
		}
		if ip, ok := addrIP(a); ok {
			port, _ := addrPort(a)
			p := strconv.Itoa(port)
			env = append(env, "NCAT_"+ncat+"_ADDR="+ip.String(), "NCAT_"+ncat+"_PORT="+p,
				"TCP"+tcp+"IP="+ip.String(), "TCP"+tcp+"PORT="+p)
			return
		}
		if v, ok := a.(*sockcore.VSockAddr); ok {
			env = append(env, "NCAT_"+ncat+"_ADDR="+strconv.FormatUint(uint64(v.CID), 10), "NCAT_"+ncat+"_PORT="+strconv.FormatUint(uint64(v.Port), 10))
			return
		}
		env = append(env, "NCAT_"+ncat+"_ADDR="+a.String())
	}
	add(peer, "REMOTE", "REMOTE")
	add(local, "LOCAL", "LOCAL")
	return env
}

// runChild runs --exec/--sh-exec with the connection as its standard input
// and output and waits for it; the connection is closed when it returns.
func runChild(ctx context.Context, o *options, l *link) error {
	return runChildWith(ctx, o, l, nil, nil)
}

// runChildWith is runChild with first given to the process before what the
// connection brings (the datagram that started a -l -u session), and
// started (nil: none) called once the process started or failed to. A plain
// stream connection is the process's own descriptor; TLS and datagram
// connections are relayed through pipes. Cancelling ctx sends the process
// SIGTERM and waits for it.
func runChildWith(ctx context.Context, o *options, l *link, first []byte, started func()) error {
	argv := o.srv.execArgv
	cmd := &exec.Cmd{Path: argv[0], Args: argv, Env: append(os.Environ(), childEnv(l.s)...), Stderr: childStderr(o.stderr)}
	direct := l.tls == nil && first == nil && l.s.Type() != unix.SOCK_DGRAM
	var copied chan struct{}
	if direct {
		f, err := l.s.File()
		if err != nil {
			l.Close()
			return err
		}
		// The descriptor shares its file status flags with the socket:
		// the process wants blocking I/O, and the socket is done with.
		unix.SetNonblock(int(f.Fd()), false)
		cmd.Stdin, cmd.Stdout = f, f
		err = cmd.Start()
		if started != nil {
			started()
		}
		f.Close()
		l.Close()
		if err != nil {
			return fmt.Errorf("run %s: %w", argv[0], err)
		}
	} else {
		inR, inW, err := os.Pipe()
		if err != nil {
			l.Close()
			return err
		}
		outR, outW, err := os.Pipe()
		if err != nil {
			inR.Close()
			inW.Close()
			l.Close()
			return err
		}
		cmd.Stdin, cmd.Stdout = inR, outW
		err = cmd.Start()
		if started != nil {
			started()
		}
		inR.Close()
		outW.Close()
		if err != nil {
			inW.Close()
			outR.Close()
			l.Close()
			return fmt.Errorf("run %s: %w", argv[0], err)
		}
		go func() {
			defer inW.Close()
			if len(first) > 0 {
				if _, err := inW.Write(first); err != nil {
					return
				}
			}
			io.Copy(inW, l)
		}()
		copied = make(chan struct{})
		go func() {
			defer close(copied)
			defer outR.Close()
			buf := make([]byte, 64<<10)
			for {
				n, err := outR.Read(buf)
				if n > 0 && l.sendAll(buf[:n]) != nil {
					return
				}
				if err != nil {
					break
				}
			}
			if l.s.Type() != unix.SOCK_DGRAM {
				l.closeWrite()
			}
		}()
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var err error
	select {
	case err = <-waited:
	case <-ctx.Done():
		err = stopChild(cmd, waited)
	}
	if copied != nil {
		<-copied
		l.Close()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && o.verbose {
		fmt.Fprintf(o.stderr, "echocat: %s: %s\n", argv[0], ee.ProcessState)
	}
	return nil
}

// childStderr is the standard error a process inherits: the file under the
// server's lock, so that os/exec needs no pipe and goroutine per process.
func childStderr(w io.Writer) io.Writer {
	if lw, ok := w.(*lockedWriter); ok {
		if f, ok := lw.w.(*os.File); ok {
			return f
		}
	}
	return w
}

// killAfter is how long a process has between SIGTERM and SIGKILL when
// echocat is stopped: interrupts end every tool within a second.
const killAfter = 500 * time.Millisecond

// stopChild sends SIGTERM, then SIGKILL if the process has not exited
// within killAfter, and returns its wait result.
func stopChild(cmd *exec.Cmd, waited <-chan error) error {
	cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(killAfter)
	defer t.Stop()
	select {
	case err := <-waited:
		return err
	case <-t.C:
		cmd.Process.Kill()
		return <-waited
	}
}
