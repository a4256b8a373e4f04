package echo

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// soakDuration is SOCKCORE_SOAK (a Go duration; make soak sets 10m), 60 s
// by default.
func soakDuration(t *testing.T) time.Duration {
	if s := os.Getenv("SOCKCORE_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("SOCKCORE_SOAK=%q: %v", s, err)
		}
		return d
	}
	return time.Minute
}

// procSample is what /proc says about a process at one moment.
type procSample struct{ rssKiB, fds, threads int }

func sampleProc(pid int) (procSample, error) {
	var s procSample
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
			s.rssKiB, _ = strconv.Atoi(f[1])
		case "Threads:":
			s.threads, _ = strconv.Atoi(f[1])
		}
	}
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	s.fds = len(ents)
	return s, err
}

// TestSoak loads echod with TCP, UDP and UNIX stream clients that check
// every byte, and connections opened and closed in a loop, for
// soakDuration, sampling echod's RSS, descriptors and threads each second
// (#16). After a warm-up none may grow by more than
// 10% (RSS: or 1 MiB, descriptors and threads: or 2, whichever is more;
// the open-and-close client has one connection in flight), and no byte
// may be lost or changed. echod has no goroutine count to show: its
// threads stand in.
func TestSoak(t *testing.T) {
	dur := soakDuration(t)
	dir := t.TempDir()
	// No per-source UDP rate limit: the one UDP client goes faster than
	// the default 1000 a second on an idle machine, and the guard's drops
	// are not what the soak measures.
	d := startEchod(t, nil, 3, "--udp-rate", "0", "--listen", "tcp://127.0.0.1:0", "--listen", "udp://127.0.0.1:0",
		"--listen", "unix://"+filepath.Join(dir, "s"))
	addr := map[string]string{}
	for _, u := range d.urls {
		scheme, rest, _ := strings.Cut(u, "://")
		addr[scheme] = rest
	}
	stop := time.Now().Add(dur)
	var sent, echoed, bad, udpSent, udpLost atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	stream := func(network, address string) {
		defer wg.Done()
		c, err := net.Dial(network, address)
		if err != nil {
			errs <- err
			return
		}
		defer c.Close()
		buf, back := make([]byte, 32<<10), make([]byte, 32<<10)
		for time.Now().Before(stop) {
			rand.Read(buf)
			c.SetDeadline(time.Now().Add(time.Minute))
			if _, err := c.Write(buf); err != nil {
				errs <- fmt.Errorf("%s write: %w", network, err)
				return
			}
			sent.Add(int64(len(buf)))
			if _, err := io.ReadFull(c, back); err != nil {
				errs <- fmt.Errorf("%s read: %w", network, err)
				return
			}
			echoed.Add(int64(len(back)))
			if !bytes.Equal(buf, back) {
				bad.Add(1)
			}
		}
	}
	for range 2 {
		wg.Add(2)
		go stream("tcp", addr["tcp"])
		go stream("unix", addr["unix"])
	}
	wg.Add(2)
	go func() { // connections opened, used once and closed
		defer wg.Done()
		for time.Now().Before(stop) {
			c, err := net.Dial("tcp", addr["tcp"])
			if err != nil {
				errs <- err
				return
			}
			c.SetDeadline(time.Now().Add(time.Minute))
			c.Write([]byte("ping\n"))
			b := make([]byte, 5)
			if _, err := io.ReadFull(c, b); err != nil || string(b) != "ping\n" {
				bad.Add(1)
			}
			c.Close()
		}
	}()
	go func() { // UDP, one datagram in flight
		defer wg.Done()
		c, err := net.Dial("udp", addr["udp"])
		if err != nil {
			errs <- err
			return
		}
		defer c.Close()
		buf, back := make([]byte, 1200), make([]byte, 2000)
		for time.Now().Before(stop) {
			rand.Read(buf)
			c.Write(buf)
			udpSent.Add(1)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := c.Read(back)
			if err != nil {
				udpLost.Add(1)
				continue
			}
			if !bytes.Equal(buf, back[:n]) {
				bad.Add(1)
			}
		}
	}()
	var samples []procSample
	tick := time.NewTicker(time.Second)
	for time.Now().Before(stop) {
		<-tick.C
		s, err := sampleProc(d.cmd.Process.Pid)
		if err != nil {
			t.Fatalf("echod: %v", err)
		}
		samples = append(samples, s)
		if testing.Verbose() {
			t.Logf("sample: %+v", s)
		}
	}
	tick.Stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("client: %v", err)
	}
	t.Logf("%v: %d bytes sent and echoed back over TCP and UNIX (%d changed), %d UDP datagrams (%d lost)",
		dur, sent.Load(), bad.Load(), udpSent.Load(), udpLost.Load())
	if sent.Load() != echoed.Load() || bad.Load() != 0 || udpLost.Load() != 0 {
		t.Errorf("sent %d bytes, got %d back, %d exchanges changed, %d UDP datagrams lost", sent.Load(), echoed.Load(), bad.Load(), udpLost.Load())
	}
	// Flat: the mean of the last fifth against the mean of the fifth that
	// follows the warm-up (a fifth of the time, at least 20 s: echod's heap
	// grows to its working size in about 20 s here).
	mean := func(ss []procSample) (m procSample) {
		for _, s := range ss {
			m.rssKiB, m.fds, m.threads = m.rssKiB+s.rssKiB, m.fds+s.fds, m.threads+s.threads
		}
		n := len(ss)
		return procSample{m.rssKiB / n, (m.fds + n - 1) / n, (m.threads + n - 1) / n}
	}
	fifth := len(samples) / 5
	start := max(fifth, 20)
	if start+fifth > len(samples)-fifth {
		t.Fatalf("%d samples: too few for a 20 s warm-up and two fifths (SOCKCORE_SOAK=60s at least)", len(samples))
	}
	warm, peak := mean(samples[start:start+fifth]), mean(samples[len(samples)-fifth:])
	t.Logf("echod, mean after the warm-up: RSS %d KiB, %d descriptors, %d threads; of the last fifth: %d KiB, %d, %d (%d samples)",
		warm.rssKiB, warm.fds, warm.threads, peak.rssKiB, peak.fds, peak.threads, len(samples))
	if peak.rssKiB > warm.rssKiB+max(warm.rssKiB/10, 1024) {
		t.Errorf("RSS grew from %d KiB to %d KiB", warm.rssKiB, peak.rssKiB)
	}
	if peak.fds > warm.fds+max(warm.fds/10, 2) {
		t.Errorf("descriptors grew from %d to %d", warm.fds, peak.fds)
	}
	if peak.threads > warm.threads+max(warm.threads/10, 2) {
		t.Errorf("threads grew from %d to %d", warm.threads, peak.threads)
	}
}
