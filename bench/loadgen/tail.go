package main

import (
	"fmt"
	"slices"
	"time"
)

// rt is one round trip of a ping-pong window: its connection, when it
// started (from the window's start) and how long it took.
type rt struct {
	conn  int
	start time.Duration
	d     time.Duration
}

// tailFields tells where the latency tail (the round trips at or above
// p99) comes from, as fields of the summary line:
//
//   - tail_conns: how many connections had a slow round trip at the same
//     time as a slow one (overlapping it), itself included; the median over
//     the slow round trips. Near the connection count: the whole server
//     (or the load generator) stalled at once, a wakeup or CPU that
//     every connection waited for. Near 1: single connections fell behind
//     (unfair order within a batch, one connection's hand-over).
//   - tail_share_max: the largest share of the slow round trips that one
//     connection had (1/conns when they are spread evenly).
//   - max_us: the slowest round trip.
func tailFields(rts []rt, p99 time.Duration, conns int) string {
	var slow []rt
	for _, r := range rts {
		if r.d >= p99 {
			slow = append(slow, r)
		}
	}
	if len(slow) == 0 {
		return ""
	}
	slices.SortFunc(slow, func(a, b rt) int { return int(a.start - b.start) })
	per := make([]int, conns)
	var maxD time.Duration
	co := make([]int, len(slow))
	seen := make([]int, conns) // the last i that counted a connection
	for i := range seen {
		seen[i] = -1
	}
	for i, a := range slow {
		per[a.conn]++
		maxD = max(maxD, a.d)
		n := 0
		for j := range slow {
			b := slow[j]
			if b.start >= a.start+a.d {
				break
			}
			if b.start+b.d > a.start && seen[b.conn] != i {
				seen[b.conn] = i
				n++
			}
		}
		co[i] = n
	}
	slices.Sort(co)
	top := slices.Max(per)
	return fmt.Sprintf(" tail_conns=%d tail_share_max=%.2f max_us=%d", co[len(co)/2], float64(top)/float64(len(slow)), maxD.Microseconds())
}
