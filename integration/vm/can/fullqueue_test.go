package can

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// A full transmit queue (#16): CAN drivers and the qdisc in front of them
// refuse a frame with ENOBUFS instead of blocking the writer. vcan and
// vxcan have no queue of their own (txqueuelen 0, noqueue), so the tests
// put netem in front of a vxcan: its rate drains the queue at a bus's pace
// and its limit (one frame) makes it full. The frames that reach the other
// end of the pair are read by candump there, and checked against what each
// tool counted and against the qdisc's own counters.

// slowBus is a vxcan pair: frames written on tx pass netem and reach rx,
// where candump -L prints them.
type slowBus struct {
	t      *testing.T
	tx, rx string
	dump   *proc
	seen   []string // the frames candump printed, in order
	netem  bool     // the qdisc is in place
	before int      // len(seen) when it was put in place
}

func newSlowBus(t *testing.T, tx, rx string) *slowBus {
	t.Helper()
	testenv.RequireProgram(t, "candump", "can-utils")
	testenv.RequireProgram(t, "tc", "iproute2")
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	ip("link", "add", tx, "type", "vxcan", "peer", "name", rx)
	t.Cleanup(func() { exec.Command("ip", "link", "del", tx).Run() })
	ip("link", "set", tx, "up")
	ip("link", "set", rx, "up")
	b := &slowBus{t: t, tx: tx, rx: rx}
	b.dump = startCmd(t, execCommand("candump", "-L", rx))
	// candump is up when it shows a frame written on tx (7FB, left out of
	// seen: the tools' frames are counted from here on).
	b.probe(rawSocket(t, tx), "7FB")
	b.seen = nil
	return b
}

// frame returns the frame of a candump -L line: "(time) iface frame".
func logFrame(l string) string {
	f := strings.Fields(l)
	if len(f) != 3 {
		return ""
	}
	return f[2]
}

// ready writes probe frames (7FE) with s, each numbered, until candump
// shows the last one written: the tool started in the background that
// carries them to tx is running, and every probe it took is through, as
// frames keep their order. Call it before queue.
func (b *slowBus) ready(s *sockcore.Socket) {
	b.t.Helper()
	b.probe(s, "7FE")
}

func (b *slowBus) probe(s *sockcore.Socket, id string) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for n := 0; time.Now().Before(deadline); n++ {
		p := fmt.Sprintf("%s#%08X", id, n)
		send(b.t, s, p)
		for {
			l, ok := b.dump.lineWithin(50 * time.Millisecond)
			if !ok {
				break
			}
			b.seen = append(b.seen, logFrame(l))
			if logFrame(l) == p {
				return
			}
		}
	}
	b.t.Fatalf("candump on %s saw no probe within %v", b.rx, timeout)
}

// queue puts netem on tx (or changes it): rate and a limit in frames.
func (b *slowBus) queue(rate string, limit int) {
	b.t.Helper()
	op := "change"
	if !b.netem {
		op, b.netem, b.before = "add", true, len(b.seen)
	}
	if out, err := exec.Command("tc", "qdisc", op, "dev", b.tx, "root", "netem", "rate", rate, "limit", strconv.Itoa(limit)).CombinedOutput(); err != nil {
		b.t.Fatalf("tc qdisc %s dev %s root netem rate %s limit %d: %v: %s", op, b.tx, rate, limit, err, out)
	}
}

// until reads candump's lines up to and including frame.
func (b *slowBus) until(frame string) {
	b.t.Helper()
	for {
		f := logFrame(b.dump.line())
		b.seen = append(b.seen, f)
		if f == frame {
			return
		}
	}
}

// qdisc returns the frames netem sent on (to rx), refused (each ENOBUFS,
// so at least once per frame a writer gave up) and still holds.
func (b *slowBus) qdisc() (sent, dropped, backlog int) {
	b.t.Helper()
	out, err := exec.Command("tc", "-s", "qdisc", "show", "dev", b.tx).CombinedOutput()
	if err != nil {
		b.t.Fatalf("tc -s qdisc show dev %s: %v: %s", b.tx, err, out)
	}
	m := regexp.MustCompile(`Sent \d+ bytes (\d+) pkt \(dropped (\d+),[^)]*\)\s+backlog \d+b (\d+)p`).FindStringSubmatch(string(out))
	if m == nil {
		b.t.Fatalf("tc -s qdisc show dev %s: no counters in %q", b.tx, out)
	}
	sent, _ = strconv.Atoi(m[1])
	dropped, _ = strconv.Atoi(m[2])
	backlog, _ = strconv.Atoi(m[3])
	return sent, dropped, backlog
}

// checkQdisc: what candump saw since netem came is what netem sent on, and
// netem holds nothing more.
func (b *slowBus) checkQdisc() (refused int) {
	b.t.Helper()
	sent, dropped, backlog := b.qdisc()
	if after := len(b.seen) - b.before; sent != after || backlog != 0 {
		b.t.Errorf("netem on %s sent %d frames and holds %d; candump on %s saw %d since netem came", b.tx, sent, backlog, b.rx, after)
	}
	return dropped
}

// inOrder fails unless the frames with prefix (test frames numbered in
// their data) appear in increasing order, and returns how many there are.
func (b *slowBus) inOrder(prefix string) int {
	b.t.Helper()
	n, last := 0, int64(-1)
	for _, f := range b.seen {
		if !strings.HasPrefix(f, prefix) {
			continue
		}
		v, err := strconv.ParseInt(f[strings.IndexByte(f, '#')+1:], 16, 64)
		if err != nil || v <= last {
			b.t.Errorf("frame %s after %X on %s", f, last, b.rx)
		}
		last = v
		n++
	}
	return n
}

// waitStderr waits for a line of p's standard error containing substr.
func waitStderr(t *testing.T, p *testenv.Proc, substr string) string {
	t.Helper()
	c := make(chan string, 1)
	go func() { l, _ := p.Stderr.WaitFor(0, substr); c <- l }()
	select {
	case l := <-c:
		if l == "" {
			t.Fatalf("%v ended without saying %q: %s", p.Cmd.Args, substr, p.Stderr)
		}
		return l
	case <-time.After(timeout):
		t.Fatalf("%v did not say %q within %v: %s", p.Cmd.Args, substr, timeout, p.Stderr)
	}
	return ""
}

// numbered returns n frames with id, numbered from first in their data.
func numbered(id string, first, n int) []string {
	var out []string
	for i := first; i < first+n; i++ {
		out = append(out, fmt.Sprintf("%s#%08X", id, i))
	}
	return out
}

// TestSendFullQueue: canrelay send waits out a queue that drains (every
// frame arrives, in order), and one that does not drain ends it saying how
// many frames went; candump shows exactly those.
func TestSendFullQueue(t *testing.T) {
	testenv.RequireVM(t)
	b := newSlowBus(t, "vxq0", "vxq1")
	s := rawSocket(t, "vxq0")

	// A frame of 16 bytes every 12.8 ms at 10 kbit/s, one queued at a time.
	b.queue("10kbit", 1)
	frames := numbered("501", 0, 20)
	if out, errOut, code := canrelay(t, nil, append([]string{"send", "vxq0"}, frames...)...); code != 0 || out != "" || errOut != "" {
		t.Fatalf("send on a queue that drains: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	b.queue("10kbit", 1000)
	send(t, s, "7FD#01")
	b.until("7FD#01")
	if n := b.inOrder("501#"); n != len(frames) {
		t.Errorf("candump saw %d of the %d frames sent: %q", n, len(frames), b.seen)
	}
	if refused := b.checkQdisc(); refused == 0 {
		t.Errorf("the queue never refused a frame: nothing was waited out")
	}

	// 1.28 s a frame: the second frame finds the queue full for longer
	// than send waits.
	b.queue("100bit", 1)
	frames = numbered("502", 0, 3)
	_, errOut, code := canrelay(t, nil, append([]string{"send", "vxq0"}, frames...)...)
	if want := "1 of 3 frames sent"; code != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "no buffer space available") {
		t.Errorf("send on a queue that does not drain: exit %d, stderr %q; want exit 1 and %q", code, errOut, want)
	}
	b.queue("10kbit", 1000)
	send(t, s, "7FD#02")
	b.until("7FD#02")
	if n := b.inOrder("502#"); n != 1 {
		t.Errorf("candump saw %d frames of the send that said 1 went: %q", n, b.seen)
	}
	b.checkQdisc()
}

// TestBridgeFullQueue: the bridge's destination queue stays full longer
// than the bridge waits: what it cannot write is dropped, counted and said
// once on stderr, and received = forwarded + dropped, forwarded being what
// candump sees on the far side.
func TestBridgeFullQueue(t *testing.T) {
	testenv.RequireVM(t)
	b := newSlowBus(t, "vxq2", "vxq3")
	s0 := rawSocket(t, "vcan0")
	br := testenv.Start(t, exec.Command(testenv.Bin(t, "canrelay"), "bridge", "--one-way", "vcan0", "vxq2"))
	b.ready(s0)
	b.queue("100bit", 1)
	frames := numbered("503", 0, 6)
	send(t, s0, frames...)
	waitStderr(t, br, "dropped and counted")
	b.queue("10kbit", 1000) // what is left goes through
	send(t, s0, "7FD#03")
	b.until("7FD#03")
	if err := br.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("bridge: %v: %s", err, br.Stderr)
	}
	line, _ := br.Stdout.WaitFor(0, "vcan0->vxq2")
	t.Logf("bridge: %s; candump: %q", line, b.seen)
	num := func(k string) int { n, _ := strconv.Atoi(stat(t, line, k)); return n }
	got := b.inOrder("503#")
	if num("received") != num("forwarded")+num("dropped") || num("filtered") != 0 || num("loops") != 0 {
		t.Errorf("received is not forwarded + dropped: %s", line)
	}
	if num("forwarded") != len(b.seen) {
		t.Errorf("the bridge says it forwarded %d frames, candump saw %d", num("forwarded"), len(b.seen))
	}
	if num("dropped") == 0 || got+num("dropped") != len(frames) {
		t.Errorf("of %d frames candump saw %d and the bridge dropped %d", len(frames), got, num("dropped"))
	}
	if refused := b.checkQdisc(); refused < num("dropped") {
		t.Errorf("netem refused %d frames, fewer than the bridge dropped", refused)
	}
}

// TestTunnelFullQueue: the same for the far end of a tunnel: frames it
// cannot write to its bus are can_drops, said once on stderr; its
// rx_frames are what candump sees, and every frame the near end sent is
// written or dropped.
func TestTunnelFullQueue(t *testing.T) {
	testenv.RequireVM(t)
	b := newSlowBus(t, "vxq4", "vxq5")
	s0 := rawSocket(t, "vcan0")
	bin := testenv.Bin(t, "canrelay")
	tb := testenv.Start(t, exec.Command(bin, "tunnel", "--listen", "127.0.0.1:20031", "--peer", "127.0.0.1:20030", "vxq4"))
	ta := testenv.Start(t, exec.Command(bin, "tunnel", "--listen", "127.0.0.1:20030", "--peer", "127.0.0.1:20031", "vcan0"))
	b.ready(s0)
	b.queue("100bit", 1)
	frames := numbered("504", 0, 6)
	send(t, s0, frames...)
	waitStderr(t, tb, "dropped and counted as can_drops")
	b.queue("10kbit", 1000)
	send(t, s0, "7FD#04")
	b.until("7FD#04")
	for _, p := range []*testenv.Proc{ta, tb} {
		if err := p.Signal(syscall.SIGTERM); err != nil {
			t.Fatalf("%v: %v: %s", p.Cmd.Args, err, p.Stderr)
		}
	}
	la, _ := ta.Stdout.WaitFor(0, "tunnel vcan0:")
	lb, _ := tb.Stdout.WaitFor(0, "tunnel vxq4:")
	t.Logf("A: %s\nB: %s\ncandump: %q", la, lb, b.seen)
	num := func(l, k string) int { n, _ := strconv.Atoi(stat(t, l, k)); return n }
	got := b.inOrder("504#")
	if num(lb, "rx_frames") != len(b.seen) {
		t.Errorf("B says it wrote %d frames, candump saw %d", num(lb, "rx_frames"), len(b.seen))
	}
	if num(lb, "can_drops") == 0 || got+num(lb, "can_drops") != len(frames) {
		t.Errorf("of %d frames candump saw %d and B dropped %d", len(frames), got, num(lb, "can_drops"))
	}
	if num(la, "tx_frames") != num(lb, "rx_frames")+num(lb, "can_drops") || num(lb, "lost") != 0 {
		t.Errorf("A sent %d frames, B wrote %d and dropped %d", num(la, "tx_frames"), num(lb, "rx_frames"), num(lb, "can_drops"))
	}
	if refused := b.checkQdisc(); refused < num(lb, "can_drops") {
		t.Errorf("netem refused %d frames, fewer than B dropped", refused)
	}
}
