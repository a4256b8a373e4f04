package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/echotest"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// daemon is echod's run() in a goroutine.
type daemon struct {
	urls   []string
	stderr *testenv.SyncBuffer
	cancel context.CancelFunc
	done   chan error
}

// start runs echod with args and waits for its "listening" lines, one per
// --listen URL.
// ECHOD_IO_URING=on|off (--io-uring from the environment) runs them all
// on one reactor backend.
func start(t testing.TB, args ...string) *daemon {
	t.Helper()
	n := 0
	for _, a := range args {
		if a == "--listen" {
			n++
		}
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemon{stderr: &testenv.SyncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		err := run(ctx, append([]string{"echod"}, args...), strings.NewReader(""), pw, d.stderr)
		pw.Close()
		d.done <- err
	}()
	sc := bufio.NewScanner(pr)
	for len(d.urls) < n && sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "listening" {
			t.Fatalf("unexpected output %q", sc.Text())
		}
		d.urls = append(d.urls, f[1])
	}
	go io.Copy(io.Discard, pr)
	if len(d.urls) < n {
		cancel()
		t.Fatalf("echod exited: %v; stderr: %s", <-d.done, d.stderr)
	}
	t.Cleanup(func() { d.stop(t) })
	return d
}

// stop cancels the context (SIGTERM in cli.Main) and returns run's error.
func (d *daemon) stop(t testing.TB) error {
	t.Helper()
	if d.cancel == nil {
		return nil
	}
	d.cancel()
	d.cancel = nil
	return <-d.done
}

func dial(t *testing.T, url string) *sockcore.Socket {
	t.Helper()
	e, err := cli.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.Dial(context.Background(), cli.DialConfig{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStreamEcho(t *testing.T) {
	dir := t.TempDir()
	for _, url := range []string{"tcp://127.0.0.1:0", "tcp://[::1]:0", "unix://" + filepath.Join(dir, "s"), "unix://@echod-test-" + filepath.Base(dir)} {
		t.Run(url, func(t *testing.T) {
			d := start(t, "--listen", url)
			payload := make([]byte, 1<<20)
			rand.Read(payload)
			// Many clients at once, each with a megabyte in flight both ways.
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					e, _ := cli.ParseURL(d.urls[0])
					s, err := e.Dial(context.Background(), cli.DialConfig{Timeout: 10 * time.Second})
					if err != nil {
						errs <- err
						return
					}
					defer s.Close()
					got, err := echotest.EchoAll(s, payload)
					if err != nil {
						errs <- err
						return
					}
					if !bytes.Equal(got, payload) {
						errs <- errors.New("echo differs from what was sent")
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// TestSmallThenBulk switches one connection from splice to the buffer
// path (small messages) and back (bulk) and checks every byte.
func TestSmallThenBulk(t *testing.T) {
	d := start(t, "--listen", "tcp://127.0.0.1:0")
	s := dial(t, d.urls[0])
	pingpong := func(rounds int) {
		for i := range rounds {
			msg := []byte{byte(i), 'p', 'i', 'n', 'g'}
			if err := s.SendAll(msg, 0); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(s, got); err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("round %d: %q, %v", i, got, err)
			}
		}
	}
	pingpong(3 * smallBursts)
	bulk := make([]byte, 4<<20)
	rand.Read(bulk)
	errc := make(chan error, 1)
	go func() { errc <- s.SendAll(bulk, 0) }()
	got := make([]byte, len(bulk))
	if _, err := io.ReadFull(s, got); err != nil || !bytes.Equal(got, bulk) {
		t.Fatalf("bulk echo differs (%v)", err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	pingpong(3 * smallBursts)
}

// TestSlowReader: a client that writes small messages and reads nothing
// until 2 MiB are sent fills the echo's path; the server must keep every
// byte it could not send yet (the reactor hands them to a goroutine).
func TestSlowReader(t *testing.T) {
	d := start(t, "--listen", "tcp://127.0.0.1:0")
	s := dial(t, d.urls[0])
	payload := make([]byte, 8<<20)
	rand.Read(payload)
	const chunk = 1000
	sent := make(chan int, len(payload)/chunk+1)
	errc := make(chan error, 1)
	go func() {
		for off := 0; off < len(payload); off += chunk {
			if err := s.SendAll(payload[off:min(off+chunk, len(payload))], 0); err != nil {
				errc <- err
				return
			}
			sent <- off + chunk
		}
		errc <- nil
	}()
	for n := range sent {
		if n >= 2<<20 {
			break
		}
	}
	got := make([]byte, len(payload))
	if _, err := io.ReadFull(s, got); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("echo to a slow reader differs (%v)", err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestSeqpacketKeepsRecords(t *testing.T) {
	d := start(t, "--listen", "unix-seqpacket://@echod-seq-"+filepath.Base(t.TempDir()))
	s := dial(t, d.urls[0])
	for _, rec := range []string{"one", "two two", "three three three"} {
		if _, err := s.Send([]byte(rec), 0); err != nil {
			t.Fatal(err)
		}
		got, err := s.Recv(100, 0)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != rec {
			t.Errorf("record %q came back as %q", rec, got)
		}
	}
}

func TestDatagramEchoDemultiplexes(t *testing.T) {
	dir := t.TempDir()
	for _, url := range []string{"udp://127.0.0.1:0", "udp://[::1]:0", "unix-dgram://" + filepath.Join(dir, "d")} {
		t.Run(url, func(t *testing.T) {
			d := start(t, "--listen", url, "--udp-rate", "0")
			var clients []*sockcore.Socket
			for range 5 {
				// unix-dgram clients autobind, so that they can be answered.
				clients = append(clients, dial(t, d.urls[0]))
			}
			for i, s := range clients {
				if _, err := s.Send([]byte{byte(i), 'x'}, 0); err != nil {
					t.Fatal(err)
				}
			}
			for i, s := range clients {
				got, err := s.Recv(100, 0)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]byte{byte(i), 'x'}, got); diff != "" {
					t.Errorf("client %d (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

// TestDatagramCounters: every datagram echoed is counted once, bytes too,
// with one receive loop on the socket (echoes sent inside the receive
// loop) and with several (--workers: echoes sent outside it).
func TestDatagramCounters(t *testing.T) {
	for _, workers := range []string{"1", "3"} {
		t.Run("workers="+workers, func(t *testing.T) {
			d := start(t, "--listen", "udp://127.0.0.1:0", "--udp-rate", "0", "--workers", workers, "-v")
			const clients, rounds = 4, 25
			var wg sync.WaitGroup
			for c := range clients {
				s := dial(t, d.urls[0])
				s.SetTimeout(10 * time.Second)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range rounds {
						msg := []byte{byte(c), byte(i), 'x', 'y'}
						if _, err := s.Send(msg, 0); err != nil {
							t.Error(err)
							return
						}
						if got, err := s.Recv(16, 0); err != nil || !bytes.Equal(got, msg) {
							t.Errorf("client %d round %d: echo %q, %v; want %q", c, i, got, err, msg)
							return
						}
					}
				}()
			}
			wg.Wait()
			line := exitStats(t, d)
			n := clients * rounds
			for _, want := range []string{
				fmt.Sprintf("datagrams_in=%d ", n), fmt.Sprintf("datagrams_out=%d ", n),
				fmt.Sprintf("bytes_in=%d ", 4*n), fmt.Sprintf("bytes_out=%d ", 4*n),
			} {
				if !strings.Contains(line+" ", want) {
					t.Errorf("counters %q lack %s", line, want)
				}
			}
		})
	}
}

func TestDiscard(t *testing.T) {
	d := start(t, "--listen", "tcp://127.0.0.1:0", "--mode", "discard")
	s := dial(t, d.urls[0])
	got, err := echotest.EchoAll(s, bytes.Repeat([]byte("x"), 100000))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("discard sent back %d bytes", len(got))
	}
}

func TestHalfClose(t *testing.T) {
	// After the client's FIN the server still echoes what came before
	// it, then closes its side.
	d := start(t, "--listen", "tcp://127.0.0.1:0")
	s := dial(t, d.urls[0])
	if err := s.SendAll([]byte("before fin"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(s)
	if err != nil || string(got) != "before fin" {
		t.Errorf("read %q, %v; want %q then EOF", got, err, "before fin")
	}
}

func TestMaxConns(t *testing.T) {
	d := start(t, "--listen", "tcp://127.0.0.1:0", "--max-conns", "1")
	first := dial(t, d.urls[0])
	if err := first.SendAll([]byte("a"), 0); err != nil {
		t.Fatal(err)
	}
	if got, err := first.Recv(1, 0); err != nil || string(got) != "a" {
		t.Fatalf("first connection: %q, %v", got, err)
	}
	second := dial(t, d.urls[0])
	got, err := second.Recv(1, 0)
	if err == nil && len(got) != 0 {
		t.Errorf("second connection got %q; want it closed", got)
	}
}

func TestIdleTimeout(t *testing.T) {
	d := start(t, "--listen", "tcp://127.0.0.1:0", "--idle-timeout", "50ms")
	s := dial(t, d.urls[0])
	// The read ends when the server closes the idle connection.
	got, err := s.Recv(1, 0)
	if err != nil || len(got) != 0 {
		t.Errorf("Recv = %q, %v; want end of stream", got, err)
	}
}

func TestDrainKeepsOpenConnections(t *testing.T) {
	d := start(t, "--listen", "tcp://127.0.0.1:0", "--drain-timeout", "1m")
	s := dial(t, d.urls[0])
	if err := s.SendAll([]byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Recv(1, 0); string(got) != "1" {
		t.Fatalf("echo %q", got)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- d.stop(t) }()
	// The listener closes: new connections are refused …
	e, _ := cli.ParseURL(d.urls[0])
	for {
		c, err := e.Dial(context.Background(), cli.DialConfig{Timeout: 5 * time.Second})
		if err != nil {
			// Refused once closed; reset if it was queued in the backlog.
			if !errors.Is(err, unix.ECONNREFUSED) && !errors.Is(err, unix.ECONNRESET) {
				t.Fatalf("dial while draining: %v", err)
			}
			break
		}
		c.Close()
	}
	// … while the open one is still served, byte for byte.
	payload := make([]byte, 256<<10)
	rand.Read(payload)
	got, err := echotest.EchoAll(s, payload)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("echo while draining: %d bytes, %v", len(got), err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("run returned %v after draining; want nil (exit 0)", err)
	}
}

func TestDrainTimeoutClosesConnections(t *testing.T) {
	d := start(t, "--listen", "tcp://127.0.0.1:0", "--drain-timeout", "10ms")
	s := dial(t, d.urls[0])
	s.SendAll([]byte("x"), 0)
	s.Recv(1, 0)
	if err := d.stop(t); err != nil {
		t.Errorf("run = %v, want nil", err)
	}
	if got, err := s.Recv(1, 0); err == nil && len(got) != 0 {
		t.Errorf("connection still open after the drain timeout: %q", got)
	}
}

// exitStats stops the daemon and returns its final counters (-v).
func exitStats(t *testing.T, d *daemon) string {
	t.Helper()
	if err := d.stop(t); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(d.stderr.String(), "\n") {
		if strings.Contains(line, "msg=exit") {
			return line
		}
	}
	t.Fatalf("no exit counters in %q", d.stderr)
	return ""
}

func TestDatagramDrops(t *testing.T) {
	d := start(t, "--listen", "udp://127.0.0.1:0", "--max-datagram", "100", "--udp-rate", "3", "-v")
	s := dial(t, d.urls[0])
	s.Send(make([]byte, 101), 0) // too long
	for range 4 {
		s.Send([]byte("ping"), 0) // the fourth is over the rate
	}
	s.SetTimeout(10 * time.Second)
	for range 3 {
		if got, err := s.Recv(10, 0); err != nil || string(got) != "ping" {
			t.Fatalf("Recv = %q, %v", got, err)
		}
	}
	// Whether the fourth ping was dropped depends on how fast the bucket
	// refills; the counters certain at this point are these.
	line := exitStats(t, d)
	for _, want := range []string{"drop_oversize=1", "datagrams_out=3"} {
		if !strings.Contains(line, want) {
			t.Errorf("counters %q lack %s", line, want)
		}
	}
}

func TestGuard(t *testing.T) {
	v4 := func(ip string, port int) []byte {
		b := make([]byte, 16)
		binary.NativeEndian.PutUint16(b, unix.AF_INET)
		binary.BigEndian.PutUint16(b[2:], uint16(port))
		a := netip.MustParseAddr(ip).As4()
		copy(b[4:], a[:])
		return b
	}
	v6 := func(ip string, port int) []byte {
		b := make([]byte, 28)
		binary.NativeEndian.PutUint16(b, unix.AF_INET6)
		binary.BigEndian.PutUint16(b[2:], uint16(port))
		a := netip.MustParseAddr(ip).As16()
		copy(b[8:], a[:])
		return b
	}
	for _, tc := range []struct {
		name string
		raw  []byte
		want dropReason
	}{
		{"v4 ephemeral", v4("10.0.0.2", 40000), dropNone},
		{"v4 port 7", v4("10.0.0.2", 7), dropLowPort},
		{"v4 port 1023", v4("10.0.0.2", 1023), dropLowPort},
		{"v4 port 1024", v4("10.0.0.2", 1024), dropNone},
		{"v4 limited broadcast", v4("255.255.255.255", 40000), dropBroadcast},
		{"v4 unspecified", v4("0.0.0.0", 40000), dropBroadcast},
		{"v4 multicast", v4("224.0.0.1", 40000), dropMulticast},
		{"v6 ephemeral", v6("2001:db8::1", 40000), dropNone},
		{"v6 port 19 (chargen)", v6("2001:db8::1", 19), dropLowPort},
		{"v6 multicast", v6("ff02::1", 40000), dropMulticast},
		{"v4-mapped broadcast", v6("::ffff:255.255.255.255", 40000), dropBroadcast},
		{"unnamed unix", []byte{unix.AF_UNIX, 0}, dropNoAddress},
		{"empty", nil, dropNoAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, got := guard(tc.raw); got != tc.want {
				t.Errorf("guard = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRateLimiter(t *testing.T) {
	r := newRateLimiter(2)
	src := netip.MustParseAddr("10.0.0.2")
	t0 := time.Unix(1000, 0)
	var got []bool
	for _, at := range []time.Duration{0, 0, 0, 500 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second} {
		got = append(got, r.allow(src, t0.Add(at)))
	}
	if diff := cmp.Diff([]bool{true, true, false, true, false, true}, got); diff != "" {
		t.Errorf("allow (-want +got):\n%s", diff)
	}
	if !r.allow(netip.MustParseAddr("10.0.0.3"), t0) {
		t.Error("a second source shares the first one's bucket")
	}
}

func TestBadInput(t *testing.T) {
	busy, err := sockcore.CreateServer("127.0.0.1", "0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyAddr, _ := busy.SockName()
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"bad URL", []string{"--listen", "tcp//x:1"}, cli.ExitUsage, "no scheme"},
		{"bad port", []string{"--listen", "tcp://:70000"}, cli.ExitUsage, `port "70000"`},
		{"bad mode", []string{"--mode", "chargen"}, cli.ExitUsage, "--mode"},
		{"unknown flag", []string{"--frobnicate"}, cli.ExitUsage, "frobnicate"},
		{"stray argument", []string{"50007"}, cli.ExitUsage, "unexpected argument"},
		{"port in use", []string{"--listen", "tcp://" + busyAddr.String()}, cli.ExitNetwork, "address already in use"},
		{"missing UNIX directory", []string{"--listen", "unix:///nonexistent-dir/echod.sock"}, cli.ExitNoSuchThing, "no such file or directory"},
		{"systemd without LISTEN_FDS", []string{"--systemd"}, cli.ExitNoSuchThing, "LISTEN_PID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), append([]string{"echod"}, tc.args...), strings.NewReader(""), io.Discard, &stderr)
			if got := cli.ExitCode(err); got != tc.code {
				t.Errorf("exit code %d, want %d (err %v)", got, tc.code, err)
			}
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v does not say %q", err, tc.msg)
			}
		})
	}
}

func TestSplitNames(t *testing.T) {
	if diff := cmp.Diff([]string{"echo", "", "udp"}, splitNames("echo::udp")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzGuard(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		ip, reason := guard(raw)
		if reason == dropNone && ip.IsValid() && (ip.IsMulticast() || ip.IsUnspecified()) {
			t.Fatalf("guard(%x) lets %s through", raw, ip)
		}
	})
}
