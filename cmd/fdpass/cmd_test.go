package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
)

// self is the test binary, started as COMMAND in child modes (TestMain).
func self(t *testing.T) string {
	t.Helper()
	p, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSendRecvPrint(t *testing.T) {
	sock := sockPath(t)
	recv := startFdpass(t, "recv", "-v", "--on", sock, "--print")
	recv.waitLine(t, "listening on")
	f := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runFdpass(context.Background(), "send", "--to", sock, "--name", "data", "--name", "web", "--file", f, "--listen", "tcp://127.0.0.1:0")
	if r.code != 0 {
		t.Fatalf("send: exit %d: %s", r.code, r.stderr)
	}
	res := recv.finish(t)
	if res.code != 0 {
		t.Fatalf("recv: exit %d: %s", res.code, res.stderr)
	}
	re := regexp.MustCompile(`local=127\.0\.0\.1:\d+`)
	got := re.ReplaceAllString(res.stdout, "local=127.0.0.1:PORT")
	want := fmt.Sprintf("3 name=data file %q flags=O_RDONLY\n"+
		"4 name=web socket AF_INET SOCK_STREAM IPPROTO_TCP local=127.0.0.1:PORT peer=- listening reuseaddr flags=O_RDWR|O_NONBLOCK\n", f)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("recv --print (-want +got):\n%s", d)
	}
	for _, w := range []string{"(SO_PEERCRED)", "(SCM_CREDENTIALS), 2 descriptors"} {
		if !strings.Contains(res.stderr, w) {
			t.Errorf("recv -v stderr lacks %q:\n%s", w, res.stderr)
		}
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("recv left its socket behind: %v", err)
	}
}

// COMMAND started by recv sees its descriptors at 3, 4, … in blocking mode
// and inheritable, LISTEN_PID equal to its own pid, the names sent.
func TestRecvExecListenEnv(t *testing.T) {
	t.Setenv("FDPASS_TEST_CHILD", "report")
	for _, typ := range []string{"seqpacket", "stream", "dgram"} {
		t.Run(typ, func(t *testing.T) {
			sock := "@fdpass-test-exec-" + typ
			recv := startFdpass(t, "recv", "-v", "--type", typ, "--on", sock, "--", self(t))
			recv.waitLine(t, "listening on")
			args := []string{"send", "--to", sock, "--name", "a", "--name", "b", "--name", "c",
				"--listen", "tcp://127.0.0.1:0", "--listen", "udp://127.0.0.1:0", "--listen", "unix://@fdpass-test-exec-l-" + typ}
			if typ == "dgram" {
				// An abstract datagram receiver cannot be checked.
				args = append(args, "--expect-uid", "any")
			}
			r := runFdpass(context.Background(), args...)
			if r.code != 0 {
				t.Fatalf("send: exit %d: %s", r.code, r.stderr)
			}
			res := recv.finish(t)
			want := "pid-ok=true fds=3 names=a:b:c\n3 blocking inheritable\n4 blocking inheritable\n5 blocking inheritable\n"
			if d := cmp.Diff(want, res.stdout); d != "" {
				t.Errorf("what COMMAND saw (-want +got):\n%s\nstderr: %s", d, res.stderr)
			}
		})
	}
}

func TestActivateListenEnv(t *testing.T) {
	t.Setenv("FDPASS_TEST_CHILD", "report")
	r := runFdpass(context.Background(), "activate", "--listen", "tcp://127.0.0.1:0", "--listen", "unix-dgram://@fdpass-test-act",
		"--name", "web", "--name", "log", "--", self(t))
	want := "pid-ok=true fds=2 names=web:log\n3 blocking inheritable\n4 blocking inheritable\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("activate: exit %d, COMMAND saw %q, want %q; stderr: %s", r.code, r.stdout, want, r.stderr)
	}
}

// activate removes the socket files it created, so a second run on the same
// path works; a path it did not create is left alone.
func TestActivateRemovesItsSocketFiles(t *testing.T) {
	t.Setenv("FDPASS_TEST_CHILD", "report")
	path := filepath.Join(t.TempDir(), "act.sock")
	for run := 1; run <= 2; run++ {
		r := runFdpass(context.Background(), "activate", "--listen", "unix://"+path, "--", self(t))
		if r.code != 0 {
			t.Fatalf("run %d: exit %d: %s", run, r.code, r.stderr)
		}
		if _, err := os.Lstat(path); !os.IsNotExist(err) {
			t.Fatalf("run %d: %s still exists after activate (%v)", run, path, err)
		}
	}
}

func TestActivateInheritsNoStaleListenEnv(t *testing.T) {
	t.Setenv("FDPASS_TEST_CHILD", "report")
	t.Setenv("LISTEN_FDS", "7")
	t.Setenv("LISTEN_FDNAMES", "stale")
	r := runFdpass(context.Background(), "activate", "--listen", "tcp://127.0.0.1:0", "--", self(t))
	if want := "pid-ok=true fds=1 names=unknown\n3 blocking inheritable\n"; r.stdout != want {
		t.Errorf("COMMAND saw %q, want %q", r.stdout, want)
	}
}

// --accept and --inetd: one COMMAND per connection, over TCP and UNIX
// sockets; -v names the peer, with SO_PEERCRED for UNIX.
func TestActivatePerConnection(t *testing.T) {
	tests := []struct{ mode, child, url, network string }{
		{"--accept", "echo3", "tcp://127.0.0.1:0", "tcp"},
		{"--inetd", "echo01", "tcp://127.0.0.1:0", "tcp"},
		{"--accept", "echo3", "unix://@fdpass-test-accept", "unix"},
		{"--inetd", "echo01", "unix://@fdpass-test-inetd", "unix"},
	}
	for _, tt := range tests {
		t.Run(tt.mode+" "+tt.network, func(t *testing.T) {
			t.Setenv("FDPASS_TEST_CHILD", tt.child)
			act := startFdpass(t, "activate", "-v", tt.mode, "--listen", tt.url, "--", self(t))
			line := act.waitLine(t, "listening on")
			addr := line[strings.LastIndex(line, "(")+1 : strings.LastIndex(line, ")")]
			for i := range 3 {
				c, err := net.Dial(tt.network, addr)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(c, "hello %d\n", i)
				got, err := bufio.NewReader(c).ReadString('\n')
				c.Close()
				if want := fmt.Sprintf("echo: hello %d\n", i); got != want || err != nil {
					t.Errorf("connection %d: got %q, %v; want %q", i, got, err, want)
				}
			}
			act.cancel()
			res := act.finish(t)
			if res.code != 0 {
				t.Errorf("activate after cancel: exit %d: %s", res.code, res.stderr)
			}
			if want := fmt.Sprintf("pid %d uid %d gid %d, SO_PEERCRED", os.Getpid(), os.Getuid(), os.Getgid()); tt.network == "unix" && !strings.Contains(res.stderr, want) {
				t.Errorf("activate -v stderr lacks %q:\n%s", want, res.stderr)
			}
		})
	}
}

// Each bad input gives one line on stderr and its documented exit code.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "stale.sock")
	ln, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	missing := filepath.Join(dir, "missing.sock")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"socket path missing", []string{"send", "--to", missing, "0"}, cli.ExitNoSuchThing, "no such socket"},
		{"abstract name unbound", []string{"send", "--to", "@fdpass-test-nobody", "0"}, cli.ExitNoSuchThing, "no socket bound"},
		{"not a socket", []string{"send", "--to", regular, "0"}, cli.ExitNoSuchThing, "not a socket but a regular file"},
		{"stale socket", []string{"send", "--to", stale, "0"}, cli.ExitNetwork, "connection refused"},
		{"descriptor not open", []string{"send", "--to", missing, "987"}, cli.ExitNoSuchThing, "descriptor 987: not open"},
		{"file missing", []string{"send", "--to", missing, "--file", filepath.Join(dir, "nope")}, cli.ExitNoSuchThing, "no such file"},
		{"nothing to pass", []string{"send", "--to", missing}, cli.ExitUsage, "nothing to pass"},
		{"bad URL", []string{"send", "--to", missing, "--listen", "tcp:/x"}, cli.ExitUsage, "no scheme"},
		{"names mismatch", []string{"send", "--to", missing, "--name", "a", "--name", "b", "0", "1", "2"}, cli.ExitUsage, "--name given 2 times"},
		{"nothing within timeout", []string{"recv", "--on", filepath.Join(dir, "r.sock"), "--timeout", "50ms", "--print"}, cli.ExitTimeout, "nothing received within 50ms"},
		{"receiver in the way", []string{"recv", "--on", regular, "--print"}, cli.ExitNetwork, "a regular file is in the way"},
		{"receiver directory missing", []string{"recv", "--on", filepath.Join(dir, "no", "r.sock"), "--print"}, cli.ExitNoSuchThing, "the directory does not exist"},
		{"max out of range", []string{"recv", "--on", missing, "--max", "254", "--print"}, cli.ExitUsage, "--max 254"},
		{"command missing", []string{"recv", "--on", missing, "--", "fdpass-no-such-command"}, cli.ExitNoSuchThing, "command not found"},
		{"no command", []string{"recv", "--on", missing}, cli.ExitUsage, "no COMMAND"},
		{"info descriptor not open", []string{"info", "987"}, cli.ExitNoSuchThing, "descriptor 987: not open"},
		{"info no such process", []string{"info", "--pid", "999999999"}, cli.ExitNoSuchThing, "no such process"},
		{"holder missing", []string{"list", "--from", missing}, cli.ExitNoSuchThing, "no such socket"},
		{"bad hold name", []string{"delete", "--from", missing, "--name", "a:b"}, cli.ExitUsage, "--name"},
		{"unknown flag", []string{"send", "--bogus"}, cli.ExitUsage, "flag provided but not defined"},
		{"expect-uid not a uid", []string{"list", "--from", missing, "--expect-uid", "root"}, cli.ExitUsage, "--expect-uid \"root\": want a numeric user id or any"},
		{"max-conns zero", []string{"hold", "--on", missing, "--max-conns", "0"}, cli.ExitUsage, "--max-conns 0: want at least 1"},
		{"max-conns-per-uid zero", []string{"hold", "--on", missing, "--max-conns-per-uid", "0"}, cli.ExitUsage, "--max-conns-per-uid 0: want at least 1"},
		{"client-timeout zero", []string{"hold", "--on", missing, "--client-timeout", "0s"}, cli.ExitUsage, "--client-timeout 0s: want a positive duration"},
		{"max-connections without accept", []string{"activate", "--listen", "tcp://127.0.0.1:0", "--max-connections", "2", "--", "true"}, cli.ExitUsage, "--max-connections limits --accept and --inetd"},
		{"max-connections zero", []string{"activate", "--listen", "tcp://127.0.0.1:0", "--inetd", "--max-connections", "0", "--", "true"}, cli.ExitUsage, "--max-connections 0: want at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runFdpass(context.Background(), tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tt.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "fdpass: ") || !strings.Contains(last, tt.msg) {
				t.Errorf("stderr %q: want a line \"fdpass: …%s…\"", r.stderr, tt.msg)
			}
			if tt.code != cli.ExitUsage && len(lines) != 1 {
				t.Errorf("stderr has %d lines, want 1: %q", len(lines), r.stderr)
			}
		})
	}
}

func TestInfoOwn(t *testing.T) {
	r := runFdpass(context.Background(), "info", "0")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "0 ") {
		t.Errorf("info 0: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
}

func TestInfoPID(t *testing.T) {
	ln, err := listenURL("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := ln.SetsockoptInt(unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
		t.Fatal(err)
	}
	a, _ := ln.SockName()
	r := runFdpass(context.Background(), "info", "--pid", strconv.Itoa(os.Getpid()))
	want := fmt.Sprintf("%d socket AF_INET SOCK_STREAM IPPROTO_TCP local=%s peer=- listening reuseaddr reuseport flags=O_RDWR|O_NONBLOCK cloexec\n", ln.Fileno(), a)
	if r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("info --pid self: exit %d, output lacks %q:\n%s%s", r.code, want, r.stdout, r.stderr)
	}
}
