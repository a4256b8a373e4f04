package echo

import (
	"bufio"
	"fmt"
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

// echoLine runs a client in ns, writes line to it and reads a line back
// before it closes the client's input, then waits for the client's exit:
// the echo is awaited, not left to the time a client gives replies after
// the end of its input (socat's -t 0.5 s, nc -w, echocat -q), which a
// loaded machine can exceed. A client that hangs is killed after 60 s
// (a bound on failure).
func echoLine(t *testing.T, ns *testenv.NetNS, line string, name string, args ...string) (got string, err error) {
	t.Helper()
	cmd := ns.Command(name, args...)
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
	hang := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer hang.Stop()
	io.WriteString(in, line)
	got, rerr := bufio.NewReader(out).ReadString('\n')
	in.Close()
	if err := cmd.Wait(); err != nil || stderr.Len() != 0 {
		return got, fmt.Errorf("%v: %s", err, stderr.String())
	}
	return got, rerr
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
		got, err := echoLine(t, ns, "to ncat\n", testenv.Bin(t, "echocat"), "--no-shutdown", "-q", "0", "127.0.0.1", "7003")
		if got != "to ncat\n" || err != nil {
			t.Errorf("echocat read %q, %v, want the echo", got, err)
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
			if got, err := echoLine(t, ns, "peer line\n", tc.cmd[0], tc.cmd[1:]...); got != "peer line\n" || err != nil {
				t.Errorf("%v: read %q, %v", tc.cmd, got, err)
			}
		})
	}
	// ncat -u exits at the end of its input without waiting for replies:
	// echoLine keeps its input open until the echo is back.
	t.Run("ncat UDP", func(t *testing.T) {
		if line, err := echoLine(t, ns, "peer line\n", ncat, "-u", "127.0.0.1", "50007"); line != "peer line\n" || err != nil {
			t.Errorf("ncat -u read %q, %v", line, err)
		}
	})
}
