package echo

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// synFlooder sends TCP SYNs from spoofed sources (10.99.0.0/16, a route
// on the server sends the SYN-ACKs to the client's namespace, which drops
// them: the connections stay half-open) through a raw socket.
type synFlooder struct {
	s    *sockcore.Socket
	dst  netip.Addr
	port uint16
	sent atomic.Uint64
}

func newSYNFlooder(t *testing.T, srv, cl *testenv.NetNS, dst string, port int) *synFlooder {
	t.Helper()
	srv.MustIP(t, "route", "add", "10.99.0.0/16", "via", "10.0.0.2")
	f := &synFlooder{dst: netip.MustParseAddr(dst), port: uint16(port)}
	err := cl.Do(func() error {
		var err error
		// IPPROTO_RAW: the IP header is the test's (IP_HDRINCL implied).
		f.s, err = sockcore.New(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_RAW)
		return err
	})
	if err != nil {
		t.Fatalf("raw socket: %v", err)
	}
	t.Cleanup(func() { f.s.Close() })
	return f
}

// csum is the Internet checksum of b, folded, not yet inverted.
func csum(sum uint32, b []byte) uint32 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	return sum
}

func fold(sum uint32) uint16 {
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// syn sends one SYN from 10.99.(n>>8).(n&255), source port 1024+n%60000.
func (f *synFlooder) syn(n uint32) error {
	src := netip.AddrFrom4([4]byte{10, 99, byte(n >> 8), byte(n)})
	pkt := make([]byte, 40)
	ip, tcp := pkt[:20], pkt[20:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], 40)
	ip[8] = 64
	ip[9] = unix.IPPROTO_TCP
	s4, d4 := src.As4(), f.dst.As4()
	copy(ip[12:], s4[:])
	copy(ip[16:], d4[:])
	binary.BigEndian.PutUint16(ip[10:], fold(csum(0, ip)))
	binary.BigEndian.PutUint16(tcp[0:], uint16(1024+n%60000))
	binary.BigEndian.PutUint16(tcp[2:], f.port)
	binary.BigEndian.PutUint32(tcp[4:], n*2654435761) // initial sequence number
	tcp[12] = 5 << 4
	tcp[13] = 0x02 // SYN
	binary.BigEndian.PutUint16(tcp[14:], 64240)
	pseudo := make([]byte, 12)
	copy(pseudo, s4[:])
	copy(pseudo[4:], d4[:])
	pseudo[9] = unix.IPPROTO_TCP
	binary.BigEndian.PutUint16(pseudo[10:], 20)
	binary.BigEndian.PutUint16(tcp[16:], fold(csum(csum(0, pseudo), tcp)))
	_, err := f.s.SendTo(pkt, 0, &sockcore.InetAddr{IP: f.dst})
	if err == nil {
		f.sent.Add(1)
	}
	return err
}

// run floods until stop is closed.
func (f *synFlooder) run(t *testing.T, stop <-chan struct{}, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := uint32(0); ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := f.syn(n); err != nil && err != unix.ENOBUFS {
				t.Errorf("SYN: %v", err)
				return
			}
		}
	}()
}

// netstat returns the TcpExt counter name of ns (/proc/net/netstat).
func netstat(t *testing.T, ns *testenv.NetNS, name string) int {
	t.Helper()
	out, err := ns.Command("cat", "/proc/net/netstat").Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(out), "\n")
	for i := 0; i+1 < len(lines); i += 2 {
		keys, vals := strings.Fields(lines[i]), strings.Fields(lines[i+1])
		if len(keys) == 0 || keys[0] != "TcpExt:" {
			continue
		}
		for j, k := range keys {
			if k == name && j < len(vals) {
				n, _ := strconv.Atoi(vals[j])
				return n
			}
		}
	}
	t.Fatalf("no TcpExt %s in /proc/net/netstat", name)
	return 0
}

// TestSYNFlood: a flood of SYNs from spoofed sources (half-open
// connections: the SYN-ACKs go nowhere) against echod and echocat -l -k,
// while a client from a real address connects, echoes a byte and closes,
// over and over. Every round trip of the client is served (the kernel
// answers SYN cookies once the listener's SYN queue, its backlog, is full:
// no server sees a connection before the handshake), and the server's
// descriptor count stays where it was: half-open connections cost it
// nothing.
func TestSYNFlood(t *testing.T) {
	for _, c := range []struct {
		name  string
		start func(t *testing.T, srv *testenv.NetNS) *proc
		// slack: the descriptors the client's own connections may hold
		// while open, two at a time at most (the one closing and the
		// next): echod's socket; echocat's socket and its -e child's
		// pipes and pidfd.
		slack int
	}{
		{"echod", func(t *testing.T, srv *testenv.NetNS) *proc {
			return startEchod(t, srv, 1, "--listen", "tcp://10.0.0.1:7")
		}, 6},
		{"echocat -l -k", func(t *testing.T, srv *testenv.NetNS) *proc {
			p, _ := startEchocat(t, srv, "-k", "-e", "cat", "10.0.0.1", "7")
			return p
		}, 12},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, cl := twoHosts(t)
			p := c.start(t, srv)
			pid := p.cmd.Process.Pid
			if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); !strings.HasSuffix(exe, "echod") && !strings.HasSuffix(exe, "echocat") {
				t.Fatalf("process %d is %s", pid, exe)
			}
			roundTrip := func(i int) {
				t.Helper()
				s := dialFrom(t, cl, "10.0.0.2", "10.0.0.1", 7)
				defer s.Close()
				msg := []byte(fmt.Sprintf("round trip %d\n", i))
				if err := s.SendAll(msg, 0); err != nil {
					t.Fatalf("round trip %d: send: %v", i, err)
				}
				got := make([]byte, 0, len(msg))
				for len(got) < len(msg) {
					b, err := s.Recv(len(msg)-len(got), 0)
					if err != nil || len(b) == 0 {
						t.Fatalf("round trip %d: %q, then %v (end of stream: %v)", i, got, err, len(b) == 0)
					}
					got = append(got, b...)
				}
				if string(got) != string(msg) {
					t.Fatalf("round trip %d: %q, want %q", i, got, msg)
				}
			}
			roundTrip(0)
			before := fdCount(pid)
			cookies0 := netstat(t, srv, "SyncookiesSent")
			f := newSYNFlooder(t, srv, cl, "10.0.0.1", 7)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			f.run(t, stop, &wg)
			most := before
			const trips = 300
			for i := 1; i <= trips; i++ {
				roundTrip(i)
				most = max(most, fdCount(pid))
			}
			close(stop)
			wg.Wait()
			cookies := netstat(t, srv, "SyncookiesSent") - cookies0
			after := fdCount(pid)
			t.Logf("%d SYNs from spoofed sources; %d SYN cookies sent; %d round trips served; descriptors %d before, at most %d during, %d after",
				f.sent.Load(), cookies, trips, before, most, after)
			if cookies == 0 {
				t.Errorf("no SYN cookie sent: the flood (%d SYNs) never filled the SYN queue", f.sent.Load())
			}
			// Half-open connections cost no descriptor: the count stays
			// within what the client's own connections hold, whatever
			// the number of SYNs.
			if most > before+c.slack || after > before+2 {
				t.Errorf("descriptors %d before the flood, %d at most during it, %d after", before, most, after)
			}
		})
	}
}
