package can

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// The tunnel under faults (#16): netem delays, reorders and drops the
// datagrams from A to B on the veth while two busy loops load the guest's
// CPUs. Every frame carries the test's running count, so the frames on B's
// bus must come in strictly increasing order (gaps allowed, never a step
// back), their number is B's rx_frames, and the datagrams A sent are B's
// received plus lost (less the probes sent before B listened).
func TestTunnelNetem(t *testing.T) {
	testenv.RequireVM(t)
	for range 2 {
		hog := exec.Command("sh", "-c", "while :; do :; done")
		if err := hog.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { hog.Process.Kill(); hog.Wait() })
	}
	// B's reorder wait (1 ms) is shorter than netem's delay (3 ms ± 1 ms), so
	// some datagrams come after B gave up on them: late, and dropped.
	tn := tunnelPair(t, "10.78.0", []string{"--reorder-wait", "1ms"})
	a, ta, tb, sa, sb := tn.a, tn.ta, tn.tb, tn.sa, tn.sb
	setup := 0
	probe(t, sa, "7FE#", func() bool { setup++; return seenOn(sb, "7FE#")() })
	if out, err := a.Command("tc", "qdisc", "add", "dev", "veth0", "root", "netem",
		"delay", "3ms", "1ms", "reorder", "25%", "50%", "loss", "2%").CombinedOutput(); err != nil {
		t.Fatalf("tc netem: %v: %s", err, out)
	}

	// count is the running number every frame carries; last the highest
	// seen on B. Each window of frames is followed by probes (7FF, also
	// numbered) until one comes through: the pace of the slowest tunnel,
	// whatever netem drops.
	count, last, seen := 0, -1, 1 // the setup probe was seen
	var backwards []string
	record := func(f string) (probe bool) {
		if f == "7FE#" { // a setup probe still in flight
			seen++
			return false
		}
		i := strings.IndexByte(f, '#')
		n, err := strconv.ParseInt(f[i+1:], 16, 64)
		if err != nil || i < 0 {
			t.Fatalf("frame %q: not one of the test's", f)
		}
		seen++
		if int(n) <= last {
			backwards = append(backwards, fmt.Sprintf("%s after %08X", f, last))
		}
		last = int(n)
		return strings.HasPrefix(f, "7FF#")
	}
	frame := func(id int) string { count++; return fmt.Sprintf("%03X#%08X", id, count) }
	const windows, window = 100, 100
	for w := range windows {
		frames := make([]string, 0, window)
		for i := range window {
			frames = append(frames, frame((w*window+i)%0x7f0))
		}
		send(t, sa, frames...)
		deadline := time.Now().Add(timeout)
		for {
			p := frame(0x7FF)
			send(t, sa, p)
			got := false
			sb.SetTimeout(20 * time.Millisecond)
			for {
				f, err := tryRecv(sb)
				if err != nil {
					break
				}
				if record(f) && f == p {
					got = true
				}
			}
			if got {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("window %d: no probe came through within %v", w, timeout)
			}
		}
	}
	sb.SetTimeout(timeout)
	restA, errA := ta.stop()
	restB, errB := tb.stop()
	if errA != nil || errB != nil {
		t.Fatalf("tunnels: %v, %v", errA, errB)
	}
	la, lb := findLine(t, restA, "tunnel vcant:"), findLine(t, restB, "tunnel vcant:")
	t.Logf("A: %s", la)
	t.Logf("B: %s", lb)
	t.Logf("test: sent %d numbered frames, %d seen on B (%d setup probes)", count, seen, setup)
	if len(backwards) > 0 {
		t.Errorf("%d frames written out of order on B, first: %s", len(backwards), backwards[0])
	}
	num := func(l, k string) int { n, _ := strconv.Atoi(stat(t, l, k)); return n }
	if rx := num(lb, "rx_frames"); rx != seen {
		t.Errorf("B says it wrote %d frames, the bus had %d", rx, seen)
	}
	tx, rx, lost := num(la, "tx_datagrams"), num(lb, "rx_datagrams"), num(lb, "lost")
	if d := tx - (rx + lost); d < 0 || d > setup {
		t.Errorf("A sent %d datagrams, B received %d and counted %d lost: %d unexplained (at most %d setup probes may go before B listens)", tx, rx, lost, d, setup)
	}
	for _, k := range []string{"bad", "foreign", "can_drops", "tx_errors"} {
		if stat(t, lb, k) != "0" {
			t.Errorf("B %s: %s", k, lb)
		}
	}
}
