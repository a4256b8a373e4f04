package main

// Starting COMMAND with descriptors the systemd way: at 3, 4, … in blocking
// mode, with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID set.
//
// LISTEN_PID must be the pid of COMMAND itself, which is only known after
// fork. A C program (systemd-socket-activate) sets it in the child between
// fork and exec; Go cannot run code there, and cannot safely dup2 descriptors
// over its own low-numbered ones (the runtime's epoll descriptor may sit at
// 3) to exec in place. So fdpass starts a tiny re-exec of itself through
// os/exec, which places the descriptors at 3, 4, … in the child: that
// process's first act is to set LISTEN_PID to its own pid and execve(2)
// COMMAND, which keeps the pid. fdpass itself stays as the parent, forwards
// SIGINT and SIGTERM, and exits with COMMAND's status.

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

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
)

// helperArg is argv[1] of the re-exec: fdpass __listen-exec PATH ARGV0 ARGS…
const helperArg = "__listen-exec"

// runHelper is the re-exec: it sets LISTEN_PID and becomes COMMAND.
func runHelper(args []string) error {
	if len(args) < 2 {
		return cli.Usagef("%s: want PATH ARGV0 [ARGS]", helperArg)
	}
	os.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()))
	err := syscall.Exec(args[0], args[1:], os.Environ())
	return cli.Exitf(126, "run %s: %w", args[0], err)
}

// spawn describes one COMMAND to start.
type spawn struct {
	Argv   []string
	Files  []*os.File // at 3, 4, …; put in blocking mode
	Names  []string   // LISTEN_FDNAMES, one per file
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Inetd starts COMMAND with Conn as stdin and stdout and no LISTEN_*.
	Inetd bool
	Conn  *os.File
}

// lookCommand resolves COMMAND on PATH, with the error a user can act on.
func lookCommand(argv []string) (string, error) {
	if len(argv) == 0 {
		return "", cli.Usagef("no COMMAND given: put it after --")
	}
	p, err := exec.LookPath(argv[0])
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return "", cli.Exitf(cli.ExitPermission, "run %s: permission denied (not executable)", argv[0])
		}
		return "", cli.Exitf(cli.ExitNoSuchThing, "run %s: command not found (check PATH)", argv[0])
	}
	return p, nil
}

// start starts COMMAND. The caller closes its own copies of Files and Conn
// once start returns.
func (sp *spawn) start() (*exec.Cmd, error) {
	path, err := lookCommand(sp.Argv)
	if err != nil {
		return nil, err
	}
	env := withoutListenEnv(os.Environ())
	var cmd *exec.Cmd
	if sp.Inetd {
		if err := unix.SetNonblock(int(sp.Conn.Fd()), false); err != nil {
			return nil, os.NewSyscallError("fcntl", err)
		}
		cmd = exec.Command(path, sp.Argv[1:]...)
		cmd.Args[0] = sp.Argv[0]
		cmd.Stdin, cmd.Stdout = sp.Conn, sp.Conn
	} else {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		for _, f := range sp.Files {
			if err := unix.SetNonblock(int(f.Fd()), false); err != nil {
				return nil, os.NewSyscallError("fcntl", err)
			}
		}
		cmd = exec.Command(self, append([]string{helperArg, path}, sp.Argv...)...)
		cmd.Args[0] = "fdpass"
		cmd.ExtraFiles = sp.Files
		env = append(env, "LISTEN_FDS="+strconv.Itoa(len(sp.Files)), "LISTEN_FDNAMES="+strings.Join(sp.Names, ":"))
		cmd.Stdin, cmd.Stdout = sp.Stdin, sp.Stdout
	}
	cmd.Env = env
	cmd.Stderr = sp.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", sp.Argv[0], err)
	}
	return cmd, nil
}

func withoutListenEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if strings.HasPrefix(kv, "LISTEN_PID=") || strings.HasPrefix(kv, "LISTEN_FDS=") || strings.HasPrefix(kv, "LISTEN_FDNAMES=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// wait waits for cmd, passing SIGTERM on when ctx ends, and returns
// COMMAND's exit status as fdpass's own (128+N for a signal).
func wait(ctx context.Context, cmd *exec.Cmd) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		cmd.Process.Signal(syscall.SIGTERM)
		err = <-done
	}
	return childStatus(err)
}

func childStatus(err error) error {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return err
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return cli.Quiet(128 + int(ws.Signal()))
	}
	return cli.Quiet(ee.ExitCode())
}

// filesOf wraps raw descriptors as *os.File for exec.Cmd.ExtraFiles; closing
// the files closes the descriptors.
func filesOf(fds []int, names []string) []*os.File {
	fs := make([]*os.File, len(fds))
	for i, fd := range fds {
		fs[i] = os.NewFile(uintptr(fd), names[i])
	}
	return fs
}

func closeFiles(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}
