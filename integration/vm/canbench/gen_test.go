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

	"github.com/sockcore/sockcore/internal/testenv"
)

var genFrames = flag.Int("canbench.gen-frames", 100000, "frames each generator sends in one round")

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

// genRound sends n fixed frames with the generator on vxcan0 and returns
// frames per second as counted by a candump on vxcan1 (silent, exiting
// after n frames): from the generator's start to candump's exit.
func genRound(t *testing.T, n int, gen []string) float64 {
	t.Helper()
	before := receivers(t, "vxcan1")
	cd := exec.Command("candump", "-s", "2", "-r", "33554432", "-n", strconv.Itoa(n), "-T", "5000", "vxcan1")
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
	g := exec.Command(gen[0], gen[1:]...)
	out, err := g.CombinedOutput()
	if err != nil {
		t.Fatalf("%q: %v: %s", gen, err, out)
	}
	if err := cd.Wait(); err != nil {
		t.Fatalf("candump: %v", err)
	}
	el := time.Since(start)
	if el >= 5*time.Second {
		t.Logf("%q: candump may have ended on silence (frames lost): %v", gen, el)
	}
	t.Logf("%q: %d frames in %v; %s", gen, n, el, strings.TrimSpace(string(out)))
	return float64(n) / el.Seconds()
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
	}
	rates := make([][]float64, len(rows))
	for round := 0; round < 3; round++ {
		for i, r := range rows {
			rates[i] = append(rates[i], genRound(t, n, r.cmd))
		}
	}
	med := func(v []float64) float64 { v = slices.Clone(v); slices.Sort(v); return v[len(v)/2] }
	peer := med(rates[0])
	fmt.Printf("canbench| frame generation in the kernel VM (qemu TCG, %s): %d frames 123#1122334455667788 on vxcan0, counted by candump -n on vxcan1, median of 3\n", kernelRelease(), n)
	fmt.Printf("canbench| %-46s %12s %10s\n", "generator", "frames/s", "x cangen")
	for i, r := range rows {
		fmt.Printf("canbench| %-46s %12.0f %10.2f\n", r.label, med(rates[i]), med(rates[i])/peer)
	}
	fmt.Printf("canbench| gen/cangen %.2f (target >= 1.5)\n", med(rates[1])/peer)
}
