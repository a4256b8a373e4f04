package fdpass

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/testenv"
)

// Zero-downtime handover: generation A serves a TCP port, stores its
// listener in fdpass hold, generation B retrieves it and starts serving, A
// stops. A client connects in a loop all along: not one connection may be
// refused or go unanswered.
func TestHandoverZeroDowntime(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	dir := t.TempDir()
	holdSock := filepath.Join(dir, "hold.sock")

	hold := start(t, ns.Command(bin, "hold", "-v", "--on", holdSock))
	hold.waitErr(t, "listening on")

	a := ns.Command(bin, "activate", "-v", "--listen", "tcp://127.0.0.1:0", "--", self(t))
	a.Env = childEnv(t, "serve", "FDPASS_IT_GEN=A", "FDPASS_IT_HOLD="+holdSock)
	genA := start(t, a)
	line := genA.waitErr(t, "listening on")
	addr := line[strings.LastIndex(line, "(")+1 : strings.LastIndex(line, ")")]
	genA.waitOut(t, "ready")

	// The client: connect, read the generation, close; until told to stop.
	type tally struct {
		mu      sync.Mutex
		byGen   map[string]int
		errs    []string
		total   int
		notify  chan struct{}
		afterA  int // answers to connections made after A stopped
		aGone   bool
		byAGone int // of those, answers from A
	}
	tl := &tally{byGen: map[string]int{}, notify: make(chan struct{}, 1)}
	stop := make(chan struct{})
	clientDone := make(chan error, 1)
	go func() {
		clientDone <- ns.Do(func() error {
			for i := 0; i < 200000; i++ {
				select {
				case <-stop:
					return nil
				default:
				}
				tl.mu.Lock()
				startedAfterA := tl.aGone
				tl.mu.Unlock()
				gen, err := ask(addr)
				tl.mu.Lock()
				tl.total++
				if err != nil {
					tl.errs = append(tl.errs, fmt.Sprintf("connection %d: %v", tl.total, err))
				} else {
					tl.byGen[gen]++
					if startedAfterA {
						tl.afterA++
						if gen == "A" {
							tl.byAGone++
						}
					}
				}
				tl.mu.Unlock()
				select {
				case tl.notify <- struct{}{}:
				default:
				}
			}
			return fmt.Errorf("the client loop hit its bound of 200000 connections")
		})
	}()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for {
			tl.mu.Lock()
			ok := cond()
			tl.mu.Unlock()
			if ok {
				return
			}
			select {
			case <-tl.notify:
			case err := <-clientDone:
				t.Fatalf("client ended while waiting for %s: %v", what, err)
			}
		}
	}
	waitFor("answers from A", func() bool { return tl.byGen["A"] >= 50 })

	genA.send(t, "store")
	genA.waitOut(t, "stored")
	b := ns.Command(bin, "retrieve", "-v", "--from", holdSock, "--name", "web", "--", self(t))
	b.Env = childEnv(t, "serve", "FDPASS_IT_GEN=B")
	genB := start(t, b)
	genB.waitOut(t, "ready")
	waitFor("answers from B while A still serves", func() bool { return tl.byGen["B"] >= 1 })

	genA.send(t, "stop")
	genA.waitOut(t, "stopped")
	tl.mu.Lock()
	tl.aGone = true
	tl.mu.Unlock()
	if code, _, stderr := genA.finish(); code != 0 {
		t.Errorf("generation A (fdpass activate): exit %d: %s", code, stderr)
	}
	waitFor("answers after A stopped", func() bool { return tl.afterA >= 200 })
	close(stop)
	if err := <-clientDone; err != nil {
		t.Fatal(err)
	}
	genB.send(t, "stop")
	genB.waitOut(t, "stopped")

	tl.mu.Lock()
	defer tl.mu.Unlock()
	t.Logf("%d connections: %v", tl.total, tl.byGen)
	if len(tl.errs) > 0 {
		t.Errorf("%d of %d connections failed; first: %s", len(tl.errs), tl.total, tl.errs[0])
	}
	if tl.byAGone > 0 {
		t.Errorf("%d answers from A after it stopped", tl.byAGone)
	}
}

// ask connects to addr and returns the line the server answers.
func ask(addr string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, connectDeadline)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(connectDeadline))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("read: %w (got %q)", err, line)
	}
	return strings.TrimSuffix(line, "\n"), nil
}

// hold refuses a peer with another uid: the filesystem refuses it at the
// 0600 socket, SO_PEERCRED refuses it where the socket is reachable (an
// abstract name, --mode 0666), and --allow-uid lets it in.
func TestHoldRefusesOtherUID(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	setpriv := testenv.RequireProgram(t, "setpriv", "util-linux")
	dir := sharedDir(t)
	abstract := "@fdpass-it-" + filepath.Base(dir)
	tests := []struct {
		name string
		hold []string
		sock string
		code int
		msg  string
	}{
		{"socket mode 0600", []string{"--on", filepath.Join(dir, "h1.sock")}, filepath.Join(dir, "h1.sock"), 5,
			"fdpass: connect to " + filepath.Join(dir, "h1.sock") + ": permission denied"},
		{"reachable path", []string{"--on", filepath.Join(dir, "h2.sock"), "--mode", "0666"}, filepath.Join(dir, "h2.sock"), 5,
			"fdpass: list at " + filepath.Join(dir, "h2.sock") + ": refused: uid 65534 gid 65534 may not use this holder"},
		{"abstract name", []string{"--on", abstract + "-a"}, abstract + "-a", 5,
			"fdpass: list at " + abstract + "-a: refused: uid 65534 gid 65534 may not use this holder"},
		{"allowed uid", []string{"--on", abstract + "-b", "--allow-uid", "65534"}, abstract + "-b", 0, ""},
		{"allowed gid", []string{"--on", abstract + "-c", "--allow-gid", "65534"}, abstract + "-c", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hold := start(t, ns.Command(bin, append([]string{"hold", "-v"}, tt.hold...)...))
			hold.waitErr(t, "listening on")
			if st, err := os.Stat(tt.sock); err == nil {
				want := os.ModeSocket | 0o600
				if tt.name == "reachable path" {
					want = os.ModeSocket | 0o666
				}
				if st.Mode() != want {
					t.Errorf("socket mode %v, want %v", st.Mode(), want)
				}
			}
			out, err := ns.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin, "list", "--from", tt.sock).CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			got := strings.TrimSuffix(string(out), "\n")
			if code != tt.code || !strings.HasPrefix(got, tt.msg) || strings.Count(string(out), "\n") > 1 {
				t.Errorf("list as nobody: exit %d, %q; want exit %d and one line starting %q", code, out, tt.code, tt.msg)
			}
			if tt.code == 5 && tt.name != "socket mode 0600" {
				hold.waitErr(t, "uid 65534 gid 65534: refused")
			}
		})
	}
}

// Programs started by fdpass activate see what systemd-socket-activate's
// see: the same LISTEN_* values, blocking descriptors at 3, 4, ….
func TestActivateMatchesSystemdSocketActivate(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	ssa := testenv.RequireProgram(t, "systemd-socket-activate", "systemd")
	runReport := func(cmd *exec.Cmd) string {
		t.Helper()
		cmd.Env = childEnv(t, "report")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		return string(out)
	}
	ours := runReport(ns.Command(bin, "activate", "--listen", "tcp://127.0.0.1:7001", "--listen", "tcp://127.0.0.1:7002",
		"--name", "web", "--name", "admin", "--", self(t)))
	// systemd-socket-activate starts the program on the first connection.
	// It passes on only LISTEN_* and what -E names.
	sc := ns.Command(ssa, "-E", "FDPASS_IT_CHILD=report", "-l", "127.0.0.1:7001", "-l", "127.0.0.1:7002", "--fdname=web:admin", self(t))
	sc.Env = childEnv(t, "report")
	sp := start(t, sc)
	sp.waitErr(t, "Listening on 127.0.0.1:7002")
	if err := ns.Do(func() error {
		c, err := net.Dial("tcp", "127.0.0.1:7001")
		if err == nil {
			c.Close()
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	code, theirs, stderr := sp.finish()
	if code != 0 {
		t.Fatalf("systemd-socket-activate: exit %d: %s", code, stderr)
	}
	want := "pid-ok=true fds=2 names=web:admin\n3 blocking inheritable\n4 blocking inheritable\n"
	if d := cmp.Diff(want, ours); d != "" {
		t.Errorf("under fdpass activate (-want +got):\n%s", d)
	}
	if d := cmp.Diff(theirs, ours); d != "" {
		t.Errorf("fdpass activate against systemd-socket-activate (-systemd +fdpass):\n%s", d)
	}
}

// 1, 10 and 253 descriptors in one message between two fdpass processes,
// with their names, into a program that reports them.
func TestSendRecvCounts(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	for _, n := range []int{1, 10, 253} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			sock := filepath.Join(t.TempDir(), "r.sock")
			recv := ns.Command(bin, "recv", "-v", "--on", sock, "--", self(t))
			recv.Env = childEnv(t, "report")
			rp := start(t, recv)
			rp.waitErr(t, "listening on")
			files := make([]*os.File, n)
			args := []string{"send", "--to", sock}
			names := make([]string, n)
			for i := range files {
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				defer w.Close()
				files[i] = r
				if i%2 == 1 {
					files[i] = w
				}
				names[i] = fmt.Sprintf("n%d", i)
				args = append(args, "--name", names[i])
			}
			for i := range files {
				args = append(args, strconv.Itoa(3+i))
			}
			send := ns.Command(bin, args...)
			send.ExtraFiles = files
			if out, err := send.CombinedOutput(); err != nil {
				t.Fatalf("send: %v: %s", err, out)
			}
			code, out, stderr := rp.finish()
			var want strings.Builder
			fmt.Fprintf(&want, "pid-ok=true fds=%d names=%s\n", n, strings.Join(names, ":"))
			for i := range n {
				fmt.Fprintf(&want, "%d blocking inheritable\n", 3+i)
			}
			if code != 0 {
				t.Errorf("recv: exit %d: %s", code, stderr)
			}
			if d := cmp.Diff(want.String(), out); d != "" {
				t.Errorf("what COMMAND saw (-want +got):\n%s", d)
			}
		})
	}
}

// More descriptors than --max: recv refuses the batch with MSG_CTRUNC's
// message and exit 1, and COMMAND never runs; the sender exits 1 too.
func TestRecvTooMany(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	sock := filepath.Join(t.TempDir(), "r.sock")
	rp := start(t, ns.Command(bin, "recv", "-v", "--max", "2", "--on", sock, "--", "false"))
	rp.waitErr(t, "listening on")
	// The sender is told: nothing was delivered.
	scode, _, serr := result(t, ns.Command(bin, "send", "--to", sock, "0", "1", "2", "0", "1"))
	if scode != 1 || !strings.Contains(serr, "full: the receiver takes at most 2 descriptors") {
		t.Errorf("send of 5 to recv --max 2: exit %d, %q; want exit 1, full", scode, serr)
	}
	code, _, stderr := rp.finish()
	if code != 1 || !strings.Contains(stderr, "fdpass: receive: message truncated: the sender passed more than 2 descriptors") {
		t.Errorf("recv --max 2 of 5: exit %d, stderr %q", code, stderr)
	}
}

// python3's socket.send_fds into fdpass recv, and fdpass send into
// socket.recv_fds.
func TestPythonInterop(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	py := testenv.RequireProgram(t, "python3", "python3")
	dir := t.TempDir()

	t.Run("python sends", func(t *testing.T) {
		sock := filepath.Join(dir, "from-py.sock")
		rp := start(t, ns.Command(bin, "recv", "-v", "--on", sock, "--print"))
		rp.waitErr(t, "listening on")
		script := `import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
l = socket.create_server(("127.0.0.1", 0))
socket.send_fds(s, [b"x"], [0, l.fileno()])
`
		if out, err := ns.Command(py, "-c", script, sock).CombinedOutput(); err != nil {
			t.Fatalf("python: %v: %s", err, out)
		}
		code, out, stderr := rp.finish()
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "3 name=unknown ") ||
			!strings.HasPrefix(lines[1], "4 name=unknown socket AF_INET SOCK_STREAM IPPROTO_TCP local=127.0.0.1:") {
			t.Errorf("recv --print: exit %d, %q, %s", code, out, stderr)
		}
	})
	t.Run("python receives", func(t *testing.T) {
		sock := filepath.Join(dir, "to-py.sock")
		script := `import os, socket, sys
l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
l.bind(sys.argv[1]); l.listen()
print("ready", flush=True)
c, _ = l.accept()
msg, fds, flags, _ = socket.recv_fds(c, 1024, 10)
print(msg.decode().strip(), len(fds), flags)
for fd in fds:
    s = socket.socket(fileno=fd)
    print(s.family.name, s.type.name, s.getsockname()[0])
`
		pp := start(t, ns.Command(py, "-c", script, sock))
		pp.waitOut(t, "ready")
		if out, err := ns.Command(bin, "send", "--to", sock, "--name", "web", "--name", "dns",
			"--listen", "tcp://127.0.0.1:0", "--listen", "udp://[::1]:0").CombinedOutput(); err != nil {
			t.Fatalf("send: %v: %s", err, out)
		}
		code, out, stderr := pp.finish()
		want := "web:dns 2 0\nAF_INET SOCK_STREAM 127.0.0.1\nAF_INET6 SOCK_DGRAM ::1\n"
		if code != 0 || out != want {
			t.Errorf("python recv_fds: exit %d, %q, want %q; %s", code, out, want, stderr)
		}
	})
}

// Bad input through the real binary: one line and the documented code.
func TestBadInputExitCodes(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	setpriv := testenv.RequireProgram(t, "setpriv", "util-linux")
	dir := sharedDir(t)
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	private := filepath.Join(dir, "private.sock")
	hold := start(t, ns.Command(bin, "hold", "-v", "--on", private))
	hold.waitErr(t, "listening on")
	nobody := []string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin}
	tests := []struct {
		name string
		argv []string
		code int
		line string
	}{
		{"socket path missing", []string{bin, "send", "--to", filepath.Join(dir, "missing"), "0"}, 8,
			"fdpass: connect to " + filepath.Join(dir, "missing") + ": no such socket (start the receiver first, or check the path)"},
		{"not a socket", []string{bin, "send", "--to", regular, "0"}, 8,
			"fdpass: connect to " + regular + ": not a socket but a regular file (give the receiver's socket)"},
		{"permission denied", append(nobody, "send", "--to", private, "0"), 5,
			"fdpass: connect to " + private + ": permission denied (the socket is only for its owner: run as that user)"},
		{"descriptor not open", []string{bin, "send", "--to", private, "9"}, 8,
			"fdpass: pass descriptor 9: not open in this process (open it in the shell: 3<file)"},
		{"nothing within the timeout", []string{bin, "recv", "--on", filepath.Join(dir, "r.sock"), "--timeout", "100ms", "--print"}, 7,
			"fdpass: receive on " + filepath.Join(dir, "r.sock") + ": nothing received within 100ms (is the sender running?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := ns.Command(tt.argv[0], tt.argv[1:]...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != tt.code || stderr.String() != tt.line+"\n" || stdout.Len() != 0 {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit %d, stderr %q", code, stderr.String(), stdout.String(), tt.code, tt.line+"\n")
			}
		})
	}
}

// info --pid on another process: kinds from /proc, sockets in full through
// pidfd_getfd.
func TestInfoPID(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	sock := filepath.Join(t.TempDir(), "h.sock")
	hold := start(t, ns.Command(bin, "hold", "-v", "--on", sock))
	hold.waitErr(t, "listening on")
	out, err := ns.Command(bin, "info", "--pid", strconv.Itoa(hold.cmd.Process.Pid)).CombinedOutput()
	if err != nil {
		t.Fatalf("info --pid: %v: %s", err, out)
	}
	want := "socket AF_UNIX SOCK_SEQPACKET local=" + sock + " peer=- listening flags=O_RDWR|O_NONBLOCK cloexec"
	if !strings.Contains(string(out), want) {
		t.Errorf("info --pid of a holder lacks %q:\n%s", want, out)
	}
}
