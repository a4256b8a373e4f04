package can

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/canframe"
)

var sampleFrames = []string{
	"123#DEADBEEF",
	"12345678#1122",
	"123#R",
	"321#R5",
	"000#",
	"7FF#0102030405060708",
	"123##1" + strings.Repeat("A5", 64),
	"1FFFFFFF##3DEADBEEF",
}

func isProbe(f string) bool { return strings.HasPrefix(f, "7FE#") }

func TestDumpSeesSend(t *testing.T) {
	testenv.RequireVM(t)
	s := rawSocket(t, "vcan0")
	dump := start(t, "dump", "-L", "vcan0")
	probe(t, s, "7FE#", func() bool {
		l, ok := dump.lineWithin(50e6)
		return ok && strings.HasSuffix(l, " vcan0 7FE#")
	})
	if _, errOut, code := canrelay(t, nil, append([]string{"send", "vcan0"}, sampleFrames...)...); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errOut)
	}
	var got []string
	for len(got) < len(sampleFrames) {
		l, err := canframe.ParseLogLine(dump.line())
		if err != nil {
			t.Fatal(err)
		}
		if l.Iface != "vcan0" {
			t.Errorf("interface %q", l.Iface)
		}
		if f := l.Frame.Text(); !isProbe(f) {
			got = append(got, f)
		}
	}
	if diff := cmp.Diff(sampleFrames, got); diff != "" {
		t.Errorf("dump -L (-want +got):\n%s", diff)
	}
}

func TestEchoAnswers(t *testing.T) {
	testenv.RequireVM(t)
	s := rawSocket(t, "vcan1")
	echo := start(t, "echo", "vcan1")
	probe(t, s, "7FE#", seenOn(s, "7FE#"))
	send(t, s, sampleFrames...)
	if diff := cmp.Diff(sampleFrames, recvN(t, s, len(sampleFrames), isProbe)); diff != "" {
		t.Errorf("echoed frames (-want +got):\n%s", diff)
	}
	rest, err := echo.stop()
	if err != nil {
		t.Fatalf("echo: %v", err)
	}
	last := findLine(t, rest, "echo vcan1:")
	if stat(t, last, "send_errors") != "0" {
		t.Errorf("counters: %s", last)
	}
}

func TestDumpFilters(t *testing.T) {
	testenv.RequireVM(t)
	ids := []string{"100", "10F", "110", "1F0", "200", "210", "7FE", "00000105", "12345678", "12345679"}
	// Every spec passes the marker 7FD, so that the marker ends what one
	// socket receives.
	tests := []struct {
		name string
		spec string
		want []string
	}{
		// candump's semantics: a mask without CAN_EFF_FLAG matches
		// extended ids on their low bits too.
		{"mask", "vcan0,100:7F0,7FD:7FF", []string{"100", "10F", "00000105"}},
		{"extended exact", "vcan0,12345678:1FFFFFFF,7FD:7FF", []string{"12345678"}},
		{"two filters", "vcan0,110:7FF,200:7FF,7FD:7FF", []string{"110", "200"}},
		{"inverse", "vcan0,100~700", []string{"200", "210", "7FE", "12345678", "12345679"}},
		{"join", "vcan0,100:100,010:010,j", []string{"110", "1F0", "7FE"}},
	}
	s := rawSocket(t, "vcan0")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dump := start(t, "dump", "-L", tt.spec)
			probe(t, s, "7FD#", func() bool {
				l, ok := dump.lineWithin(50e6)
				return ok && strings.HasSuffix(l, "7FD#")
			})
			for _, id := range ids {
				send(t, s, id+"#01")
			}
			send(t, s, "7FD#FF")
			var got []string
			for {
				l, err := canframe.ParseLogLine(dump.line())
				if err != nil {
					t.Fatal(err)
				}
				if l.Frame.Text() == "7FD#FF" {
					break
				}
				if l.Frame.ID == 0x7FD {
					continue // a late probe
				}
				id, _, _ := strings.Cut(l.Frame.Text(), "#")
				got = append(got, id)
			}
			sort.Strings(got)
			want := append([]string(nil), tt.want...)
			sort.Strings(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ids passed by %s (-want +got):\n%s", tt.spec, diff)
			}
		})
	}
}

func TestFDFramesSurvive(t *testing.T) {
	testenv.RequireVM(t)
	s := rawSocket(t, "vcan1")
	var frames []string
	for _, n := range []int{0, 8, 12, 20, 48, 64} {
		data := make([]byte, n)
		rand.Read(data)
		frames = append(frames, fmt.Sprintf("%03X##%d%X", 0x100+n, n%4, data))
	}
	if _, errOut, code := canrelay(t, nil, append([]string{"send", "vcan1"}, frames...)...); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errOut)
	}
	if diff := cmp.Diff(frames, recvN(t, s, len(frames), nil)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestBridgeNoLoop(t *testing.T) {
	testenv.RequireVM(t)
	s0, s1 := rawSocket(t, "vcan0"), rawSocket(t, "vcan1")
	br := start(t, "bridge", "--rewrite", "12345678=00000042", "vcan0", "vcan1")
	probe(t, s0, "7FE#", seenOn(s1, "7FE#"))
	const n = 2000
	for start := 0; start < n; start += 100 {
		var want []string
		for i := start; i < start+100; i++ {
			want = append(want, fmt.Sprintf("%03X#%08X", i%0x7f0, i))
		}
		send(t, s0, want...)
		if diff := cmp.Diff(want, recvN(t, s1, len(want), isProbe)); diff != "" {
			t.Fatalf("vcan0 to vcan1 (-want +got):\n%s", diff)
		}
	}
	send(t, s0, "12345678#AA")
	if got := recvN(t, s1, 1, isProbe); got[0] != "00000042#AA" {
		t.Errorf("rewritten frame %s", got[0])
	}
	back := []string{"111#01", "222##1AABB", "333#R2"}
	send(t, s1, back...)
	// No frame the bridge sent may come back: the next frame on vcan0
	// after the three sent back is the marker, not a copy of anything.
	if diff := cmp.Diff(back, recvN(t, s0, 3, nil)); diff != "" {
		t.Errorf("vcan1 to vcan0 (-want +got):\n%s", diff)
	}
	send(t, s1, "444#")
	if got := recv(t, s0); got != "444#" {
		t.Errorf("after the marker's sending, vcan0 saw %s first: a loop", got)
	}
	send(t, s0, "555#")
	if got := recvN(t, s1, 1, isProbe)[0]; got != "555#" {
		t.Errorf("vcan1 saw %s before the marker: a loop", got)
	}
	rest, err := br.stop()
	if err != nil {
		t.Fatalf("bridge: %v", err)
	}
	ab, ba := findLine(t, rest, "vcan0->vcan1"), findLine(t, rest, "vcan1->vcan0")
	if stat(t, ab, "loops") != "0" || stat(t, ba, "loops") != "0" || stat(t, ab, "dropped") != "0" {
		t.Errorf("counters:\n%s\n%s", ab, ba)
	}
	if stat(t, ba, "forwarded") != "4" || stat(t, ab, "rewritten") != "1" {
		t.Errorf("counters:\n%s\n%s", ab, ba)
	}
}

func TestCandumpReadsCanrelay(t *testing.T) {
	testenv.RequireVM(t)
	testenv.RequireProgram(t, "candump", "can-utils")
	s := rawSocket(t, "vcan0")
	cd := startCmd(t, execCommand("candump", "-L", "vcan0"))
	probe(t, s, "7FE#", func() bool {
		l, ok := cd.lineWithin(50e6)
		return ok && strings.HasSuffix(l, "7FE#")
	})
	if _, errOut, code := canrelay(t, nil, append([]string{"send", "vcan0"}, sampleFrames...)...); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errOut)
	}
	var logged []string
	var got []string
	for len(got) < len(sampleFrames) {
		line := cd.line()
		l, err := canframe.ParseLogLine(line)
		if err != nil {
			t.Fatalf("canrelay cannot parse candump's line %q: %v", line, err)
		}
		if f := l.Frame.Text(); !isProbe(f) {
			got = append(got, f)
			logged = append(logged, line)
		}
	}
	if diff := cmp.Diff(sampleFrames, got); diff != "" {
		t.Errorf("candump -L (-want +got):\n%s", diff)
	}
	// canrelay replays candump's log onto vcan1.
	logFile := filepath.Join(t.TempDir(), "candump.log")
	writeFile(t, logFile, []byte(strings.Join(logged, "\n")+"\n"))
	s1 := rawSocket(t, "vcan1")
	if _, errOut, code := canrelay(t, nil, "replay", "--map", "vcan0=vcan1", logFile); code != 0 {
		t.Fatalf("replay: exit %d: %s", code, errOut)
	}
	if diff := cmp.Diff(sampleFrames, recvN(t, s1, len(sampleFrames), nil)); diff != "" {
		t.Errorf("replayed (-want +got):\n%s", diff)
	}
}

// canrelay dump's default output is candump's, column for column.
func TestDumpMatchesCandump(t *testing.T) {
	testenv.RequireVM(t)
	testenv.RequireProgram(t, "candump", "can-utils")
	cansend := testenv.RequireProgram(t, "cansend", "can-utils")
	s := rawSocket(t, "vcan1")
	cd := startCmd(t, execCommand("candump", "vcan1"))
	ours := start(t, "dump", "vcan1")
	for _, p := range []*proc{cd, ours} {
		probe(t, s, "7FE#", func() bool {
			l, ok := p.lineWithin(50e6)
			return ok && strings.Contains(l, "7FE ")
		})
	}
	for _, f := range sampleFrames {
		if out, err := execCommand(cansend, "vcan1", f).CombinedOutput(); err != nil {
			t.Fatalf("cansend %s: %v: %s", f, err, out)
		}
	}
	read := func(p *proc) []string {
		var out []string
		for len(out) < len(sampleFrames) {
			if l := p.line(); !strings.Contains(l, " 7FE ") {
				out = append(out, strings.TrimRight(l, " "))
			}
		}
		return out
	}
	if diff := cmp.Diff(read(cd), read(ours)); diff != "" {
		t.Errorf("candump vcan1 (-) against canrelay dump vcan1 (+):\n%s", diff)
	}
}

func TestBadInputInVM(t *testing.T) {
	testenv.RequireVM(t)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown interface", []string{"send", "nosuch0", "123#00"}, 8, `canrelay: no CAN interface "nosuch0"`},
		{"unknown interface dump", []string{"dump", "nosuch1"}, 8, `canrelay: no CAN interface "nosuch1"`},
		{"malformed frame", []string{"send", "vcan0", "123#XYZ"}, 2, "canrelay: frame \"123#XYZ\""},
		{"dlc over 8", []string{"send", "vcan0", "123#0102030405060708AA"}, 2, "canrelay: frame \"123#0102030405060708AA\": CAN payload too long: 9 bytes"},
		{"name too long", []string{"send", "a234567890123456", "123#00"}, 2, "canrelay: CAN interface name \"a234567890123456\" is 16 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := canrelay(t, nil, tt.args...)
			if code != tt.code || !strings.HasPrefix(errOut, tt.msg) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want %d and one line starting %q", code, errOut, tt.code, tt.msg)
			}
		})
	}
}

func TestCyclicCount(t *testing.T) {
	testenv.RequireVM(t)
	s := rawSocket(t, "vcan0")
	// The kernel sends exactly --count frames, then canrelay exits on
	// TX_EXPIRED.
	if _, errOut, code := canrelay(t, nil, "cyclic", "--interval", "5ms", "--count", "20", "vcan0", "456#0102"); code != 0 {
		t.Fatalf("cyclic: exit %d: %s", code, errOut)
	}
	got := recvN(t, s, 20, nil)
	for i, f := range got {
		if f != "456#0102" {
			t.Errorf("frame %d is %s", i, f)
		}
	}
	send(t, s, "7FE#") // s does not receive its own frame: check nothing else came
	s.SetTimeout(200e6)
	if f, err := tryRecv(s); err == nil {
		t.Errorf("a 21st frame: %s", f)
	}
}

func TestCyclicRunsUntilStopped(t *testing.T) {
	testenv.RequireVM(t)
	s := rawSocket(t, "vcan1")
	p := start(t, "cyclic", "--interval", "10ms", "vcan1", "12345678##1CAFE")
	// Generous bounds, no timing assertion: ten frames arrive.
	if got := recvN(t, s, 10, nil); got[9] != "12345678##1CAFE" {
		t.Errorf("frames: %v", got)
	}
	if _, err := p.stop(); err != nil {
		t.Fatalf("cyclic: %v", err)
	}
}

func TestISOTP4095(t *testing.T) {
	testenv.RequireVM(t)
	pdu := make([]byte, 4095)
	rand.Read(pdu)
	rx := start(t, "isotp", "recv", "--rx", "321", "--tx", "123", "-n", "1", "vcan0")
	// Until the receiver is bound the sender gets no flow control and
	// fails: retry.
	var code int
	var errOut string
	for i := 0; i < 10; i++ {
		if _, errOut, code = canrelay(t, bytes.NewReader(pdu), "isotp", "send", "--rx", "123", "--tx", "321", "vcan0"); code == 0 {
			break
		}
	}
	if code != 0 {
		t.Fatalf("isotp send: exit %d: %s", code, errOut)
	}
	if got, want := rx.line(), fmt.Sprintf("%X", pdu); got != want {
		t.Errorf("received PDU of %d hex digits differs from the %d sent", len(got), len(want))
	}
	if _, err := rx.wait(); err != nil {
		t.Fatalf("isotp recv: %v: %s", err, rx.Stderr.String())
	}
}

func TestJ1939RoundTrip(t *testing.T) {
	testenv.RequireVM(t)
	rx := start(t, "j1939", "recv", "--addr", "0x30", "-n", "1", "vcan1")
	// Until the receiver is bound, messages go unseen: resend until it
	// prints one.
	var line string
	for i := 0; i < 50 && line == ""; i++ {
		if _, errOut, code := canrelay(t, nil, "j1939", "send", "--src", "0x20", "--dst", "0x30", "--pgn", "0x12300",
			"--prio", "3", "vcan1", "0102030405060708"); code != 0 {
			t.Fatalf("j1939 send: exit %d: %s", code, errOut)
		}
		line, _ = rx.lineWithin(100e6)
	}
	if want := "src=0x20 dst=0x30 pgn=0x12300 prio=3 data=0102030405060708"; line != want {
		t.Errorf("received %q, want %q", line, want)
	}
	if _, err := rx.wait(); err != nil {
		t.Fatalf("j1939 recv: %v", err)
	}
}

// TestOptionsAfterOperands: options may follow the interface and the frame
// (GNU-style command lines, issue #15): dump stops after -n 1 frame, cyclic
// sends --count frames.
func TestOptionsAfterOperands(t *testing.T) {
	testenv.RequireVM(t)
	s := rawSocket(t, "vcan0")
	dump := start(t, "dump", "vcan0", "-n", "1", "-L")
	probe(t, s, "7FE#", func() bool {
		l, ok := dump.lineWithin(50e6)
		return ok && strings.HasSuffix(l, " vcan0 7FE#")
	})
	if rest, err := dump.wait(); err != nil || len(rest) != 0 {
		t.Errorf("dump vcan0 -n 1: after one frame: exit %v, more lines %q", err, rest)
	}
	if _, errOut, code := canrelay(t, nil, "cyclic", "vcan0", "456#0102", "--interval", "5ms", "--count", "3"); code != 0 {
		t.Fatalf("cyclic: exit %d: %s", code, errOut)
	}
	for i, f := range recvN(t, s, 3, nil) {
		if f != "456#0102" {
			t.Errorf("frame %d is %s", i, f)
		}
	}
}
