package canbench

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/integration/vm/can"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

const timeout = can.Timeout

func rawSocket(t *testing.T, iface string) *sockcore.Socket {
	s := can.RawSocket(t, iface)
	s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1)
	return s
}

func frame(i int) []byte {
	f := canframe.Frame{ID: uint32(0x100 + i%0x600), Data: []byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i), 1, 2, 3, 4}}
	b, _ := canframe.EncodeWire(&f)
	return b
}

// ready sends a probe on vcan0 until one arrives on vcan1, then a sync
// frame, and reads vcan1 up to the sync frame: the relays keep order, so
// no probe is left behind it.
func ready(t *testing.T, s0, s1 *sockcore.Socket) {
	t.Helper()
	probe, _ := canframe.EncodeWire(&canframe.Frame{ID: 0x7FE})
	sync, _ := canframe.EncodeWire(&canframe.Frame{ID: 0x7FD})
	buf := make([]byte, canframe.FDMTU)
	deadline := time.Now().Add(timeout)
	s1.SetTimeout(50 * time.Millisecond)
	for {
		if time.Now().After(deadline) {
			t.Fatal("the relay never forwarded a probe")
		}
		s0.Send(probe, 0)
		// Skip what an earlier row left behind.
		n, err := s1.RecvInto(buf, 0)
		for err == nil && string(buf[:n]) != string(probe) {
			n, err = s1.RecvInto(buf, 0)
		}
		if err == nil {
			break
		}
	}
	s1.SetTimeout(timeout)
	s0.Send(sync, 0)
	for {
		n, err := s1.RecvInto(buf, 0)
		if err != nil {
			t.Fatalf("sync frame not relayed: %v", err)
		}
		if string(buf[:n]) == string(sync) {
			return
		}
	}
}

// latency sends k frames vcan0 → vcan1 one at a time, each once the one
// before has arrived, and returns the relay times, sorted.
func latency(t *testing.T, s0, s1 *sockcore.Socket, k int) ([]time.Duration, error) {
	t.Helper()
	ready(t, s0, s1)
	buf := make([]byte, canframe.FDMTU)
	d := make([]time.Duration, 0, k)
	for i := range k {
		f := frame(i)
		start := time.Now()
		if _, err := s0.Send(f, 0); err != nil {
			t.Fatal(err)
		}
		m, err := s1.RecvInto(buf, 0)
		if err != nil {
			return nil, fmt.Errorf("frame %d of %d not relayed: %v", i, k, err)
		}
		d = append(d, time.Since(start))
		if string(buf[:m]) != string(f) {
			return nil, fmt.Errorf("frame %d of %d relayed out of order", i, k)
		}
	}
	slices.Sort(d)
	return d, nil
}

// percentile is the p-th percentile (nearest rank) of sorted d.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(d)))) - 1
	return d[min(max(i, 0), len(d)-1)]
}

// rate relays n frames vcan0 → vcan1 in windows of w frames (each window is
// sent, then received in full) and returns frames per second.
func rate(t *testing.T, s0, s1 *sockcore.Socket, n, w int) (float64, error) {
	t.Helper()
	ready(t, s0, s1)
	buf := make([]byte, canframe.FDMTU)
	start := time.Now()
	for sent := 0; sent < n; sent += w {
		for i := sent; i < sent+w; i++ {
			if _, err := s0.Send(frame(i), 0); err != nil {
				t.Fatal(err)
			}
		}
		for i := sent; i < sent+w; i++ {
			m, anc, _, _, err := s1.RecvMsgInto([][]byte{buf}, 32, 0)
			for _, c := range anc {
				if c.Type == unix.SO_RXQ_OVFL && len(c.Data) >= 4 && c.Data[0]|c.Data[1]|c.Data[2]|c.Data[3] != 0 {
					return 0, fmt.Errorf("the measuring socket overflowed at frame %d: %x", i, c.Data)
				}
			}
			if err != nil {
				return 0, fmt.Errorf("frame %d of %d not relayed: %v", i, n, err)
			}
			if string(buf[:m]) != string(frame(i)) {
				got, _ := canframe.DecodeWire(buf[:m])
				want, _ := canframe.DecodeWire(frame(i))
				return 0, fmt.Errorf("frame %d of %d: got %s, want %s", i, n, got.Text(), want.Text())
			}
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// start runs a relay (testenv.Start) in a process group of its own. It
// inherits the one-CPU mask of the test's thread (can.RawSocket pins it), so
// every row runs on the CPU that sends and receives the frames: cangw
// forwards in the sender's softirq there, a user-space relay shares that CPU
// with the sending and receiving test.
func start(t *testing.T, name string, args ...string) *testenv.Proc {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return testenv.Start(t, cmd)
}

// stop ends a relay's process group with SIGTERM (the pipeline's candump and
// cansend with sh), then SIGKILL for what is left once the leader is gone,
// and logs the relay's output (canrelay's counters) once it has ended.
func stop(t *testing.T, p *testenv.Proc) {
	t.Helper()
	pgid := p.Cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	p.Wait()
	syscall.Kill(-pgid, syscall.SIGKILL)
	p.Stdout.Wait()
	p.Stderr.Wait()
	t.Logf("%s:\n%s%s", strings.Join(p.Cmd.Args, " "), p.Stdout.Since(0), p.Stderr.Since(0))
}

// Sizes of the runs: bench/can.sh passes them through VMTEST_ARGS.
var (
	frames     = flag.Int("canbench.frames", 50000, "frames per relay")
	window     = flag.Int("canbench.window", 1000, "frames sent before they are all received")
	pipeFrames = flag.Int("canbench.pipe-frames", 300, "frames through the candump | cansend pipeline")
	latFrames  = flag.Int("canbench.lat-frames", 2000, "frames sent one at a time for the latency percentiles")
	rounds     = flag.Int("canbench.rounds", 3, "interleaved rounds of the relays within a boot")
)

// median of v (the lower middle of an even count); 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	return s[(len(s)-1)/2]
}

func TestBenchRelay(t *testing.T) {
	testenv.RequireVM(t)
	canrelay := testenv.Bin(t, "canrelay")
	cangw := testenv.RequireProgram(t, "cangw", "can-utils")
	testenv.RequireProgram(t, "candump", "can-utils")
	testenv.RequireProgram(t, "cansend", "can-utils")
	n, w := *frames, *window
	// vcan delivers through the per-CPU backlog (netif_rx): a burst of a
	// window larger than netdev_max_backlog (1000) is dropped there, before
	// any socket.
	if err := os.WriteFile("/proc/sys/net/core/netdev_max_backlog", []byte("100000"), 0); err != nil {
		t.Fatal(err)
	}
	s0, s1 := rawSocket(t, "vcan0"), rawSocket(t, "vcan1")
	rows := map[string]float64{}
	rates := map[string][]float64{} // every round's figure
	lat := map[string][]time.Duration{}
	type relay struct {
		label string
		start func() func() // starts the relay, returns its stop
	}
	relays := []relay{
		{"cangw -A -s vcan0 -d vcan1 -e (kernel)", func() func() {
			if out, err := exec.Command(cangw, "-A", "-s", "vcan0", "-d", "vcan1", "-e").CombinedOutput(); err != nil {
				t.Fatalf("cangw: %v: %s", err, out)
			}
			return func() { exec.Command(cangw, "-F").Run() }
		}},
		{"canrelay bridge --one-way vcan0 vcan1", func() func() {
			cmd := start(t, canrelay, "bridge", "--one-way", "vcan0", "vcan1")
			return func() { stop(t, cmd) }
		}},
		{"canrelay bridge --one-way --low-latency vcan0 vcan1", func() func() {
			cmd := start(t, canrelay, "bridge", "--one-way", "--low-latency", "vcan0", "vcan1")
			return func() { stop(t, cmd) }
		}},
		{"canrelay tunnel vcan0 -> UDP -> vcan1", func() func() {
			a := start(t, canrelay, "tunnel", "--listen", "127.0.0.1:21000", "--peer", "127.0.0.1:21001", "vcan0")
			b := start(t, canrelay, "tunnel", "--listen", "127.0.0.1:21001", "--peer", "127.0.0.1:21000", "vcan1")
			return func() { stop(t, a); stop(t, b) }
		}},
	}
	var order []string
	for _, r := range relays {
		order = append(order, r.label)
	}
	// Interleaved rounds, the order rotated each round: the speed of the
	// emulated CPU swings within a boot, and a ratio is taken within a
	// round, of two relays measured back to back.
	for round := range *rounds {
		for i := range relays {
			r := relays[(i+round)%len(relays)]
			stopRelay := r.start()
			v, err := rate(t, s0, s1, n, w)
			if err != nil {
				t.Errorf("%s: %v", r.label, err)
			}
			// Latency, one frame at a time, in the first round.
			if round == 0 && *latFrames > 0 {
				if lat[r.label], err = latency(t, s0, s1, *latFrames); err != nil {
					t.Errorf("%s: latency: %v", r.label, err)
				}
			}
			stopRelay()
			rates[r.label] = append(rates[r.label], v)
		}
	}
	var ratios []float64 // bridge/cangw in each round
	for i := range rates[order[0]] {
		ratios = append(ratios, rates[order[1]][i]/rates[order[0]][i])
	}
	for _, l := range order {
		rows[l] = median(rates[l])
	}
	pn := *pipeFrames
	{
		const label = "candump -L vcan0 | while read; cansend vcan1"
		cmd := start(t, "sh", "-c", `candump -L vcan0 | while read -r ts ifc fr; do cansend vcan1 "$fr"; done`)
		r, err := rate(t, s0, s1, pn, min(pn, 50))
		if err != nil {
			t.Errorf("%s: %v", label, err)
		}
		stop(t, cmd)
		rows[label] = r
		order = append(order, label)
	}
	if b, err := os.ReadFile("/proc/net/softnet_stat"); err == nil {
		t.Logf("softnet_stat (column 2: backlog drops):\n%s", b)
	}
	gw := rows[order[0]]
	w2 := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w2, "canbench| canrelay bench in the kernel VM (qemu TCG, %s): frames/s relayed vcan0 -> vcan1, %d frames in windows of %d (the pipeline: %d)\n",
		kernelRelease(), n, w, pn)
	fmt.Fprintf(w2, "canbench| %-52s %12s %10s %8s %8s %8s\n", "relay", "frames/s", "x cangw", "p50 us", "p99 us", "max us")
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	var lines []string
	for _, l := range order {
		fmt.Fprintf(w2, "canbench| %-52s %12.0f %10.3f", l, rows[l], rows[l]/gw)
		lines = append(lines, csvLine("can", "relay vcan0 -> vcan1", l, "frames relayed per second", fmt.Sprintf("%.0f", rows[l]), "frames/s"))
		if d := lat[l]; len(d) > 0 {
			fmt.Fprintf(w2, " %8.0f %8.0f %8.0f", us(percentile(d, 50)), us(percentile(d, 99)), us(d[len(d)-1]))
			for _, p := range []float64{50, 90, 99} {
				row := fmt.Sprintf("p%.0f of %d frames one at a time", p, len(d))
				lines = append(lines, csvLine("can", row, l, "relay latency", fmt.Sprintf("%.1f", us(percentile(d, p))), "us"))
			}
		}
		fmt.Fprintln(w2)
	}
	for _, c := range lines {
		fmt.Fprintf(w2, "canbench-csv| %s\n", c)
	}
	pipe := rows[order[len(order)-1]]
	rs := make([]string, len(ratios))
	for i, r := range ratios {
		rs[i] = fmt.Sprintf("%.2f", r)
	}
	fmt.Fprintf(w2, "canbench| per round (%d, interleaved), bridge/cangw: %s\n", len(ratios), strings.Join(rs, " "))
	fmt.Fprintf(w2, "canbench| bridge/cangw %.2f (target >= 0.8), bridge/pipeline %.0f (target >= 10)\n", median(ratios), rows[order[1]]/pipe)
	w2.Flush()
}

// csvLine is one bench,row,peer,metric,value,unit row of
// bench/out/results.csv (bench/lib.sh); bench/can.sh copies the lines
// printed after "canbench-csv| " there.
func csvLine(fields ...string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(fields)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "?"
	}
	return strings.TrimRight(string(u.Release[:]), "\x00")
}
