package echo

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// startEchocat starts echocat -l -v ARGS in ns and returns it with the URL
// of its "listening on" line.
func startEchocat(t *testing.T, ns *testenv.NetNS, args ...string) (*proc, string) {
	t.Helper()
	p := startCmd(t, ns.Command(testenv.Bin(t, "echocat"), append([]string{"-l", "-v"}, args...)...), 0)
	line, _ := p.stderr.waitFor(0, "listening on")
	if line == "" {
		t.Fatalf("echocat -l %v did not start: %s", args, p.stderr)
	}
	return p, strings.TrimPrefix(line, "echocat: listening on ")
}

// waitPort waits (echocat --wait-for) until a peer without a ready line
// accepts on 127.0.0.1:port in ns.
func waitPort(t *testing.T, ns *testenv.NetNS, port string) {
	t.Helper()
	if r := echocat(t, ns, "", "-z", "--wait-for", "30s", "127.0.0.1", port); r.Code != 0 {
		t.Fatalf("nothing came up on port %s: %+v", port, r)
	}
}

// startWaited starts a peer in ns and waits for its port.
func startWaited(t *testing.T, ns *testenv.NetNS, port string, name string, args ...string) *proc {
	t.Helper()
	p := startCmd(t, ns.Command(name, args...), 0)
	waitPort(t, ns, port)
	return p
}

// TestTLSAgainstNcat: ncat --ssl clients against echocat -l --ssl and
// echocat --ssl against ncat -l --ssl, verified both ways with certificates
// the test made; ncat clients against echocat -k --exec.
func TestTLSAgainstNcat(t *testing.T) {
	ns := testenv.NewNetNS(t)
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	certs := testenv.MakeCerts(t)
	_, plainURL := startEchocat(t, ns, "-k", "-e", "/bin/cat", "127.0.0.1", "7201")
	_, ephURL := startEchocat(t, ns, "-k", "--ssl", "-e", "/bin/cat", "127.0.0.1", "7202")
	_, certURL := startEchocat(t, ns, "-k", "--ssl", "--ssl-cert", certs.Server, "--ssl-key", certs.ServerKey, "-e", "/bin/cat", "127.0.0.1", "7203")
	_ = plainURL + ephURL + certURL
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"ncat -> echocat -k -e cat", []string{"127.0.0.1", "7201"}},
		{"ncat again (a new process per connection)", []string{"127.0.0.1", "7201"}},
		{"ncat --ssl -> echocat --ssl, ephemeral certificate", []string{"--ssl", "127.0.0.1", "7202"}},
		{"ncat --ssl-verify -> echocat --ssl-cert", []string{"--ssl-verify", "--ssl-trustfile", certs.CA, "localhost", "7203"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, ns, "to echocat\n", ncat, tc.args...)
			if diff := cmp.Diff(result{Stdout: "to echocat\n"}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// ncat --exec closes at the client's FIN: let ncat speak first.
	startPeer(t, ns, "Listening on", ncat, "-v", "-l", "-k", "--ssl", "--ssl-cert", certs.Server, "--ssl-key", certs.ServerKey,
		"--sh-exec", "echo from ncat", "127.0.0.1", "7204")
	startPeer(t, ns, "Listening on", ncat, "-v", "-l", "-k", "--ssl", "--ssl-cert", certs.WrongName, "--ssl-key", certs.WrongKey,
		"--sh-exec", "echo from ncat", "127.0.0.1", "7205")
	for _, tc := range []struct {
		name string
		args []string
		want result
	}{
		{"echocat --ssl-verify -> ncat --ssl", []string{"-d", "--ssl", "--ssl-trustfile", certs.CA, "localhost", "7204"}, result{Stdout: "from ncat\n"}},
		{"echocat --ssl (no verification) -> ncat --ssl", []string{"-d", "--ssl", "127.0.0.1", "7205"}, result{Stdout: "from ncat\n"}},
		{"echocat --ssl-verify -> ncat with a wrong-name certificate", []string{"-d", "--ssl", "--ssl-trustfile", certs.CA, "localhost", "7205"},
			result{Code: cli.ExitTLSVerify, Stderr: "echocat: TLS with tcp://localhost:7205: certificate verification failed: name mismatch (x509: certificate is valid for other.example, not localhost)\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, echocat(t, ns, "", tc.args...)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestTLSAgainstOpenSSL: echocat --ssl-verify against openssl s_server
// serving each kind of certificate, and openssl s_client verifying
// echocat -l --ssl.
func TestTLSAgainstOpenSSL(t *testing.T) {
	ns := testenv.NewNetNS(t)
	openssl := testenv.RequireProgram(t, "openssl", "openssl")
	certs := testenv.MakeCerts(t)
	for i, tc := range []struct {
		name, cert, key string
		code            int
		why             string
	}{
		{"trusted", certs.Server, certs.ServerKey, 0, ""},
		{"untrusted CA", certs.Untrusted, certs.UntrustKey, cli.ExitTLSVerify, "unknown authority"},
		{"expired", certs.Expired, certs.ExpiredKey, cli.ExitTLSVerify, "expired or not yet valid"},
		{"wrong name", certs.WrongName, certs.WrongKey, cli.ExitTLSVerify, "name mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := strconv.Itoa(7300 + i)
			startWaited(t, ns, port, openssl, "s_server", "-quiet", "-www", "-accept", port, "-cert", tc.cert, "-key", tc.key)
			got := echocat(t, ns, "GET / HTTP/1.0\r\n\r\n", "--ssl", "--ssl-trustfile", certs.CA, "localhost", port)
			if got.Code != tc.code {
				t.Fatalf("exit %d, want %d: %+v", got.Code, tc.code, got)
			}
			if tc.code == 0 && !strings.HasPrefix(got.Stdout, "HTTP/1.0 200 ok") {
				t.Errorf("s_server answered %q", got.Stdout)
			}
			if tc.code != 0 && (strings.Count(got.Stderr, "\n") != 1 || !strings.Contains(got.Stderr, "certificate verification failed: "+tc.why)) {
				t.Errorf("stderr %q, want one line saying %q", got.Stderr, tc.why)
			}
		})
	}
	t.Run("s_client verifies echocat -l --ssl", func(t *testing.T) {
		startEchocat(t, ns, "-k", "--ssl", "--ssl-cert", certs.Server, "--ssl-key", certs.ServerKey, "-c", "echo hello-from-echocat", "127.0.0.1", "7310")
		cmd := ns.Command(openssl, "s_client", "-brief", "-verify_return_error", "-CAfile", certs.CA, "-servername", "localhost", "-verify_hostname", "localhost", "-connect", "127.0.0.1:7310")
		// s_client ends at the end of its input: keep it open until the
		// server's line is in.
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		var errb strings.Builder
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		in.Close()
		cmd.Wait()
		if line != "hello-from-echocat\n" || !strings.Contains(errb.String(), "Verification: OK") {
			t.Errorf("s_client read %q, %v; stderr %s", line, err, errb.String())
		}
	})
}

// TestTLSAgainstSocatAndPython: socat OPENSSL and python3's ssl module
// against echod tls://, echocat --ssl against socat OPENSSL-LISTEN.
func TestTLSAgainstSocatAndPython(t *testing.T) {
	ns := testenv.NewNetNS(t)
	socat := testenv.RequireProgram(t, "socat", "socat")
	python := testenv.RequireProgram(t, "python3", "python3")
	certs := testenv.MakeCerts(t)
	d := startEchod(t, ns, 1, "--listen", "tls://127.0.0.1:7400", "--tls-cert", certs.Server, "--tls-key", certs.ServerKey)
	if d.urls[0] != "tls://127.0.0.1:7400" {
		t.Errorf("echod listens on %s", d.urls[0])
	}
	got := run(t, ns, "to echod\n", socat, "-", "OPENSSL:localhost:7400,cafile="+certs.CA)
	if diff := cmp.Diff(result{Stdout: "to echod\n"}, got); diff != "" {
		t.Errorf("socat OPENSSL -> echod tls:// (-want +got):\n%s", diff)
	}
	py := `import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(("127.0.0.1", 7400)) as s:
    with ctx.wrap_socket(s, server_hostname="localhost") as t:
        t.sendall(b"from python\n")
        print(t.recv(100).decode(), end="")
        print(t.version())`
	got = run(t, ns, "", python, "-c", py, certs.CA)
	if got.Code != 0 || !strings.HasPrefix(got.Stdout, "from python\nTLSv1.3") {
		t.Errorf("python3 ssl -> echod tls://: %+v", got)
	}
	startWaited(t, ns, "7401", socat, "OPENSSL-LISTEN:7401,reuseaddr,fork,verify=0,cert="+certs.Server+",key="+certs.ServerKey, "PIPE")
	got = echocat(t, ns, "to socat\n", "--ssl", "--ssl-trustfile", certs.CA, "localhost", "7401")
	if diff := cmp.Diff(result{Stdout: "to socat\n"}, got); diff != "" {
		t.Errorf("echocat --ssl -> socat OPENSSL-LISTEN (-want +got):\n%s", diff)
	}
	// echod's ephemeral certificate, not verified.
	e := startEchod(t, ns, 1, "--listen", "tls://127.0.0.1:0", "--mode", "discard")
	got = echocat(t, ns, "dropped\n", e.urls[0])
	if diff := cmp.Diff(result{}, got); diff != "" {
		t.Errorf("echocat tls:// -> echod --mode discard (-want +got):\n%s", diff)
	}
}

// TestProxyPeers: echocat through tinyproxy (HTTP CONNECT, with and
// without Basic credentials), microsocks (SOCKS5 with and without a
// password) and ncat's HTTP proxy; curl through echocat's HTTP proxy.
func TestProxyPeers(t *testing.T) {
	ns := testenv.NewNetNS(t)
	tinyproxy := testenv.RequireProgram(t, "tinyproxy", "tinyproxy-bin")
	microsocks := testenv.RequireProgram(t, "microsocks", "microsocks")
	curl := testenv.RequireProgram(t, "curl", "curl")
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	python := testenv.RequireProgram(t, "python3", "python3")
	dir := t.TempDir()
	// The target: a banner, so that no peer's handling of a half-close
	// matters.
	startEchocat(t, ns, "-k", "-c", "echo banner", "127.0.0.1", "7500")
	for i, extra := range []string{"", "BasicAuth alice secret\n"} {
		conf := filepath.Join(dir, fmt.Sprintf("tinyproxy%d.conf", i))
		os.WriteFile(conf, []byte(fmt.Sprintf("Port %d\nListen 127.0.0.1\nAllow 127.0.0.1\nMaxClients 10\n%s", 7501+i, extra)), 0o644)
		startWaited(t, ns, strconv.Itoa(7501+i), tinyproxy, "-d", "-c", conf)
	}
	startWaited(t, ns, "7503", microsocks, "-i", "127.0.0.1", "-p", "7503")
	startWaited(t, ns, "7504", microsocks, "-i", "127.0.0.1", "-p", "7504", "-u", "alice", "-P", "secret")
	startPeer(t, ns, "Listening on", ncat, "-v", "-l", "--proxy-type", "http", "127.0.0.1", "7505")
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"tinyproxy CONNECT", []string{"--proxy", "127.0.0.1:7501"}, 0, ""},
		{"tinyproxy CONNECT to a name, resolved by the proxy", []string{"--proxy", "127.0.0.1:7501", "--proxy-dns", "remote", "localhost"}, 0, ""},
		{"tinyproxy with Basic credentials", []string{"--proxy", "127.0.0.1:7502", "--proxy-auth", "alice:secret"}, 0, ""},
		{"tinyproxy refuses the credentials", []string{"--proxy", "127.0.0.1:7502", "--proxy-auth", "alice:wrong"}, cli.ExitPermission, "refused the credentials of --proxy-auth (HTTP/1.0 401 Unauthorized)"},
		{"tinyproxy wants credentials", []string{"--proxy", "127.0.0.1:7502"}, cli.ExitPermission, "wants credentials"},
		{"microsocks SOCKS5", []string{"--proxy", "127.0.0.1:7503", "--proxy-type", "socks5"}, 0, ""},
		{"microsocks SOCKS5 with a name", []string{"--proxy", "127.0.0.1:7503", "--proxy-type", "socks5", "--proxy-dns", "remote", "localhost"}, 0, ""},
		{"microsocks SOCKS5 password", []string{"--proxy", "127.0.0.1:7504", "--proxy-type", "socks5", "--proxy-auth", "alice:secret"}, 0, ""},
		{"microsocks refuses the password", []string{"--proxy", "127.0.0.1:7504", "--proxy-type", "socks5", "--proxy-auth", "alice:wrong"}, cli.ExitPermission, "refused the credentials"},
		{"microsocks wants a password", []string{"--proxy", "127.0.0.1:7504", "--proxy-type", "socks5"}, cli.ExitPermission, "wants credentials"},
		{"ncat --proxy-type http", []string{"--proxy", "127.0.0.1:7505"}, 0, ""},
		{"proxy unreachable", []string{"--proxy", "127.0.0.1:7599", "--proxy-type", "socks5"}, cli.ExitNetwork, "proxy tcp://127.0.0.1:7599: connect to 127.0.0.1:7599: connect: connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-d"}, tc.args...)
			if n := len(tc.args); tc.args[n-1] != "localhost" {
				args = append(args, "127.0.0.1")
			}
			got := echocat(t, ns, "", append(args, "7500")...)
			if tc.code == 0 {
				if diff := cmp.Diff(result{Stdout: "banner\n"}, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				return
			}
			if got.Code != tc.code || strings.Count(got.Stderr, "\n") != 1 || !strings.Contains(got.Stderr, tc.msg) {
				t.Errorf("got %+v, want exit %d and one line saying %q", got, tc.code, tc.msg)
			}
		})
	}
	// echocat's HTTP proxy for curl: a plain GET and a CONNECT tunnel to
	// python's web server, and a 407 for wrong credentials.
	web := t.TempDir()
	os.WriteFile(filepath.Join(web, "hello.txt"), []byte("hello through the proxy\n"), 0o644)
	pyweb := ns.Command(python, "-m", "http.server", "--bind", "127.0.0.1", "7510")
	pyweb.Dir = web
	startCmd(t, pyweb, 0)
	waitPort(t, ns, "7510")
	p, _ := startEchocat(t, ns, "--proxy-type", "http", "--proxy-auth", "bob:pw", "127.0.0.1", "7511")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"GET", []string{"-s", "-x", "http://bob:pw@127.0.0.1:7511", "http://127.0.0.1:7510/hello.txt"}, "hello through the proxy\n"},
		{"CONNECT", []string{"-s", "-p", "-x", "http://bob:pw@127.0.0.1:7511", "http://127.0.0.1:7510/hello.txt"}, "hello through the proxy\n"},
		{"wrong credentials", []string{"-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", "http://bob:no@127.0.0.1:7511", "http://127.0.0.1:7510/hello.txt"}, "407"},
	} {
		t.Run("curl "+tc.name, func(t *testing.T) {
			if got := run(t, ns, "", curl, tc.args...); got.Stdout != tc.want {
				t.Errorf("curl %v: %+v", tc.args, got)
			}
		})
	}
	if line, _ := p.stderr.waitFor(0, "refused: no or wrong Proxy-Authorization"); line == "" {
		t.Errorf("the proxy did not say it refused: %s", p.stderr)
	}
}

// TestWaitFor: --wait-for against a server that comes up two seconds
// after the client starts, and against none.
func TestWaitFor(t *testing.T) {
	ns := testenv.NewNetNS(t)
	socat := testenv.RequireProgram(t, "socat", "socat")
	late := time.AfterFunc(2*time.Second, func() {
		cmd := ns.Command(socat, "TCP-LISTEN:7600,reuseaddr,fork", "PIPE")
		if cmd.Start() == nil {
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		}
	})
	defer late.Stop()
	got := echocat(t, ns, "", "--wait-for", "60s", "--verify", "--count", "10", "127.0.0.1", "7600")
	if got.Code != 0 || !strings.Contains(got.Stdout, "received 10") {
		t.Errorf("late server: %+v", got)
	}
	got = echocat(t, ns, "", "-z", "--wait-for", "60s", "127.0.0.1", "7600")
	if diff := cmp.Diff(result{Stdout: "tcp://127.0.0.1:7600 open\n"}, got); diff != "" {
		t.Errorf("-z (-want +got):\n%s", diff)
	}
	got = echocat(t, ns, "", "--wait-for", "1500ms", "127.0.0.1", "7601")
	want := "echocat: --wait-for 1.5s: tcp://127.0.0.1:7601 did not come up: connect to 127.0.0.1:7601: connect: connection refused\n"
	if diff := cmp.Diff(result{Stderr: want, Code: cli.ExitTimeout}, got); diff != "" {
		t.Errorf("no server (-want +got):\n%s", diff)
	}
	got = echocat(t, ns, "", "-z", "--wait-for", "1s", "127.0.0.1", "7600-7601")
	if got.Code != cli.ExitTimeout || got.Stdout != "tcp://127.0.0.1:7600 open\ntcp://127.0.0.1:7601 closed: connection refused\n" {
		t.Errorf("-z with one port down: %+v", got)
	}
}

// children lists the processes whose parent is pid, with their state.
func children(pid int) map[int]string {
	out := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces; cut at the last ')'.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out[n] = f[0]
		}
	}
	return out
}

func fdCount(pid int) int {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(ents)
}

// waitCond polls cond until it holds or 30 s pass (a condition with a
// deadline, not a timed assertion).
func waitCond(cond func() bool) bool {
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestServerLeavesNothing: echocat -l -k -e under refusals (--deny,
// --max-conns) and clients that come and go reaps every child and closes
// every descriptor; SIGTERM ends the children it has.
func TestServerLeavesNothing(t *testing.T) {
	ns := testenv.NewNetNS(t)
	p, _ := startEchocat(t, ns, "-k", "-m", "2", "--deny", "::1", "-e", "/bin/cat", "7700")
	pid := p.cmd.Process.Pid
	for i := range 5 {
		got := echocat(t, ns, fmt.Sprintf("call %d\n", i), "127.0.0.1", "7700")
		if got.Stdout != fmt.Sprintf("call %d\n", i) {
			t.Errorf("call %d: %+v", i, got)
		}
	}
	if !waitCond(func() bool { return len(children(pid)) == 0 }) {
		t.Fatalf("children left after the clients: %v", children(pid))
	}
	base := fdCount(pid)
	got := echocat(t, ns, "x", "::1", "7700")
	if got.Code != cli.ExitNetwork || !strings.Contains(got.Stderr, "reset") {
		t.Errorf("denied client: %+v", got)
	}
	if line, _ := p.stderr.waitFor(0, "refused tcp://[::1]:", "not allowed by --allow/--deny"); line == "" {
		t.Errorf("no refusal line: %s", p.stderr)
	}
	hold := func() *sockcore.Socket {
		s := nsDial(t, ns, "127.0.0.1", "7700")
		s.SendAll([]byte("y"), 0) // echoed once: it is being served
		if b, err := s.Recv(1, 0); string(b) != "y" {
			t.Fatalf("held connection: %q, %v", b, err)
		}
		return s
	}
	held := []*sockcore.Socket{hold(), hold()}
	got = echocat(t, ns, "x", "127.0.0.1", "7700")
	if got.Code != cli.ExitNetwork {
		t.Errorf("third client with -m 2: %+v", got)
	}
	if line, _ := p.stderr.waitFor(0, "--max-conns 2 reached"); line == "" {
		t.Errorf("no --max-conns line: %s", p.stderr)
	}
	if kids := children(pid); len(kids) != 2 {
		t.Errorf("children while two connections are open: %v", kids)
	}
	for _, s := range held {
		s.Close()
	}
	// base may hold the pidfd of a child reaped a moment before: no more
	// descriptors than then is the check.
	if !waitCond(func() bool { return len(children(pid)) == 0 && fdCount(pid) <= base }) {
		t.Errorf("after the clients closed: children %v, descriptors %d, want at most %d", children(pid), fdCount(pid), base)
	}
	hold()
	// SIGTERM with one child running: it is ended and reaped.
	var left []int
	for k := range children(pid) {
		left = append(left, k)
	}
	p.stop(syscall.SIGTERM)
	if code := p.cmd.ProcessState.ExitCode(); code != cli.ExitInterrupted {
		t.Errorf("exit %d after SIGTERM, want %d", code, cli.ExitInterrupted)
	}
	for _, k := range left {
		if err := syscall.Kill(k, 0); err == nil {
			t.Errorf("child %d outlived the server", k)
		}
	}
}

// TestServerBadInput: startup errors of the new flags, each one line.
func TestServerBadInput(t *testing.T) {
	ns := testenv.NewNetNS(t)
	certs := testenv.MakeCerts(t)
	// Readable by root only: an unprivileged echocat cannot open it.
	secret := filepath.Join(t.TempDir(), "secret.key")
	b, _ := os.ReadFile(certs.ServerKey)
	os.WriteFile(secret, b, 0o600)
	os.Chmod(filepath.Dir(secret), 0o755)
	os.Chmod(certs.Dir, 0o755)
	os.Chmod(filepath.Dir(certs.Dir), 0o755)
	os.Chmod(filepath.Dir(filepath.Dir(secret)), 0o755)
	for _, tc := range []struct {
		name string
		pre  []string // run through this first (setpriv)
		args []string
		code int
		msg  string
	}{
		{"exec of a missing program", nil, []string{"-l", "-k", "-e", "/no/such/program", "7800"}, cli.ExitNoSuchThing, "--exec /no/such/program: cannot run it: no such file or directory"},
		{"missing certificate", nil, []string{"-l", "--ssl", "--ssl-cert", "/no/cert.pem", "--ssl-key", certs.ServerKey, "7800"}, cli.ExitNoSuchThing, "--ssl-cert: open /no/cert.pem: no such file or directory"},
		{"unreadable key", []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}, []string{"-l", "--ssl", "--ssl-cert", certs.Server, "--ssl-key", secret, "7800"}, cli.ExitPermission, "--ssl-key: open " + secret + ": permission denied"},
		{"key not matching the certificate", nil, []string{"-l", "--ssl", "--ssl-cert", certs.Server, "--ssl-key", certs.OtherKey, "7800"}, cli.ExitUsage, "does not match the certificate"},
		{"echod key not matching", nil, []string{"ECHOD", "--listen", "tls://127.0.0.1:7800", "--tls-cert", certs.Server, "--tls-key", certs.OtherKey}, cli.ExitUsage, "--tls-key " + certs.OtherKey + " does not match the certificate in --tls-cert"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tool, args := "echocat", tc.args
			if args[0] == "ECHOD" {
				tool, args = "echod", args[1:]
			}
			argv := append(append(tc.pre, testenv.Bin(t, tool)), args...)
			got := run(t, ns, "", argv[0], argv[1:]...)
			if got.Code != tc.code || strings.Count(got.Stderr, "\n") != 1 || !strings.Contains(got.Stderr, tc.msg) {
				t.Errorf("got %+v, want exit %d and one line saying %q", got, tc.code, tc.msg)
			}
		})
	}
	_ = exec.ErrNotFound
}

// TestServerOverStreams: -k -e cat and its TLS form over the stream
// transports of this host (vsock and SCTP: integration/vm/echo).
func TestServerOverStreams(t *testing.T) {
	ns := testenv.NewNetNS(t)
	dir := t.TempDir()
	for _, u := range []string{"mptcp://127.0.0.1:7900", "mptcp://[::1]:7901", "unix://" + filepath.Join(dir, "s"), "unix://@echocat-k-" + filepath.Base(dir), "unix-seqpacket://" + filepath.Join(dir, "q")} {
		for _, tls := range []bool{false, true} {
			if tls && strings.HasPrefix(u, "unix-seqpacket") {
				continue // TLS wants a byte stream
			}
			t.Run(fmt.Sprintf("%s tls=%v", u, tls), func(t *testing.T) {
				args := []string{"-k", "-e", "/bin/cat"}
				cargs := []string{}
				if tls {
					args = append(args, "--ssl")
					cargs = append(cargs, "--ssl")
				}
				p, url := startEchocat(t, ns, append(args, u)...)
				for i := range 2 {
					got := echocat(t, ns, "over "+u+"\n", append(cargs, url)...)
					if diff := cmp.Diff(result{Stdout: "over " + u + "\n"}, got); diff != "" {
						t.Errorf("connection %d (-want +got):\n%s", i, diff)
					}
				}
				p.stop(syscall.SIGTERM)
			})
		}
	}
}
