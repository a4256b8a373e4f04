package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// window is the measurement window of bulk and ping-pong: it opens warmup
// after the load starts and lasts dur. With -server-pid, a child process
// (-mode cpuwatch) reads the server's CPU time, and counts its perf events,
// at both ends: a goroutine here would read them late, behind thousands of
// runnable workers (at 4096 connections a timer goroutine woke after the
// window had ended), and perf stat takes a while to start on a busy
// machine. The child is started, and ready, before the window is set.
type window struct {
	start, end time.Time
	watch      *exec.Cmd
	toWatch    *os.File
	fromWatch  *bufio.Reader
}

func newWindow(dur time.Duration) *window {
	w := &window{}
	if serverPID != 0 {
		self, err := os.Executable()
		if err != nil {
			log.Fatal(err)
		}
		w.watch = exec.Command(self, "-mode", "cpuwatch", "-server-pid", strconv.Itoa(serverPID), "-perf", perfEvents)
		w.watch.Stderr = os.Stderr
		in, err := w.watch.StdinPipe()
		if err != nil {
			log.Fatal(err)
		}
		out, err := w.watch.StdoutPipe()
		if err != nil {
			log.Fatal(err)
		}
		if err := w.watch.Start(); err != nil {
			log.Fatal(err)
		}
		w.toWatch, w.fromWatch = in.(*os.File), bufio.NewReader(out)
		if l, err := w.fromWatch.ReadString('\n'); err != nil || l != "ready\n" {
			log.Fatalf("cpuwatch: %q %v", l, err)
		}
	}
	w.start = time.Now().Add(warmup)
	w.end = w.start.Add(dur)
	if w.watch != nil {
		fmt.Fprintln(w.toWatch, w.start.UnixNano(), w.end.UnixNano())
	}
	return w
}

// in reports whether t is within the window.
func (w *window) in(t time.Time) bool { return !t.Before(w.start) && t.Before(w.end) }

// cpuField waits for the window's end and returns the server's figures as
// fields of the summary line: " srv_cpu_us=… perf_EVENT=…" ("" without
// -server-pid), scaled to the window's nominal length (the child may read
// them a little late at either end: it says by how much, late_ms=).
func (w *window) cpuField() string {
	if w.watch == nil {
		time.Sleep(time.Until(w.end))
		return ""
	}
	l, err := w.fromWatch.ReadString('\n')
	if err != nil {
		log.Fatalf("cpuwatch: %v", err)
	}
	w.toWatch.Close()
	if err := w.watch.Wait(); err != nil {
		log.Fatalf("cpuwatch: %v", err)
	}
	// "T0 T1 name=value…": the times the counts were read.
	f := strings.Fields(l)
	if len(f) < 2 {
		log.Fatalf("cpuwatch: %q", l)
	}
	t0, _ := strconv.ParseInt(f[0], 10, 64)
	t1, _ := strconv.ParseInt(f[1], 10, 64)
	scale := float64(w.end.Sub(w.start)) / float64(t1-t0)
	late := max(time.Unix(0, t0).Sub(w.start), time.Unix(0, t1).Sub(w.end))
	out := fmt.Sprintf(" late_ms=%d", late.Milliseconds())
	for _, kv := range f[2:] {
		k, v, _ := strings.Cut(kv, "=")
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			continue // "<not counted>"
		}
		out += fmt.Sprintf(" %s=%.0f", k, x*scale)
	}
	return out
}

// cpuwatch is the child of window. It prints "ready" once it can count,
// reads the window's start and end (Unix ns) from standard input, and at
// the end prints the times it read the counts at and the counts between
// them: srv_cpu_us=, the CPU time, in µs, that process pid and its
// descendants ran, and with events (perf stat -e EVENTS) perf_EVENT=COUNT
// for each of them over the same processes. perf stat starts with its
// counters disabled and is told to enable and disable them (--control).
func cpuwatch(pid int, events string) {
	var perf *exec.Cmd
	var perfOut strings.Builder
	var ctl *os.File
	var ack *bufio.Reader
	command := func(c string) {
		if _, err := fmt.Fprintln(ctl, c); err != nil {
			log.Fatalf("perf stat --control: %v", err)
		}
		if _, err := ack.ReadString('\n'); err != nil {
			log.Fatalf("perf stat --control: %v: %s", err, perfOut.String())
		}
	}
	if events != "" {
		var pids []string
		for _, p := range treePIDs(pid) {
			pids = append(pids, strconv.Itoa(p))
		}
		ctlR, ctlW, err := os.Pipe()
		if err != nil {
			log.Fatal(err)
		}
		ackR, ackW, err := os.Pipe()
		if err != nil {
			log.Fatal(err)
		}
		perf = exec.Command("perf", "stat", "-x,", "-e", events, "-p", strings.Join(pids, ","), "-D", "-1", "--control", "fd:3,4")
		perf.Stderr = &perfOut
		perf.ExtraFiles = []*os.File{ctlR, ackW}
		if err := perf.Start(); err != nil {
			log.Fatal(err)
		}
		ctlR.Close()
		ackW.Close()
		ctl, ack = ctlW, bufio.NewReader(ackR)
		command("disable") // answered once perf stat is counting
	}
	fmt.Println("ready")
	var from, to int64
	if _, err := fmt.Scan(&from, &to); err != nil {
		log.Fatalf("cpuwatch: %v", err)
	}
	time.Sleep(time.Until(time.Unix(0, from)))
	if perf != nil {
		command("enable")
	}
	t0 := time.Now()
	c0, q0 := schedTree(pid)
	s0, sq0 := schedTree(os.Getppid())
	i0 := idleTicks()
	time.Sleep(time.Until(time.Unix(0, to)))
	c1, q1 := schedTree(pid)
	s1, sq1 := schedTree(os.Getppid())
	i1 := idleTicks()
	t1 := time.Now()
	if perf != nil {
		command("disable")
	}
	// srv_runq_us: the server's threads' time runnable but waiting for a
	// CPU; lg_cpu_us and lg_runq_us: the same of the load generator (this
	// process's parent, itself included); idle_us: the time the machine's
	// CPUs, all of them together, were idle (a server that leaves CPUs idle
	// while connections wait is bound by latency, not by its CPU cost).
	line := fmt.Sprintf("%d %d srv_cpu_us=%d srv_runq_us=%d lg_cpu_us=%d lg_runq_us=%d idle_us=%d", t0.UnixNano(), t1.UnixNano(), (c1-c0)/1000, (q1-q0)/1000, (s1-s0)/1000, (sq1-sq0)/1000, (i1-i0)*1e6/clockTicks)
	if perf != nil {
		perf.Process.Signal(os.Interrupt)
		perf.Wait() // ends on the signal
		// CSV lines: value,unit,event,...
		for _, l := range strings.Split(perfOut.String(), "\n") {
			f := strings.Split(l, ",")
			if len(f) >= 3 && f[2] != "" {
				line += fmt.Sprintf(" perf_%s=%s", strings.ReplaceAll(f[2], ":", "_"), f[0])
			}
		}
	}
	fmt.Println(line)
}

// clockTicks is USER_HZ, the unit of /proc/stat's times (100 on every
// Linux architecture Go runs on).
const clockTicks = 100

// idleTicks is the idle and iowait time of all CPUs together since boot,
// in USER_HZ ticks (/proc/stat's cpu line); 0 when it cannot be read.
func idleTicks() int64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0
	}
	idle, _ := strconv.ParseInt(f[4], 10, 64)
	iowait, _ := strconv.ParseInt(f[5], 10, 64)
	return idle + iowait
}
