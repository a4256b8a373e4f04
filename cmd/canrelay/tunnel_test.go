package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func udpLoopback(t *testing.T) (*sockcore.Socket, sockcore.Addr) {
	t.Helper()
	u, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	if err := u.Bind(&sockcore.InetAddr{IP: netip.MustParseAddr("127.0.0.1")}); err != nil {
		t.Fatal(err)
	}
	a, err := u.SockName()
	if err != nil {
		t.Fatal(err)
	}
	return u, a
}

// Two tunnels over loopback UDP carry frames A to B in order and without
// loss, CAN FD and remote frames included.
func TestTunnelInOrder(t *testing.T) {
	busA, busB := newFakeBus(t, "a"), newFakeBus(t, "b")
	ua, addrA := udpLoopback(t)
	ub, addrB := udpLoopback(t)
	canA, _ := busA.openRaw("a")
	canB, _ := busB.openRaw("b")
	ta := &tunnel{can: canA, udp: ua, peer: addrB, maxDatagram: 1400, reorderWait: 20 * time.Millisecond}
	tb := &tunnel{can: canB, udp: ub, peer: addrA, maxDatagram: 1400, reorderWait: 20 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 2)
	go func() { errc <- ta.run(ctx) }()
	go func() { errc <- tb.run(ctx) }()

	const total, window = 20000, 100
	frame := func(i int) string {
		var d [4]byte
		binary.BigEndian.PutUint32(d[:], uint32(i))
		switch i % 7 {
		case 3:
			return fmt.Sprintf("%08X##1%X%s", i, d, "00112233445566778899")
		case 5:
			if i%9 == 0 {
				return fmt.Sprintf("%03X#R", i%0x800)
			}
			return fmt.Sprintf("%03X#R%d", i%0x800, i%9)
		}
		return fmt.Sprintf("%03X#%X", i%0x800, d)
	}
	for start := 0; start < total; start += window {
		var want []string
		for i := start; i < start+window; i++ {
			want = append(want, frame(i))
		}
		busA.write("a", want...)
		if diff := cmp.Diff(want, busB.read("b", window)); diff != "" {
			t.Fatalf("frames %d-%d (-want +got):\n%s", start, start+window-1, diff)
		}
	}
	cancel()
	for i := 0; i < 2; i++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	if got := ta.txFrames.Load(); got != total {
		t.Errorf("A sent %d frames, want %d", got, total)
	}
	if ta.txDatagrams.Load() > total || ta.txDatagrams.Load() != tb.rxDatagrams.Load() {
		t.Errorf("A sent %d datagrams, B received %d", ta.txDatagrams.Load(), tb.rxDatagrams.Load())
	}
	if tb.rxFrames.Load() != total || tb.tracker.Lost != 0 || tb.tracker.Reordered != 0 || tb.bad.Load() != 0 {
		t.Errorf("B: rx_frames=%d lost=%d reordered=%d bad=%d", tb.rxFrames.Load(), tb.tracker.Lost, tb.tracker.Reordered, tb.bad.Load())
	}
}

// Loss, reordering, malformed datagrams and strangers are counted.
func TestTunnelCounts(t *testing.T) {
	bus := newFakeBus(t, "b")
	peer, peerAddr := udpLoopback(t)
	stranger, _ := udpLoopback(t)
	ub, addrB := udpLoopback(t)
	canB, _ := bus.openRaw("b")
	tb := &tunnel{can: canB, udp: ub, peer: peerAddr, maxDatagram: 1400, limit: 6, reorderWait: 20 * time.Millisecond}
	errc := make(chan error, 1)
	go func() { errc <- tb.run(context.Background()) }()
	send := func(s *sockcore.Socket, seq uint8) {
		t.Helper()
		d := canframe.Datagram{Seq: seq, Frames: []canframe.Frame{{ID: uint32(seq), Data: []byte{seq}}}}
		b, err := canframe.EncodeDatagram(&d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SendTo(b, 0, addrB); err != nil {
			t.Fatal(err)
		}
	}
	send(peer, 10)
	send(peer, 11)
	if _, err := peer.SendTo([]byte{9, 0, 12, 0, 0}, 0, addrB); err != nil {
		t.Fatal(err)
	}
	send(stranger, 12)
	send(peer, 13)
	send(peer, 12)
	send(peer, 14)
	send(peer, 20)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	// 13 waits for 12; 20 waits for 15-19 until the reorder wait ends.
	if diff := cmp.Diff([]string{"00A#0A", "00B#0B", "00C#0C", "00D#0D", "00E#0E", "014#14"}, bus.read("b", 6)); diff != "" {
		t.Errorf("frames written (-want +got):\n%s", diff)
	}
	got := []uint64{tb.rxDatagrams.Load(), tb.tracker.Lost, tb.tracker.Reordered, tb.bad.Load(), tb.foreign.Load()}
	if diff := cmp.Diff([]uint64{6, 5, 1, 1, 1}, got); diff != "" {
		t.Errorf("rx_datagrams, lost, reordered, bad, foreign (-want +got):\n%s", diff)
	}
}

// Frames queued together leave in one datagram, split at --max-datagram.
func TestTunnelBatching(t *testing.T) {
	bus := newFakeBus(t, "a")
	ua, _ := udpLoopback(t)
	sink, sinkAddr := udpLoopback(t)
	canA, _ := bus.openRaw("a")
	// Queue the frames before the tunnel starts reading, so that it finds
	// them all waiting.
	var frames []string
	for i := 0; i < 40; i++ {
		frames = append(frames, fmt.Sprintf("%03X#0102030405060708", i))
	}
	bus.write("a", frames...)
	ta := &tunnel{can: canA, udp: ua, peer: sinkAddr, maxDatagram: canframe.TunnelHeaderLen + 13*16}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- ta.run(ctx) }()
	var counts []int
	var got []string
	for len(got) < len(frames) {
		b, _, err := sink.RecvFrom(65536, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, hello := canframe.ParseTunnelHello(b); hello {
			continue
		}
		d, err := canframe.DecodeDatagram(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > ta.maxDatagram {
			t.Errorf("datagram of %d bytes exceeds %d", len(b), ta.maxDatagram)
		}
		counts = append(counts, len(d.Frames))
		for _, f := range d.Frames {
			got = append(got, f.Text())
		}
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(frames, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{16, 16, 8}, counts); diff != "" {
		t.Errorf("frames per datagram (-want +got):\n%s", diff)
	}
}

func testAuth(t *testing.T, key string, sender uint64) *canframe.TunnelAuth {
	t.Helper()
	a, err := canframe.NewTunnelAuth([]byte(key), sender, uint32(time.Now().Unix()))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

const tunnelTestKey = "a pre-shared key of at least 16 bytes"

// Two tunnels with the same key carry frames as without one.
func TestTunnelKeyInOrder(t *testing.T) {
	busA, busB := newFakeBus(t, "a"), newFakeBus(t, "b")
	ua, addrA := udpLoopback(t)
	ub, addrB := udpLoopback(t)
	canA, _ := busA.openRaw("a")
	canB, _ := busB.openRaw("b")
	ta := &tunnel{can: canA, udp: ua, peer: addrB, maxDatagram: 1400, auth: testAuth(t, tunnelTestKey, 1), authRx: testAuth(t, tunnelTestKey, 1)}
	tb := &tunnel{can: canB, udp: ub, peer: addrA, maxDatagram: 1400, auth: testAuth(t, tunnelTestKey, 2), authRx: testAuth(t, tunnelTestKey, 2)}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 2)
	go func() { errc <- ta.run(ctx) }()
	go func() { errc <- tb.run(ctx) }()
	for start := 0; start < 2000; start += 100 {
		var want []string
		for i := start; i < start+100; i++ {
			want = append(want, fmt.Sprintf("%03X#%08X", i%0x800, i))
		}
		busA.write("a", want...)
		if diff := cmp.Diff(want, busB.read("b", len(want))); diff != "" {
			t.Fatalf("frames %d- (-want +got):\n%s", start, diff)
		}
	}
	cancel()
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	if tb.authFailed.Load() != 0 || tb.replayed.Load() != 0 || tb.rxFrames.Load() != 2000 {
		t.Errorf("B: rx_frames=%d auth_failed=%d replayed=%d", tb.rxFrames.Load(), tb.authFailed.Load(), tb.replayed.Load())
	}
}

// With a key, datagrams from the peer's address that are unauthenticated,
// sealed with another key, reflected back or replayed are counted and
// never reach the bus.
func TestTunnelKeyRefuses(t *testing.T) {
	bus := newFakeBus(t, "b")
	peer, peerAddr := udpLoopback(t)
	ub, addrB := udpLoopback(t)
	canB, _ := bus.openRaw("b")
	var stderr testenv.SyncBuffer
	tb := &tunnel{can: canB, udp: ub, peer: peerAddr, maxDatagram: 1400, limit: 2,
		auth: testAuth(t, tunnelTestKey, 2), authRx: testAuth(t, tunnelTestKey, 2), stderr: &stderr}
	errc := make(chan error, 1)
	go func() { errc <- tb.run(context.Background()) }()
	legit := testAuth(t, tunnelTestKey, 1)
	inner := func(seq uint8, text string) []byte {
		f, err := canframe.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		b, err := canframe.EncodeDatagram(&canframe.Datagram{Seq: seq, Frames: []canframe.Frame{f}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	send := func(b []byte) {
		t.Helper()
		if _, err := peer.SendTo(b, 0, addrB); err != nil {
			t.Fatal(err)
		}
	}
	first := legit.Seal(nil, inner(0, "001#01"))
	send(first)
	send(inner(1, "123#DEADBEEF"))                                                          // unauthenticated, from the peer's address
	send(testAuth(t, "another key, also 16+ bytes", 1).Seal(nil, inner(1, "123#DEADBEEF"))) // another key
	send(testAuth(t, tunnelTestKey, 2).Seal(nil, inner(1, "123#DEADBEEF")))                 // B's own sender id: reflected
	tampered := legit.Seal(nil, inner(1, "123#DEADBEEF"))
	tampered[len(tampered)-20] ^= 0xff
	send(tampered)
	send(first) // replayed
	send(legit.Seal(nil, inner(2, "002#02")))
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"001#01", "002#02"}, bus.read("b", 2)); diff != "" {
		t.Errorf("frames on the bus (-want +got):\n%s", diff)
	}
	got := []uint64{tb.authFailed.Load(), tb.replayed.Load(), tb.rxDatagrams.Load()}
	if diff := cmp.Diff([]uint64{4, 1, 2}, got); diff != "" {
		t.Errorf("auth_failed, replayed, rx_datagrams (-want +got):\n%s", diff)
	}
	if want := "canrelay: tunnel: warning: the peer sends unauthenticated datagrams (it has no --key-file): dropping them; give both ends the same --key-file\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	var stats bytes.Buffer
	tb.printStats(&stats, "b")
	if !strings.HasSuffix(stats.String(), " auth_failed=4 replayed=1\n") {
		t.Errorf("stats %q lack auth_failed=4 replayed=1", stats.String())
	}
}

// A tunnel without a key says once that its peer has one, and drops the
// peer's datagrams.
func TestTunnelNoKeyPeerHasOne(t *testing.T) {
	bus := newFakeBus(t, "b")
	peer, peerAddr := udpLoopback(t)
	ub, addrB := udpLoopback(t)
	canB, _ := bus.openRaw("b")
	var stderr testenv.SyncBuffer
	tb := &tunnel{can: canB, udp: ub, peer: peerAddr, maxDatagram: 1400, limit: 1, stderr: &stderr}
	errc := make(chan error, 1)
	go func() { errc <- tb.run(context.Background()) }()
	plain, _ := canframe.EncodeDatagram(&canframe.Datagram{Seq: 0, Frames: []canframe.Frame{{ID: 1, Data: []byte{1}}}})
	for _, b := range [][]byte{testAuth(t, tunnelTestKey, 1).Seal(nil, plain), testAuth(t, tunnelTestKey, 1).Seal(nil, plain), plain} {
		if _, err := peer.SendTo(b, 0, addrB); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"001#01"}, bus.read("b", 1)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if want := "canrelay: tunnel: warning: the peer authenticates its datagrams (--key-file) and this end has no key: dropping them; give both ends the same --key-file\n"; stderr.String() != want || tb.bad.Load() != 2 {
		t.Errorf("stderr %q, bad=%d; want %q, 2", stderr.String(), tb.bad.Load(), want)
	}
}

// Bad key files are usage errors before any socket opens.
func TestTunnelKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	empty := filepath.Join(dir, "empty")
	os.WriteFile(short, []byte("15 bytes only.."), 0o600)
	os.WriteFile(empty, nil, 0o600)
	for _, tc := range []struct {
		file string
		code int
		msg  string
	}{
		{"/dev/zero", cli.ExitUsage, "must come from a regular file or a pipe; /dev/zero is a character device"},
		{empty, cli.ExitUsage, "is empty"},
		{short, cli.ExitUsage, "is 15 bytes, at least 16 are needed"},
		{filepath.Join(dir, "missing"), cli.ExitNoSuchThing, "no such file"},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"canrelay", "tunnel", "--listen", "127.0.0.1:0", "--peer", "127.0.0.1:9", "--key-file", tc.file, "vcan0"},
				strings.NewReader(""), &stdout, &stderr)
			if code := cli.ExitCode(err); code != tc.code || err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("exit %d, %v; want %d and %q", code, err, tc.code, tc.msg)
			}
		})
	}
}

// The tunnel's help says plainly that without a key it is unauthenticated.
func TestTunnelHelpSaysUnauthenticated(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"canrelay", "tunnel", "--help"}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"WITHOUT --key-file THE TUNNEL IS UNAUTHENTICATED", "WireGuard or IPsec", "--key-file FILE"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("tunnel --help lacks %q:\n%s", want, stdout.String())
		}
	}
}

// A datagram that arrives after the reorder wait gave up on it is dropped
// and counted as late, never written behind frames that followed it (#16:
// the tunnel used to write it at once, out of order).
func TestTunnelDropsLate(t *testing.T) {
	bus := newFakeBus(t, "b")
	peer, peerAddr := udpLoopback(t)
	ub, addrB := udpLoopback(t)
	canB, _ := bus.openRaw("b")
	tb := &tunnel{can: canB, udp: ub, peer: peerAddr, maxDatagram: 1400, limit: 3, reorderWait: time.Millisecond}
	errc := make(chan error, 1)
	go func() { errc <- tb.run(context.Background()) }()
	send := func(seq uint8) {
		t.Helper()
		d := canframe.Datagram{Seq: seq, Frames: []canframe.Frame{{ID: uint32(seq), Data: []byte{seq}}}}
		b, err := canframe.EncodeDatagram(&d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := peer.SendTo(b, 0, addrB); err != nil {
			t.Fatal(err)
		}
	}
	send(1)
	send(3)
	// 3 is written once the wait gives up on 2; then 2 comes, too late.
	if diff := cmp.Diff([]string{"001#01", "003#03"}, bus.read("b", 2)); diff != "" {
		t.Fatalf("frames written (-want +got):\n%s", diff)
	}
	send(2)
	send(4)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"004#04"}, bus.read("b", 1)); diff != "" {
		t.Errorf("frames written after the late one (-want +got):\n%s", diff)
	}
	var out strings.Builder
	tb.printStats(&out, "b")
	for _, kv := range []string{"rx_datagrams=4", "lost=0", "reordered=1", "late=1", "rx_frames=3"} {
		if !strings.Contains(out.String(), " "+kv) {
			t.Errorf("stats %q lack %s", out.String(), kv)
		}
	}
}

// A peer that restarts (kill -9, then systemd starts it again) numbers its
// datagrams from 1 again after its hello: they are written, not dropped as
// late copies of the old run's (#16); a copy of a hello changes nothing.
func TestTunnelPeerRestart(t *testing.T) {
	bus := newFakeBus(t, "b")
	peer, peerAddr := udpLoopback(t)
	ub, addrB := udpLoopback(t)
	canB, _ := bus.openRaw("b")
	tb := &tunnel{can: canB, udp: ub, peer: peerAddr, maxDatagram: 1400, limit: 8, reorderWait: time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- tb.run(context.Background()) }()
	n := 0
	send := func(seq uint8) {
		t.Helper()
		n++
		d := canframe.Datagram{Seq: seq, Frames: []canframe.Frame{{ID: uint32(n), Data: []byte{seq}}}}
		b, err := canframe.EncodeDatagram(&d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := peer.SendTo(b, 0, addrB); err != nil {
			t.Fatal(err)
		}
	}
	hello := func(session uint64) {
		t.Helper()
		if _, err := peer.SendTo(canframe.AppendTunnelHello(nil, session), 0, addrB); err != nil {
			t.Fatal(err)
		}
	}
	hello(1)
	for seq := range uint8(4) {
		send(seq + 1)
	}
	hello(2) // restarted
	send(1)
	send(2)
	hello(2) // a copy
	send(3)
	send(4)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	want := []string{"001#01", "002#02", "003#03", "004#04", "005#01", "006#02", "007#03", "008#04"}
	if diff := cmp.Diff(want, bus.read("b", len(want))); diff != "" {
		t.Errorf("frames written (-want +got):\n%s", diff)
	}
	got := []uint64{tb.restarts.Load(), tb.late.Load(), tb.tracker.Lost, tb.tracker.Reordered, tb.bad.Load()}
	if diff := cmp.Diff([]uint64{1, 0, 0, 0, 0}, got); diff != "" {
		t.Errorf("peer_restarts, late, lost, reordered, bad (-want +got):\n%s", diff)
	}
}
