package canbench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// procSnap is what the kernel counts for CPU 1 (the generator's) and for
// the whole guest: /proc/stat's time split of CPU 1 in clock ticks, the
// NET_RX softirqs of each CPU, the inter-processor interrupts each CPU took
// (rescheduling and function calls), the packets each CPU's backlog
// processed (softnet_stat), and the CAN core's frame counters.
type procSnap struct {
	cpu1             [8]float64 // user nice system idle iowait irq softirq steal, ticks
	netrx            [2]float64
	res, cal         [2]float64
	backlog, dropped [2]float64
	can              map[string]float64
}

func readSnap(t *testing.T) procSnap {
	t.Helper()
	var s procSnap
	for _, l := range lines(t, "/proc/stat") {
		if f := strings.Fields(l); len(f) > 8 && f[0] == "cpu1" {
			for i := range s.cpu1 {
				s.cpu1[i], _ = strconv.ParseFloat(f[i+1], 64)
			}
		}
	}
	perCPU := func(f []string, to *[2]float64) {
		for i := 0; i < 2 && i+1 < len(f); i++ {
			to[i], _ = strconv.ParseFloat(f[i+1], 64)
		}
	}
	for _, l := range lines(t, "/proc/softirqs") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "NET_RX:" {
			perCPU(f, &s.netrx)
		}
	}
	for _, l := range lines(t, "/proc/interrupts") {
		f := strings.Fields(l)
		if len(f) > 2 && f[0] == "RES:" {
			perCPU(f, &s.res)
		}
		if len(f) > 2 && f[0] == "CAL:" {
			perCPU(f, &s.cal)
		}
	}
	for i, l := range lines(t, "/proc/net/softnet_stat") {
		if f := strings.Fields(l); i < 2 && len(f) > 2 {
			p, _ := strconv.ParseUint(f[0], 16, 32)
			d, _ := strconv.ParseUint(f[1], 16, 32)
			s.backlog[i], s.dropped[i] = float64(p), float64(d)
		}
	}
	s.can = map[string]float64{}
	for _, l := range lines(t, "/proc/net/can/stats") {
		// " 1234 transmitted frames (TXF)"
		if f := strings.Fields(l); len(f) > 2 && strings.HasPrefix(f[len(f)-1], "(") {
			if v, err := strconv.ParseFloat(f[0], 64); err == nil {
				s.can[strings.Trim(f[len(f)-1], "()")] = v
			}
		}
	}
	return s
}

func lines(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(b), "\n")
}

// profile is one generator run: per frame, the generator process's user
// and system time (getrusage: the receive softirq that runs inside its
// sending calls is charged to it as system time unless the kernel accounts
// softirq time apart), CPU 1's split, and the counts.
type profile struct {
	label                          string
	frames                         int
	bus                            float64 // frames/s on the bus (receive timestamps), 0 without receivers
	wall                           time.Duration
	utime, stime                   time.Duration
	nvcsw, nivcsw                  int64
	d                              procSnap // after - before
	cpu1User, cpu1Sys, cpu1Soft    float64  // µs a frame, from CPU 1's ticks
	cpu1Idle                       float64
	netrx0, netrx1, res0, res1     float64 // a frame
	backlog0, backlog1, cal0, cal1 float64
}

// profileRun runs gen (on CPU 1) for n frames, with candump and a timestamp
// socket on vxcan1 (receivers) or with nobody listening there, and returns
// its profile.
func profileRun(t *testing.T, label string, n int, gen []string, receivers bool) profile {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpu0 unix.CPUSet
	cpu0.Set(0)
	unix.SchedSetaffinity(0, &cpu0)
	p := profile{label: label, frames: n}
	var fd int
	var cd *exec.Cmd
	if receivers {
		fd = stampSocket(t, "vxcan1")
		defer unix.Close(fd)
		before := receivers1(t)
		cd = exec.Command("taskset", "-c", "0", "candump", "-s", "2", "-r", "67108864", "-n", strconv.Itoa(n), "-T", "5000", "vxcan1")
		cd.Stderr = os.Stderr
		if err := cd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(timeout)
		for receivers1(t) <= before {
			if time.Now().After(deadline) {
				t.Fatal("candump never bound to vxcan1")
			}
			time.Sleep(time.Millisecond) // polling /proc: there is no event to wait on
		}
	} else if r := receivers1(t); r != 0 {
		t.Fatalf("%d receivers left on vxcan1", r)
	}
	cmd := exec.Command("taskset", append([]string{"-c", "1"}, gen...)...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	s0 := readSnap(t)
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%q: %v: %s", gen, err, out.String())
	}
	p.wall = time.Since(start)
	s1 := readSnap(t)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	p.utime = time.Duration(ru.Utime.Nano())
	p.stime = time.Duration(ru.Stime.Nano())
	p.nvcsw, p.nivcsw = ru.Nvcsw, ru.Nivcsw
	if receivers {
		if err := cd.Wait(); err != nil {
			t.Fatalf("candump: %v", err)
		}
		p.bus = busRate(t, fd, n)
	}
	d := &p.d
	for i := range d.cpu1 {
		d.cpu1[i] = s1.cpu1[i] - s0.cpu1[i]
	}
	for i := 0; i < 2; i++ {
		d.netrx[i] = s1.netrx[i] - s0.netrx[i]
		d.res[i] = s1.res[i] - s0.res[i]
		d.cal[i] = s1.cal[i] - s0.cal[i]
		d.backlog[i] = s1.backlog[i] - s0.backlog[i]
		d.dropped[i] = s1.dropped[i] - s0.dropped[i]
	}
	d.can = map[string]float64{}
	for k, v := range s1.can {
		d.can[k] = v - s0.can[k]
	}
	// CPU 1's ticks as shares: a vCPU that the host does not run misses
	// ticks, so their sum is less than the time passed, but each tick
	// samples what the CPU was doing.
	var ticks float64
	for _, v := range d.cpu1 {
		ticks += v
	}
	ticks = max(ticks, 1)
	p.cpu1User = 100 * (d.cpu1[0] + d.cpu1[1]) / ticks
	p.cpu1Sys = 100 * d.cpu1[2] / ticks
	p.cpu1Soft = 100 * (d.cpu1[5] + d.cpu1[6]) / ticks
	p.cpu1Idle = 100 * d.cpu1[3] / ticks
	f := float64(n)
	p.netrx0, p.netrx1 = d.netrx[0]/f, d.netrx[1]/f
	p.res0, p.res1 = d.res[0]/f, d.res[1]/f
	p.cal0, p.cal1 = d.cal[0]/f, d.cal[1]/f
	p.backlog0, p.backlog1 = d.backlog[0]/f, d.backlog[1]/f
	t.Logf("%s: %s; can %v; dropped %v", label, strings.TrimSpace(out.String()), d.can, d.dropped)
	return p
}

func receivers1(t *testing.T) int { return receivers(t, "vxcan1") }

// busRate reads the n frames' receive timestamps from fd: frames/s from
// the first to the last.
func busRate(t *testing.T, fd, n int) float64 {
	t.Helper()
	first, last := readStamps(t, fd, n)
	return float64(n-1) / last.Sub(first).Seconds()
}

// nullCalls times k system calls on CPU 1 from this thread: getppid (entry
// and exit only) and a 1-byte write on a CAN_RAW socket bound to vxcan0
// (entry, the socket lookup and raw_sendmsg's length check: EINVAL), in µs
// a call.
func nullCalls(t *testing.T, k int) (getppid, einval float64) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpu1 unix.CPUSet
	cpu1.Set(1)
	if err := unix.SchedSetaffinity(0, &cpu1); err != nil {
		t.Fatal(err)
	}
	idx, err := sockcore.IfNameToIndex("vxcan0")
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Socket(unix.AF_CAN, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.CAN_RAW)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrCAN{Ifindex: idx}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range k {
		unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
	}
	getppid = float64(time.Since(start).Microseconds()) / float64(k)
	b := []byte{0}
	start = time.Now()
	for range k {
		if _, err := unix.Write(fd, b); err != unix.EINVAL {
			t.Fatalf("1-byte write on CAN_RAW: %v, want EINVAL", err)
		}
	}
	einval = float64(time.Since(start).Microseconds()) / float64(k)
	return getppid, einval
}

// TestGenProfile says where the time of a generated frame goes, for
// cangen and canrelay gen: with candump and a timestamp socket on vxcan1
// (the bench's setup) and with nobody listening there, with and without
// the local loopback, and what a system call costs on its own. Not a
// target; run by CANBENCH_RUN=TestGenProfile bench/can.sh.
func TestGenProfile(t *testing.T) {
	canrelay, cangen := genSetup(t)
	n := *genFrames
	frame := []string{"-I", "123", "-L", "8", "-D", "1122334455667788"}
	ns := strconv.Itoa(n)
	cg := append(append([]string{cangen, "-g", "0", "-i", "-n", ns}, frame...), "vxcan0")
	gn := append(append([]string{canrelay, "gen", "-g", "0", "-n", ns}, frame...), "vxcan0")
	gnBig := append(append([]string{canrelay, "gen", "-g", "0", "-c", "1024", "-n", ns}, frame...), "vxcan0")
	x := func(c []string) []string { return append(append([]string{}, c[:len(c)-1]...), "-x", c[len(c)-1]) }
	one := func(c []string) []string {
		c = append([]string{}, c...)
		for i := range c {
			if c[i] == "-n" {
				c[i+1] = "1"
			}
		}
		return c
	}
	rows := []struct {
		label     string
		cmd       []string
		receivers bool
	}{
		{"cangen, candump+stamp on vxcan1", cg, true},
		{"gen (64), candump+stamp", gn, true},
		{"gen -c 1024, candump+stamp", gnBig, true},
		{"cangen -x, candump+stamp", x(cg), true},
		{"gen -x, candump+stamp", x(gn), true},
		{"cangen, nobody on vxcan1", cg, false},
		{"gen (64), nobody", gn, false},
		{"cangen -x, nobody", x(cg), false},
		{"gen -x, nobody", x(gn), false},
		{"cangen -n 1 (start and exit)", one(cg), false},
		{"gen -n 1 (start and exit)", one(gn), false},
	}
	if vs, _ := filepath.Glob("/sys/devices/system/cpu/vulnerabilities/*"); len(vs) > 0 {
		var b strings.Builder
		for _, v := range vs {
			c, _ := os.ReadFile(v)
			fmt.Fprintf(&b, " %s=%q", v[strings.LastIndexByte(v, '/')+1:], strings.TrimSpace(string(c)))
		}
		fmt.Printf("canbench| guest CPU mitigations:%s\n", b.String())
	}
	for round := 0; round < *genRounds; round++ {
		gp, ei := nullCalls(t, 100000)
		fmt.Printf("canbench| round %d: getppid %.2f us a call, 1-byte CAN_RAW write (EINVAL) %.2f us a call\n", round+1, gp, ei)
		fmt.Printf("canbench| %-34s %9s %8s %8s %8s | %7s %7s %8s %7s | %5s %5s %5s %5s %5s %5s | %6s %6s\n",
			"row", "bus f/s", "wall us", "utime", "stime", "c1 usr%", "c1 sys%", "c1 sirq%", "c1 idl%",
			"rx0", "rx1", "blg0", "blg1", "res0", "res1", "vcsw", "ivcsw")
		for _, r := range rows {
			k := n
			if strings.Contains(r.label, "-n 1") {
				k = 1
			}
			p := profileRun(t, r.label, k, r.cmd, r.receivers)
			f := float64(k)
			fmt.Printf("canbench| %-34s %9.0f %8.1f %8.1f %8.1f | %7.0f %7.0f %8.0f %7.0f | %5.2f %5.2f %5.2f %5.2f %5.3f %5.3f | %6d %6d\n",
				r.label, p.bus, float64(p.wall.Microseconds())/f, float64(p.utime.Microseconds())/f, float64(p.stime.Microseconds())/f,
				p.cpu1User, p.cpu1Sys, p.cpu1Soft, p.cpu1Idle,
				p.netrx0, p.netrx1, p.backlog0, p.backlog1, p.res0+p.cal0, p.res1+p.cal1, p.nvcsw, p.nivcsw)
		}
	}
}

// TestGenSyscalls counts the system calls of each generator (strace -f -c,
// so also those of the Go runtime's threads) for n frames on vxcan0 with
// candump counting them on vxcan1: calls a frame, load-independent where
// the rates are not. strace is not among the guest programs: copy it into
// bin/ (cp /usr/bin/strace bin/) for a run, or the test skips. Not a
// target; run by CANBENCH_RUN=TestGenSyscalls bench/can.sh.
func TestGenSyscalls(t *testing.T) {
	canrelay, cangen := genSetup(t)
	strace := testenv.RequireProgram(t, "strace", "strace (copied into bin/)")
	n := *genFrames
	ns := strconv.Itoa(n)
	frame := []string{"-I", "123", "-L", "8", "-D", "1122334455667788", "vxcan0"}
	rows := []struct {
		label string
		cmd   []string
	}{
		{"cangen -g 0 -i", append([]string{cangen, "-g", "0", "-i", "-n", ns}, frame...)},
		{"canrelay gen -g 0", append([]string{canrelay, "gen", "-g", "0", "-n", ns}, frame...)},
		{"canrelay gen -g 0 -c 1", append([]string{canrelay, "gen", "-g", "0", "-c", "1", "-n", ns}, frame...)},
	}
	if *genBase != "" {
		rows = append(rows, struct {
			label string
			cmd   []string
		}{*genBase + " gen -g 0", append([]string{*genBase, "gen", "-g", "0", "-n", ns}, frame...)})
	}
	for _, r := range rows {
		out := filepath.Join(t.TempDir(), "strace")
		cmd := append([]string{strace, "-f", "-c", "-o", out}, r.cmd...)
		genRound(t, n, cmd)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		// "% time seconds usecs/call calls errors syscall" rows, then
		// "100.00 … total".
		var calls, errs float64
		var top []string
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			if len(f) < 5 || strings.HasPrefix(f[0], "%") || strings.HasPrefix(f[0], "-") {
				continue
			}
			c, _ := strconv.ParseFloat(f[3], 64)
			e := 0.0
			if len(f) == 6 {
				e, _ = strconv.ParseFloat(f[4], 64)
			}
			if f[len(f)-1] == "total" {
				calls, errs = c, e
				continue
			}
			top = append(top, fmt.Sprintf("%s %.0f", f[len(f)-1], c))
		}
		fmt.Printf("canbench| syscalls %-28s %d frames: %.0f calls (%.0f failed), %.4f a frame; %s\n", r.label, n, calls, errs, calls/float64(n), strings.Join(top, ", "))
	}
}
