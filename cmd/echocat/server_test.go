package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// notifyBuffer is a stderr that lets a test wait for a line.
type notifyBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	cond *sync.Cond
}

func newNotifyBuffer() *notifyBuffer {
	b := &notifyBuffer{}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *notifyBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cond.Broadcast()
	return b.buf.Write(p)
}

func (b *notifyBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the text holds s n times and returns the text.
func (b *notifyBuffer) waitFor(s string, n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for strings.Count(b.buf.String(), s) < n {
		b.cond.Wait()
	}
	return b.buf.String()
}

type srv struct {
	url    string
	stdout *notifyBuffer
	stderr *notifyBuffer
	stop   func() result
}

// startServer runs echocat -l -v ARGS until stop, and returns the URL it
// listens on. stdin nil: an input that never ends.
func startServer(t *testing.T, stdin io.Reader, args ...string) *srv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &srv{stdout: newNotifyBuffer(), stderr: newNotifyBuffer()}
	if stdin == nil {
		r, w := io.Pipe()
		t.Cleanup(func() { w.Close() })
		stdin = r
	}
	done := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		err := run(ctx, append([]string{"echocat", "-l", "-v"}, args...), stdin, s.stdout, s.stderr)
		close(exited)
		fmt.Fprintf(s.stderr, "(exited: %v)\n", err)
		done <- err
	}()
	var once sync.Once
	var res result
	s.stop = func() result {
		once.Do(func() {
			cancel()
			err := <-done
			res = result{s.stdout.String(), s.stderr.String(), cli.ExitCode(err)}
		})
		return res
	}
	t.Cleanup(func() { s.stop() })
	for n := 1; ; n++ {
		text := s.stderr.waitFor("\n", n)
		for line := range strings.Lines(text) {
			if u, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "echocat: listening on "); ok {
				s.url = u
				return s
			}
		}
		select {
		case <-exited:
			t.Fatalf("no listening line: %+v", s.stop())
		default:
		}
	}
}

func TestKeepOpenExec(t *testing.T) {
	s := startServer(t, nil, "-k", "-e", "/bin/cat", "tcp://127.0.0.1:0")
	for i := range 3 {
		// cat echoes until the client's FIN, then exits: the server
		// closes the connection then.
		got := echocat(t, "call "+string(rune('a'+i))+"\n", s.url)
		if diff := cmp.Diff(result{Stdout: "call " + string(rune('a'+i)) + "\n"}, got); diff != "" {
			t.Errorf("call %d (-want +got):\n%s", i, diff)
		}
	}
	if r := s.stop(); r.Code != cli.ExitInterrupted || strings.Count(r.Stderr, "connection from") != 3 {
		t.Errorf("server: %+v", r)
	}
}

func TestShExecEnvironment(t *testing.T) {
	s := startServer(t, nil, "-k", "-c", `echo "$NCAT_PROTO $NCAT_REMOTE_ADDR $NCAT_LOCAL_ADDR $NCAT_LOCAL_PORT $TCPLOCALIP $TCPLOCALPORT"; [ "$TCPREMOTEPORT" = "$NCAT_REMOTE_PORT" ] && echo same`, "tcp://127.0.0.1:0")
	port := strings.TrimPrefix(s.url, "tcp://127.0.0.1:")
	got := echocat(t, "", "-d", s.url)
	want := "TCP 127.0.0.1 127.0.0.1 " + port + " 127.0.0.1 " + port + "\nsame\n"
	if diff := cmp.Diff(result{Stdout: want}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestExecOverUnix(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s")
	s := startServer(t, nil, "-k", "-c", `echo "$NCAT_PROTO $NCAT_LOCAL_ADDR"; cat`, "unix://"+sock)
	got := echocat(t, "x\n", s.url)
	if diff := cmp.Diff(result{Stdout: "UNIX " + sock + "\nx\n"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestKeepOpenHub(t *testing.T) {
	in, inW := io.Pipe()
	s := startServer(t, in, "-k", "tcp://127.0.0.1:0")
	// Two clients that print what the server's input sends them.
	type cl struct {
		out  *notifyBuffer
		done chan error
	}
	var cls []cl
	for i := range 2 {
		c := cl{newNotifyBuffer(), make(chan error, 1)}
		r, w := io.Pipe()
		t.Cleanup(func() { w.Close() })
		go func() { c.done <- run(context.Background(), []string{"echocat", s.url}, r, c.out, io.Discard) }()
		s.stderr.waitFor("connection from", i+1)
		io.WriteString(w, "from client "+string(rune('1'+i))+"\n")
		cls = append(cls, c)
	}
	s.stdout.waitFor("from client 1\n", 1)
	s.stdout.waitFor("from client 2\n", 1)
	io.WriteString(inW, "to all\n")
	inW.Close() // end of input half-closes every client, which then exit 0
	for i, c := range cls {
		if err := <-c.done; err != nil || c.out.String() != "to all\n" {
			t.Errorf("client %d: %v, %q", i, err, c.out.String())
		}
	}
}

func TestBroker(t *testing.T) {
	s := startServer(t, nil, "--broker", "tcp://127.0.0.1:0")
	a, err := sockcore.CreateConnection(context.Background(), "127.0.0.1", strings.TrimPrefix(s.url, "tcp://127.0.0.1:"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	s.stderr.waitFor("connection from", 1)
	got := echocat(t, "to the others\n", "--send-only", s.url)
	if got.Code != 0 {
		t.Fatalf("%+v", got)
	}
	a.SetBlocking(true)
	buf := make([]byte, 100)
	n, err := io.ReadAtLeast(a, buf, len("to the others\n"))
	if string(buf[:n]) != "to the others\n" {
		t.Errorf("the other client read %q, %v", buf[:n], err)
	}
}

func TestRefused(t *testing.T) {
	s := startServer(t, nil, "-k", "--deny", "127.0.0.0/8", "-e", "/bin/cat", "tcp://127.0.0.1:0")
	got := echocat(t, "x", s.url)
	if got.Code != cli.ExitNetwork || !strings.Contains(got.Stderr, "reset") {
		t.Errorf("denied client: %+v", got)
	}
	if !strings.Contains(s.stderr.waitFor("refused", 1), "not allowed by --allow/--deny") {
		t.Errorf("server: %s", s.stderr)
	}

	m := startServer(t, nil, "-k", "-m", "1", "-c", "cat; echo done", "tcp://127.0.0.1:0")
	first, err := sockcore.CreateConnection(context.Background(), "127.0.0.1", strings.TrimPrefix(m.url, "tcp://127.0.0.1:"))
	if err != nil {
		t.Fatal(err)
	}
	m.stderr.waitFor("connection from", 1)
	got = echocat(t, "x", m.url)
	if got.Code != cli.ExitNetwork {
		t.Errorf("client beyond --max-conns: %+v", got)
	}
	if !strings.Contains(m.stderr.waitFor("refused", 1), "--max-conns 1 reached") {
		t.Errorf("server: %s", m.stderr)
	}
	first.Close()
}

func TestServerBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"exec missing", []string{"-l", "-e", "/no/such/prog", "0"}, cli.ExitNoSuchThing, "--exec /no/such/prog: cannot run it: no such file or directory"},
		{"exec not in PATH", []string{"-l", "-e", "no-such-prog-echocat", "0"}, cli.ExitNoSuchThing, "no such program in $PATH"},
		{"exec and sh-exec", []string{"-l", "-e", "cat", "-c", "cat", "0"}, cli.ExitUsage, "exclude each other"},
		{"-k without -l", []string{"-k", "127.0.0.1", "1"}, cli.ExitUsage, "--keep-open needs -l"},
		{"-k udp", []string{"-l", "-k", "-u", "0"}, cli.ExitUsage, "-k over datagrams needs -e or -c"},
		{"bad CIDR", []string{"-l", "--allow", "10.0.0.0/33", "0"}, cli.ExitUsage, "--allow 10.0.0.0/33: not an address range"},
		{"allowfile missing", []string{"-l", "--allowfile", "/no/such/file", "0"}, cli.ExitNoSuchThing, "--allowfile: open /no/such/file"},
		{"-m negative", []string{"-l", "-m", "-1", "0"}, cli.ExitUsage, "--max-conns -1"},
		{"-i bad", []string{"-i", "soon", "127.0.0.1", "1"}, cli.ExitUsage, `-i "soon": want a time`},
		{"allow on unix", []string{"-l", "--allow", "127.0.0.1", "unix:///tmp/x"}, cli.ExitUsage, "need an IP transport"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := echocat(t, "", tc.args...)
			if got.Code != tc.code || !strings.Contains(got.Stderr, tc.msg) || strings.Count(got.Stderr, "\n") != 1 {
				t.Errorf("got %+v, want code %d and %q in one line", got, tc.code, tc.msg)
			}
		})
	}
}

func TestAccessList(t *testing.T) {
	file := filepath.Join(t.TempDir(), "allow")
	os.WriteFile(file, []byte("# lab\n10.1.0.0/16 # the lab\n\nfd00::1\n"), 0o644)
	a, err := newAccessList([]string{"192.0.2.1,localhost"}, []string{"10.1.2.0/24"}, file, "", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ip   string
		want bool
	}{
		{"192.0.2.1", true}, {"::ffff:192.0.2.1", true}, {"127.0.0.1", true}, {"10.1.0.5", true},
		{"10.1.2.5", false}, {"fd00::1", true}, {"fd00::2", false}, {"192.0.2.2", false},
	} {
		if got := a.permits(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("permits(%s) = %v, want %v", tc.ip, got, tc.want)
		}
	}
}

func TestSplitArgsAndTime(t *testing.T) {
	if diff := cmp.Diff([]string{"/bin/echo", "a b", "c"}, splitArgs(` /bin/echo a\ b  c `)); diff != "" {
		t.Errorf("splitArgs (-want +got):\n%s", diff)
	}
	for in, want := range map[string]string{"30": "30s", "1.5": "1.5s", "500ms": "500ms", "2m": "2m0s", "1h": "1h0m0s", "10s": "10s"} {
		d, err := parseTime("-i", in)
		if err != nil || d.String() != want {
			t.Errorf("parseTime(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
}

func TestSendOnlyRecvOnlyIdle(t *testing.T) {
	// A server that sends a line and then waits for the client's FIN.
	port := server(t, func(c *sockcore.Socket) {
		c.SendAll([]byte("from server\n"), 0)
		io.Copy(io.Discard, c)
	})
	closer := server(t, func(c *sockcore.Socket) { c.SendAll([]byte("from server\n"), 0) })
	got := echocat(t, "ignored\n", "--recv-only", "127.0.0.1", closer)
	if diff := cmp.Diff(result{Stdout: "from server\n"}, got); diff != "" {
		t.Errorf("--recv-only (-want +got):\n%s", diff)
	}
	got = echocat(t, "x\n", "--send-only", "127.0.0.1", port)
	if diff := cmp.Diff(result{}, got); diff != "" {
		t.Errorf("--send-only (-want +got):\n%s", diff)
	}
	got = echocat(t, "", "-d", "-i", "100ms", "127.0.0.1", port)
	if got.Code != cli.ExitTimeout || !strings.Contains(got.Stderr, "no traffic for 100ms (-i)") {
		t.Errorf("-i: %+v", got)
	}
}

// TestDatagramExec: -l -k -u -c runs one process per datagram peer.
func TestDatagramExec(t *testing.T) {
	// One write, so one datagram back.
	s := startServer(t, nil, "-k", "-u", "-c", `read line; echo "$line $NCAT_PROTO $NCAT_REMOTE_ADDR"`, "udp://127.0.0.1:0")
	for i := range 2 {
		got := echocat(t, "ping\n", s.url)
		if diff := cmp.Diff(result{Stdout: "ping UDP 127.0.0.1\n"}, got); diff != "" {
			t.Errorf("peer %d (-want +got):\n%s", i, diff)
		}
	}
	if r := s.stop(); strings.Count(r.Stderr, "datagram from udp://127.0.0.1:") != 2 {
		t.Errorf("server: %+v", r)
	}
}

// TestClientExec: without -l, -c runs the command on the connection made.
func TestClientExec(t *testing.T) {
	replies := make(chan string, 1)
	port := server(t, func(c *sockcore.Socket) {
		c.SendAll([]byte("hi\n"), 0)
		b, _ := io.ReadAll(c)
		replies <- string(b)
	})
	got := echocat(t, "", "-c", `read x; echo "got $x from $NCAT_REMOTE_PORT"`, "127.0.0.1", port)
	if diff := cmp.Diff(result{}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r := <-replies; r != "got hi from "+port+"\n" {
		t.Errorf("the server read %q", r)
	}
}

func TestChatFilter(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"printable", "hello, world ~!\n", "<user5> hello, world ~!\n"},
		{"CR, LF and tab kept", "a\tb\r\n", "<user5> a\tb\r\n"},
		{"controls in octal", "\x00\x01\x1b[2J\x7f", `<user5> \000\001\033[2J\177`},
		{"bytes above ASCII in octal", "\x80caf\xc3\xa9\xff", `<user5> \200caf\303\251\377`},
		{"empty", "", "<user5> "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, string(chatFilter("<user5>", []byte(tc.in)))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// readLines reads n lines from c.
func readLines(t *testing.T, r *bufio.Reader, n int) string {
	t.Helper()
	var sb strings.Builder
	for range n {
		line, err := r.ReadString('\n')
		sb.WriteString(line)
		if err != nil {
			t.Fatalf("after %q: %v", sb.String(), err)
		}
	}
	return sb.String()
}

// TestChat: ncat's chat (integration/echo compares it with ncat byte for
// byte): announcements in the order of joining, naming the others as
// "ADDR as <userN>", standard input as <user0>, control bytes in octal.
func TestChat(t *testing.T) {
	inR, inW := io.Pipe()
	defer inW.Close()
	s := startServer(t, inR, "--chat", "tcp://127.0.0.1:0")
	port := strings.TrimPrefix(s.url, "tcp://127.0.0.1:")
	dial := func() (*sockcore.Socket, *bufio.Reader) {
		c, err := sockcore.CreateConnection(context.Background(), "127.0.0.1", port)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetBlocking(true)
		return c, bufio.NewReader(c)
	}
	userRE := regexp.MustCompile(`connected as (<user[0-9]+>)`)
	a, ar := dial()
	got := readLines(t, ar, 2)
	an := string(userRE.FindStringSubmatch(got + "connected as <user?>")[1])
	if diff := cmp.Diff("<announce> 127.0.0.1 is connected as "+an+".\n<announce> already connected: nobody.\n", got); diff != "" {
		t.Errorf("first client (-want +got):\n%s", diff)
	}
	b, br := dial()
	got = readLines(t, br, 2)
	bn := string(userRE.FindStringSubmatch(got + "connected as <user?>")[1])
	want := "<announce> 127.0.0.1 is connected as " + bn + ".\n<announce> already connected: 127.0.0.1 as " + an + ".\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("second client (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, readLines(t, ar, 2)); diff != "" {
		t.Errorf("first client on the second (-want +got):\n%s", diff)
	}
	a.SendAll([]byte("hi\x1b[2J\x07\xff\r\n"), 0)
	if diff := cmp.Diff(an+` hi\033[2J\007\377`+"\r\n", readLines(t, br, 1)); diff != "" {
		t.Errorf("relayed (-want +got):\n%s", diff)
	}
	io.WriteString(inW, "from the server\x01\n")
	for name, r := range map[string]*bufio.Reader{"first": ar, "second": br} {
		if diff := cmp.Diff(`<user0> from the server\001`+"\n", readLines(t, r, 1)); diff != "" {
			t.Errorf("standard input to the %s client (-want +got):\n%s", name, diff)
		}
	}
	a.Close()
	if diff := cmp.Diff("<announce> "+an+" is disconnected.\n", readLines(t, br, 1)); diff != "" {
		t.Errorf("leaving (-want +got):\n%s", diff)
	}
	b.Close()
}

// TestServerIdleTimeout: -i on a -l -k server is ncat's: once a client is
// connected, the time without a new connection, input or client data ends
// the server (exit 7); a process under -e goes on serving its client.
func TestServerIdleTimeout(t *testing.T) {
	s := startServer(t, nil, "-k", "-i", "100ms", "tcp://127.0.0.1:0")
	port := strings.TrimPrefix(s.url, "tcp://127.0.0.1:")
	c, err := sockcore.CreateConnection(context.Background(), "127.0.0.1", port)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s.stderr.waitFor("(exited", 1)
	r := s.stop()
	if r.Code != cli.ExitTimeout || !strings.Contains(r.Stderr, "no traffic for 100ms with clients connected (-i)") {
		t.Errorf("hub: %+v", r)
	}

	e := startServer(t, nil, "-k", "-i", "100ms", "-e", "/bin/cat", "tcp://127.0.0.1:0")
	port = strings.TrimPrefix(e.url, "tcp://127.0.0.1:")
	p, err := sockcore.CreateConnection(context.Background(), "127.0.0.1", port)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.SetBlocking(true)
	e.stderr.waitFor("(exited", 1)
	r = e.stop()
	if r.Code != cli.ExitTimeout || !strings.Contains(r.Stderr, "no new connection for 100ms while processes ran (-i)") {
		t.Errorf("-e: %+v", r)
	}
	p.SendAll([]byte("still served\n"), 0)
	p.Shutdown(unix.SHUT_WR)
	if got, err := io.ReadAll(p); string(got) != "still served\n" {
		t.Errorf("the process after the server ended: %q, %v", got, err)
	}
}

// TestNcatTransportFlags: ncat's -U PATH (and --vsock, --sctp) name the
// transport as ncat's command lines do.
func TestNcatTransportFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	s := startServer(t, nil, "-k", "-e", "/bin/cat", "-U", path)
	if s.url != "unix://"+path {
		t.Errorf("listening on %s, want unix://%s", s.url, path)
	}
	if diff := cmp.Diff(result{Stdout: "over -U\n"}, echocat(t, "over -U\n", "--unixsock", path)); diff != "" {
		t.Errorf("-U client (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"-U with two arguments", []string{"-U", "a", "b"}, `-U wants one socket PATH, not ["a" "b"]`},
		{"-U and --sctp", []string{"-U", "--sctp", "a"}, "--unixsock and --sctp exclude each other"},
		{"--sctp and -u", []string{"--sctp", "-u", "h", "1"}, "-u and --sctp exclude each other"},
		{"--vsock with three", []string{"--vsock", "1", "2", "3"}, `--vsock wants CID PORT (with -l: PORT), not ["1" "2" "3"]`},
		{"-U with a URL", []string{"-U", "unix:///x"}, `--unixsock takes an address, not the URL "unix:///x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := echocat(t, "", tc.args...)
			if got.Code != cli.ExitUsage || !strings.Contains(got.Stderr, tc.msg) || strings.Count(got.Stderr, "\n") != 1 {
				t.Errorf("got %+v, want exit 2 and one line with %q", got, tc.msg)
			}
		})
	}
}

// TestKeepOpenSendOnly: -l -k --send-only as ncat: what clients send is
// dropped, and the end of input ends the server (exit 0).
func TestKeepOpenSendOnly(t *testing.T) {
	inR, inW := io.Pipe()
	s := startServer(t, inR, "-k", "--send-only", "tcp://127.0.0.1:0")
	c, err := sockcore.CreateConnection(context.Background(), "127.0.0.1", strings.TrimPrefix(s.url, "tcp://127.0.0.1:"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetBlocking(true)
	s.stderr.waitFor("connection from", 1)
	c.SendAll([]byte("dropped\n"), 0)
	io.WriteString(inW, "to the client\n")
	inW.Close()
	if got, err := io.ReadAll(c); string(got) != "to the client\n" {
		t.Errorf("client read %q, %v", got, err)
	}
	s.stderr.waitFor("(exited", 1)
	if r := s.stop(); r.Code != 0 || r.Stdout != "" {
		t.Errorf("server: %+v", r)
	}
}
