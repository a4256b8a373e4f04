package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// TestDefaultLimitsInHelp: the per-source limit and the idle timeout are on
// by default, and --help says what they are.
func TestDefaultLimitsInHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"echod", "--help"}, strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--max-conns-per-source", "(default: 256)", "--idle-timeout", "(default: 5m0s)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
}

// TestPerSourceLimit: connections beyond --max-conns-per-source from one
// address are closed at once; another address is still served.
func TestPerSourceLimit(t *testing.T) {
	d := start(t, "--listen", "tcp://127.0.0.1:0", "--max-conns-per-source", "2", "-v")
	echoOne := func(s *sockcore.Socket) (string, error) {
		if err := s.SendAll([]byte("a"), 0); err != nil {
			return "", err
		}
		b, err := s.Recv(1, 0)
		return string(b), err
	}
	for i := range 2 {
		if got, err := echoOne(dial(t, d.urls[0])); got != "a" {
			t.Fatalf("connection %d: %q, %v", i, got, err)
		}
	}
	if got, err := echoOne(dial(t, d.urls[0])); got != "" {
		t.Errorf("third connection from 127.0.0.1: %q, %v; want it closed", got, err)
	}
	// Another source address on loopback.
	s, err := sockcore.New(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetTimeout(10 * time.Second)
	s.Bind(&sockcore.InetAddr{IP: netip.MustParseAddr("127.0.0.2")})
	port := d.urls[0][strings.LastIndexByte(d.urls[0], ':')+1:]
	var p int
	fmt.Sscan(port, &p)
	if err := s.Connect(&sockcore.InetAddr{IP: netip.MustParseAddr("127.0.0.1"), Port: p}); err != nil {
		t.Fatal(err)
	}
	if got, err := echoOne(s); got != "a" {
		t.Errorf("127.0.0.2: %q, %v; want served", got, err)
	}
	if !strings.Contains(d.stderr.String(), "refused: --max-conns-per-source reached") {
		t.Errorf("no refusal logged: %s", d.stderr)
	}
}

func TestSourceKey(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.2":             "10.0.0.2",
		"::ffff:10.0.0.2":      "10.0.0.2",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::",
		"fe80::1":              "fe80::",
		"2001:db8:1:3:3:4:5:6": "2001:db8:1:3::",
	} {
		if got := sourceKey(netip.MustParseAddr(in)); got != netip.MustParseAddr(want) {
			t.Errorf("sourceKey(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestRateLimiterPer64: addresses rotated through one IPv6 /64 share one
// bucket; another /64 has its own.
func TestRateLimiterPer64(t *testing.T) {
	r := newRateLimiter(0.01) // a burst of one, refilled in 100 s
	t0 := time.Unix(1000, 0)
	allowed := 0
	for i := range 100 {
		if r.allow(netip.MustParseAddr(fmt.Sprintf("2001:db8:0:1::%x", i+1)), t0) {
			allowed++
		}
	}
	if allowed != 1 {
		t.Errorf("%d of 100 datagrams from one /64 allowed, want 1", allowed)
	}
	if !r.allow(netip.MustParseAddr("2001:db8:0:2::1"), t0) {
		t.Error("another /64 shares the first one's bucket")
	}
}

// TestRateLimiterEvictsOldest: a full table evicts the source heard from
// longest ago, one per new source; a limited source that keeps sending
// stays limited however many new sources arrive (clearing the table gave
// it a fresh burst).
func TestRateLimiterEvictsOldest(t *testing.T) {
	r := newRateLimiter(0.01)
	r.max = 4
	t0 := time.Unix(1000, 0)
	victim := netip.MustParseAddr("10.0.0.1")
	if !r.allow(victim, t0) || r.allow(victim, t0) {
		t.Fatal("victim: want one datagram allowed, then limited")
	}
	for i := range 100 {
		r.allow(netip.MustParseAddr(fmt.Sprintf("10.1.%d.%d", i/256, i%256)), t0)
		if r.allow(victim, t0) {
			t.Fatalf("victim allowed again after %d new sources", i+1)
		}
		if len(r.buckets) > r.max || r.lru.Len() != len(r.buckets) {
			t.Fatalf("table holds %d (list %d), max %d", len(r.buckets), r.lru.Len(), r.max)
		}
	}
	// The oldest goes first: with the victim silent, three new sources
	// leave it in the table, the fourth evicts it.
	for i := range 4 {
		r.allow(netip.MustParseAddr(fmt.Sprintf("10.2.0.%d", i)), t0)
		_, in := r.buckets[victim]
		if want := i < 3; in != want {
			t.Errorf("after %d new sources victim in table: %v, want %v", i+1, in, want)
		}
	}
}

// TestUnixSocketRemovedAtExit: the socket file goes at a clean exit, but a
// socket another server bound at the path since is left alone.
func TestUnixSocketRemovedAtExit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "echo.sock")
	d := start(t, "--listen", "unix://"+path)
	if err := d.stop(t); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file left after exit: %v", err)
	}
	d = start(t, "--listen", "unix://"+path)
	os.Remove(path)
	other := start(t, "--listen", "unix://"+path)
	d.stop(t)
	if _, err := os.Lstat(path); err != nil {
		t.Errorf("the other server's socket file was removed: %v", err)
	}
	other.stop(t)
}

// TestNeverReadingPeerClosedAtIdleTimeout: a seqpacket peer that sends and
// never reads its echoes is closed at --idle-timeout (the echo used to
// wait for it forever, in blocking mode, holding a buffer and a goroutine).
func TestNeverReadingPeerClosedAtIdleTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q")
	d := start(t, "--listen", "unix-seqpacket://"+path, "--idle-timeout", "300ms")
	c := dial(t, d.urls[0])
	rec := make([]byte, 4096)
	c.SetTimeout(30 * time.Second)
	for {
		// Blocks once echod stops reading; echod's close ends it.
		if _, err := c.Send(rec, 0); err != nil {
			if !errors.Is(err, unix.EPIPE) && !errors.Is(err, unix.ECONNRESET) {
				t.Fatalf("send: %v, want the connection closed at the idle timeout", err)
			}
			return
		}
	}
}
