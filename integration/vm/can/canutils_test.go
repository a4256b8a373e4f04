package can

import (
	"fmt"
	"strconv"
	"syscall"
	"time"

	"github.com/sockcore/sockcore/pkg/canframe"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// optionFrames cover what candump's options print differently: classic,
// extended, remote, CAN FD with and without BRS and ESI, error frames of
// every class (with -e in words), ASCII-printable and not.
var optionFrames = []string{
	"123#DEADBEEF", "12345678#11", "123#R", "321#R5", "000#",
	"123##1" + strings.Repeat("A5", 12), "1FFFFFFF##3DEADBEEF", "123##0", "456##2414243",
	"20000004#0004000000000000", "200000FF#FFFFFFFFFFFFFFFF", "20000200#0000000000000A0B",
	"20000008#0008120000000000", "20000088#0000041800000000", "7FF#3132414a7e7f8020",
}

// dumpUntil reads p's lines until one holding the end marker, leaving out
// the probe frames' lines; it returns them newline-terminated, as printed.
func dumpUntil(p *proc, marker string) []string {
	var out []string
	for {
		l := p.line()
		if strings.Contains(l, "7FE") {
			continue
		}
		out = append(out, l)
		if strings.Contains(l, marker) {
			return out
		}
	}
}

// candumpAndDump runs candump and canrelay dump with the same options on
// vcan0 (frames sent from this host: TX) and vxcan1 (frames sent on
// vxcan0: RX), sends optionFrames on each in turn and returns both
// outputs, probe lines left out.
func candumpAndDump(t *testing.T, opts []string, ours []string) (want, got []string) {
	t.Helper()
	specs := []string{"vcan0,0:0,#FFFFFFFF", "vxcan1,0:0,#FFFFFFFF"}
	s0, sx := rawSocket(t, "vcan0"), rawSocket(t, "vxcan0")
	cd := startCmd(t, execCommand("candump", append(append([]string{}, opts...), specs...)...))
	cr := start(t, append(append(append([]string{"dump"}, ours...), opts...), specs...)...)
	for _, p := range []*proc{cd, cr} {
		probe(t, s0, "7FE#", func() bool {
			l, ok := p.lineWithin(50e6)
			return ok && strings.Contains(l, "7FE")
		})
	}
	for _, s := range [][2]any{{s0, "7FD#01"}, {sx, "7FD#02"}} {
		send(t, s[0].(*sockcore.Socket), optionFrames...)
		send(t, s[0].(*sockcore.Socket), s[1].(string))
		marker := map[string]string{"7FD#01": "01", "7FD#02": "02"}[s[1].(string)]
		end := "7FD" // the marker line: 7FD with its one byte
		w, g := dumpUntil(cd, end), dumpUntil(cr, end)
		if !strings.Contains(w[len(w)-1], marker) {
			t.Fatalf("candump's marker line %q", w[len(w)-1])
		}
		want, got = append(want, w...), append(got, g...)
	}
	return want, got
}

// Every candump option canrelay dump takes prints byte for byte what
// candump prints for the same frames: kernel receive timestamps are the
// same for both (one skb, cloned), so -t a and -t A compare too.
func TestDumpOptionsMatchCandump(t *testing.T) {
	testenv.RequireVM(t)
	testenv.RequireProgram(t, "candump", "can-utils")
	tests := []struct {
		name string
		opts []string
		ours []string // canrelay's own extra flags
		skip int      // leading lines that differ by nature (-t d: the delta to an unseen probe)
	}{
		{"plain", nil, nil, 0},
		{"t a", []string{"-t", "a"}, nil, 0},
		{"t A", []string{"-t", "A"}, nil, 0},
		{"t d", []string{"-t", "d"}, nil, 1},
		{"e", []string{"-e"}, nil, 0},
		{"x", []string{"-x"}, nil, 0},
		{"a", []string{"-a"}, nil, 0},
		{"x e a", []string{"-x", "-e", "-a"}, nil, 0},
		{"c", []string{"-c"}, []string{"--force-color"}, 0},
		{"c c", []string{"-c", "-c"}, []string{"--force-color"}, 0},
		{"c c c t a", []string{"-c", "-c", "-c", "-t", "a"}, []string{"--force-color"}, 0},
		{"L", []string{"-L"}, nil, 0},
		{"L x", []string{"-L", "-x"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, got := candumpAndDump(t, tt.opts, tt.ours)
			if len(want) > tt.skip && len(got) > tt.skip {
				want, got = want[tt.skip:], got[tt.skip:]
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("candump %s (-) against canrelay dump (+):\n%s", strings.Join(tt.opts, " "), diff)
			}
		})
	}
}

// Without --force-color, -c colours nothing when stdout is not a terminal.
func TestDumpColourOnlyOnTerminal(t *testing.T) {
	testenv.RequireVM(t)
	want, got := candumpAndDump(t, nil, []string{"-c"})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("candump (-) against canrelay dump -c to a pipe (+):\n%s", diff)
	}
}

// -l writes candump-YYYY-MM-DD_HHMMSS.log in the current directory with
// candump's lines (-s 0 keeps the console output, to see both are ready).
func TestDumpLogFileMatchesCandump(t *testing.T) {
	testenv.RequireVM(t)
	testenv.RequireProgram(t, "candump", "can-utils")
	s0 := rawSocket(t, "vcan0")
	dirs := [2]string{t.TempDir(), t.TempDir()}
	cmds := [2]*proc{}
	for i, args := range [][]string{{"candump"}, {testenv.Bin(t, "canrelay"), "dump"}} {
		c := execCommand(args[0], append(args[1:], "-l", "-s", "0", "vcan0,0:0,#FFFFFFFF", "vxcan1")...)
		c.Dir = dirs[i]
		cmds[i] = startCmd(t, c)
	}
	for _, p := range cmds {
		probe(t, s0, "7FE#", func() bool {
			l, ok := p.lineWithin(50e6)
			return ok && strings.Contains(l, "7FE")
		})
	}
	send(t, s0, optionFrames...)
	send(t, s0, "7FD#01")
	var names, logs [2]string
	var outs [2][]string
	for i, d := range dirs {
		outs[i] = dumpUntil(cmds[i], "7FD")
		if _, err := cmds[i].stop(); err != nil {
			t.Fatalf("%s: %v", cmds[i].Cmd.Args, err)
		}
		ents, _ := os.ReadDir(d)
		if len(ents) != 1 {
			t.Fatalf("%s wrote %d files", cmds[i].Cmd.Args, len(ents))
		}
		names[i] = ents[0].Name()
		b, _ := os.ReadFile(filepath.Join(d, names[i]))
		var keep []string
		for _, l := range strings.SplitAfter(string(b), "\n") {
			if l != "" && !strings.Contains(l, "7FE#") {
				keep = append(keep, l)
			}
		}
		logs[i] = strings.Join(keep, "")
	}
	nameRE := regexp.MustCompile(`^candump-\d{4}-\d\d-\d\d_\d{6}\.log$`)
	for _, n := range names {
		if !nameRE.MatchString(n) {
			t.Errorf("log file name %q", n)
		}
	}
	if diff := cmp.Diff(logs[0], logs[1]); diff != "" {
		t.Errorf("candump -l file (-) against canrelay dump -l file (+):\n%s", diff)
	}
	if diff := cmp.Diff(outs[0], outs[1]); diff != "" {
		t.Errorf("candump -l -s 0 stdout (-) against canrelay's (+):\n%s", diff)
	}
	if !strings.Contains(cmds[1].Stderr.String(), "Enabling Logfile '"+names[1]+"'") {
		t.Errorf("stderr %q does not name the log file", cmds[1].Stderr.String())
	}
}

// sockcore's older `dump -l FILE IFACE` still logs to FILE and prints the
// frames on stdout; `dump -l IFACE` (an interface that exists) is
// candump's -l, with the file named by the date.
func TestDumpOlderLogFileForm(t *testing.T) {
	testenv.RequireVM(t)
	s0 := rawSocket(t, "vcan0")
	dir := t.TempDir()
	for _, args := range [][]string{{"-l", "older.log", "vcan0"}, {"-l", "vcan0", "-s", "0"}} {
		c := execCommand(testenv.Bin(t, "canrelay"), append([]string{"dump"}, args...)...)
		c.Dir = dir
		p := startCmd(t, c)
		probe(t, s0, "7FE#", func() bool {
			l, ok := p.lineWithin(50e6)
			return ok && strings.Contains(l, "7FE")
		})
		send(t, s0, "123#DEADBEEF", "7FD#01")
		out := dumpUntil(p, "7FD")
		if _, err := p.stop(); err != nil {
			t.Fatalf("%s: %v", c.Args, err)
		}
		if len(out) != 2 || !strings.Contains(out[0], "123   [4]  DE AD BE EF") {
			t.Errorf("%s: stdout %q", c.Args, out)
		}
		if args[1] == "older.log" {
			if want := "canrelay dump: -l older.log read as -f older.log"; !strings.HasPrefix(p.Stderr.String(), want) {
				t.Errorf("stderr %q, want it to start %q", p.Stderr.String(), want)
			}
		}
	}
	for _, pattern := range []string{"older.log", "candump-*.log"} {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(files) != 1 {
			t.Fatalf("%s: %q", pattern, files)
		}
		b, _ := os.ReadFile(files[0])
		if !regexp.MustCompile(`\) vcan0 123#DEADBEEF\n`).Match(b) {
			t.Errorf("%s:\n%s", files[0], b)
		}
	}
}

// -T ends dump after that long without a frame, exit 0; -n ends it after
// COUNT frames.
func TestDumpSilenceTimeout(t *testing.T) {
	testenv.RequireVM(t)
	_, errOut, code := canrelay(t, nil, "dump", "-T", "200", "vcan1")
	if code != 0 {
		t.Errorf("dump -T 200: exit %d: %s", code, errOut)
	}
}

// replayLog has CAN, CAN FD (FDF set in the flags digit, as candump -L
// writes it on this kernel), remote and error frames, on two logged
// interfaces, 2 ms apart, and lines canplayer skips.
const replayLog = "# candump log\n" +
	"(1700000000.000000) can0 123#DEADBEEF\n" +
	"(1700000000.002000) can0 12345678#11\n" +
	"(1700000000.004000) can1 7FF#0102\n" +
	"(1700000000.006000) can0 123#R\n" +
	"(1700000000.008000) can0 321#R5\n" +
	"(1700000000.010000) can0 123##5A5A5A5A5A5A5A5A5A5A5A5A5\n" +
	"(1700000000.012000) can0 1FFFFFFF##7DEADBEEF\n" +
	"(1700000000.014000) can0 456##6414243\n" +
	"(1700000000.016000) can0 20000004#0004000000000000\n" +
	"(1700000000.018000) can0 200000FF#FFFFFFFFFFFFFFFF\n" +
	"(1700000000.020000) can0 7FD#01\n"

// canplayer and canrelay replay, given the same log and options, put the
// same frames on the bus (a candump on the other end of the vxcan pair
// prints the same for both) and print the same with -v.
func TestReplayMatchesCanplayer(t *testing.T) {
	testenv.RequireVM(t)
	testenv.RequireProgram(t, "candump", "can-utils")
	canplayer := testenv.RequireProgram(t, "canplayer", "can-utils")
	logFile := filepath.Join(t.TempDir(), "in.log")
	writeFile(t, logFile, []byte(replayLog))
	s0 := rawSocket(t, "vxcan0") // frames sent on vxcan0 arrive on vxcan1 whatever -x says
	tests := []struct {
		name string
		args []string
		n    int // frames on vxcan1 (the marker included)
	}{
		{"timed", []string{"-v", "-I", logFile, "vxcan0=can0"}, 10},
		{"loop t g", []string{"-v", "-t", "-g", "0", "-l", "2", "-I", logFile, "vxcan0=can0", "stdout=can1"}, 20},
		{"x", []string{"-x", "-t", "-g", "0", "-I", logFile, "vxcan0=can0"}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dumps [2][]string
			var outs [2]string
			for i, bin := range []string{canplayer, testenv.Bin(t, "canrelay")} {
				cd := startCmd(t, execCommand("candump", "-e", "vxcan1,0:0,#FFFFFFFF"))
				probe(t, s0, "7FE#", func() bool {
					l, ok := cd.lineWithin(50e6)
					return ok && strings.Contains(l, "7FE")
				})
				args := tt.args
				if i == 1 {
					args = append([]string{"replay"}, args...)
				}
				out, err := execCommand(bin, args...).CombinedOutput()
				if err != nil {
					t.Fatalf("%s %q: %v: %s", bin, args, err, out)
				}
				outs[i] = string(out)
				for seen := 0; seen < tt.n; {
					l := cd.line()
					if strings.Contains(l, "7FE") {
						continue
					}
					if !strings.HasPrefix(l, "\t") {
						seen++
					}
					dumps[i] = append(dumps[i], l)
					if strings.Contains(l, "7FD") && seen >= tt.n {
						break
					}
				}
				cd.stop()
			}
			if diff := cmp.Diff(dumps[0], dumps[1]); diff != "" {
				t.Errorf("candump -e of canplayer's frames (-) and canrelay replay's (+):\n%s", diff)
			}
			if diff := cmp.Diff(outs[0], outs[1]); diff != "" {
				t.Errorf("canplayer's output (-) and canrelay replay's (+):\n%s", diff)
			}
		})
	}
}

// probeFrame is TestGenReadByCandump's probe: an extended ID that none of
// its cases generates.
const probeFrame = "1FFFFFFE#"

// canrelay gen's frames, read by candump: the requested count, ids,
// lengths and payloads.
func TestGenReadByCandump(t *testing.T) {
	testenv.RequireVM(t)
	testenv.RequireProgram(t, "candump", "can-utils")
	s1 := rawSocket(t, "vcan1")
	tests := []struct {
		name  string
		args  []string
		n     int
		check func(i int, frame string) bool
	}{
		{"fixed id and length, incrementing data", []string{"-I", "42A", "-L", "2", "-D", "i"}, 300, func(i int, f string) bool {
			return f == fmt.Sprintf("42A#%02X%02X", i&0xff, i>>8)
		}},
		{"incrementing extended ids and lengths", []string{"-e", "-I", "i", "-L", "i", "-D", "0102030405060708"}, 200, func(i int, f string) bool {
			return f == fmt.Sprintf("%08X#%s", i, "0102030405060708"[:2*(i%9)])
		}},
		{"FD with BRS, incrementing length", []string{"-f", "-b", "-I", "7F0", "-L", "i", "-D", "AA"}, 32, func(i int, f string) bool {
			n := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64}[i%16]
			data := ""
			if n > 0 {
				data = "AA" + strings.Repeat("00", n-1)
			}
			return f == "7F0##5"+data
		}},
		{"remote, fixed length", []string{"-R", "-I", "100", "-L", "3"}, 50, func(i int, f string) bool { return f == "100#R3" }},
		// 100 frames: a -g 0 burst of 500 overflowed candump's receive
		// queue on 6.12 under TCG (candump printed fewer than were sent).
		{"random", nil, 100, func(i int, f string) bool {
			l, err := canframe.Parse(f)
			return err == nil && !l.Extended && !l.FD && len(l.Data) <= 8
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cd := startCmd(t, execCommand("candump", "-r", "8388608", "-L", "vcan1")) // room for a whole -g 0 burst
			// The probe has an extended ID no case generates: a random
			// standard frame can have any 11-bit ID, and one with the
			// probe's ID was taken for a probe and skipped (1 run in 20).
			probe(t, s1, probeFrame, func() bool {
				l, ok := cd.lineWithin(50e6)
				return ok && strings.Contains(l, " "+probeFrame)
			})
			args := append(append([]string{"gen", "-g", "0", "-n", strconv.Itoa(tt.n)}, tt.args...), "vcan1")
			_, errOut, code := canrelay(t, nil, args...)
			if code != 0 {
				t.Fatalf("gen: exit %d: %s", code, errOut)
			}
			if want := fmt.Sprintf("gen vcan1: sent=%d ", tt.n); !strings.HasPrefix(errOut, want) {
				t.Errorf("counters %q, want %q...", errOut, want)
			}
			for i := 0; i < tt.n; {
				l := cd.line()
				if strings.Contains(l, " "+probeFrame) {
					continue
				}
				ll, err := canframe.ParseLogLine(l)
				if err != nil {
					t.Fatalf("candump line %q: %v", l, err)
				}
				f := strings.Fields(l)[2]
				if ll.Iface != "vcan1" || !tt.check(i, f) {
					t.Fatalf("frame %d: %q", i, l)
				}
				i++
			}
		})
	}
}

// rcvlist counts the lines of /proc/net/can/rcvlist_FILE that name iface
// and contain what: the receivers the kernel has registered.
func rcvlist(t *testing.T, file, iface, what string) int {
	b, err := os.ReadFile("/proc/net/can/rcvlist_" + file)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == iface && strings.Contains(l, what) {
			n++
		}
	}
	return n
}

// waitRcvlist waits until more than before receivers are registered.
func waitRcvlist(t *testing.T, file, iface, what string, before int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for rcvlist(t, file, iface, what) <= before {
		if time.Now().After(deadline) {
			t.Fatalf("no new %s receiver on %s in /proc/net/can/rcvlist_%s", what, iface, file)
		}
		time.Sleep(time.Millisecond) // polling /proc: there is no event to wait on
	}
}

// canbusload and canrelay busload watch the same burst on vcan1: the same
// frames, bits and payload bits in total, the load within one percentage
// point. canbusload 2020.11 reports only when pselect returns (a frame
// came), so frames on vcan0 keep it reporting, and its output is read
// when it exits, two of canrelay's reports after canrelay has seen the
// whole burst. Where the output is deterministic it is compared byte for
// byte (busloadSame): every line of an interface that both report with
// the same figures (the bar graph, colour, widths), the -r escapes and the
// -t line but for the program's name and the clock. vcan0's bit rate is
// low so that its keep-alive frames fill part of the bar graph.
func TestBusloadMatchesCanbusload(t *testing.T) {
	testenv.RequireVM(t)
	canbusload := testenv.RequireProgram(t, "canbusload", "can-utils")
	s0, s1 := rawSocket(t, "vcan0"), rawSocket(t, "vcan1")
	rates := []string{"vcan0@500", "vcan1@125000"}
	for _, mode := range [][]string{nil, {"-e"}, {"-i"}, {"-b"}, {"-c"}, {"-t"}, {"-r"}, {"-t", "-r", "-b", "-c", "-e"}} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			before := rcvlist(t, "all", "vcan1", "")
			peer := startCmd(t, execCommand(canbusload, append(append([]string{}, mode...), rates...)...))
			waitRcvlist(t, "all", "vcan1", "", before)
			ours := start(t, append(append([]string{"busload"}, mode...), rates...)...)
			oursOut := []string{ours.line()} // a report: its sockets are bound
			// 150 frames fit canbusload's default receive buffer even when
			// it is slow to read them (400 did not, once, under TCG).
			var burst []string
			for i := 0; i < 150; i++ {
				id := fmt.Sprintf("%03X", i*7%0x800)
				if i%3 == 0 {
					id = fmt.Sprintf("%08X", i*104729%0x20000000)
				}
				data := strings.Repeat(fmt.Sprintf("%02X", i%256), i%9)
				if i%17 == 0 {
					burst = append(burst, id+"#R"+strconv.Itoa(i%9))
				} else {
					burst = append(burst, id+"#"+data)
				}
			}
			send(t, s1, burst...)
			send(t, s1, "123##1AABB") // CAN FD: not counted by either
			n := func(s string) int { v, _ := strconv.Atoi(strings.TrimSuffix(s, "%")); return v }
			type sum struct{ frames, bits, payload, percent int }
			add := func(x *sum, l string) {
				if f := strings.Fields(ansiEscape.ReplaceAllString(l, "")); len(f) >= 5 && strings.HasPrefix(f[0], "vcan1@") {
					x.frames, x.bits, x.payload, x.percent = x.frames+n(f[1]), x.bits+n(f[2]), x.payload+n(f[3]), x.percent+n(f[4])
				}
			}
			var got, want sum
			add(&got, oursOut[0])
			deadline := time.Now().Add(timeout)
			for reports := -1; reports < 2; {
				if time.Now().After(deadline) {
					t.Fatalf("canrelay busload reported %+v of the burst of %d within %v", got, len(burst), timeout)
				}
				l, ok := ours.lineWithin(50e6)
				if !ok {
					send(t, s0, "7FE#")
					continue
				}
				oursOut = append(oursOut, l)
				add(&got, l)
				if got.frames >= len(burst) && l == "" {
					reports++
				}
			}
			rest, _ := peer.stop()
			for _, l := range rest {
				add(&want, l)
			}
			t.Logf("canbusload %v: %+v; canrelay busload: %+v", mode, want, got)
			if want.frames != len(burst) || got.frames != want.frames || got.bits != want.bits || got.payload != want.payload {
				t.Errorf("frames/bits/payload: canbusload %+v, canrelay busload %+v (sent %d)", want, got, len(burst))
			}
			if d := got.percent - want.percent; d < -1 || d > 1 {
				t.Errorf("load: canbusload %d%%, canrelay busload %d%% over the burst", want.percent, got.percent)
			}
			busloadSame(t, mode, rest, oursOut)
		})
	}
}

var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// busloadTime is canbusload's -t line: its program name, the local time
// and the stuffing mode; canrelay names itself "canrelay busload".
var busloadTime = regexp.MustCompile(`^(canbusload|canrelay busload) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d (\(.*\))$`)

// busloadSame compares canbusload's output (theirs) with canrelay
// busload's (ours) where it does not depend on when a report falls: each
// complete report (lines up to an empty one) starts with -r's escapes
// (the first clears the screen) and -t's line with the same stuffing
// mode, and every interface line with the same figures in both is the
// same bytes. At least vcan1's idle line (after the burst) is in both.
func busloadSame(t *testing.T, mode, theirs, ours []string) {
	t.Helper()
	has := func(o string) bool { return strings.Contains(strings.Join(mode, " "), o) }
	split := func(who string, out []string) (lines map[string]string, timeTail string) {
		lines = map[string]string{}
		var report []string
		first := true
		for _, l := range out {
			if l != "" {
				report = append(report, l)
				continue
			}
			if len(report) == 0 {
				t.Errorf("%s: an empty report in %q", who, out)
				continue
			}
			home := ""
			if has("-r") {
				home = "\x1b[H"
				if first {
					home = "\x1b[2J" + home
				}
			}
			if !strings.HasPrefix(report[0], home) || (home == "" && (strings.HasPrefix(report[0], "\x1b[H") || strings.HasPrefix(report[0], "\x1b[2J"))) {
				t.Errorf("%s: report starts %q, want -r's %q", who, report[0], home)
			}
			report[0] = strings.TrimPrefix(report[0], home)
			first = false
			if has("-t") {
				m := busloadTime.FindStringSubmatch(report[0])
				if m == nil {
					t.Errorf("%s: %q is not -t's line", who, report[0])
				} else if timeTail == "" {
					timeTail = m[2]
				} else if m[2] != timeTail {
					t.Errorf("%s: -t line %q after %q", who, report[0], timeTail)
				}
				report = report[1:]
			}
			if len(report) != 2 {
				t.Errorf("%s: report %q has not one line per interface", who, report)
			}
			for _, l := range report {
				f := strings.Fields(ansiEscape.ReplaceAllString(l, ""))
				if len(f) < 5 {
					t.Errorf("%s: %q is not an interface's line", who, l)
					continue
				}
				lines[strings.Join(f[:5], " ")] = l
			}
			report = nil
		}
		return lines, timeTail
	}
	theirLines, theirTime := split("canbusload", theirs)
	ourLines, ourTime := split("canrelay busload", ours)
	if theirTime != ourTime {
		t.Errorf("-t line ends %q in canbusload's, %q in canrelay busload's", theirTime, ourTime)
	}
	same, idle := 0, false
	for k, l := range ourLines {
		if tl, ok := theirLines[k]; ok {
			same++
			t.Logf("both: %q", l)
			if tl != l {
				t.Errorf("the same figures, other bytes:\ncanbusload       %q\ncanrelay busload %q", tl, l)
			}
			idle = idle || strings.HasPrefix(k, "vcan1@125000 0 ")
		}
	}
	t.Logf("%d lines with the same figures in both, byte for byte", same)
	if !idle {
		t.Errorf("no idle vcan1 line in both outputs:\ncanbusload %q\ncanrelay busload %q", theirs, ours)
	}
}

// isotpdump and canrelay isotpdump watch a 4095-byte ISO-TP exchange
// between isotpsend and isotprecv and print the same, byte for byte,
// kernel timestamps included; with extended addressing too.
func TestISOTPDumpMatchesIsotpdump(t *testing.T) {
	testenv.RequireVM(t)
	isotpdump := testenv.RequireProgram(t, "isotpdump", "can-utils")
	isotpsend := testenv.RequireProgram(t, "isotpsend", "can-utils")
	isotprecv := testenv.RequireProgram(t, "isotprecv", "can-utils")
	s0 := rawSocket(t, "vcan0")
	payload := make([]string, 4095)
	for i := range payload {
		payload[i] = fmt.Sprintf("%02X", (i*31+7)%256)
	}
	for _, tt := range []struct {
		name  string
		ext   []string
		probe string
	}{
		{"normal", nil, "123#01AA"},
		{"extended", []string{"-x", "55"}, "123#5501AA"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]string{"-s", "123", "-d", "321", "-a", "-t", "a"}, tt.ext...)
			peer := startCmd(t, execCommand(isotpdump, append(append([]string{}, opts...), "vcan0")...))
			ours := start(t, append(append([]string{"isotpdump"}, opts...), "vcan0")...)
			for _, p := range []*proc{peer, ours} {
				probe(t, s0, tt.probe, func() bool {
					l, ok := p.lineWithin(50e6)
					return ok && strings.Contains(l, "data: AA")
				})
			}
			before := rcvlist(t, "sff", "vcan0", "isotp")
			// STmin 1 ms: isotpdump prints (and flushes) every line and,
			// under TCG, fell behind a burst of 683 frames (its receive
			// buffer dropped some on 6.12).
			recv := startCmd(t, execCommand(isotprecv, append(append([]string{}, tt.ext...), "-m", "1", "-s", "321", "-d", "123", "vcan0")...))
			waitRcvlist(t, "sff", "vcan0", "isotp", before)
			snd := execCommand(isotpsend, append(append([]string{}, tt.ext...), "-s", "123", "-d", "321", "vcan0")...)
			snd.Stdin = strings.NewReader(strings.Join(payload, " ") + "\n")
			if out, err := snd.CombinedOutput(); err != nil {
				t.Fatalf("isotpsend: %v: %s", err, out)
			}
			rest, err := recv.wait() // isotprecv exits after one PDU
			if err != nil || len(rest) != 1 {
				t.Fatalf("isotprecv: %v, %d lines", err, len(rest))
			}
			if got := strings.TrimSpace(rest[0]); got != strings.Join(payload, " ") {
				t.Fatalf("isotprecv received %d characters, not the payload", len(got))
			}
			// A first frame with 6 bytes (5 with an address byte), one
			// flow control, consecutive frames of 7 (6).
			per, first := 7, 6
			if tt.ext != nil {
				per, first = 6, 5
			}
			lines := 2 + (len(payload)-first+per-1)/per
			read := func(p *proc) []string {
				var out []string
				for len(out) < lines {
					if l := p.line(); !strings.Contains(l, "[SF]") {
						out = append(out, l)
					}
				}
				return out
			}
			w, g := read(peer), read(ours)
			if diff := cmp.Diff(w, g); diff != "" {
				t.Errorf("isotpdump (-) against canrelay isotpdump (+):\n%s", diff)
			}
		})
	}
}

// Bad input that needs the kernel: an interface that is not CAN.
func TestNotCANInterface(t *testing.T) {
	testenv.RequireVM(t)
	for _, args := range [][]string{{"dump", "lo"}, {"busload", "lo@500000"}, {"gen", "-n", "1", "lo"}, {"isotpdump", "-s", "1", "-d", "2", "lo"}} {
		_, errOut, code := canrelay(t, nil, args...)
		if code != 8 || errOut != "canrelay: interface \"lo\" is not a CAN interface (AF_CAN binds to can, vcan and vxcan devices only)\n" {
			t.Errorf("%q: exit %d, stderr %q; want 8 and one line", args, code, errOut)
		}
	}
}

// -d reports the frames the kernel dropped while dump did not read, in
// candump's words: both are stopped while a flood overfills their
// receive buffers.
func TestDumpDropCountLikeCandump(t *testing.T) {
	testenv.RequireVM(t)
	testenv.RequireProgram(t, "candump", "can-utils")
	s1 := rawSocket(t, "vcan1")
	cd := startCmd(t, execCommand("candump", "-d", "vcan1"))
	cr := start(t, "dump", "-d", "vcan1")
	for _, p := range []*proc{cd, cr} {
		probe(t, s1, "7FE#", func() bool {
			l, ok := p.lineWithin(50e6)
			return ok && strings.Contains(l, "7FE")
		})
	}
	for _, p := range []*proc{cd, cr} {
		p.Cmd.Process.Signal(syscall.SIGSTOP)
	}
	for i := 0; i < 3000; i++ {
		send(t, s1, fmt.Sprintf("100#%04X", i))
	}
	for _, p := range []*proc{cd, cr} {
		p.Cmd.Process.Signal(syscall.SIGCONT)
	}
	send(t, s1, "7FD#01")
	dropRE := regexp.MustCompile(`^DROPCOUNT: dropped ([0-9]+) CAN frames on 'vcan1' socket \(total drops ([0-9]+)\)$`)
	for _, p := range []*proc{cd, cr} {
		var drop string
		// The end marker is sent again while a reader is silent: the first
		// one may find its queue still full and be dropped (and counted).
		for tries := 0; ; {
			l, ok := p.lineWithin(200e6)
			if !ok {
				if tries++; tries > 100 {
					t.Fatalf("%s: no 7FD after 100 tries", p.Cmd.Args)
				}
				send(t, s1, "7FD#01")
				continue
			}
			if strings.HasPrefix(l, "DROPCOUNT") {
				drop = l
			}
			if strings.Contains(l, "7FD") {
				break
			}
		}
		if m := dropRE.FindStringSubmatch(drop); m == nil || m[1] != m[2] || m[1] == "0" {
			t.Errorf("%s: drop line %q", p.Cmd.Args, drop)
		}
	}
}
