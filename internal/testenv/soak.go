package testenv

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// SoakDuration is SOCKCORE_SOAK (a Go duration; make soak sets 10m), 60 s
// by default: the soaks of #16 (echod, sniff -w with rotation, the canrelay
// tunnel) run that long.
func SoakDuration(t testing.TB) time.Duration {
	t.Helper()
	if s := os.Getenv("SOCKCORE_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("SOCKCORE_SOAK=%q: %v", s, err)
		}
		return d
	}
	return time.Minute
}

// ProcSample is what /proc says about a process at one moment. The tools
// show no goroutine count from outside: their threads stand in.
type ProcSample struct{ RSSKiB, FDs, Threads int }

// SampleProc reads pid's resident set, open descriptors and threads.
func SampleProc(pid int) (ProcSample, error) {
	var s ProcSample
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			s.RSSKiB, _ = strconv.Atoi(f[1])
		case "Threads:":
			s.Threads, _ = strconv.Atoi(f[1])
		}
	}
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	s.FDs = len(ents)
	return s, err
}

// Sampler samples one process each second until Stop.
type Sampler struct {
	name    string
	pid     int
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	samples []ProcSample
	err     error
}

// StartSampler samples pid (called name in messages) each second, the first
// time a second from now.
func StartSampler(name string, pid int) *Sampler {
	s := &Sampler{name: name, pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
			p, err := SampleProc(pid)
			s.mu.Lock()
			if err != nil {
				s.err = err
				s.mu.Unlock()
				return
			}
			s.samples = append(s.samples, p)
			s.mu.Unlock()
		}
	}()
	return s
}

// Stop ends the sampling and returns the samples; the test fails when the
// process could not be read (it died).
func (s *Sampler) Stop(t testing.TB) []ProcSample {
	t.Helper()
	close(s.stop)
	<-s.done
	if s.err != nil {
		t.Fatalf("%s: %v", s.name, s.err)
	}
	if testing.Verbose() {
		for _, p := range s.samples {
			t.Logf("%s sample: %+v", s.name, p)
		}
	}
	return s.samples
}

// CheckFlat fails t when the samples grow (#16): the mean of the last fifth
// against the mean of the fifth that follows the warm-up (a fifth of the
// time, at least warm: echod's heap grows to its working size in about
// 20 s here, sniff's in 30-45 s). None may grow by more than 10% (RSS: or 1 MiB, descriptors
// and threads: or 2, whichever is more: a client opening and closing
// connections has one in flight, a rotation one file). It logs the figures
// and returns the two means.
func CheckFlat(t testing.TB, name string, samples []ProcSample, warmup time.Duration) (warm, end ProcSample) {
	t.Helper()
	return CheckFlatSlack(t, name, samples, warmup, 1024)
}

// CheckFlatSlack is CheckFlat with RSS allowed to grow by rssSlackKiB
// instead of 1 MiB when that is more than 10%: for a small Go process whose
// heap reaches its working size in one step at a time that varies from run
// to run (the canrelay tunnel in the VM).
func CheckFlatSlack(t testing.TB, name string, samples []ProcSample, warmup time.Duration, rssSlackKiB int) (warm, end ProcSample) {
	t.Helper()
	mean := func(ss []ProcSample) (m ProcSample) {
		for _, s := range ss {
			m.RSSKiB, m.FDs, m.Threads = m.RSSKiB+s.RSSKiB, m.FDs+s.FDs, m.Threads+s.Threads
		}
		n := len(ss)
		return ProcSample{m.RSSKiB / n, (m.FDs + n - 1) / n, (m.Threads + n - 1) / n}
	}
	fifth := len(samples) / 5
	start := max(fifth, int(warmup/time.Second))
	if fifth == 0 || start+fifth > len(samples)-fifth {
		t.Fatalf("%s: %d samples: too few for a %v warm-up and two fifths (SOCKCORE_SOAK=60s at least)", name, len(samples), warmup)
	}
	warm, end = mean(samples[start:start+fifth]), mean(samples[len(samples)-fifth:])
	t.Logf("%s, mean after the warm-up: RSS %d KiB, %d descriptors, %d threads; of the last fifth: %d KiB, %d, %d (%d samples; first sample %d KiB, %d, %d)",
		name, warm.RSSKiB, warm.FDs, warm.Threads, end.RSSKiB, end.FDs, end.Threads, len(samples),
		samples[0].RSSKiB, samples[0].FDs, samples[0].Threads)
	if end.RSSKiB > warm.RSSKiB+max(warm.RSSKiB/10, rssSlackKiB) {
		t.Errorf("%s: RSS grew from %d KiB to %d KiB", name, warm.RSSKiB, end.RSSKiB)
	}
	if end.FDs > warm.FDs+max(warm.FDs/10, 2) {
		t.Errorf("%s: descriptors grew from %d to %d", name, warm.FDs, end.FDs)
	}
	if end.Threads > warm.Threads+max(warm.Threads/10, 2) {
		t.Errorf("%s: threads grew from %d to %d", name, warm.Threads, end.Threads)
	}
	return warm, end
}
