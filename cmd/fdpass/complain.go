package main

// Complaints that can repeat thousands of times a second (accept failing at
// the open-files limit, a flood of refused peers) are rate-limited: the
// first one is printed at once, the ones that follow within the interval
// are counted, and one line with the count is printed when the interval
// ends. A journal sees at most one line per interval and kind.

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// complainInterval is how often one kind of complaint may be printed.
const complainInterval = 10 * time.Second

type complainer struct {
	w        io.Writer // nil: quiet
	prefix   string
	interval time.Duration

	mu    sync.Mutex
	kinds map[string]*complaint
}

type complaint struct {
	last    string    // the latest message of this kind
	since   time.Time // when the current interval began
	n       int       // repeats since the last printed line
	flusher *time.Timer
}

func newComplainer(w io.Writer, prefix string, interval time.Duration) *complainer {
	return &complainer{w: w, prefix: prefix, interval: interval, kinds: map[string]*complaint{}}
}

// say prints the complaint of this kind, or counts it when one was printed
// less than an interval ago.
func (c *complainer) say(kind, format string, args ...any) {
	if c == nil || c.w == nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	c.mu.Lock()
	defer c.mu.Unlock()
	k := c.kinds[kind]
	if k == nil {
		k = &complaint{}
		c.kinds[kind] = k
	}
	k.last = msg
	if k.flusher != nil {
		k.n++
		return
	}
	fmt.Fprintf(c.w, "%s%s\n", c.prefix, msg)
	k.since = time.Now()
	k.flusher = time.AfterFunc(c.interval, func() { c.flush(kind) })
}

// flush prints the count of what was held back in the interval that ended
// and starts the next interval if there was any.
func (c *complainer) flush(kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := c.kinds[kind]
	if k == nil || k.flusher == nil {
		return
	}
	if k.n == 0 {
		k.flusher = nil
		return
	}
	fmt.Fprintf(c.w, "%s%s (%d more like it in the last %s)\n", c.prefix, k.last, k.n, time.Since(k.since).Round(time.Second))
	k.n = 0
	k.since = time.Now()
	k.flusher = time.AfterFunc(c.interval, func() { c.flush(kind) })
}

// stop prints what is still counted and stops the timers.
func (c *complainer) stop() {
	if c == nil || c.w == nil {
		return
	}
	c.mu.Lock()
	kinds := make([]string, 0, len(c.kinds))
	for kind, k := range c.kinds {
		if k.flusher != nil {
			k.flusher.Stop()
		}
		kinds = append(kinds, kind)
	}
	c.mu.Unlock()
	for _, kind := range kinds {
		c.flush(kind)
	}
	c.mu.Lock()
	for _, k := range c.kinds {
		if k.flusher != nil {
			k.flusher.Stop()
			k.flusher = nil
		}
	}
	c.mu.Unlock()
}
