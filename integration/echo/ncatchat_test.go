package echo

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// startWithInput starts a server (with -v) in ns with a standard input the
// test writes, and waits for its "listening on" line: the test's first
// client is its first connection. A probe of the port (waitPort) would be
// a client too, which a loaded server may still count when the next one
// joins (a --chat "already connected" it names).
func startWithInput(t *testing.T, ns *testenv.NetNS, port string, name string, args ...string) (*proc, io.WriteCloser) {
	t.Helper()
	cmd := ns.Command(name, args...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	p := startCmd(t, cmd, 0)
	// ncat: "Listening on :::PORT", then "Listening on 0.0.0.0:PORT";
	// echocat: "listening on tcp://[::]:PORT" (dual-stack).
	if line, _ := p.stderr.WaitMatch(0, func(l string) bool {
		return strings.Contains(l, "istening on ") && (strings.HasSuffix(l, " 0.0.0.0:"+port) || strings.HasSuffix(l, "[::]:"+port))
	}); line == "" {
		t.Fatalf("%s did not listen: %s", name, p.stderr)
	}
	return p, in
}

// chatClient is one client of a chat server and what it has read.
type chatClient struct {
	s *sockcore.Socket
	r *bufio.Reader
}

// lines reads n lines, failing after 30 s (a bound on failure, not a
// measurement).
func (c *chatClient) lines(t *testing.T, n int) string {
	t.Helper()
	c.s.SetTimeout(30 * time.Second)
	var sb strings.Builder
	for range n {
		line, err := c.r.ReadString('\n')
		sb.WriteString(line)
		if err != nil {
			t.Fatalf("after %q: %v", sb.String(), err)
		}
	}
	return sb.String()
}

// chatTranscript runs one scripted chat against a --chat server on port and
// returns what its clients read, with each <userN> but <user0> (standard
// input) renamed <uK> in the order of appearance: ncat's numbers are its
// descriptor numbers, and a Go program holds more descriptors than ncat.
func chatTranscript(t *testing.T, ns *testenv.NetNS, port string, in io.Writer) string {
	dial := func(host string) *chatClient {
		s := nsDial(t, ns, host, port)
		s.SetBlocking(true)
		return &chatClient{s: s, r: bufio.NewReader(s)}
	}
	var out strings.Builder
	step := func(what string, c *chatClient, n int) {
		fmt.Fprintf(&out, "%s:\n%s", what, c.lines(t, n))
	}
	a := dial("127.0.0.1")
	step("A joins, A reads", a, 2)
	b := dial("127.0.0.1")
	step("B joins, A reads", a, 2)
	step("B joins, B reads", b, 2)
	a.s.SendAll([]byte("hi \x1b[2J\x07\x7f\x80caf\xc3\xa9\xff\t~\r\n"), 0)
	step("A sends controls, B reads", b, 1)
	b.s.SendAll([]byte("plain text\n"), 0)
	step("B sends, A reads", a, 1)
	io.WriteString(in, "from standard input\x01\n")
	step("input, A reads", a, 1)
	step("input, B reads", b, 1)
	c := dial("::1")
	step("C joins over IPv6, C reads", c, 2)
	step("C joins over IPv6, B reads", b, 2)
	a.s.Close()
	step("A leaves, B reads", b, 1)
	step("A leaves, C reads", c, 1)
	b.s.Close()
	c.s.Close()
	names := map[string]string{"<user0>": "<user0>"}
	return regexp.MustCompile(`<user[0-9]+>`).ReplaceAllStringFunc(out.String(), func(u string) string {
		if _, ok := names[u]; !ok {
			names[u] = fmt.Sprintf("<u%d>", len(names))
		}
		return names[u]
	})
}

// TestChatAgainstNcat: the same chat, byte for byte, through ncat --chat
// and echocat --chat: announcements, the others named "ADDR as <userN>",
// standard input as <user0>, and control bytes and bytes above ASCII
// written in octal (\033) so that no client drives another's terminal.
func TestChatAgainstNcat(t *testing.T) {
	ns := testenv.NewNetNS(t)
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	_, ncatIn := startWithInput(t, ns, "7901", ncat, "-v", "-l", "--chat", "7901")
	want := chatTranscript(t, ns, "7901", ncatIn)
	_, ourIn := startWithInput(t, ns, "7902", testenv.Bin(t, "echocat"), "-v", "-l", "--chat", "7902")
	got := chatTranscript(t, ns, "7902", ourIn)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ncat --chat against echocat --chat (-ncat +echocat):\n%s", diff)
	}
	if !strings.Contains(want, `<u1> hi \033[2J\007\177\200caf\303\251\377`) {
		t.Errorf("ncat's chat is not what this test expects of it:\n%s", want)
	}
}

// TestBrokerAgainstNcat: --broker relays clients to each other and
// standard input to all, raw, in ncat and echocat alike; the end of input
// closes nobody.
func TestBrokerAgainstNcat(t *testing.T) {
	ns := testenv.NewNetNS(t)
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	// conn is what the -v line of each connection holds (ncat writes two).
	transcript := func(p *proc, conn []string, port string, in io.WriteCloser) string {
		var out strings.Builder
		a := &chatClient{s: nsDial(t, ns, "127.0.0.1", port)}
		a.s.SetBlocking(true)
		a.r = bufio.NewReader(a.s)
		b := &chatClient{s: nsDial(t, ns, "127.0.0.1", port)}
		b.s.SetBlocking(true)
		b.r = bufio.NewReader(b.s)
		// -v: both joined once the server told of the second connection.
		from := 0
		for range 2 {
			var line string
			if line, from = p.stderr.waitFor(from, conn...); line == "" {
				t.Fatalf("no connection line: %s", p.stderr)
			}
		}
		a.s.SendAll([]byte("ping\n"), 0)
		fmt.Fprintf(&out, "B: %q\n", b.lines(t, 1))
		io.WriteString(in, "x\x01\n")
		fmt.Fprintf(&out, "input, A: %q\n", a.lines(t, 1))
		fmt.Fprintf(&out, "input, B: %q\n", b.lines(t, 1))
		in.Close()
		b.s.SendAll([]byte("after the end of input\n"), 0)
		fmt.Fprintf(&out, "A: %q\n", a.lines(t, 1))
		a.s.Close()
		b.s.Close()
		return out.String()
	}
	np, ncatIn := startWithInput(t, ns, "7903", ncat, "-v", "-l", "--broker", "7903")
	want := transcript(np, []string{"Connection from 127.0.0.1:"}, "7903", ncatIn)
	ep, ourIn := startWithInput(t, ns, "7904", testenv.Bin(t, "echocat"), "-v", "-l", "--broker", "7904")
	if diff := cmp.Diff(want, transcript(ep, []string{"connection from tcp://"}, "7904", ourIn)); diff != "" {
		t.Errorf("ncat --broker against echocat --broker (-ncat +echocat):\n%s", diff)
	}
}

// idleServer is a -l -k -i server of TestServerIdleAgainstNcat: its
// standard error goes through a pipe of the test's own, read to its end
// (the processes that outlive the server share it, and exec.Cmd would
// close its end at the server's exit).
type idleServer struct {
	cmd    *exec.Cmd
	exited chan error // the server's exit, put back once received
	stderr *testenv.LineLog
}

// startIdleServer starts prog -v -l -k ARGS... 127.0.0.1 PORT [-e
// /bin/cat] in ns and waits for its "listening on" line: the test's first
// client is then the server's first connection.
func startIdleServer(t *testing.T, ns *testenv.NetNS, prog, port string, exec bool, args ...string) *idleServer {
	t.Helper()
	args = append(append([]string{"-v", "-l", "-k"}, args...), "127.0.0.1", port)
	if exec {
		args = append(args, "-e", "/bin/cat")
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	srv := &idleServer{cmd: ns.Command(prog, args...), exited: make(chan error, 1), stderr: testenv.NewLineLog(errR)}
	in, err := srv.cmd.StdinPipe() // open: no end of input
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	srv.cmd.Stderr = errW
	err = srv.cmd.Start()
	errW.Close()
	if err != nil {
		t.Fatal(err)
	}
	go func() { srv.exited <- srv.cmd.Wait() }()
	t.Cleanup(func() {
		srv.cmd.Process.Kill()
		srv.exited <- <-srv.exited
	})
	// "Ncat: Listening on 127.0.0.1:PORT", "echocat: listening on
	// tcp://127.0.0.1:PORT"
	if !srv.findLine("istening on ", "127.0.0.1:"+port) {
		t.Fatalf("%s did not listen: %s", prog, srv.stderr)
	}
	return srv
}

// findLine reports whether a line of standard error holds every one of
// substrs, waiting 30 s at most for each next line (a bound on failure:
// the stream ends once the server and its processes did).
func (srv *idleServer) findLine(substrs ...string) bool {
	for i := 0; ; i++ {
		line, ok := srv.stderr.Next(i, 30*time.Second)
		if !ok {
			return false
		}
		if !slices.ContainsFunc(substrs, func(s string) bool { return !strings.Contains(line, s) }) {
			return true
		}
	}
}

// wait waits for the server's exit, 30 s at most, and returns its code.
func (srv *idleServer) wait(t *testing.T) int {
	t.Helper()
	select {
	case err := <-srv.exited:
		srv.exited <- err
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not end: %s", srv.stderr)
	}
	return srv.cmd.ProcessState.ExitCode()
}

// TestServerIdleAgainstNcat: -i on a -l -k server, as ncat 7.9x: with a
// client connected and nothing happening for the time, the server ends
// (ncat exits 2, echocat 7, its timeout code) and closes its clients; a
// process under -e goes on serving its client after the server ended.
//
// The test's client is the servers' first connection: a probe of the port
// (waitPort) would be a connection too, whose process under -e may still
// run 300 ms later on a loaded machine, and the server would end before
// the client came. Each case has its own port: ncat's -e processes inherit
// its listening socket and hold it until their client leaves.
func TestServerIdleAgainstNcat(t *testing.T) {
	ns := testenv.NewNetNS(t)
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	echocatBin := testenv.Bin(t, "echocat")
	for i, tc := range []struct {
		name, prog string
		exec       bool
		code       int
		msg        string
	}{
		{"ncat", ncat, false, 2, "Idle timeout expired (300 ms)"},
		{"echocat", echocatBin, false, cli.ExitTimeout, "echocat: no traffic for 300ms with clients connected (-i)"},
		{"ncat -e", ncat, true, 2, "Idle timeout expired (300 ms)"},
		{"echocat -e", echocatBin, true, cli.ExitTimeout, "echocat: no new connection for 300ms while processes ran (-i)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := fmt.Sprint(7910 + i)
			srv := startIdleServer(t, ns, tc.prog, port, tc.exec, "-i", "300ms")
			c := nsDial(t, ns, "127.0.0.1", port)
			c.SetBlocking(true)
			c.SetTimeout(30 * time.Second)
			c.SendAll([]byte("before\n"), 0)
			var got []byte
			if tc.exec {
				got, _ = c.Recv(100, 0)
			}
			if code := srv.wait(t); code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if tc.exec {
				// No half-close: ncat's relay ends at the client's FIN,
				// before cat's answer.
				c.SendAll([]byte("after\n"), 0)
				rest := make([]byte, len("after\n"))
				_, err := io.ReadFull(c, rest)
				got = append(got, rest...)
				if string(got) != "before\nafter\n" {
					t.Errorf("the client of the process read %q, %v", got, err)
				}
			} else if b, err := io.ReadAll(c); len(b) != 0 {
				// End of stream, or a reset if the server ended with
				// "before" unread: either way nothing came.
				t.Errorf("the client after the server ended: %q, %v", b, err)
			}
			c.Close() // the process under -e ends, and standard error with it
			if !srv.findLine(tc.msg) {
				t.Errorf("no line saying %q: %s", tc.msg, srv.stderr)
			}
		})
	}
}

// TestServerIdleStartsAcceptedProcess: a -k -e server that -i ends right
// after its first connection (-i 1ms) still starts that connection's
// process, as ncat, which forks before it accepts again: the client gets
// its echo, every time. echocat used to end before the process of a
// connection it had accepted started, which dropped the client; with a
// 300 ms idle time a loaded machine did the same.
func TestServerIdleStartsAcceptedProcess(t *testing.T) {
	ns := testenv.NewNetNS(t)
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	for _, prog := range []string{ncat, testenv.Bin(t, "echocat")} {
		t.Run(filepath.Base(prog), func(t *testing.T) {
			for round := range 10 {
				port := fmt.Sprint(7920 + round)
				srv := startIdleServer(t, ns, prog, port, true, "-i", "1ms")
				c := nsDial(t, ns, "127.0.0.1", port)
				c.SetTimeout(30 * time.Second)
				c.SendAll([]byte("ping\n"), 0)
				got := make([]byte, len("ping\n"))
				if _, err := io.ReadFull(c, got); string(got) != "ping\n" {
					t.Fatalf("round %d: the client read %q, %v: %s", round, got, err, srv.stderr)
				}
				srv.wait(t)
				c.Close()
			}
		})
	}
}
