package canbench

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/integration/vm/can"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

var genFrames = flag.Int("canbench.gen-frames", 30000, "frames each generator sends in one round (they must fit candump's 64 MiB buffer)")

// receivers counts the CAN_RAW receivers registered on iface
// (/proc/net/can/rcvlist_all lists the sockets bound with the default
// filter, one line each).
func receivers(t *testing.T, iface string) int {
	b, err := os.ReadFile("/proc/net/can/rcvlist_all")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == iface {
			n++
		}
	}
	return n
}

// genRound sends n fixed frames with the generator (on CPU 1) on vxcan0
// and returns frames per second on the bus: n-1 over the time between the
// kernel's receive timestamps of the first and the last frame on vxcan1,
// so that a process's start (a Go binary starts slowly under TCG) is not
// counted. A candump on vxcan1 (on CPU 0, silent, a 64 MiB receive buffer,
// exiting after n frames) counts them: if it has to end on silence
// instead, frames were lost and the round fails.
func genRound(t *testing.T, n int, gen []string) float64 {
	t.Helper()
	s := can.RawSocket(t, "vxcan1")
	s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 64<<20)
	s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS_OLD, 1)
	defer s.Close()
	before := receivers(t, "vxcan1")
	cd := exec.Command("taskset", "-c", "0", "candump", "-s", "2", "-r", "67108864", "-n", strconv.Itoa(n), "-T", "5000", "vxcan1")
	cd.Stderr = os.Stderr
	if err := cd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(timeout)
	for receivers(t, "vxcan1") <= before {
		if time.Now().After(deadline) {
			t.Fatal("candump never bound to vxcan1")
		}
		time.Sleep(time.Millisecond) // polling /proc: there is no event to wait on
	}
	start := time.Now()
	out, err := exec.Command("taskset", append([]string{"-c", "1"}, gen...)...).CombinedOutput()
	el := time.Since(start)
	if err != nil {
		t.Fatalf("%q: %v: %s", gen, err, out)
	}
	if err := cd.Wait(); err != nil {
		t.Fatalf("candump: %v", err)
	}
	if total := time.Since(start); total > el+5*time.Second {
		t.Errorf("%q: candump ended on silence %v after the generator: frames were lost", gen, total-el)
	}
	var first, last time.Time
	buf := make([]byte, canframe.FDMTU)
	for i := 0; i < n; i++ {
		_, anc, _, _, err := s.RecvMsgInto([][]byte{buf}, 64, 0)
		if err != nil {
			t.Fatalf("frame %d of %d on vxcan1: %v", i+1, n, err)
		}
		ts, ok := sockcore.ParseTimestamp(anc)
		if !ok {
			t.Fatal("no receive timestamp")
		}
		if i == 0 {
			first = ts
		}
		last = ts
	}
	bus := last.Sub(first)
	t.Logf("%q: %d frames on the bus in %v (process run %v); %s", gen, n, bus, el, strings.TrimSpace(string(out)))
	return float64(n-1) / bus.Seconds()
}

// canrelay gen against cangen -g 0 -i, both sending the same fixed frame
// on vxcan0, counted by candump on vxcan1. Target: canrelay >= 1.5x.
func TestBenchGen(t *testing.T) {
	testenv.RequireVM(t)
	canrelay := testenv.Bin(t, "canrelay")
	cangen := testenv.RequireProgram(t, "cangen", "can-utils")
	testenv.RequireProgram(t, "candump", "can-utils")
	if err := os.WriteFile("/proc/sys/net/core/netdev_max_backlog", []byte("100000"), 0); err != nil {
		t.Fatal(err)
	}
	n := *genFrames
	frame := []string{"-I", "123", "-L", "8", "-D", "1122334455667788"}
	rows := []struct {
		label string
		cmd   []string
	}{
		{"cangen -g 0 -i (write per frame)", append(append([]string{cangen, "-g", "0", "-i", "-n", strconv.Itoa(n)}, frame...), "vxcan0")},
		{"canrelay gen -g 0 (sendmmsg, 64 a call)", append(append([]string{canrelay, "gen", "-g", "0", "-n", strconv.Itoa(n)}, frame...), "vxcan0")},
		{"canrelay gen -g 0 -c 1 (sendmmsg, 1 a call)", append(append([]string{canrelay, "gen", "-g", "0", "-c", "1", "-n", strconv.Itoa(n)}, frame...), "vxcan0")},
	}
	rates := make([][]float64, len(rows))
	for round := 0; round < 3; round++ {
		for i, r := range rows {
			rates[i] = append(rates[i], genRound(t, n, r.cmd))
		}
	}
	med := func(v []float64) float64 { v = slices.Clone(v); slices.Sort(v); return v[len(v)/2] }
	peer := med(rates[0])
	fmt.Printf("canbench| frame generation in the kernel VM (qemu TCG, %s): %d frames 123#1122334455667788 on vxcan0, first to last receive timestamp on vxcan1, all counted by candump -n there, median of 3\n", kernelRelease(), n)
	fmt.Printf("canbench| %-46s %12s %10s\n", "generator", "frames/s", "x cangen")
	for i, r := range rows {
		fmt.Printf("canbench| %-46s %12.0f %10.2f\n", r.label, med(rates[i]), med(rates[i])/peer)
	}
	fmt.Printf("canbench| gen/cangen %.2f (target >= 1.5)\n", med(rates[1])/peer)
	for i, r := range rows {
		for _, v := range rates[i] {
			fmt.Printf("canbench-csv| %s\n", csvLine("can", "generate on vxcan0", r.label, "frames generated per second", fmt.Sprintf("%.0f", v), "frames/s"))
		}
	}
}
