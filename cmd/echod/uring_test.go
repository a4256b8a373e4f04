package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// needUring skips where this kernel refuses io_uring (the tests of the
// fallback below run everywhere).
func needUring(t *testing.T) {
	t.Helper()
	r, err := newUring()
	if err != nil {
		t.Skipf("io_uring refused here: %v", err)
	}
	r.close()
}

// TestUringFallbackSeccomp runs echod in a child process whose seccomp
// filter makes io_uring_setup fail, as container runtimes' default
// profiles do (EPERM) and kernels built without io_uring do (ENOSYS):
// --io-uring auto serves on the epoll reactor and says so with -v;
// --io-uring on exits with the kernel's reason.
func TestUringFallbackSeccomp(t *testing.T) {
	for _, errno := range []unix.Errno{unix.EPERM, unix.ENOSYS} {
		t.Run(errno.Error(), func(t *testing.T) {
			cmd := seccompChild(t, errno, "--io-uring", "auto", "-v", "--listen", "tcp://127.0.0.1:0")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(out)
			if !sc.Scan() || !strings.HasPrefix(sc.Text(), "listening ") {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("echod did not start: %q, stderr: %s", sc.Text(), &stderr)
			}
			url := strings.Fields(sc.Text())[1]
			s := dial(t, url)
			for i := range 3 {
				msg := fmt.Appendf(nil, "ping %d", i)
				if err := s.SendAll(msg, 0); err != nil {
					t.Fatal(err)
				}
				got := make([]byte, len(msg))
				if _, err := io.ReadFull(s, got); err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("echo = %q, %v", got, err)
				}
			}
			s.Close()
			cmd.Process.Signal(syscall.SIGTERM)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("echod: %v; stderr: %s", err, &stderr)
			}
			if want := "io_uring unavailable: using epoll"; !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), errno.Error()) {
				t.Errorf("stderr lacks %q with %q:\n%s", want, errno.Error(), &stderr)
			}
		})
	}
	t.Run("on", func(t *testing.T) {
		cmd := seccompChild(t, unix.EPERM, "--io-uring", "on", "--listen", "tcp://127.0.0.1:0")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 6 {
			t.Fatalf("echod --io-uring on under the filter: %v, want exit status 6; stderr: %s", err, &stderr)
		}
		if want := "--io-uring on: io_uring unavailable: io_uring_setup: operation not permitted"; !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr = %q, want %q", &stderr, want)
		}
	})
}

// seccompChild is this test binary re-run as echod with args under a
// seccomp filter returning errno from io_uring_setup (TestSeccompChild).
func seccompChild(t *testing.T, errno unix.Errno, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSeccompChild$")
	cmd.Env = append(os.Environ(), "ECHOD_SECCOMP_ERRNO="+fmt.Sprint(int(errno)), "ECHOD_SECCOMP_ARGS="+strings.Join(args, "\x1f"))
	return cmd
}

// TestSeccompChild is the child of seccompChild: it installs the filter on
// every thread of the process (SECCOMP_FILTER_FLAG_TSYNC), then runs echod
// until SIGTERM and exits with its status.
func TestSeccompChild(t *testing.T) {
	v := os.Getenv("ECHOD_SECCOMP_ERRNO")
	if v == "" {
		t.Skip("the child of TestUringFallbackSeccomp")
	}
	var errno int
	fmt.Sscan(v, &errno)
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // seccomp_data.nr
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: unix.SYS_IO_URING_SETUP},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ERRNO | uint32(errno)},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "prctl:", err)
		os.Exit(99)
	}
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog))); e != 0 {
		fmt.Fprintln(os.Stderr, "seccomp:", e)
		os.Exit(99)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	args := append([]string{"echod"}, strings.Split(os.Getenv("ECHOD_SECCOMP_ARGS"), "\x1f")...)
	err := run(ctx, args, strings.NewReader(""), os.Stdout, os.Stderr)
	code := 0
	if err != nil {
		fmt.Fprintln(os.Stderr, "echod:", err)
		code = cli.ExitCode(err)
	}
	os.Exit(code)
}

// TestUringShortSends: a client with a tiny receive buffer that reads in
// small pieces while it sends 8 MiB in small writes: the ring's sends
// come back short or EAGAIN, and every byte must come back in order.
func TestUringShortSends(t *testing.T) {
	needUring(t)
	d := start(t, "--io-uring", "on", "--listen", "tcp://127.0.0.1:0")
	dl := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		rc.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, 2048) })
		return serr
	}}
	c, err := dl.Dial("tcp", strings.TrimPrefix(d.urls[0], "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	payload := make([]byte, 8<<20)
	rand.Read(payload)
	// The first 96 KB are written before the reading starts (they fit
	// in the two ends' buffers): the echoes fill the tiny receive buffer
	// and the ring's sends come back short.
	const msg = 12000
	head := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		var err error
		for off := 0; off < len(payload) && err == nil; off += msg {
			_, err = c.Write(payload[off:min(off+msg, len(payload))])
			if off == 8*msg {
				close(head)
			}
		}
		errc <- err
	}()
	select {
	case <-head:
	case err := <-errc:
		t.Fatal(err)
	}
	got := make([]byte, 0, len(payload))
	buf := make([]byte, 100)
	for len(got) < len(payload) {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("after %d bytes: %v", len(got), err)
		}
		got = append(got, buf[:n]...)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, payload) {
		t.Fatal("the echo differs from what was sent")
	}
}

// TestUringManyConnections: 1,000 connections at once in the ring, each
// echoing its own messages, then the summary counts all of them.
func TestUringManyConnections(t *testing.T) {
	needUring(t)
	const n = 1000
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < 2*n+100 {
		t.Skipf("open-files limit %d: want %d (both ends of each connection in this process)", lim.Cur, 2*n+100)
	}
	d := start(t, "--io-uring", "on", "-v", "--max-conns-per-source", "0", "--backlog", "2048", "--listen", "tcp://127.0.0.1:0")
	var conns []net.Conn
	for range n {
		c, err := net.Dial("tcp", strings.TrimPrefix(d.urls[0], "tcp://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 5 {
				msg := fmt.Appendf(nil, "conn %d message %d", i, j)
				if _, err := c.Write(msg); err != nil {
					errs <- err
					return
				}
				got := make([]byte, len(msg))
				if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
					errs <- fmt.Errorf("conn %d: %q, %v", i, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, c := range conns {
		c.Close()
	}
	total := 0
	for i := range n {
		total += 5 * len(fmt.Sprintf("conn %d message 0", i))
	}
	want := fmt.Sprintf("connections=%d open=0 refused=0 bytes_in=%d bytes_out=%[2]d ", n, total)
	if line := exitStats(t, d); !strings.Contains(line, want) {
		t.Errorf("exit counters %q: want %q", line, want)
	}
}

// TestUringShutdownWithOpenConnections: at the drain timeout, connections
// waiting in the ring (a receive queued for each) are cancelled and
// closed, and echod returns.
func TestUringShutdownWithOpenConnections(t *testing.T) {
	needUring(t)
	d := start(t, "--io-uring", "on", "-v", "--drain-timeout", "10ms", "--listen", "tcp://127.0.0.1:0")
	var conns []net.Conn
	for i := range 50 {
		c, err := net.Dial("tcp", strings.TrimPrefix(d.urls[0], "tcp://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		msg := fmt.Appendf(nil, "%d", i)
		c.Write(msg)
		if _, err := io.ReadFull(c, make([]byte, len(msg))); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	line := exitStats(t, d)
	if !strings.Contains(line, "connections=50 open=0 refused=0 bytes_in=90 bytes_out=90 ") {
		t.Errorf("exit counters %q: want 50 connections, 90 bytes each way", line)
	}
	for i, c := range conns {
		if n, err := c.Read(make([]byte, 1)); err == nil {
			t.Errorf("connection %d still open after shutdown (read %d bytes)", i, n)
		}
	}
	if got := strings.Count(d.stderr.String(), "closed at the drain timeout"); got != 50 {
		t.Errorf("%d connections logged as closed at the drain timeout, want 50:\n%s", got, d.stderr)
	}
}

// unixPair is a UNIX stream pair: echod's end as a Socket (with a send
// buffer of sndbuf bytes, the kernel's least, when sndbuf > 0) and the
// peer's as a file, with its descriptor.
func unixPair(t *testing.T, sndbuf int) (*sockcore.Socket, *os.File, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sndbuf > 0 {
		if err := unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_SNDBUF, sndbuf); err != nil {
			t.Fatal(err)
		}
	}
	s, err := sockcore.FromFD(fds[0])
	if err != nil {
		t.Fatal(err)
	}
	return s, os.NewFile(uintptr(fds[1]), "peer"), fds[1]
}

// TestUringShortSendInRing drives the ring reactor directly over a UNIX
// stream pair whose echod end has the smallest send buffer: an echo of a
// few kilobytes (well under a ring buffer, so not bulk) cannot be sent
// whole, the send completes short or EAGAIN, and the rest must go out
// through the connection's goroutine, in order.
func TestUringShortSendInRing(t *testing.T) {
	needUring(t)
	s, peer, peerFD := unixPair(t, 1)
	defer peer.Close()
	srv := newServer(config{drainTimeout: time.Second}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r, err := newUringReactor(srv)
	if err != nil {
		t.Fatal(err)
	}
	srv.track(s, netip.Addr{})
	r.add(&conn{s: s, peer: "pair", start: time.Now(), home: r})
	// One message first, 8,000 bytes: more than the send buffer holds,
	// less than a ring buffer. Once its echo starts to arrive, the ring
	// has sent what fitted; the rest follows.
	const msg = 8000
	payload := make([]byte, 64*msg)
	rand.Read(payload)
	if _, err := peer.Write(payload[:msg]); err != nil {
		t.Fatal(err)
	}
	pfd := []unix.PollFd{{Fd: int32(peerFD), Events: unix.POLLIN}}
	for {
		if _, err := unix.Poll(pfd, -1); err != unix.EINTR {
			break
		}
	}
	errc := make(chan error, 1)
	go func() {
		var err error
		for off := msg; off < len(payload) && err == nil; off += msg {
			_, err = peer.Write(payload[off : off+msg])
		}
		errc <- err
	}()
	got := make([]byte, len(payload))
	if _, err := io.ReadFull(peer, got); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("echo differs (%v)", err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	peer.Close()
	srv.wg.Wait() // echod saw the end and closed its end
	r.stop()
	if in, out := srv.st.bytesIn.Load(), srv.st.bytesOut.Load(); in != uint64(len(payload)) || out != in {
		t.Errorf("counted %d bytes in, %d out; want %d both", in, out, len(payload))
	}
}

// TestUringCQOverflow forces completion queue overflow: a ring of 8
// submission and 16 completion entries takes 200 connections in one batch,
// each with a message already queued, so arming their receives completes
// them at once, far more completions than the queue holds. The kernel keeps
// the rest (IORING_FEAT_NODROP) and ends the multishot receives it could
// not post; the reactor must flush, re-arm, and echo every message of every
// connection, in order, with nothing lost. Both with single receives (the
// default) and multishot ones.
func TestUringCQOverflow(t *testing.T) {
	needUring(t)
	for _, multi := range []bool{false, true} {
		t.Run(fmt.Sprintf("multishot=%v", multi), func(t *testing.T) {
			ms := uringMultishot
			uringMultishot = multi
			defer func() { uringMultishot = ms }()
			testUringCQOverflow(t)
		})
	}
}

func testUringCQOverflow(t *testing.T) {
	sq, cq := uringSQ, uringCQ
	uringSQ, uringCQ = 8, 16
	defer func() { uringSQ, uringCQ = sq, cq }()
	const n, rounds = 200, 5
	srv := newServer(config{drainTimeout: time.Second}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r, err := newUringReactor(srv)
	if err != nil {
		t.Fatal(err)
	}
	uringSQ, uringCQ = sq, cq
	var peers []*os.File
	var cs []*conn
	for i := range n {
		s, peer, _ := unixPair(t, 0)
		defer peer.Close()
		if _, err := peer.Write(fmt.Appendf(nil, "conn %03d message 0", i)); err != nil {
			t.Fatal(err)
		}
		srv.track(s, netip.Addr{})
		peers = append(peers, peer)
		cs = append(cs, &conn{s: s, peer: "pair", start: time.Now(), home: r})
	}
	// All of them in one batch of the loop.
	r.mu.Lock()
	r.adds = append(r.adds, cs...)
	r.poke()
	r.mu.Unlock()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, peer := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range rounds {
				msg := fmt.Appendf(nil, "conn %03d message %d", i, j)
				if j > 0 {
					if _, err := peer.Write(msg); err != nil {
						errs <- err
						return
					}
				}
				got := make([]byte, len(msg))
				if _, err := io.ReadFull(peer, got); err != nil || !bytes.Equal(got, msg) {
					errs <- fmt.Errorf("conn %d: %q, %v; want %q", i, got, err, msg)
					return
				}
			}
			peer.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	srv.wg.Wait() // echod saw every end and closed its end
	r.stop()
	want := uint64(n * rounds * len("conn 000 message 0"))
	if in, out := srv.st.bytesIn.Load(), srv.st.bytesOut.Load(); in != want || out != want {
		t.Errorf("counted %d bytes in, %d out; want %d both", in, out, want)
	}
}
