// Package fdpass holds the host-integration tests of the fdpass tool: real
// processes, another uid, python3's socket module and systemd-socket-activate
// as peers, each test in its own network namespace.
package fdpass

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
)

// The test binary doubles as the programs fdpass starts (FDPASS_IT_CHILD).
func TestMain(m *testing.M) {
	switch os.Getenv("FDPASS_IT_CHILD") {
	case "report":
		testenv.ReportListenFDs(os.Stdout)
		os.Exit(0)
	case "serve":
		serve()
		os.Exit(0)
	case "flood", "stall", "swap":
		os.Exit(attacker(os.Getenv("FDPASS_IT_CHILD")))
	}
	os.Exit(m.Run())
}

// serve is the test server of the handover: it answers every connection on
// the listener at descriptor 3 with $FDPASS_IT_GEN, and obeys commands on
// stdin: "store" stores the listener in the holder at $FDPASS_IT_HOLD with
// fdpass store, "stop" stops accepting and exits once the connection in hand
// is answered.
//
// It accepts with raw syscalls and SO_RCVTIMEO rather than Go's net package:
// the listener's open file description is shared with the other
// generation, and fdpass puts it in blocking mode for the program it starts
// (systemd's convention), so neither side can rely on O_NONBLOCK; a blocked
// accept(2) wakes every 100 ms to look at the stop flag instead.
func serve() {
	gen := os.Getenv("FDPASS_IT_GEN")
	tv := unix.Timeval{Usec: 100_000}
	if err := unix.SetsockoptTimeval(3, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		fmt.Println("setsockopt:", err)
		return
	}
	var (
		mu      sync.Mutex
		stopped bool
		done    = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			mu.Lock()
			s := stopped
			mu.Unlock()
			if s {
				return
			}
			pfd := []unix.PollFd{{Fd: 3, Events: unix.POLLIN}}
			if n, _ := unix.Poll(pfd, 100); n <= 0 {
				continue
			}
			c, _, err := unix.Accept4(3, unix.SOCK_CLOEXEC)
			if err != nil {
				continue // EAGAIN: the other generation took it
			}
			unix.Write(c, []byte(gen+"\n"))
			unix.Close(c)
		}
	}()
	fmt.Println("ready")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		switch sc.Text() {
		case "store":
			cmd := exec.Command(os.Getenv("FDPASS_BIN"), "store", "--to", os.Getenv("FDPASS_IT_HOLD"), "--name", "web", "3")
			cmd.ExtraFiles = []*os.File{os.NewFile(3, "listener")}
			if out, err := cmd.CombinedOutput(); err != nil {
				fmt.Printf("store failed: %v: %s\n", err, strings.ReplaceAll(string(out), "\n", " "))
				continue
			}
			fmt.Println("stored")
		case "stop":
			mu.Lock()
			stopped = true
			mu.Unlock()
			<-done
			unix.Close(3)
			fmt.Println("stopped")
			return
		}
	}
}

// proc is a program started by testenv.Start whose stdout and stderr lines
// the test reads in order, and that reads commands on its stdin.
type proc struct {
	*testenv.Proc
	cmd              *exec.Cmd
	stdin            io.WriteCloser
	outNext, errNext int // the next stdout, stderr line to read
	waited           chan struct{}
	code             int
}

func start(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{cmd: cmd, waited: make(chan struct{})}
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	p.Proc = testenv.Start(t, cmd)
	go func() {
		err := p.Proc.Wait()
		p.Stdout.Wait() // as with cmd.StdoutPipe: waited means all lines read too
		p.Stderr.Wait()
		p.code = cmd.ProcessState.ExitCode()
		if err != nil && p.code < 0 {
			p.code = 128 + int(cmd.ProcessState.Sys().(syscall.WaitStatus).Signal())
		}
		close(p.waited)
	}()
	t.Cleanup(func() { // before testenv's SIGKILL: a chance to exit cleanly
		cmd.Process.Signal(unix.SIGTERM)
		p.stdin.Close()
		<-p.waited
	})
	return p
}

// waitErr waits for a stderr line containing want.
func (p *proc) waitErr(t *testing.T, want string) string {
	t.Helper()
	var l string
	if l, p.errNext = p.Stderr.WaitFor(p.errNext, want); l != "" {
		return l
	}
	<-p.waited
	t.Fatalf("%s ended (exit %d) before printing %q: %s", p.cmd.Path, p.code, want, p.stderrText())
	return ""
}

// nextOut waits for the next stdout line; ok is false when stdout ended.
func (p *proc) nextOut() (string, bool) {
	l, next := p.Stdout.WaitMatch(p.outNext, func(string) bool { return true })
	if next == p.outNext {
		return "", false
	}
	p.outNext = next
	return l, true
}

// waitOut waits for the next stdout line and checks it.
func (p *proc) waitOut(t *testing.T, want string) {
	t.Helper()
	l, ok := p.nextOut()
	if !ok {
		<-p.waited
		t.Fatalf("%s ended (exit %d) before printing %q: %s", p.cmd.Path, p.code, want, p.stderrText())
	}
	if l != want {
		t.Fatalf("%s printed %q, want %q; stderr: %s", p.cmd.Path, l, want, p.stderrText())
	}
}

func (p *proc) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

func (p *proc) stderrText() string { return p.Stderr.Since(0) }

// finish waits for the exit and returns the code, the stdout not read yet
// and all of stderr.
func (p *proc) finish() (int, string, string) {
	<-p.waited
	return p.code, p.Stdout.Since(p.outNext), p.stderrText()
}

// env is what the test binary needs to act as a child.
func childEnv(t *testing.T, mode string, extra ...string) []string {
	return append(os.Environ(), append([]string{"FDPASS_IT_CHILD=" + mode, "FDPASS_BIN=" + testenv.Bin(t, "fdpass")}, extra...)...)
}

func self(t *testing.T) string {
	t.Helper()
	p, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sharedDir is a temporary directory other users can enter, for sockets
// that the uid tests reach as nobody.
func sharedDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "fdpass-it-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// connectDeadline bounds one client connection so that a hung server fails
// the test instead of hanging it; it is not a timing assertion.
const connectDeadline = 10 * time.Second
