package echo

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/testenv"
)

// startPeer starts a peer server in ns and waits for its "listening"
// line on stderr.
func startPeer(t *testing.T, ns *testenv.NetNS, ready string, name string, args ...string) {
	t.Helper()
	p := startCmd(t, ns.Command(name, args...), 0)
	if line, _ := p.stderr.waitFor(0, ready); line == "" {
		t.Fatalf("%s did not start: %s", name, p.stderr)
	}
}

// TestEchocatAgainstPeers: echocat against socat's and ncat's echo servers.
func TestEchocatAgainstPeers(t *testing.T) {
	ns := testenv.NewNetNS(t)
	socat := testenv.RequireProgram(t, "socat", "socat")
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	startPeer(t, ns, "listening on", socat, "-d", "-d", "TCP-LISTEN:7001,reuseaddr,fork", "PIPE")
	startPeer(t, ns, "listening on", socat, "-d", "-d", "TCP6-LISTEN:7002,reuseaddr,fork,ipv6only=1", "PIPE")
	startPeer(t, ns, "Listening on", ncat, "-v", "-l", "-k", "--exec", "/bin/cat", "127.0.0.1", "7003")
	for _, tc := range []struct {
		name string
		args []string
		in   string
		want string
	}{
		{"socat PIPE, half-close", []string{"127.0.0.1", "7001"}, "to socat\n", "to socat\n"},
		{"socat PIPE over IPv6", []string{"-6", "tcp://[::1]:7002"}, "to socat6\n", "to socat6\n"},
		{"socat PIPE, -C", []string{"-C", "127.0.0.1", "7001"}, "crlf\n", "crlf\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(result{Stdout: tc.want}, echocat(t, ns, tc.in, tc.args...)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// ncat --exec closes the connection at the client's FIN, before
	// cat's output is back: keep the write side open, and end the input
	// once the echo came (-q 0: quit then). A timed -q 1 lost the echo
	// when ncat and cat took longer than a second to start.
	t.Run("ncat --exec cat", func(t *testing.T) {
		cmd := ns.Command(testenv.Bin(t, "echocat"), "--no-shutdown", "-q", "0", "127.0.0.1", "7003")
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		hang := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() }) // a bound on failure
		defer hang.Stop()
		io.WriteString(in, "to ncat\n")
		line, err := bufio.NewReader(out).ReadString('\n')
		in.Close()
		if line != "to ncat\n" {
			t.Errorf("echocat read %q, %v, want the echo", line, err)
		}
		if err := cmd.Wait(); err != nil || stderr.Len() != 0 {
			t.Errorf("echocat: %v: %s", err, stderr.String())
		}
	})
	for _, port := range []string{"7001", "7003"} {
		v := echocat(t, ns, "", "--verify", "--count", "200", "--size", "512", "127.0.0.1", port)
		if v.Code != 0 || !strings.Contains(v.Stdout, "corrupted 0") {
			t.Errorf("--verify against port %s: %+v", port, v)
		}
	}
}

// TestPeersAgainstEchod: socat, ncat and OpenBSD nc clients against echod,
// over TCP and UDP.
func TestPeersAgainstEchod(t *testing.T) {
	ns := testenv.NewNetNS(t)
	socat := testenv.RequireProgram(t, "socat", "socat")
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	nc := testenv.RequireProgram(t, "nc.openbsd", "netcat-openbsd")
	startEchod(t, ns, 2)
	for _, tc := range []struct {
		name string
		cmd  []string
	}{
		{"socat TCP4", []string{socat, "-", "TCP4:127.0.0.1:50007"}},
		{"socat TCP6", []string{socat, "-", "TCP6:[::1]:50007"}},
		{"socat UDP4", []string{socat, "-", "UDP4:127.0.0.1:50007"}},
		{"ncat TCP", []string{ncat, "127.0.0.1", "50007"}},
		{"nc -N TCP", []string{nc, "-N", "127.0.0.1", "50007"}},
		{"nc IPv6 TCP", []string{nc, "-N", "::1", "50007"}},
		{"nc -u", []string{nc, "-u", "-w", "1", "127.0.0.1", "50007"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, ns, "peer line\n", tc.cmd[0], tc.cmd[1:]...)
			if got.Stdout != "peer line\n" {
				t.Errorf("%v: %+v", tc.cmd, got)
			}
		})
	}
	// ncat -u exits at the end of its input without waiting for replies:
	// keep its input open until the echo is back.
	t.Run("ncat UDP", func(t *testing.T) {
		cmd := ns.Command(ncat, "-u", "127.0.0.1", "50007")
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Wait()
		defer in.Close()
		io.WriteString(in, "peer line\n")
		line, err := bufio.NewReader(out).ReadString('\n')
		if line != "peer line\n" {
			t.Errorf("ncat -u read %q, %v", line, err)
		}
	})
}
