package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// schedTree is the CPU time, in nanoseconds, that process pid and all its
// descendants have run: the sum of the first field of
// /proc/PID/task/TID/schedstat over every thread (nanosecond resolution,
// where /proc/PID/stat counts clock ticks). Forking servers (socat, ncat)
// serve each connection in a child: those are counted while they live,
// which in a measurement window they all do (the connections are opened
// before it and closed after it). Beside it, wait is the time the same
// threads waited on a CPU's run queue, runnable but not running (the
// second field of schedstat): the scheduling delay the machine's load
// adds to the server, which its latency tail includes. 0, 0 when pid is 0.
func schedTree(pid int) (cpu, wait int64) {
	if pid == 0 {
		return 0, 0
	}
	for _, p := range treePIDs(pid) {
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(p) + "/task/[0-9]*/schedstat")
		for _, t := range tasks {
			b, err := os.ReadFile(t)
			if err != nil {
				continue
			}
			f := strings.Fields(string(b))
			if len(f) > 1 {
				ns, _ := strconv.ParseInt(f[0], 10, 64)
				w, _ := strconv.ParseInt(f[1], 10, 64)
				cpu += ns
				wait += w
			}
		}
	}
	return cpu, wait
}

// treePIDs is pid and all its descendants.
func treePIDs(pid int) []int {
	children := map[int][]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		me, _ := strconv.Atoi(strings.Fields(s)[0])
		pp, _ := strconv.Atoi(f[1])
		children[pp] = append(children[pp], me)
	}
	var out []int
	var walk func(int)
	walk = func(p int) {
		out = append(out, p)
		for _, c := range children[p] {
			walk(c)
		}
	}
	walk(pid)
	return out
}
