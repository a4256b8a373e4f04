package sniff

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cpupin"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// soakRate is the flood's packets a second: 200-byte frames, about
// 1.1 MB a second into each capture file, so that -C 1 and -G 1 both
// rotate about once a second.
const soakRate = 5000

// endMarker is in the payload of the frames that end the flood.
var endMarker = []byte("sockcore-soak-end-marker")

// soakCapture is one sniff -w with rotation in the soak and what the test
// read of its files.
type soakCapture struct {
	file string   // -w FILE (in the soak's directory)
	args []string // the rotation flags
	p    *proc
	smp  *testenv.Sampler

	mu      sync.Mutex
	files   int   // rotated files read back
	bytes   int64 // their sizes, summed
	packets int   // packets tcpdump -r read in them
	errs    []string
	lastEnd atomic.Int64 // the highest end marker seen in a file
}

// seenAll says whether every capture has end marker m in a file.
// markersFor bounds the end-marker phase of TestSoak: on an idle machine
// the first marker is seen within 100 ms.
const markersFor = 2 * time.Minute

func seenAll(caps []*soakCapture, m int64) bool {
	for _, c := range caps {
		if c.lastEnd.Load() < m {
			return false
		}
	}
	return true
}

// TestSoak floods veth1 with UDP for testenv.SoakDuration while two sniff
// -w captures rotate their files, one by size in a ring (-C 1 -W 4,
// pcap), one by time in a ring (-G 1 -C 1000 -W 4, pcapng), sampling each
// sniff's RSS, descriptors and threads every second (#16). After a 30 s
// warm-up (its heap reaches its working size in 30-45 s here) none may
// grow by more than 10% (testenv.CheckFlat). Every file,
// read as it is closed (before the ring reuses its name), must read back
// with tcpdump -r to a clean end; together they must hold exactly the
// packets sniff says it captured, and every frame sent must be captured or
// counted as dropped: by the kernel (sniff's summary) or by the veth.
func TestSoak(t *testing.T) {
	dur := testenv.SoakDuration(t)
	e := newEnv(t)
	dir := filepath.Join(e.dir, "soak")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	caps := []*soakCapture{
		{file: "ring.pcap", args: []string{"-C", "1", "-W", "4"}},
		{file: "time.pcapng", args: []string{"-G", "1", "-C", "1000", "-W", "4"}},
	}
	w := watchSoakDir(t, dir, caps)
	filter := "udp and dst port 9"
	for _, c := range caps {
		args := append([]string{"-i", "veth1", "-w", filepath.Join(dir, c.file)}, c.args...)
		c.p = start(t, e.sniffCmd(e.b, append(args, filter)...))
		c.smp = testenv.StartSampler("sniff "+strings.Join(c.args, " "), c.p.cmd.Process.Pid)
	}

	fl := newFlood(t, e)
	stop := time.Now().Add(dur)
	floodDone := make(chan struct{})
	var markersSeen atomic.Bool
	go func() {
		defer close(floodDone)
		cpupin.Pin() // frames leave in order through one CPU's backlog
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for time.Now().Before(stop) {
			<-tick.C
			for range soakRate / 200 {
				fl.send(0)
			}
		}
		// Numbered end markers, one at a time, until each capture has the
		// last one sent in a file: every frame sent before it has then been
		// captured or counted as dropped. The next is sent when one is not
		// seen within 100 ms (dropped, or a slow machine).
		// Bounded (markersFor), so that a capture that stopped writing
		// fails the test with its counts rather than hanging it.
		w.endPhase.Store(true)
		giveUp := time.Now().Add(markersFor)
		for m := int64(1); time.Now().Before(giveUp); m++ {
			fl.send(m)
			for range 20 {
				<-tick.C
				if seenAll(caps, m) {
					markersSeen.Store(true)
					return
				}
			}
		}
	}()
	<-floodDone
	if !markersSeen.Load() {
		for i, c := range caps {
			t.Errorf("capture %d: its files hold end marker %d, not the last one sent, %s after the flood", i, c.lastEnd.Load(), markersFor)
		}
	}
	samples := make([][]testenv.ProcSample, len(caps))
	for i, c := range caps {
		samples[i] = c.smp.Stop(t)
	}
	type summary struct{ captured, received, dropped int }
	sums := make([]summary, len(caps))
	for i, c := range caps {
		out := c.p.stop(t)
		var s summary
		for _, f := range []struct {
			p    *int
			what string
		}{{&s.captured, "captured"}, {&s.received, "received by filter"}, {&s.dropped, "dropped by kernel"}} {
			if _, err := fmt.Sscanf(findAfter(out, " packets "+f.what), "%d", f.p); err != nil {
				t.Fatalf("sniff %v: no %q count in %q", c.args, f.what, out)
			}
		}
		sums[i] = s
	}
	w.drain(t)
	vethDrops := vethDropped(t, e.a, "veth0", "tx") + vethDropped(t, e.b, "veth1", "rx")
	t.Logf("%v: %d frames sent, %.0f a second (aimed at %d; %d end markers), %d send errors, %d dropped on the veth",
		dur, fl.sent.Load(), float64(fl.sent.Load())/dur.Seconds(), soakRate, fl.markers.Load(), fl.errs.Load(), vethDrops)
	for i, c := range caps {
		s := sums[i]
		t.Logf("sniff %v: %d files read back, %d packets in them; sniff: %d captured, %d received by filter, %d dropped by kernel",
			c.args, c.files, c.packets, s.captured, s.received, s.dropped)
		for _, msg := range c.errs {
			t.Errorf("sniff %v: %s", c.args, msg)
		}
		// -G 1 rotates about once a second; -C 1 once a megabyte, so what
		// it must have done follows the volume the flood managed to send
		// (a loaded machine sends less), not the time.
		if c.args[0] == "-G" && c.files < int(dur/time.Second)/2 {
			t.Errorf("sniff %v: %d files in %v: rotation did not happen about once a second", c.args, c.files, dur)
		}
		if c.args[0] == "-C" && int64(c.files) < c.bytes/2_000_000 {
			t.Errorf("sniff %v: %d files holding %d bytes: rotation did not happen about once a megabyte", c.args, c.files, c.bytes)
		}
		if c.packets != s.captured {
			t.Errorf("sniff %v: its files hold %d packets, it says it captured %d", c.args, c.packets, s.captured)
		}
		if s.captured+s.dropped != s.received {
			t.Errorf("sniff %v: %d captured + %d dropped by kernel != %d received by filter", c.args, s.captured, s.dropped, s.received)
		}
		if lost := int(fl.sent.Load()) - s.received - vethDrops; lost != 0 {
			t.Errorf("sniff %v: %d frames sent, %d received by filter, %d dropped on the veth: %d lost without a counter",
				c.args, fl.sent.Load(), s.received, vethDrops, lost)
		}
		testenv.CheckFlat(t, "sniff "+strings.Join(c.args, " "), samples[i], 30*time.Second)
	}
}

// findAfter returns the line of out that ends in suffix, or "".
func findAfter(out, suffix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasSuffix(l, suffix) {
			return l
		}
	}
	return ""
}

// vethDropped is an interface's tx or rx drop counter in ns.
func vethDropped(t *testing.T, ns *testenv.NetNS, dev, dir string) int {
	t.Helper()
	out, err := ns.Command("ip", "-s", "-j", "link", "show", "dev", dev).Output()
	if err != nil {
		t.Fatalf("ip -s link show %s: %v", dev, err)
	}
	var links []struct {
		Stats64 map[string]struct{ Dropped int } `json:"stats64"`
	}
	if err := json.Unmarshal(out, &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -s -j link show %s: %v: %s", dev, err, out)
	}
	return links[0].Stats64[dir].Dropped
}

// flood sends UDP frames over AF_PACKET from veth0 to veth1's MAC address,
// to 10.0.0.3 (not an address of B, which drops them without an answer).
type flood struct {
	s                   *sockcore.Socket
	to                  *sockcore.PacketAddr
	frame               []byte
	sent, markers, errs atomic.Int64
}

func newFlood(t *testing.T, e *env) *flood {
	t.Helper()
	var dst, src net.HardwareAddr
	err := e.b.Do(func() error {
		ifi, err := net.InterfaceByName("veth1")
		if err == nil {
			dst = ifi.HardwareAddr
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &flood{}
	err = e.a.Do(func() error {
		ifi, err := net.InterfaceByName("veth0")
		if err != nil {
			return err
		}
		src, f.to = ifi.HardwareAddr, &sockcore.PacketAddr{Ifindex: ifi.Index}
		f.s, err = sockcore.New(unix.AF_PACKET, unix.SOCK_RAW, 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.s.Close() })
	const size = 200
	fr := make([]byte, size)
	copy(fr, dst)
	copy(fr[6:], src)
	binary.BigEndian.PutUint16(fr[12:], 0x0800)
	ip := fr[14:34]
	ip[0], ip[8], ip[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(ip[2:], size-14)
	copy(ip[12:], []byte{10, 0, 0, 1})
	copy(ip[16:], []byte{10, 0, 0, 3})
	binary.BigEndian.PutUint16(ip[10:], testenv.IPv4Checksum(ip))
	udp := fr[34:42]
	binary.BigEndian.PutUint16(udp[0:], 40000)
	binary.BigEndian.PutUint16(udp[2:], 9)
	binary.BigEndian.PutUint16(udp[4:], size-34) // checksum 0: none
	f.frame = fr
	return f
}

// send sends one frame, end marker number end if not 0; only a frame the
// kernel took is counted as sent.
func (f *flood) send(end int64) {
	fr := f.frame
	if end != 0 {
		fr = append([]byte(nil), f.frame...)
		copy(fr[42:], endMarker)
		binary.BigEndian.PutUint64(fr[42+len(endMarker):], uint64(end))
	}
	if _, err := f.s.SendTo(fr, 0, f.to); err != nil {
		f.errs.Add(1)
		return
	}
	f.sent.Add(1)
	if end != 0 {
		f.markers.Add(1)
	}
}

// lastEnd returns the highest end marker number in data, 0 if none.
func lastEnd(data []byte) int64 {
	var last int64
	for {
		i := bytes.Index(data, endMarker)
		if i < 0 || i+len(endMarker)+8 > len(data) {
			return last
		}
		data = data[i+len(endMarker):]
		last = max(last, int64(binary.BigEndian.Uint64(data)))
	}
}

// sawEnd notes the end markers in data.
func (c *soakCapture) sawEnd(data []byte) {
	if m := lastEnd(data); m > c.lastEnd.Load() {
		c.lastEnd.Store(m) // only the watcher's goroutine stores
	}
}

// soakWatcher reads the soak's directory with inotify: each file sniff
// closes is read at once (the ring reuses the name three rotations later)
// and read back with tcpdump -r; in the end phase each write is searched
// for the end marker.
type soakWatcher struct {
	dir      string
	fd       int
	caps     []*soakCapture
	endPhase atomic.Bool
	files    chan soakFile
	done     chan struct{} // the checker has read the sentinel
}

type soakFile struct {
	c    *soakCapture
	name string
	data []byte
}

const soakSentinel = "sentinel"

func watchSoakDir(t *testing.T, dir string, caps []*soakCapture) *soakWatcher {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CLOSE_WRITE|unix.IN_MODIFY); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	w := &soakWatcher{dir: dir, fd: fd, caps: caps, files: make(chan soakFile, 1024), done: make(chan struct{})}
	go w.read()
	go w.check()
	return w
}

func (w *soakWatcher) capture(name string) *soakCapture {
	for _, c := range w.caps {
		if strings.HasPrefix(name, c.file) {
			return c
		}
	}
	return nil
}

func (w *soakWatcher) read() {
	defer unix.Close(w.fd)
	defer close(w.files)
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(w.fd, buf)
		if err != nil {
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			name := string(bytes.TrimRight(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)], "\x00"))
			off += unix.SizeofInotifyEvent + int(ev.Len)
			if name == soakSentinel && ev.Mask&unix.IN_CLOSE_WRITE != 0 {
				return
			}
			c := w.capture(name)
			if c == nil {
				continue
			}
			switch {
			case ev.Mask&unix.IN_CLOSE_WRITE != 0:
				data, err := os.ReadFile(filepath.Join(w.dir, name))
				if err != nil {
					c.fail("reading %s: %v", name, err)
					continue
				}
				if w.endPhase.Load() {
					c.sawEnd(data)
				}
				w.files <- soakFile{c, name, data}
			case ev.Mask&unix.IN_MODIFY != 0 && w.endPhase.Load():
				if data, err := os.ReadFile(filepath.Join(w.dir, name)); err == nil {
					c.sawEnd(data)
				}
			}
		}
	}
}

// check reads each closed file back with tcpdump -r.
func (w *soakWatcher) check() {
	defer close(w.done)
	for f := range w.files {
		cmd := exec.Command("tcpdump", "-nr", "-")
		cmd.Stdin = bytes.NewReader(f.data)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			f.c.fail("tcpdump: %v", err)
			continue
		}
		if err != nil || strings.Contains(stderr.String(), "tcpdump:") {
			f.c.fail("tcpdump -r %s (%d bytes): %v: %s", f.name, len(f.data), err, stderr.String())
		}
		f.c.mu.Lock()
		f.c.files++
		f.c.bytes += int64(len(f.data))
		f.c.packets += bytes.Count(out, []byte("\n"))
		f.c.mu.Unlock()
	}
}

func (c *soakCapture) fail(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// drain waits, once the captures have ended, until every file they closed
// has been read back: the test closes a sentinel file of its own, whose
// event comes after theirs.
func (w *soakWatcher) drain(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, soakSentinel), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	<-w.done
}
