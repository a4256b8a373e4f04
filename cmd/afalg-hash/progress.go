package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockcore/sockcore/internal/cli"
)

// progress draws one line on stderr while large inputs are hashed: only
// when stderr is a terminal, and only once hashing has taken more than a
// second, so small inputs never see it.
type progress struct {
	w        io.Writer
	total    int64 // bytes of the regular files named, 0 when unknown
	mu       sync.Mutex
	counters []*atomic.Int64
	quit     chan struct{}
	done     chan struct{}
}

func newProgress(stderr io.Writer, files []string) *progress {
	p := &progress{w: stderr}
	if !cli.IsTerminal(stderr) {
		return p
	}
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
			p.total += st.Size()
		}
	}
	p.quit, p.done = make(chan struct{}), make(chan struct{})
	go p.loop()
	return p
}

// counter returns a byte counter for one input.
func (p *progress) counter() *atomic.Int64 {
	c := new(atomic.Int64)
	if p.quit != nil {
		p.mu.Lock()
		p.counters = append(p.counters, c)
		p.mu.Unlock()
	}
	return c
}

func (p *progress) sum() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n int64
	for _, c := range p.counters {
		n += c.Load()
	}
	return n
}

func (p *progress) loop() {
	defer close(p.done)
	start := time.Now()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	shown := false
	for {
		select {
		case <-p.quit:
			if shown {
				fmt.Fprint(p.w, "\r\033[K")
			}
			return
		case now := <-t.C:
			el := now.Sub(start)
			if el < time.Second {
				continue
			}
			n := p.sum()
			line := fmt.Sprintf("\r%s: %s hashed", name, human(n))
			if p.total > 0 {
				line += fmt.Sprintf(" of %s (%d%%)", human(p.total), min(100, n*100/p.total))
			}
			line += fmt.Sprintf(", %s/s\033[K", human(int64(float64(n)/el.Seconds())))
			fmt.Fprint(p.w, line)
			shown = true
		}
	}
}

func (p *progress) stop() {
	if p.quit != nil {
		close(p.quit)
		<-p.done
	}
}

func human(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, u := float64(n), "B"
	for _, s := range []string{"KiB", "MiB", "GiB", "TiB"} {
		if v < unit {
			break
		}
		v /= unit
		u = s
	}
	return fmt.Sprintf("%.1f %s", v, u)
}
