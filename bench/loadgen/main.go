// Command loadgen is bench/echo.sh's load generator: the same client for
// every echo server. It prints one line of key=value results.
//
//	loadgen -mode bulk -conns 8 -addr 127.0.0.1:7      echoed MB/s, full duplex
//	loadgen -mode pingpong -conns 16 -size 64 …        round trips/s, p50, p99
//	loadgen -mode udp -size 64 …                       UDP round trips/s, p50, p99
//	loadgen -mode idle -conns 10000 …                  opens, prints "ready", waits for stdin EOF
//	loadgen -mode connect -conns 8 …                   connections/s: connect, one echo of -size bytes, close
//	loadgen -tls …                                     bulk, pingpong and connect over TLS (no verification)
//
// Bulk and ping-pong measure a window of -duration that starts -warmup
// after the load did (all connections are opened, and each has echoed once,
// before the load starts). With -server-pid they also print srv_cpu_us,
// the CPU time the server (and its children) ran within that window: what
// accepting connections, registering them and the first round trips cost
// stays out of it.
package main

import (
	"bufio"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	mode := flag.String("mode", "pingpong", "bulk, pingpong, udp or idle")
	addr := flag.String("addr", "127.0.0.1:50007", "server address")
	conns := flag.Int("conns", 1, "connections")
	size := flag.Int("size", 64, "bytes per message (bulk: per write)")
	dur := flag.Duration("duration", 3*time.Second, "measurement time")
	flag.DurationVar(&warmup, "warmup", 0, "bulk, pingpong, udp: load this long before the measurement window")
	flag.IntVar(&serverPID, "server-pid", 0, "print srv_cpu_us, the CPU time of this process and its descendants within the window")
	flag.StringVar(&perfEvents, "perf", "", "with -server-pid: also count these perf events (perf stat -e) of the server within the window")
	flag.BoolVar(&useTLS, "tls", false, "TLS over TCP (the server's certificate is not verified)")
	flag.Parse()
	switch *mode {
	case "connect":
		connect(*addr, *conns, *size, *dur)
	case "bulk":
		bulk(*addr, *conns, *size, *dur)
	case "pingpong":
		pingpong("tcp", *addr, *conns, *size, *dur)
	case "udp":
		pingpong("udp", *addr, *conns, *size, *dur)
	case "idle":
		idle(*addr, *conns)
	case "cpuwatch":
		cpuwatch(serverPID, perfEvents)
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
}

var (
	useTLS     bool
	warmup     time.Duration
	serverPID  int
	perfEvents string
)

// dial connects over TCP, or TLS with -tls.
func dial(addr string) (net.Conn, error) {
	if useTLS {
		return tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	}
	return net.Dial("tcp", addr)
}

// connect opens connections one after another on each of conns workers:
// connect (and TLS handshake), send size bytes, read them back, close.
// It reports completed connections per second.
func connect(addr string, conns, size int, dur time.Duration) {
	var done, failed atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(dur)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := make([]byte, size)
			buf := make([]byte, size)
			for time.Now().Before(deadline) {
				c, err := dial(addr)
				if err != nil {
					failed.Add(1)
					continue
				}
				c.SetDeadline(time.Now().Add(10 * time.Second))
				_, err = c.Write(msg)
				if err == nil {
					_, err = io.ReadFull(c, buf)
				}
				c.Close()
				if err != nil {
					failed.Add(1)
					continue
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	fmt.Printf("cps=%.0f failed=%d\n", float64(done.Load())/dur.Seconds(), failed.Load())
}

// bulk writes and reads at once on every connection and reports the echoed
// bytes per second.
func bulk(addr string, conns, size int, dur time.Duration) {
	var echoed atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var cs []net.Conn
	for range conns {
		c, err := dial(addr)
		if err != nil {
			log.Fatal(err)
		}
		cs = append(cs, c)
	}
	w := newWindow(dur)
	for _, c := range cs {
		wg.Add(2)
		go func() {
			defer wg.Done()
			buf := make([]byte, size)
			for {
				select {
				case <-stop:
					c.(interface{ CloseWrite() error }).CloseWrite()
					return
				default:
				}
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			buf := make([]byte, 256<<10)
			for {
				n, err := c.Read(buf)
				if w.in(time.Now()) {
					echoed.Add(int64(n))
				}
				if err != nil {
					return
				}
			}
		}()
	}
	cpu := w.cpuField() // at the window's end
	got := echoed.Load()
	close(stop)
	for _, c := range cs {
		c.SetDeadline(time.Now().Add(5 * time.Second))
	}
	wg.Wait()
	for _, c := range cs {
		c.Close()
	}
	fmt.Printf("mbps=%.1f%s\n", float64(got)/dur.Seconds()/1e6, cpu)
}

// pingpong sends size bytes and waits for them back, over and over, on
// each connection (network "udp": one socket per connection).
func pingpong(network, addr string, conns, size int, dur time.Duration) {
	var mu sync.Mutex
	var lat []time.Duration
	var rts []rt // every round trip of the window, for tailFields
	var wg sync.WaitGroup
	// Connect them all first and echo once on each: at thousands of
	// connections the dialling, and a server's accepting them (socat and
	// ncat fork a process each), would otherwise eat into the measurement.
	cs := make([]net.Conn, 0, conns)
	for range conns {
		var c net.Conn
		var err error
		if network == "tcp" {
			c, err = dial(addr)
		} else {
			c, err = net.Dial(network, addr)
		}
		if err != nil {
			log.Fatal(err)
		}
		cs = append(cs, c)
	}
	warm := make([]byte, size)
	for i, c := range cs {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(warm); err != nil {
			log.Fatalf("connection %d: %v", i, err)
		}
		if _, err := io.ReadFull(c, warm); err != nil {
			log.Fatalf("connection %d: %v", i, err)
		}
		c.SetDeadline(time.Time{})
	}
	w := newWindow(dur)
	for ci, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make([]byte, size)
			in := make([]byte, size+1)
			var mine []time.Duration
			var myRTs []rt
			for {
				t0 := time.Now()
				if !t0.Before(w.end) {
					break
				}
				if _, err := c.Write(out); err != nil {
					log.Fatal(err)
				}
				if network == "udp" {
					c.SetReadDeadline(time.Now().Add(time.Second))
					if _, err := c.Read(in); err != nil {
						continue // lost: not counted
					}
				} else if _, err := io.ReadFull(c, in[:size]); err != nil {
					log.Fatal(err)
				}
				if w.in(t0) {
					d := time.Since(t0)
					mine = append(mine, d)
					myRTs = append(myRTs, rt{conn: ci, start: t0.Sub(w.start), d: d})
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			rts = append(rts, myRTs...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	cpu := w.cpuField()
	for _, c := range cs {
		c.Close() // after the window: closing costs the server too
	}
	slices.Sort(lat)
	if len(lat) == 0 {
		log.Fatal("no round trip completed")
	}
	pct := func(p int) float64 { return float64(lat[min(len(lat)-1, len(lat)*p/100)].Microseconds()) }
	fmt.Printf("rps=%.0f p50_us=%.0f p99_us=%.0f%s%s\n", float64(len(lat))/dur.Seconds(), pct(50), pct(99), cpu, tailFields(rts, lat[min(len(lat)-1, len(lat)*99/100)], conns))
}

// idle opens conns connections, checks each with one echo, prints "ready"
// and holds them until standard input ends.
func idle(addr string, conns int) {
	var cs []net.Conn
	buf := make([]byte, 1)
	for i := range conns {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			log.Fatalf("connection %d: %v", i, err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte{'i'}); err != nil {
			log.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			log.Fatalf("connection %d: %v", i, err)
		}
		cs = append(cs, c)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, bufio.NewReader(os.Stdin))
	for _, c := range cs {
		c.Close()
	}
}
