package fdpass

// The attacks of the security review (issue 22) and the faults of the
// reliability issue (16), performed for real: the attacker is another
// local user (setpriv to nobody) wherever the attacker is local.

import (
	"bufio"
	"errors"
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

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
)

const nobody = 65534

// asNobody returns the argv prefix that runs a program as nobody.
func asNobody(t *testing.T) []string {
	setpriv := testenv.RequireProgram(t, "setpriv", "util-linux")
	return []string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"}
}

// result runs cmd to the end: exit code, stdout, stderr.
func result(t *testing.T, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// waitOutPrefix waits for the next stdout line and checks its start.
func (p *proc) waitOutPrefix(t *testing.T, prefix string) string {
	t.Helper()
	l, ok := p.nextOut()
	if !ok {
		<-p.waited
		t.Fatalf("%s ended (exit %d) before printing %q: %s", p.cmd.Path, p.code, prefix, p.stderrText())
	}
	if !strings.HasPrefix(l, prefix) {
		t.Fatalf("%s printed %q, want %q…; stderr: %s", p.cmd.Path, l, prefix, p.stderrText())
	}
	return l
}

func (p *proc) running() bool {
	select {
	case <-p.waited:
		return false
	default:
		return true
	}
}

func openFDCount(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// lowestFreeFD is the descriptor number process pid would get next.
func lowestFreeFD(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	open := map[int]bool{}
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			open[n] = true
		}
	}
	n := 0
	for open[n] {
		n++
	}
	return n
}

// setFileLimit sets a running process's soft RLIMIT_NOFILE (the hard limit
// stays, so it can be raised again) and returns the old soft limit.
func setFileLimit(t *testing.T, pid, n int) int {
	t.Helper()
	var old unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, nil, &old); err != nil {
		t.Fatalf("prlimit %d: %v", pid, err)
	}
	lim := unix.Rlimit{Cur: uint64(n), Max: old.Max}
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &lim, nil); err != nil {
		t.Fatalf("prlimit %d: %v", pid, err)
	}
	return int(old.Cur)
}

func countLines(text, sub string) int {
	n := 0
	for l := range strings.Lines(text) {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

// An unprivileged user floods the holder's socket at a low open-files
// limit. Refused (not allowed) and allowed-but-greedy floods alike: the
// holder neither exits nor drops what it holds, complains a few lines and
// not one per connection, and serves its owner once the flood is over. On
// the old holder the flood ended it with "accept: too many open files".
func TestHoldSurvivesConnectionFlood(t *testing.T) {
	tests := []struct {
		name  string
		allow bool
	}{
		{"refused uid", false},
		{"allowed uid", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := testenv.NewNetNS(t)
			bin := testenv.Bin(t, "fdpass")
			dir := sharedDir(t)
			atk := attackerBin(t, dir)
			sock := "@fdpass-it-flood"
			args := []string{"hold", "-v", "--on", sock}
			if tt.allow {
				args = append(args, "--allow-uid", strconv.Itoa(nobody))
			}
			hold := start(t, ns.Command(bin, args...))
			hold.waitErr(t, "listening on")
			if code, _, stderr := result(t, ns.Command(bin, "store", "--to", sock, "--name", "keep", "--file", "/etc/hostname")); code != 0 {
				t.Fatalf("store: exit %d: %s", code, stderr)
			}
			// A limit a few descriptors above what the holder uses now: the
			// flood exhausts it whatever one connection costs.
			pid := hold.cmd.Process.Pid
			setFileLimit(t, pid, openFDCount(t, pid)+6) // the hard limit stays

			f := ns.Command(asNobody(t)[0], append(asNobody(t)[1:], atk)...)
			f.Env = append(os.Environ(), "FDPASS_IT_CHILD=flood", "FDPASS_IT_SOCK="+sock, "FDPASS_IT_N=2000")
			fl := start(t, f)
			line := fl.waitOutPrefix(t, "flooded ")
			t.Logf("attacker: %s", line)

			// During the flood the owner gets an answer or a clean close at
			// once (the reserve descriptor), never a wait for the timeout.
			code, _, stderr := result(t, ns.Command(bin, "list", "--from", sock, "--timeout", "60s"))
			if code != 0 && code != 1 {
				t.Errorf("list during the flood: exit %d: %s", code, stderr)
			}
			fl.send(t, "release")
			fl.waitOut(t, "released")
			if !hold.running() {
				t.Fatalf("the holder exited under the flood: %s", hold.stderrText())
			}
			// The holder sees the flood's connections end as it reads them:
			// ask until it answers (each try is one connection, no sleep).
			var out string
			for i := 0; ; i++ {
				code, out, stderr = result(t, ns.Command(bin, "list", "--from", sock, "--timeout", "60s"))
				if code == 0 {
					break
				}
				if code != 1 || i == 10000 {
					t.Fatalf("list after the flood: exit %d: %s", code, stderr)
				}
			}
			if out != "keep 1 never\n" {
				t.Errorf("the holder holds %q after the flood, want keep", out)
			}
			text := hold.stderrText()
			t.Logf("holder stderr: %d lines; complaints:\n%s", strings.Count(text, "\n"), grepLines(text, "fdpass: hold: refused uid", "fdpass: hold: busy:", "fdpass: hold: accept"))
			// Rate-limited: one line per 10 s interval and kind, with a count.
			for _, kind := range []string{"fdpass: hold: refused uid", "fdpass: hold: busy:", "fdpass: hold: accept:"} {
				if n := countLines(text, kind); n > 12 {
					t.Errorf("%d lines of %q: the complaint is not rate-limited", n, kind)
				}
			}
			if tt.allow && countLines(text, "fdpass: hold: accept: descriptors free again") == 0 {
				t.Errorf("the holder did not say it accepts again:\n%.2000s", text)
			}
			if !tt.allow && countLines(text, "fdpass: hold: refused uid 65534") == 0 {
				t.Errorf("no complaint about the refused flood:\n%.2000s", text)
			}
		})
	}
}

// One client that never reads its replies (nobody, allowed with
// --allow-uid) cannot freeze the holder for everyone: root stores and lists
// while it is stuck. On the old holder a reply was sent under the holder's
// lock with no timeout and root's store timed out.
func TestHoldClientThatNeverReads(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	dir := sharedDir(t)
	atk := attackerBin(t, dir)
	sock := "@fdpass-it-stall"
	hold := start(t, ns.Command(bin, "hold", "-v", "--on", sock, "--allow-uid", strconv.Itoa(nobody)))
	hold.waitErr(t, "listening on")
	s := ns.Command(asNobody(t)[0], append(asNobody(t)[1:], atk)...)
	s.Env = append(os.Environ(), "FDPASS_IT_CHILD=stall", "FDPASS_IT_SOCK="+sock)
	st := start(t, s)
	t.Logf("attacker: %s", st.waitOutPrefix(t, "stuck after "))
	if code, _, stderr := result(t, ns.Command(bin, "store", "--to", sock, "--name", "y", "--file", "/etc/hostname")); code != 0 {
		t.Fatalf("store while a client never reads: exit %d: %s", code, stderr)
	}
	code, out, stderr := result(t, ns.Command(bin, "list", "--from", sock))
	if want := "x 1 never\ny 1 never\n"; code != 0 || out != want {
		t.Errorf("list while a client never reads: exit %d, %q, want %q; %s", code, out, want, stderr)
	}
}

// An unprivileged user binds the holder's abstract name before the holder
// (with fdpass hold itself, or fdpass recv): root's clients refuse to hand
// it descriptors or take any from it, unless --expect-uid names that user.
// Root's recv takes descriptors only from allowed senders. On the old
// clients root's listening socket ended up in nobody's holder.
func TestClientsCheckTheServer(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	nb := asNobody(t)
	squat := "@fdpass-it-squat"
	sq := start(t, ns.Command(nb[0], append(nb[1:], bin, "hold", "-v", "--on", squat)...))
	sq.waitErr(t, "listening on")
	refusal := "fdpass: connect to " + squat + ": it is run (pid "
	for _, argv := range [][]string{
		{"store", "--to", squat, "--name", "web", "--listen", "tcp://127.0.0.1:0"},
		{"retrieve", "--from", squat, "--name", "web", "--print"},
		{"list", "--from", squat},
		{"delete", "--from", squat, "--name", "web"},
		{"send", "--to", squat, "--listen", "tcp://127.0.0.1:0"},
	} {
		code, out, stderr := result(t, ns.Command(bin, argv...))
		if code != 5 || out != "" || !strings.HasPrefix(stderr, refusal) || !strings.Contains(stderr, "by uid 65534, not by uid 0 or root") {
			t.Errorf("%s against nobody's holder: exit %d, %q, %q; want exit 5, %q…", argv[0], code, out, stderr, refusal)
		}
	}
	code, out, _ := result(t, ns.Command(nb[0], append(nb[1:], bin, "list", "--from", squat)...))
	if code != 0 || out != "" {
		t.Errorf("nobody's holder got %q (exit %d): root handed it descriptors", out, code)
	}
	// Told who to expect, root's store goes ahead.
	code, _, stderr := result(t, ns.Command(bin, "store", "--to", squat, "--expect-uid", "65534", "--name", "meant", "--file", "/etc/hostname"))
	if code != 0 {
		t.Errorf("store --expect-uid 65534: exit %d: %s", code, stderr)
	}

	// recv as root: nobody's batch is refused (its sender exits 5), root's
	// own is taken.
	rsock := "@fdpass-it-recv"
	rp := start(t, ns.Command(bin, "recv", "--on", rsock, "--print"))
	for i := 0; ; i++ { // recv says nothing without -v: wait until it is bound
		code, _, stderr = result(t, ns.Command(nb[0], append(nb[1:], bin, "send", "--to", rsock, "--file", "/etc/hostname")...))
		if code != 8 || i == 10000 {
			break
		}
	}
	if code != 5 || !strings.Contains(stderr, "refused: uid 65534 gid 65534 may not send to this receiver") {
		t.Errorf("nobody's send to root's recv: exit %d, %q; want exit 5, refused", code, stderr)
	}
	if code, _, stderr = result(t, ns.Command(bin, "send", "--to", rsock, "--name", "mine", "--file", "/etc/hostname")); code != 0 {
		t.Errorf("root's send: exit %d: %s", code, stderr)
	}
	code, out, stderr = rp.finish()
	if code != 0 || !strings.HasPrefix(out, "3 name=mine file \"/etc/hostname\"") || strings.Count(out, "\n") != 1 {
		t.Errorf("recv: exit %d, %q; want root's one descriptor; %s", code, out, stderr)
	}
	if !strings.Contains(stderr, "fdpass: recv: refused a sender with uid 65534") {
		t.Errorf("recv did not say it refused nobody: %q", stderr)
	}
}

// --mode is applied through the umask at bind time: a user who swaps the
// new socket file for a symlink between bind and a chmod by name (strace
// holds bind's return open long enough for the swap) finds nothing
// chmodded. The old holder made root's file behind the symlink 0666.
func TestHoldModeNotThroughSymlink(t *testing.T) {
	bin := testenv.Bin(t, "fdpass")
	strace := testenv.RequireProgram(t, "strace", "strace")
	nb := asNobody(t)
	dir := sharedDir(t)
	atk := attackerBin(t, dir)
	userDir := filepath.Join(dir, "user")
	if err := os.Mkdir(userDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(userDir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("root's\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sw := exec.Command(nb[0], append(nb[1:], atk)...)
	sw.Env = append(os.Environ(), "FDPASS_IT_CHILD=swap", "FDPASS_IT_DIR="+userDir, "FDPASS_IT_NAME=h.sock", "FDPASS_IT_TARGET="+secret)
	swp := start(t, sw)
	swp.waitOut(t, "watching")
	hold := start(t, exec.Command(strace, "-f", "-o", "/dev/null", "-e", "trace=bind", "-e", "inject=bind:delay_exit=500000",
		bin, "hold", "-v", "--on", filepath.Join(userDir, "h.sock"), "--mode", "0666"))
	// strace detaches on SIGTERM and leaves the holder running: end the
	// holder itself (cleanups run last first).
	t.Cleanup(func() {
		spid := hold.cmd.Process.Pid
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", spid, spid))
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				unix.Kill(pid, unix.SIGTERM)
			}
		}
	})
	swp.waitOut(t, "swapped")
	hold.waitErr(t, "listening on")
	st, err := os.Stat(secret)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("the file behind the swapped symlink is now %v, want -rw-------", st.Mode().Perm())
	}
	// What the holder bound has the mode asked for.
	st, err = os.Lstat(filepath.Join(userDir, "h.sock.moved"))
	if err != nil || st.Mode() != os.ModeSocket|0o666 {
		t.Errorf("the holder's socket: %v, %v; want a socket with mode 0666", st.Mode(), err)
	}
}

// activate --accept/--inetd runs at most --max-connections COMMANDs; a
// connection beyond is closed at once (the old activate had no limit: one
// process per connection).
func TestActivateMaxConnections(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	act := start(t, ns.Command(bin, "activate", "-v", "--inetd", "--max-connections", "2", "--listen", "tcp://127.0.0.1:0",
		"--", "sh", "-c", `read l; echo "got $l"`))
	line := act.waitErr(t, "listening on")
	addr := line[strings.LastIndex(line, "(")+1 : strings.LastIndex(line, ")")]
	var conns []net.Conn
	for range 2 {
		c, err := dialIn(ns, addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		act.waitErr(t, ": started sh as pid")
	}
	err := func() error {
		// The third: closed at once, nothing to read.
		c, err := dialIn(ns, addr)
		if err != nil {
			return err
		}
		c.SetDeadline(time.Now().Add(connectDeadline))
		b := make([]byte, 64)
		n, rerr := c.Read(b)
		c.Close()
		if n != 0 || rerr == nil || errors.Is(rerr, os.ErrDeadlineExceeded) {
			return fmt.Errorf("a third connection read %q, %v; want it closed at once", b[:n], rerr)
		}
		// One COMMAND ends: a new connection is served again (as soon as
		// activate has reaped it; each try is a connection, no sleep).
		fmt.Fprintln(conns[0], "one")
		if got, err := bufio.NewReader(conns[0]).ReadString('\n'); got != "got one\n" {
			return fmt.Errorf("first connection: %q, %v", got, err)
		}
		return servedAgain(ns, addr)
	}()
	for _, c := range conns {
		c.Close()
	}
	if err != nil {
		t.Fatalf("%v; activate stderr:\n%s", err, act.stderrText())
	}
	if !act.running() {
		t.Fatalf("activate exited: %s", act.stderrText())
	}
	if !strings.Contains(act.stderrText(), "fdpass: activate: too many connections (2 COMMANDs running, --max-connections 2)") {
		t.Errorf("activate did not say it closed a connection:\n%s", act.stderrText())
	}
}

// activate --inetd at an exhausted open-files limit: it keeps serving the
// connections it has, closes what it cannot serve, complains once per
// interval rather than per connection, and serves again by itself when
// descriptors free up. The old activate exited at the first accept or
// start error.
func TestActivateAtFileLimit(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	act := start(t, ns.Command(bin, "activate", "--inetd", "--listen", "tcp://127.0.0.1:0", "-v",
		"--", "sh", "-c", `read l; echo "got $l"`))
	line := act.waitErr(t, "listening on")
	addr := line[strings.LastIndex(line, "(")+1 : strings.LastIndex(line, ")")]
	pid := act.cmd.Process.Pid
	// One descriptor to spare, at the lowest free number: accept can take
	// it, but starting COMMAND (the connection's file, exec's pipe) cannot,
	// so every connection is closed until descriptors come back. (With a
	// few more to spare the limit bites only under load: activate --inetd
	// keeps no descriptor per connection. With none, accept fails and the
	// reserve cannot help, because the reserve's number lies above a free
	// one the Go runtime left below it.)
	full := lowestFreeFD(t, pid) + 1
	setFileLimit(t, pid, full) // the hard limit stays
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	err := func() error {
		for range 40 {
			c, err := dialIn(ns, addr)
			if err != nil {
				return err
			}
			conns = append(conns, c)
		}
		// Each of them is closed: none is left waiting in the backlog.
		for i, c := range conns {
			c.SetDeadline(time.Now().Add(connectDeadline))
			fmt.Fprintln(c, "x")
			got, err := bufio.NewReader(c).ReadString('\n')
			switch {
			case got == "got x\n":
				return fmt.Errorf("connection %d served with no descriptor to spare", i)
			case errors.Is(err, os.ErrDeadlineExceeded):
				return fmt.Errorf("connection %d waited: neither served nor closed", i)
			}
		}
		// Descriptors come back: it serves again by itself.
		setFileLimit(t, pid, full+10)
		return servedAgain(ns, addr)
	}()
	if err != nil {
		t.Fatalf("%v; activate stderr:\n%.3000s", err, act.stderrText())
	}
	if !act.running() {
		t.Fatalf("activate exited at the limit: %s", act.stderrText())
	}
	text := act.stderrText()
	if n := countLines(text, "too many open files"); n == 0 || n > 12 {
		t.Errorf("%d complaints about the limit, want a few with counts:\n%.3000s", n, text)
	}
}

// kill -9 of the other side mid-transfer leaves nobody hanging: a client
// whose holder dies while it waits for the reply ends with an error, a
// holder whose client dies while it sends goes on serving, a sender whose
// receiver dies before reading the batch is told nothing was delivered
// (the old send exited 0), a receiver whose sender dies ends with an error.
func TestKillNineMidTransfer(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	dir := sharedDir(t)
	atk := attackerBin(t, dir)

	t.Run("holder dies", func(t *testing.T) {
		sock := "@fdpass-it-k1"
		hold := start(t, ns.Command(bin, "hold", "-v", "--on", sock))
		hold.waitErr(t, "listening on")
		hold.cmd.Process.Signal(syscall.SIGSTOP)
		t.Cleanup(func() { hold.cmd.Process.Kill() }) // a stopped process ignores SIGTERM
		list := start(t, ns.Command(bin, "list", "--from", sock, "--timeout", "0"))
		hold.cmd.Process.Kill()
		code, _, stderr := list.finish()
		if code == 0 || code == 7 {
			t.Errorf("list when its holder died: exit %d, %q; want an error at once", code, stderr)
		}
	})
	t.Run("client dies", func(t *testing.T) {
		sock := "@fdpass-it-k2"
		hold := start(t, ns.Command(bin, "hold", "-v", "--on", sock))
		hold.waitErr(t, "listening on")
		s := ns.Command(atk)
		s.Env = append(os.Environ(), "FDPASS_IT_CHILD=stall", "FDPASS_IT_SOCK="+sock)
		st := start(t, s)
		st.waitOutPrefix(t, "stuck after ")
		st.cmd.Process.Kill()
		st.finish()
		code, out, stderr := result(t, ns.Command(bin, "list", "--from", sock))
		if code != 0 || out != "x 1 never\n" {
			t.Errorf("list after a client died mid-transfer: exit %d, %q; %s", code, out, stderr)
		}
	})
	t.Run("receiver dies", func(t *testing.T) {
		sock := filepath.Join(dir, "k3.sock")
		rp := start(t, ns.Command(bin, "recv", "-v", "--on", sock, "--print"))
		rp.waitErr(t, "listening on")
		rp.cmd.Process.Signal(syscall.SIGSTOP)
		t.Cleanup(func() { rp.cmd.Process.Kill() }) // a stopped process ignores SIGTERM
		sp := start(t, ns.Command(bin, "send", "-v", "--to", sock, "--timeout", "0", "--file", "/etc/hostname"))
		sp.waitErr(t, "waiting for the receiver's answer")
		rp.cmd.Process.Kill()
		code, _, stderr := sp.finish()
		if code != 1 || !strings.Contains(stderr, "the receiver closed the connection without reading the descriptors") {
			t.Errorf("send when its receiver died: exit %d, %q; want exit 1, nothing delivered", code, stderr)
		}
	})
	t.Run("sender dies", func(t *testing.T) {
		sock := filepath.Join(dir, "k4.sock")
		rp := start(t, ns.Command(bin, "recv", "-v", "--on", sock, "--print"))
		rp.waitErr(t, "listening on")
		// A sender that connects and dies before sending.
		if err := ns.Do(func() error {
			fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				return err
			}
			defer unix.Close(fd)
			return unix.Connect(fd, &unix.SockaddrUnix{Name: sock})
		}); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := rp.finish()
		if code != 1 || !strings.Contains(stderr, "closed the connection without sending descriptors") {
			t.Errorf("recv when its sender died: exit %d, %q", code, stderr)
		}
	})
}

// fdpass info in a program activate started shows the socket at 3 and what
// the program inherited, never the Go runtime's own descriptors (the old
// info showed two more, the cgroup files the runtime reads its CPU quota
// from); info 3 with nothing there is exit 8. It runs in this network
// namespace on loopback: ip netns exec mounts a sysfs of its own without
// the cgroup tree, where the runtime opens no such files.
func TestInfoShowsOnlyInherited(t *testing.T) {
	testenv.RequireRoot(t)
	bin := testenv.Bin(t, "fdpass")
	// 0 to 3, and whatever this process inherited and passes on (a shell
	// may leave some open; sh may close them): nothing else.
	may := map[string]bool{}
	for _, fd := range inheritedHere(t) {
		may[strconv.Itoa(fd)] = true
	}
	code, out, stderr := result(t, exec.Command(bin, "activate", "--listen", "tcp://127.0.0.1:0", "--", "sh", "-c", bin+" info"))
	var got []string
	for l := range strings.Lines(out) {
		got = append(got, strings.Fields(l)[0])
	}
	ok := len(got) >= 4 && strings.Join(got[:4], " ") == "0 1 2 3"
	for _, fd := range got[min(4, len(got)):] {
		ok = ok && may[fd]
	}
	if code != 0 || !ok || !strings.Contains(out, "\n3 socket AF_INET SOCK_STREAM") {
		t.Errorf("info under activate: exit %d, descriptors %v, want 0 to 3 and what this test inherited (%v):\n%s%s", code, got, may, out, stderr)
	}
	if slicesContain(inheritedHere(t), 3) {
		t.Skip("this test process inherited descriptor 3 itself")
	}
	code, out, stderr = result(t, exec.Command(bin, "info", "3"))
	if code != 8 || out != "" || !strings.HasPrefix(stderr, "fdpass: describe descriptor 3: not open") {
		t.Errorf("info 3 with nothing there: exit %d, %q, %q; want exit 8", code, out, stderr)
	}
}

// inheritedHere lists this process's descriptors without close-on-exec:
// what every program it starts inherits.
func inheritedHere(t *testing.T) []int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var fds []int
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < 3 {
			continue
		}
		if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && fl&unix.FD_CLOEXEC == 0 {
			fds = append(fds, fd)
		}
	}
	return fds
}

func slicesContain(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// fdpass send never exits 0 when nothing was delivered: to a holder (it
// stores nothing) and to a recv that refuses the batch (--max).
func TestSendFailsWhenNothingDelivered(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	sock := "@fdpass-it-sendhold"
	hold := start(t, ns.Command(bin, "hold", "-v", "--on", sock))
	hold.waitErr(t, "listening on")
	code, _, stderr := result(t, ns.Command(bin, "send", "--to", sock, "0"))
	if code != 1 || !strings.Contains(stderr, "use fdpass store") {
		t.Errorf("send to a holder: exit %d, %q; want exit 1", code, stderr)
	}
}

// grepLines returns the lines of text that contain any of subs.
func grepLines(text string, subs ...string) string {
	var b strings.Builder
	for l := range strings.Lines(text) {
		for _, s := range subs {
			if strings.Contains(l, s) {
				b.WriteString(l)
				break
			}
		}
	}
	return b.String()
}

// servedAgain connects to an activate --inetd running `read l; echo "got
// $l"` until a connection is served rather than closed at once (each try is
// one connection: no sleep), bounded so that a broken activate fails.
func servedAgain(ns *testenv.NetNS, addr string) error {
	for range 10000 {
		c, err := dialIn(ns, addr)
		if err != nil {
			return err
		}
		c.SetDeadline(time.Now().Add(connectDeadline))
		fmt.Fprintln(c, "again")
		got, _ := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if got == "got again\n" {
			return nil
		}
	}
	return fmt.Errorf("never served again")
}

// At its open-files limit the holder cannot take a STORE's descriptors nor
// copy a RETRIEVE's: it says busy (exit 1: try again) and keeps what it
// holds; with descriptors back it serves both. The old holder called the
// held name "notfound" when it could not copy it.
func TestHoldAtFileLimitSaysBusy(t *testing.T) {
	ns := testenv.NewNetNS(t)
	bin := testenv.Bin(t, "fdpass")
	sock := "@fdpass-it-limit"
	hold := start(t, ns.Command(bin, "hold", "-v", "--on", sock))
	hold.waitErr(t, "listening on")
	if code, _, stderr := result(t, ns.Command(bin, "store", "--to", sock, "--name", "keep", "--file", "/etc/hostname")); code != 0 {
		t.Fatalf("store: exit %d: %s", code, stderr)
	}
	pid := hold.cmd.Process.Pid
	// One connection, served once so that the holder has it open.
	var fd int
	err := ns.Do(func() error { // the abstract name is the namespace's
		var err error
		if fd, err = unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0); err != nil {
			return err
		}
		return unix.Connect(fd, unixSockaddr(sock))
	})
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var replies []string
	ask := func(req string, fds ...int) {
		t.Helper()
		var rights []byte
		if len(fds) > 0 {
			rights = unix.UnixRights(fds...)
		}
		if err := unix.Sendmsg(fd, []byte(req), rights, nil, 0); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 512)
		n, err := unix.Read(fd, b)
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, string(b[:n]))
	}
	ask("DELETE nothing\n")
	// A limit at the lowest free descriptor number: the next one the
	// holder allocates, whatever it is for, is EMFILE.
	old := setFileLimit(t, pid, lowestFreeFD(t, pid))
	ask("STORE more 0\n", 0, 0, 0, 0, 0)
	ask("RETRIEVE keep\n")
	setFileLimit(t, pid, old)
	want := []string{
		"ERR notfound nothing held under nothing\n",
		"ERR busy the holder is out of descriptors (its open-files limit): none kept, try again\n",
		"ERR busy the holder could not copy the descriptors of keep: fcntl: too many open files (its open-files limit?): try again\n",
	}
	if strings.Join(replies, "") != strings.Join(want, "") {
		t.Errorf("at the holder's limit: replies %q, want %q", replies, want)
	}
	var code int
	var stderr string
	if code, _, stderr = result(t, ns.Command(bin, "store", "--to", sock, "--name", "more", "--file", "/etc/hostname")); code != 0 {
		t.Errorf("store with descriptors back: exit %d: %s", code, stderr)
	}
	code, out, stderr := result(t, ns.Command(bin, "retrieve", "--from", sock, "--name", "keep", "--print"))
	if code != 0 || !strings.HasPrefix(out, "3 name=keep file \"/etc/hostname\"") {
		t.Errorf("retrieve with descriptors back: exit %d, %q, %s", code, out, stderr)
	}
}

// dialIn connects to a TCP address inside ns (the socket stays there; its
// I/O needs no namespace).
func dialIn(ns *testenv.NetNS, addr string) (net.Conn, error) {
	var c net.Conn
	err := ns.Do(func() error {
		var err error
		c, err = net.DialTimeout("tcp", addr, connectDeadline)
		return err
	})
	return c, err
}
