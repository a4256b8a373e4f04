package echo

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestSoak loads echod with TCP, UDP and UNIX stream clients that check
// every byte, and connections opened and closed in a loop, for
// testenv.SoakDuration, sampling echod's RSS, descriptors and threads each
// second (#16). After a warm-up none may grow by more than 10%
// (testenv.CheckFlat), and no byte may be lost or changed. echod has no
// goroutine count to show: its threads stand in.
func TestSoak(t *testing.T) {
	dur := testenv.SoakDuration(t)
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
	sampler := testenv.StartSampler("echod", d.cmd.Process.Pid)
	wg.Wait() // the clients end at stop
	samples := sampler.Stop(t)
	close(errs)
	for err := range errs {
		t.Errorf("client: %v", err)
	}
	t.Logf("%v: %d bytes sent and echoed back over TCP and UNIX (%d changed), %d UDP datagrams (%d lost)",
		dur, sent.Load(), bad.Load(), udpSent.Load(), udpLost.Load())
	if sent.Load() != echoed.Load() || bad.Load() != 0 || udpLost.Load() != 0 {
		t.Errorf("sent %d bytes, got %d back, %d exchanges changed, %d UDP datagrams lost", sent.Load(), echoed.Load(), bad.Load(), udpLost.Load())
	}
	testenv.CheckFlat(t, "echod", samples, 20*time.Second)
}
