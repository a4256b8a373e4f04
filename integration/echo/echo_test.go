package echo

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"

	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/echotest"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// TestTransports runs echocat against echod over every transport this
// host has (vsock is in integration/vm/echo), plain and with --verify.
func TestTransports(t *testing.T) {
	ns := testenv.NewNetNS(t)
	dir := t.TempDir()
	for _, url := range []string{
		"tcp://127.0.0.1:0", "tcp://[::1]:0", "udp://127.0.0.1:0", "udp://[::1]:0",
		"udplite://127.0.0.1:0", "mptcp://127.0.0.1:0", "mptcp://[::1]:0",
		"unix://" + filepath.Join(dir, "s"), "unix://@echo-it-" + filepath.Base(dir),
		"unix-dgram://" + filepath.Join(dir, "d"), "unix-seqpacket://" + filepath.Join(dir, "q"),
	} {
		t.Run(url, func(t *testing.T) {
			d := startEchod(t, ns, 1, "--listen", url)
			got := echocat(t, ns, "hello over "+url+"\n", d.urls[0])
			if diff := cmp.Diff(result{Stdout: "hello over " + url + "\n"}, got); diff != "" {
				t.Errorf("echocat (-want +got):\n%s", diff)
			}
			v := echocat(t, ns, "", "--verify", "--count", "200", "--size", "1000", d.urls[0])
			if v.Code != 0 || !strings.Contains(v.Stdout, "sent 200, received 200, lost 0 (0.00%), corrupted 0") {
				t.Errorf("--verify: %+v", v)
			}
		})
	}
}

// TestFDURL serves a socket the parent opened, passed as fd://3.
func TestFDURL(t *testing.T) {
	testenv.RequireRoot(t)
	ln, err := sockcore.CreateServer("127.0.0.1", "0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, _ := ln.File()
	cmd := echodCmd(t, nil, "--listen", "fd://3")
	cmd.ExtraFiles = []*os.File{f}
	d := startCmd(t, cmd, 1)
	f.Close()
	got := echocat(t, nil, "via fd\n", d.urls[0])
	if diff := cmp.Diff(result{Stdout: "via fd\n"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// twoHosts joins a server and a client namespace with IPv4 and IPv6.
func twoHosts(t *testing.T) (srv, cl *testenv.NetNS) {
	srv, cl = testenv.NewNetNS(t), testenv.NewNetNS(t)
	testenv.Veth(t, srv, cl, []string{"10.0.0.1/24", "fd00::1/64"}, []string{"10.0.0.2/24", "fd00::2/64"})
	return srv, cl
}

// TestDefaultDualStackAcrossVeth: echod with no arguments serves TCP and
// UDP on port 50007 on one dual-stack socket each; IPv4 and IPv6 clients
// on the other side of a veth pair reach both.
func TestDefaultDualStackAcrossVeth(t *testing.T) {
	srv, cl := twoHosts(t)
	d := startEchod(t, srv, 2)
	if diff := cmp.Diff([]string{"tcp://[::]:50007", "udp://[::]:50007"}, d.urls); diff != "" {
		t.Errorf("bound (-want +got):\n%s", diff)
	}
	for _, args := range [][]string{
		{"10.0.0.1", "50007"}, {"fd00::1", "50007"}, {"-u", "10.0.0.1", "50007"}, {"-u", "fd00::1", "50007"},
		{"tcp://10.0.0.1:50007"}, {"udp://[fd00::1]:50007"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			got := echocat(t, cl, "across veth\n", args...)
			if diff := cmp.Diff(result{Stdout: "across veth\n"}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			v := echocat(t, cl, "", append([]string{"--verify", "--count", "100", "--size", "1400"}, args...)...)
			if v.Code != 0 {
				t.Errorf("--verify: %+v", v)
			}
		})
	}
}

// TestIPv6DisabledServesIPv4: with IPv6 disabled by sysctl in the
// namespace (the module stays loaded, so the AF_INET6 socket still binds)
// the default sockets serve IPv4 clients. The IPv4-only fallback itself
// needs a kernel without IPv6 (ipv6.disable=1) and is not exercised here.
func TestIPv6DisabledServesIPv4(t *testing.T) {
	ns := testenv.NewNetNS(t)
	if out, err := ns.Command("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.lo.disable_ipv6=1").CombinedOutput(); err != nil {
		t.Fatalf("sysctl: %v %s", err, out)
	}
	d := startEchod(t, ns, 2)
	for _, args := range [][]string{{"127.0.0.1", "50007"}, {"-u", "127.0.0.1", "50007"}} {
		if got := echocat(t, ns, "v4\n", args...); got != (result{Stdout: "v4\n"}) {
			t.Errorf("%v: %+v (bound %v)", args, got, d.urls)
		}
	}
}

// TestSystemdActivation starts echod the way systemd-socket-activate does:
// the sockets at descriptors 3 and 4, LISTEN_PID, LISTEN_FDS and
// LISTEN_FDNAMES set.
func TestSystemdActivation(t *testing.T) {
	ns := testenv.NewNetNS(t)
	var files []*os.File
	err := ns.Do(func() error {
		for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_DGRAM} {
			s, err := sockcore.CreateServer("127.0.0.1", "7007", sockcore.WithServerType(typ))
			if err != nil {
				return err
			}
			f, err := s.File()
			s.Close()
			if err != nil {
				return err
			}
			files = append(files, f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// sh sets LISTEN_PID to its own pid, which exec hands to echod.
	cmd := ns.Command("sh", "-c", "LISTEN_PID=$$ LISTEN_FDS=2 LISTEN_FDNAMES=echo-tcp:echo-udp exec "+testenv.Bin(t, "echod")+" --systemd")
	cmd.ExtraFiles = files
	d := startCmd(t, cmd, 2)
	for _, f := range files {
		f.Close()
	}
	if diff := cmp.Diff([]string{"tcp://127.0.0.1:7007", "udp://127.0.0.1:7007"}, d.urls); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, u := range d.urls {
		if got := echocat(t, ns, "activated\n", u); got != (result{Stdout: "activated\n"}) {
			t.Errorf("%s: %+v", u, got)
		}
	}
}

// TestSystemdSocketActivate uses systemd's own tool as the activator: it
// listens, and starts echod with the socket at the first connection.
func TestSystemdSocketActivate(t *testing.T) {
	ns := testenv.NewNetNS(t)
	tool := testenv.RequireProgram(t, "systemd-socket-activate", "systemd")
	cmd := ns.Command(tool, "-l", "127.0.0.1:7008", "--fdname=echo", testenv.Bin(t, "echod"), "--systemd", "-v")
	d := startCmd(t, cmd, 0)
	if line, _ := d.stderr.waitFor(0, "Listening on 127.0.0.1:7008"); line == "" {
		t.Fatalf("systemd-socket-activate did not listen: %s", d.stderr)
	}
	if got := echocat(t, ns, "sd\n", "127.0.0.1", "7008"); got != (result{Stdout: "sd\n"}) {
		t.Errorf("%+v", got)
	}
	if line, _ := d.stderr.waitFor(0, "msg=closed", "bytes_in=3"); line == "" {
		t.Errorf("echod did not serve the connection: %s", d.stderr)
	}
}

// TestInetd serves one accepted connection on stdin/stdout (nowait) and a
// datagram socket (wait) until --idle-timeout.
func TestInetd(t *testing.T) {
	testenv.RequireRoot(t)
	t.Run("stream nowait", func(t *testing.T) {
		ln, err := sockcore.CreateServer("127.0.0.1", "0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		addr, _ := ln.SockName()
		client, err := sockcore.New(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		if err := client.Connect(addr); err != nil {
			t.Fatal(err)
		}
		conn, _, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		f, _ := conn.File()
		conn.Close()
		cmd := echodCmd(t, nil, "--inetd")
		cmd.Stdin, cmd.Stdout = f, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		got, err := echotest.EchoAll(client, []byte("inetd nowait"))
		if err != nil || string(got) != "inetd nowait" {
			t.Errorf("echo %q, %v", got, err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("echod --inetd exited with %v after the connection closed", err)
		}
	})
	t.Run("datagram wait", func(t *testing.T) {
		s, err := sockcore.CreateServer("127.0.0.1", "0", sockcore.WithServerType(unix.SOCK_DGRAM))
		if err != nil {
			t.Fatal(err)
		}
		addr, _ := s.SockName()
		f, _ := s.File()
		s.Close()
		// The datagram is queued before echod starts: sent later, it
		// could come after the 300 ms of idle time on a loaded machine.
		client, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		client.SetTimeout(30 * time.Second) // a bound on failure
		if err := client.Connect(addr); err != nil {
			t.Fatal(err)
		}
		if _, err := client.Send([]byte("inetd wait\n"), 0); err != nil {
			t.Fatal(err)
		}
		cmd := echodCmd(t, nil, "--inetd", "--idle-timeout", "300ms")
		cmd.Stdin = f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if got, err := client.Recv(100, 0); string(got) != "inetd wait\n" {
			t.Errorf("echo %q, %v", got, err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("echod --inetd (wait) exited with %v when idle", err)
		}
	})
}

func nsDial(t *testing.T, ns *testenv.NetNS, host, port string) *sockcore.Socket {
	t.Helper()
	var s *sockcore.Socket
	err := ns.Do(func() error {
		e, err := cli.NewInetEndpoint("tcp", host, port)
		if err != nil {
			return err
		}
		s, err = e.Dial(t.Context(), cli.DialConfig{Timeout: 30 * time.Second})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestDrainOnSIGTERM: connections open at SIGTERM are served to the end,
// byte for byte, and echod then exits 0.
func TestDrainOnSIGTERM(t *testing.T) {
	srv, cl := twoHosts(t)
	d := startEchod(t, srv, 1, "--listen", "tcp://:7", "--drain-timeout", "1m", "-v")
	var conns []*sockcore.Socket
	for range 4 {
		s := nsDial(t, cl, "10.0.0.1", "7")
		// One echo each, so every connection is accepted before the signal.
		s.SendAll([]byte("x"), 0)
		if b, err := s.Recv(1, 0); err != nil || string(b) != "x" {
			t.Fatalf("first echo %q, %v", b, err)
		}
		conns = append(conns, s)
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	if line, _ := d.stderr.waitFor(0, "draining", "connections=4"); line == "" {
		t.Fatalf("no draining line: %s", d.stderr)
	}
	payload := make([]byte, 4<<20)
	rand.Read(payload)
	errc := make(chan error, len(conns))
	for _, s := range conns {
		go func() {
			got, err := echotest.EchoAll(s, payload)
			if err == nil && !bytes.Equal(got, payload) {
				err = fmt.Errorf("echoed %d bytes, not the %d sent", len(got), len(payload))
			}
			errc <- err
		}()
	}
	for range conns {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
	if err := d.stop(0); err != nil {
		t.Errorf("echod exit: %v, want 0", err)
	}
}

// TestUDPGuard: datagrams from port 7 and from the subnet's broadcast
// address are dropped and counted; an ordinary one is echoed.
func TestUDPGuard(t *testing.T) {
	srv, cl := testenv.NewNetNS(t), testenv.NewNetNS(t)
	testenv.Veth(t, srv, cl, []string{"10.0.0.1/24"}, []string{"10.0.0.2/32", "10.0.0.255/32"})
	cl.MustIP(t, "route", "add", "10.0.0.1/32", "dev", "veth1")
	srv.Command("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.veth0.rp_filter=0").Run()
	d := startEchod(t, srv, 1, "--listen", "udp://:50007")
	send := func(src string, port int) *sockcore.Socket {
		var s *sockcore.Socket
		err := cl.Do(func() error {
			var err error
			if s, err = sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0); err != nil {
				return err
			}
			if err := s.Bind(&sockcore.InetAddr{IP: netip.MustParseAddr(src), Port: port}); err != nil {
				return err
			}
			_, err = s.SendTo([]byte("guard"), 0, &sockcore.InetAddr{IP: netip.MustParseAddr("10.0.0.1"), Port: 50007})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	send("10.0.0.2", 7)
	send("10.0.0.255", 40000)
	ok := send("10.0.0.2", 40001)
	// The ordinary datagram came after the other two on the same socket:
	// once it is echoed, the two drops are counted.
	ok.SetTimeout(30 * time.Second)
	if b, err := ok.Recv(100, 0); err != nil || string(b) != "guard" {
		t.Fatalf("ordinary datagram: %q, %v", b, err)
	}
	d.cmd.Process.Signal(syscall.SIGUSR1)
	line, _ := d.stderr.waitFor(0, "msg=stats")
	for _, want := range []string{"datagrams_in=3", "drop_low_port=1", "drop_broadcast=1"} {
		if !strings.Contains(line, want) {
			t.Errorf("stats %q lack %s", line, want)
		}
	}
}

// TestHalfClose: after echocat's end of input, echod still echoes what
// came before the FIN, then closes; --no-shutdown keeps the write side
// open so that only -q ends the session.
func TestHalfClose(t *testing.T) {
	ns := testenv.NewNetNS(t)
	d := startEchod(t, ns, 1, "--listen", "tcp://127.0.0.1:0", "-v")
	big := strings.Repeat("0123456789", 100000)
	if got := echocat(t, ns, big, d.urls[0]); got.Code != 0 || got.Stdout != big {
		t.Errorf("half-close: exit %d, %d bytes back", got.Code, len(got.Stdout))
	}
	// The input ends once the echo came (-q 0: quit then), not a timed
	// -q 0.5 that a loaded machine can exceed.
	if got, err := echoLine(t, ns, "kept open\n", testenv.Bin(t, "echocat"), "--no-shutdown", "-q", "0", d.urls[0]); got != "kept open\n" || err != nil {
		t.Errorf("--no-shutdown: read %q, %v", got, err)
	}
}

// TestProbe: -z over a port range, one line per port.
func TestProbe(t *testing.T) {
	srv, cl := twoHosts(t)
	startEchod(t, srv, 1, "--listen", "tcp://:5001")
	got := echocat(t, cl, "", "-z", "10.0.0.1", "5000-5002")
	want := result{Stdout: "tcp://10.0.0.1:5000 closed: connection refused\ntcp://10.0.0.1:5001 open\ntcp://10.0.0.1:5002 closed: connection refused\n", Code: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := echocat(t, cl, "", "-z", "fd00::1", "5001"); got != (result{Stdout: "tcp://[fd00::1]:5001 open\n"}) {
		t.Errorf("all open: %+v", got)
	}
}

// TestBadInput: each mistake gives one line on stderr and its exit code.
func TestBadInput(t *testing.T) {
	ns := testenv.NewNetNS(t)
	busy := startEchod(t, ns, 1, "--listen", "tcp://127.0.0.1:0")
	for _, tc := range []struct {
		name string
		tool string
		args []string
		code int
		msg  string
	}{
		{"echocat unknown host", "echocat", []string{"no-such-host.invalid", "7"}, cli.ExitResolve, "look up no-such-host.invalid"},
		{"echocat bad port", "echocat", []string{"127.0.0.1", "seventy-thousand!"}, cli.ExitUsage, "port"},
		{"echocat bad URL", "echocat", []string{"tcp://[::1"}, cli.ExitUsage, "bad URL"},
		{"echocat unknown option", "echocat", []string{"-O", "SO_NOPE=1", "127.0.0.1", "7"}, cli.ExitUsage, "unknown socket option name"},
		{"echocat missing UNIX path", "echocat", []string{"unix:///run/no-such.sock"}, cli.ExitNoSuchThing, "no such file"},
		{"echocat refused", "echocat", []string{"127.0.0.1", "9"}, cli.ExitNetwork, "refused"},
		{"echod bad URL", "echod", []string{"--listen", "tcp:/x"}, cli.ExitUsage, "bad URL"},
		{"echod bad port", "echod", []string{"--listen", "udp://:65536"}, cli.ExitUsage, `port "65536"`},
		{"echod port in use", "echod", []string{"--listen", busy.urls[0]}, cli.ExitNetwork, "address already in use"},
		{"echod missing UNIX directory", "echod", []string{"--listen", "unix:///no/such/dir.sock"}, cli.ExitNoSuchThing, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, ns, "", testenv.Bin(t, tc.tool), tc.args...)
			if got.Code != tc.code {
				t.Errorf("exit %d, want %d: %q", got.Code, tc.code, got.Stderr)
			}
			if strings.Count(got.Stderr, "\n") != 1 || !strings.HasPrefix(got.Stderr, tc.tool+": ") || !strings.Contains(got.Stderr, tc.msg) {
				t.Errorf("stderr %q: want one line %q… saying %q", got.Stderr, tc.tool+": ", tc.msg)
			}
		})
	}
}

// TestNoPermission: an unprivileged user may not bind port 80.
func TestNoPermission(t *testing.T) {
	ns := testenv.NewNetNS(t)
	ns.Command("sysctl", "-qw", "net.ipv4.ip_unprivileged_port_start=1024").Run()
	cmd := ns.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", testenv.Bin(t, "echod"), "--listen", "tcp://127.0.0.1:80")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != cli.ExitPermission {
		t.Fatalf("exit %v, want %d: %s", err, cli.ExitPermission, stderr.String())
	}
	if got := stderr.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "permission denied") {
		t.Errorf("stderr %q", got)
	}
}

// TestJSONLog: --log-format json writes one JSON object per line.
func TestJSONLog(t *testing.T) {
	ns := testenv.NewNetNS(t)
	d := startEchod(t, ns, 1, "--listen", "tcp://127.0.0.1:0", "--log-format", "json", "-v")
	echocat(t, ns, "j", d.urls[0])
	line, _ := d.stderr.waitFor(0, `"msg":"closed"`)
	if !strings.HasPrefix(line, "{") || !strings.Contains(line, `"bytes_in":1`) {
		t.Errorf("log line %q", line)
	}
}
