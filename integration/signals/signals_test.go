// Package signals holds the suite's one rule for interrupts, tested on every
// tool that can wait on this host: SIGINT and SIGTERM end it within a second
// whatever it waits on. Servers and captures (echod, sniff, fdpass hold and
// activate) end cleanly, exit 0, with their summary; work cut short
// (echocat, fdpass recv, afalg-hash) is one line "TOOL: interrupted" and
// exit 130, never "context canceled". canrelay's waits need AF_CAN and are
// interrupted in the kernel VM tier (integration/vm/can).
package signals

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// ready says whether the process has reached the wait the case is about.
type ready func(p *os.Process, stderr *testenv.SyncBuffer) bool

// listening: a TCP port accepts connections. The probe connection is closed
// at once; only servers that go on waiting use it.
func listening(port int) ready {
	return func(*os.Process, *testenv.SyncBuffer) bool {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			c.Close()
		}
		return err == nil
	}
}

// listeningNoProbe: a TCP port is in LISTEN state (/proc/net/tcp), without
// connecting (a one-shot listener would take the probe as its client).
func listeningNoProbe(port int) ready {
	return func(*os.Process, *testenv.SyncBuffer) bool {
		b, _ := os.ReadFile("/proc/net/tcp")
		b6, _ := os.ReadFile("/proc/net/tcp6")
		want := fmt.Sprintf(":%04X 00000000:0000 0A", port)
		want6 := fmt.Sprintf(":%04X 00000000000000000000000000000000:0000 0A", port)
		return bytes.Contains(b, []byte(want)) || bytes.Contains(b6, []byte(want6))
	}
}

// exists: a file (a UNIX socket) is there.
func exists(path string) ready {
	return func(*os.Process, *testenv.SyncBuffer) bool { _, err := os.Stat(path); return err == nil }
}

// said: stderr holds s.
func said(s string) ready {
	return func(_ *os.Process, e *testenv.SyncBuffer) bool { return strings.Contains(e.String(), s) }
}

// reading: the process has read input (/proc/PID/io rchar grows past its
// start-up reads).
func reading(p *os.Process, _ *testenv.SyncBuffer) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", p.Pid))
	if err != nil {
		return false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "rchar: "); ok {
			n, _ := strconv.Atoi(v)
			return n > 1<<20
		}
	}
	return false
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestInterrupts(t *testing.T) {
	testenv.RequireRoot(t) // sniff captures
	dir := t.TempDir()
	type tc struct {
		name    string
		tool    string
		args    []string
		stdin   string // "pipe": a pipe that stays open (2 MiB written first when ready is nil); "": /dev/null
		ready   ready
		code    int
		stderr  string // exact stderr, when set
		summary string // stderr holds this, when set
	}
	var cases []tc
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		p1, p2, p3, p4, p5 := freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)
		s := sig.String()
		cases = append(cases,
			tc{name: s + "/echod serving", tool: "echod", args: []string{"--listen", fmt.Sprintf("tcp://127.0.0.1:%d", p1)},
				ready: listening(p1), code: 0},
			tc{name: s + "/echocat waiting for a client", tool: "echocat", args: []string{"-l", "127.0.0.1", strconv.Itoa(p2)},
				ready: listeningNoProbe(p2), code: 130, stderr: "echocat: interrupted\n"},
			tc{name: s + "/echocat waiting on its stdin pipe", tool: "echocat", args: []string{"127.0.0.1", strconv.Itoa(p3)},
				stdin: "pipe", code: 130, stderr: "echocat: interrupted\n"},
			tc{name: s + "/fdpass recv waiting for a sender", tool: "fdpass", args: []string{"recv", "--on", filepath.Join(dir, s+"-recv.sock"), "--print"},
				ready: exists(filepath.Join(dir, s+"-recv.sock")), code: 130, stderr: "fdpass: interrupted\n"},
			tc{name: s + "/fdpass hold serving", tool: "fdpass", args: []string{"hold", "--on", filepath.Join(dir, s+"-hold.sock")},
				ready: exists(filepath.Join(dir, s+"-hold.sock")), code: 0},
			tc{name: s + "/fdpass activate serving", tool: "fdpass", args: []string{"activate", "-l", fmt.Sprintf("tcp://127.0.0.1:%d", p4), "--accept", "--", "cat"},
				ready: listeningNoProbe(p4), code: 0},
			tc{name: s + "/afalg-hash on disk", tool: "afalg-hash", args: []string{"/dev/zero"},
				ready: reading, code: 130, stderr: "afalg-hash: interrupted\n"},
			tc{name: s + "/afalg-hash on a pipe", tool: "afalg-hash", args: []string{"-"},
				stdin: "pipe", code: 130, stderr: "afalg-hash: interrupted\n"},
			tc{name: s + "/sniff capturing", tool: "sniff", args: []string{"-i", "lo", "-n", fmt.Sprintf("tcp port %d", p5)},
				ready: said("listening on lo"), code: 0, summary: "0 packets captured"},
		)
		// echocat on its stdin pipe needs a server to have connected to.
		testenv.StartReady(t, exec.Command(testenv.Bin(t, "echod"), "--listen", fmt.Sprintf("tcp://127.0.0.1:%d", p3)), "listening ")
		for i := len(cases) - 9; i < len(cases); i++ {
			if cases[i].stdin == "pipe" && cases[i].tool == "echocat" {
				cases[i].ready = connected(p3)
			}
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sig := syscall.SIGINT
			if strings.HasPrefix(c.name, syscall.SIGTERM.String()) {
				sig = syscall.SIGTERM
			}
			cmd := exec.Command(testenv.Bin(t, c.tool), c.args...)
			var stdout bytes.Buffer
			var stderr testenv.SyncBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			var w *os.File
			if c.stdin == "pipe" {
				r, pw, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				cmd.Stdin, w = r, pw
				defer r.Close()
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if w != nil {
				defer w.Close()
				if c.ready == nil {
					// Some input first, so that "reading" sees the tool
					// at its read of the pipe; the pipe stays open.
					go w.Write(make([]byte, 2<<20))
				}
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if c.ready != nil {
				waitFor(t, c.ready, cmd.Process, &stderr)
			} else {
				waitFor(t, reading, cmd.Process, &stderr)
			}
			cmd.Process.Signal(sig)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("%s still ran 10 s after %v; stderr %q", c.tool, sig, stderr.String())
			}
			code := cmd.ProcessState.ExitCode()
			if code != c.code {
				t.Errorf("exit code %d (%v), want %d; stderr %q", code, cmd.ProcessState, c.code, stderr.String())
			}
			if c.stderr != "" && stderr.String() != c.stderr {
				t.Errorf("stderr %q, want %q", stderr.String(), c.stderr)
			}
			if c.summary != "" && !strings.Contains(stderr.String(), c.summary) {
				t.Errorf("stderr %q lacks the summary %q", stderr.String(), c.summary)
			}
			if strings.Contains(stderr.String(), "context canceled") {
				t.Errorf("stderr says context canceled: %q", stderr.String())
			}
		})
	}
}

// connected: some process has an established TCP connection to port (the
// echocat under test; the server's side is the other half).
func connected(port int) ready {
	return func(*os.Process, *testenv.SyncBuffer) bool {
		b, _ := os.ReadFile("/proc/net/tcp")
		return bytes.Contains(b, []byte(fmt.Sprintf(":%04X 01", port)))
	}
}

// waitFor polls cond until it holds, failing after 20 s.
func waitFor(t *testing.T, cond ready, p *os.Process, stderr *testenv.SyncBuffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond(p, stderr) {
		if time.Now().After(deadline) {
			t.Fatalf("not ready after 20 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
