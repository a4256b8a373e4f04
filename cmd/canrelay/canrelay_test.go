package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// On a kernel without AF_CAN every subcommand that needs CAN says so in
// one line and exits 6.
func TestNoCANInKernel(t *testing.T) {
	if s, err := sockcore.New(unix.AF_CAN, unix.SOCK_RAW, unix.CAN_RAW); err == nil {
		s.Close()
		t.Skip("this kernel has AF_CAN; the VM tier runs canrelay on vcan")
	}
	const want = "canrelay: AF_CAN is not available in this kernel (load the can and can_raw modules)\n"
	for _, args := range [][]string{
		{"echo", "vcan0"},
		{"dump", "vcan0"},
		{"dump", "any"},
		{"send", "vcan0", "123#DEADBEEF"},
		{"bridge", "vcan0", "vcan1"},
		{"tunnel", "--listen", "127.0.0.1:0", "--peer", "127.0.0.1:9", "vcan0"},
		{"cyclic", "vcan0", "123#00"},
		{"isotp", "send", "--rx", "123", "--tx", "321", "vcan0", "00"},
		{"isotp", "recv", "--rx", "123", "--tx", "321", "vcan0"},
		{"j1939", "send", "--src", "0x20", "--pgn", "0x12300", "vcan0", "01"},
		{"j1939", "recv", "vcan0"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"canrelay"}, args...), strings.NewReader(""), &stdout, &stderr)
			if code := cli.ExitCode(err); code != cli.ExitUnsupported {
				t.Errorf("exit code %d (%v), want %d", code, err, cli.ExitUnsupported)
			}
			var line bytes.Buffer
			cli.Report(&line, "canrelay", err)
			if line.String() != want {
				t.Errorf("stderr line %q, want %q", line.String(), want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"malformed frame", []string{"send", "vcan0", "123DEADBEEF"}, cli.ExitUsage, "no '#' after the id"},
		{"dlc over 8", []string{"send", "vcan0", "123#010203040506070809"}, cli.ExitUsage, "DLC > 8"},
		{"standard id too wide", []string{"send", "vcan0", "800#00"}, cli.ExitUsage, "exceeds 7FF"},
		{"unknown interface", []string{"send", "nosuch0", "123#00"}, cli.ExitNoSuchThing, `no CAN interface "nosuch0"`},
		{"interface name too long", []string{"send", "a234567890123456", "123#00"}, cli.ExitUsage, "the limit is 15"},
		{"bad filter", []string{"dump", "vcan0,12x:7FF"}, cli.ExitUsage, "ID and MASK are hex"},
		{"bad timestamp mode", []string{"dump", "-t", "q", "vcan0"}, cli.ExitUsage, "want a, A, d or z"},
		{"bridge to itself", []string{"bridge", "vcan0", "vcan0"}, cli.ExitUsage, "would loop"},
		{"bad rewrite", []string{"bridge", "--rewrite", "123", "vcan0", "vcan1"}, cli.ExitUsage, "want FROM=TO"},
		{"tunnel bad address", []string{"tunnel", "--listen", "localhost:1", "--peer", "127.0.0.1:2", "vcan0"}, cli.ExitUsage, "numeric"},
		{"tunnel mixed families", []string{"tunnel", "--listen", "127.0.0.1:1", "--peer", "[::1]:2", "vcan0"}, cli.ExitUsage, "both be IPv4"},
		{"cyclic bad interval", []string{"cyclic", "--interval", "soon", "vcan0", "123#00"}, cli.ExitUsage, "not a duration"},
		{"replay bad map", []string{"replay", "--map", "vcan0", "x.log"}, cli.ExitUsage, "want FROM=TO"},
		{"isotp bad id", []string{"isotp", "send", "--rx", "xyz", "--tx", "1", "vcan0", "00"}, cli.ExitUsage, "not hexadecimal"},
		{"j1939 bad pgn", []string{"j1939", "send", "--src", "1", "--pgn", "0x40000", "vcan0", "00"}, cli.ExitUsage, "--pgn"},
		{"echo bad frame", []string{"echo", "--send", "123#R12", "vcan0"}, cli.ExitUsage, "remote request"},
		{"dump -L with -e", []string{"dump", "-L", "-e", "vcan0"}, cli.ExitUsage, "-L writes the log format"},
		{"dump bad silent level", []string{"dump", "-s", "3", "vcan0"}, cli.ExitUsage, "want 0 (off)"},
		{"dump older -l and -f", []string{"dump", "-l", "a.log", "-f", "b.log", "vcan0"}, cli.ExitUsage, "both name a log file"},
		{"busload bit rate not a number", []string{"busload", "vcan0@fast"}, cli.ExitUsage, `bit rate "fast" is not a number`},
		{"busload no bit rate", []string{"busload", "vcan0"}, cli.ExitUsage, "want IFACE@BITRATE"},
		{"busload bit rate too high", []string{"busload", "vcan0@2000000"}, cli.ExitUsage, "outside 1-1000000"},
		{"gen unknown id pattern", []string{"gen", "-I", "q", "vcan0"}, cli.ExitUsage, `id mode "q": want r (random), i (increment)`},
		{"gen unknown data pattern", []string{"gen", "-D", "12Z", "vcan0"}, cli.ExitUsage, `data mode "12Z"`},
		{"gen unknown length pattern", []string{"gen", "-L", "z", "vcan0"}, cli.ExitUsage, `length mode "z"`},
		{"gen id too wide", []string{"gen", "-I", "800", "vcan0"}, cli.ExitUsage, "exceeds 7FF"},
		{"gen remote FD", []string{"gen", "-R", "-f", "vcan0"}, cli.ExitUsage, "no remote frames"},
		{"replay bad loop", []string{"replay", "-l", "x", "x.log"}, cli.ExitUsage, "want a number of times"},
		{"replay missing log", []string{"replay", "/nonexistent.log"}, cli.ExitNoSuchThing, "no such file"},
		{"isotpdump no ids", []string{"isotpdump", "vcan0"}, cli.ExitUsage, "-s ID and -d ID"},
		{"isotpdump bad address", []string{"isotpdump", "-s", "123", "-d", "321", "-x", "zz", "vcan0"}, cli.ExitUsage, "hex address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bus := newFakeBus(t, "vcan0", "vcan1")
			_, _, err := bus.run(tt.args...)
			if code := cli.ExitCode(err); code != tt.code {
				t.Errorf("exit code %d (%v), want %d", code, err, tt.code)
			}
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want it to mention %q", err, tt.msg)
			}
		})
	}
}

// A log line that starts like a frame line but is not candump's format
// stops replay with the line number; other lines are skipped, as canplayer
// does.
func TestReplayBadLine(t *testing.T) {
	bus := newFakeBus(t, "vcan0")
	logFile := filepath.Join(t.TempDir(), "bad.log")
	writeFileT(t, logFile, "# a comment\n(1700000000.000000) vcan0 123#11\n(1700000000.100000) vcan0 123#XYZ\n")
	_, _, err := bus.run("replay", "--fast", logFile)
	if code := cli.ExitCode(err); code != cli.ExitUsage || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("exit %d, %v; want %d naming line 3", code, err, cli.ExitUsage)
	}
}

// replay's canplayer options: assignments (frames of other interfaces
// skipped, stdout=IF prints the lines), -l loops, -v prints what is sent.
func TestReplayCanplayerOptions(t *testing.T) {
	bus := newFakeBus(t, "vcan1")
	logFile := filepath.Join(t.TempDir(), "in.log")
	writeFileT(t, logFile, "(1700000000.100000) vcan0 123#11\nnot a frame\n(1700000000.200000) can9 456##1AA\n"+
		"(1700000000.300000) vcan0 20000004#0004000000000000\n(1700000000.400000) can8 7FF#01\n")
	out, _, err := bus.run("replay", "-t", "-g", "0", "-l", "2", "-v", "-I", logFile, "vcan1=vcan0", "stdout=can9")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"123#11", "20000004#0004000000000000", "123#11", "20000004#0004000000000000"}
	if diff := cmp.Diff(want, bus.read("vcan1", 4)); diff != "" {
		t.Errorf("frames sent (-want +got):\n%s", diff)
	}
	// canplayer -v's lines, captured in the kernel VM.
	round := "vcan1 (vcan0)      123   [1]  11\n(1700000000.200000) can9 456##1AA\n" +
		"vcan1 (vcan0) 20000004   [8]  00 04 00 00 00 00 00 00   ERRORFRAME\n"
	if diff := cmp.Diff(round+round, out); diff != "" {
		t.Errorf("replay -v (-want +got):\n%s", diff)
	}
}

func TestGenPatterns(t *testing.T) {
	bus := newFakeBus(t, "vcan0")
	out, errOut, err := bus.run("gen", "-g", "0", "-n", "5", "-I", "42A", "-L", "1", "-D", "i", "-v", "-v", "vcan0")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"42A#00", "42A#01", "42A#02", "42A#03", "42A#04"}
	if diff := cmp.Diff(want, bus.read("vcan0", 5)); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
	wantOut := "  vcan0  42A   [1]  00\n  vcan0  42A   [1]  01\n  vcan0  42A   [1]  02\n  vcan0  42A   [1]  03\n  vcan0  42A   [1]  04\n"
	if diff := cmp.Diff(wantOut, out); diff != "" {
		t.Errorf("gen -v -v (-want +got):\n%s", diff)
	}
	if errOut != "gen vcan0: sent=5 enobufs=0 dropped=0\n" {
		t.Errorf("counters %q", errOut)
	}
	bus = newFakeBus(t, "vcan0")
	out, _, err = bus.run("gen", "-g", "0", "-n", "3", "-e", "-f", "-b", "-L", "i", "-I", "i", "-D", "AA", "-v", "vcan0")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"00000000##1", "00000001##1AA", "00000002##1AA00"}, bus.read("vcan0", 3)); diff != "" {
		t.Errorf("FD frames (-want +got):\n%s", diff)
	}
	if want := "  vcan0  00000000##1\n  vcan0  00000001##1.AA\n  vcan0  00000002##1.AA.00\n"; out != want {
		t.Errorf("gen -v: %q, want %q", out, want)
	}
}

// gen without a count on a peer that reads slowly: a full send queue
// (EAGAIN on the fake bus's socketpair, which holds a few hundred frames)
// is waited out in poll(2), no frame is lost or reordered, and an
// interrupt ends gen with sent= counting exactly the frames on the bus.
func TestGenFullQueueThenInterrupt(t *testing.T) {
	bus := newFakeBus(t, "vcan0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, stderr, wait := bus.start(ctx, "", "gen", "-g", "0", "-I", "123", "-L", "1", "-D", "i", "vcan0")
	const first = 3000 // several times the queue: gen must have waited
	for i, text := range bus.read("vcan0", first) {
		if want := fmt.Sprintf("123#%02X", i%256); text != want {
			t.Fatalf("frame %d: %s, want %s", i, text, want)
		}
	}
	cancel()
	if err := wait(); err != nil {
		t.Fatalf("gen ended with %v, want nil on interrupt", err)
	}
	// gen closed its end: the rest of the queue, then end of file.
	rest := 0
	buf := make([]byte, canframe.FDMTU)
	for {
		n, err := bus.test["vcan0"].RecvInto(buf, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		rest++
	}
	if want := fmt.Sprintf("gen vcan0: sent=%d enobufs=0 dropped=0\n", first+rest); stderr.String() != want {
		t.Errorf("counters %q, want %q", stderr.String(), want)
	}
}

// isotpdump's lines for an ISO-TP exchange (frames as isotpsend and
// isotprecv put them on the bus; the wants are isotpdump's, captured in
// the kernel VM).
func TestISOTPDump(t *testing.T) {
	bus := newFakeBus(t, "vcan0")
	bus.write("vcan0", "123#101D010203040506", "321#300000", "123#21070809", "123#023E00")
	out, _, err := bus.run("isotpdump", "-s", "123", "-d", "321", "-a", "-n", "4", "vcan0")
	if err != nil {
		t.Fatal(err)
	}
	want := " vcan0  123  [8]  [FF] ln: 29   data: 01 02 03 04 05 06     -  '......'\n" +
		" vcan0  321  [3]  [FC] FC: 0 = CTS # BS: 0 = off # STmin: 0x00 = 0 ms\n" +
		" vcan0  123  [4]  [CF] sn: 1    data: 07 08 09 " + strings.Repeat(" ", 13) + "-  '...'\n" +
		" vcan0  123  [3]  [SF] ln: 2    data: 3E 00                 -  '>.'\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("isotpdump (-want +got):\n%s", diff)
	}
}

// -s 1 turns candump's bar one step a frame; -c colours only with
// --force-color when stdout is not a terminal (a buffer here).
func TestDumpSilentAndColour(t *testing.T) {
	bus := newFakeBus(t, "vcan0")
	bus.write("vcan0", "123#01", "123#02", "123#03", "123#04", "123#05")
	out, _, err := bus.run("dump", "-s", "1", "-n", "5", "vcan0")
	if err != nil {
		t.Fatal(err)
	}
	if out != "|\b/\b-\b\\\b|\b" {
		t.Errorf("dump -s 1: %q", out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-c"}, "  vcan0  123   [1]  01\n"},
		{[]string{"-c", "--force-color"}, "  \x1b[1m\x1b[34mvcan0\x1b[0m  123   [1]  01\n"},
		{[]string{"-c", "-c", "--force-color"}, "  \x1b[1m\x1b[34mvcan0  123   [1]  01\x1b[0m\n"},
	} {
		bus := newFakeBus(t, "vcan0")
		bus.write("vcan0", "123#01")
		out, _, err := bus.run(append(append([]string{"dump", "-n", "1"}, tt.args...), "vcan0")...)
		if err != nil || out != tt.want {
			t.Errorf("dump %q: %q, %v; want %q", tt.args, out, err, tt.want)
		}
	}
}

func writeFileT(t *testing.T, name, s string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSend(t *testing.T) {
	bus := newFakeBus(t, "vcan0")
	frames := []string{"123#DEADBEEF", "12345678#11", "123#R", "123#R5", "123##1" + strings.Repeat("AB", 64)}
	if _, _, err := bus.run(append([]string{"send", "--repeat", "2", "vcan0"}, frames...)...); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(append(frames, frames...), bus.read("vcan0", 2*len(frames))); diff != "" {
		t.Errorf("frames on the bus (-want +got):\n%s", diff)
	}
}

func TestDump(t *testing.T) {
	bus := newFakeBus(t, "vcan0")
	bus.write("vcan0", "123#DEADBEEF", "12345678#1122", "123##1DEADBEEF", "123#R4", "20000044#0004000000000000", "7FF#")
	out, _, err := bus.run("dump", "-n", "6", "vcan0")
	// After an extended id, standard ids are indented to line up, as
	// candump does.
	if err != nil {
		t.Fatal(err)
	}
	want := "  vcan0  123   [4]  DE AD BE EF\n" +
		"  vcan0  12345678   [2]  11 22\n" +
		"  vcan0       123  [04]  DE AD BE EF\n" +
		"  vcan0       123   [4]  remote request\n" +
		"  vcan0  20000044   [8]  00 04 00 00 00 00 00 00   ERRORFRAME\n" +
		"  vcan0       7FF   [0] \n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("dump output (-want +got):\n%s", diff)
	}
}

func TestDumpLogAndTimestamps(t *testing.T) {
	bus := newFakeBus(t, "vcan0")
	bus.write("vcan0", "123#DEADBEEF", "12345678##3AA")
	logFile := filepath.Join(t.TempDir(), "can.log")
	out, _, err := bus.run("dump", "-t", "z", "-s", "0", "-f", logFile, "-n", "2", "vcan0")
	if err != nil {
		t.Fatal(err)
	}
	// candump's warning when -s 0 keeps the console output while logging
	// has no newline of its own.
	const warning = "\nWarning: console output active while logging!"
	if !strings.HasPrefix(out, warning) {
		t.Errorf("no console warning in %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(out, warning), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], " (000.000000)  vcan0  123   [4]  DE AD BE EF") ||
		!regexp.MustCompile(`^ \(\d{3}\.\d{6}\)  vcan0  12345678  \[01\]  AA$`).MatchString(lines[1]) {
		t.Errorf("dump -t z output:\n%s", out)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	logRE := regexp.MustCompile(`^\(\d{10}\.\d{6}\) vcan0 123#DEADBEEF\n\(\d{10}\.\d{6}\) vcan0 12345678##3AA\n$`)
	if !logRE.Match(log) {
		t.Errorf("log file:\n%s", log)
	}
	// What dump logs, replay reads.
	for _, l := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		if _, err := canframe.ParseLogLine(l); err != nil {
			t.Error(err)
		}
	}
}

// sockcore's older `dump -l FILE` is rewritten where it cannot be
// candump's -l (which takes no value); everything else is left as given.
func TestOlderLogForm(t *testing.T) {
	ifaces := map[string]bool{"vcan0": true, "vcan1": true}
	isIface := func(n string) bool { return ifaces[n] }
	const older = "--" + olderLogFlag
	for _, tt := range []struct {
		name     string
		in, want []string
	}{
		{"older form", []string{"dump", "-l", "can.log", "vcan0"}, []string{"dump", older, "can.log", "vcan0"}},
		{"older form, double dash", []string{"dump", "--l", "can.log", "vcan0"}, []string{"dump", older, "can.log", "vcan0"}},
		{"older form after the interface", []string{"dump", "vcan0", "-l", "can.log"}, []string{"dump", "vcan0", older, "can.log"}},
		{"older form with =", []string{"dump", "-l=can.log", "vcan0"}, []string{"dump", older + "=can.log", "vcan0"}},
		{"older form, a path", []string{"dump", "-n", "1", "-l", "/tmp/vcan0", "vcan0"}, []string{"dump", "-n", "1", older, "/tmp/vcan0", "vcan0"}},
		{"candump -l before an interface", []string{"dump", "-l", "vcan0"}, []string{"dump", "-l", "vcan0"}},
		{"candump -l before an interface with filters", []string{"dump", "-l", "vcan1,123:7FF", "vcan0"}, []string{"dump", "-l", "vcan1,123:7FF", "vcan0"}},
		{"candump -l before any", []string{"dump", "-l", "any"}, []string{"dump", "-l", "any"}},
		{"candump -l before an option", []string{"dump", "-l", "-n", "1", "vcan0"}, []string{"dump", "-l", "-n", "1", "vcan0"}},
		{"candump -l last", []string{"dump", "vcan0", "-l"}, []string{"dump", "vcan0", "-l"}},
		{"candump -l=true", []string{"dump", "-l=true", "vcan0"}, []string{"dump", "-l=true", "vcan0"}},
		{"after --", []string{"dump", "--", "-l", "can.log"}, []string{"dump", "--", "-l", "can.log"}},
		{"other subcommand", []string{"replay", "-l", "3", "can.log"}, []string{"replay", "-l", "3", "can.log"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := olderLogForm(append([]string{"canrelay"}, tt.in...), isIface)
			if diff := cmp.Diff(append([]string{"canrelay"}, tt.want...), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// The older `dump -l FILE IFACE` still logs to FILE and, as it did, keeps
// printing the frames on stdout; `dump -l IFACE` is candump's -l.
func TestDumpOlderLogFile(t *testing.T) {
	t.Chdir(t.TempDir())
	bus := newFakeBus(t, "vcan0")
	bus.write("vcan0", "123#DEADBEEF")
	out, errOut, err := bus.run("dump", "-n", "1", "-l", "old.log", "vcan0")
	if err != nil {
		t.Fatal(err)
	}
	if want := "  vcan0  123   [4]  DE AD BE EF\n"; out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	if want := "canrelay dump: -l old.log read as -f old.log, the older form (candump's -l takes no file name)\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	log, err := os.ReadFile("old.log")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\(\d{10}\.\d{6}\) vcan0 123#DEADBEEF\n$`).Match(log) {
		t.Errorf("old.log: %q", log)
	}

	// -l before the only interface, even one this host lacks: candump's
	// -l (a file named by the date, stdout silent).
	for _, iface := range []string{"vcan0", "vcan9"} {
		t.Run(iface, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			bus := newFakeBus(t, "vcan0")
			bus.write("vcan0", "123#01")
			out, errOut, err := bus.run("dump", "-n", "1", "-l", iface)
			if iface == "vcan9" {
				if cli.ExitCode(err) != cli.ExitNoSuchThing || !strings.Contains(err.Error(), `no CAN interface "vcan9"`) {
					t.Errorf("dump -l vcan9: %v", err)
				}
				return
			}
			if err != nil || out != "" || !strings.Contains(errOut, "Enabling Logfile 'candump-") {
				t.Errorf("dump -l vcan0: stdout %q, stderr %q, %v", out, errOut, err)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "candump-*.log"))
			if len(files) != 1 {
				t.Errorf("candump-*.log files: %q", files)
			}
		})
	}
}

func TestEcho(t *testing.T) {
	bus := newFakeBus(t, "vcan0")
	bus.write("vcan0", "123#DEADBEEF", "12345678##1AA")
	out, _, err := bus.run("echo", "--send", "7FF#01", "-n", "2", "vcan0")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"7FF#01", "123#DEADBEEF", "12345678##1AA"}, bus.read("vcan0", 3)); diff != "" {
		t.Errorf("frames sent (-want +got):\n%s", diff)
	}
	want := "can_id=123 dlc=4 data=deadbeef\ncan_id=92345678 dlc=1 data=aa\necho vcan0: received=2 sent=3 send_errors=0\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

// A send that fails is counted and reported, and echo goes on.
func TestEchoSendErrorsCounted(t *testing.T) {
	bus := newFakeBus(t, "vcan0")
	bus.write("vcan0", "123#01", "123#02")
	// The test end stops reading: SHUT_RD makes canrelay's sends fail.
	if err := bus.test["vcan0"].Shutdown(unix.SHUT_RD); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := bus.run("echo", "-n", "2", "vcan0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out, "echo vcan0: received=2 sent=0 send_errors=2\n") {
		t.Errorf("output:\n%s", out)
	}
	if n := strings.Count(errOut, "canrelay: echo: send:"); n != 2 {
		t.Errorf("stderr has %d send errors:\n%s", n, errOut)
	}
}

func TestReplay(t *testing.T) {
	bus := newFakeBus(t, "vcan0", "can1")
	logFile := filepath.Join(t.TempDir(), "in.log")
	log := "(1700000000.000000) vcan0 123#01\n" +
		"# a comment\n\n" +
		"(1700000000.001000) vcan1 12345678##1AA T\n" +
		"(1700000000.002000) vcan0 456#R2\n"
	if err := os.WriteFile(logFile, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := bus.run("replay", "--map", "vcan1=can1", logFile); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"123#01", "456#R2"}, bus.read("vcan0", 2)); diff != "" {
		t.Errorf("vcan0 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"12345678##1AA"}, bus.read("can1", 1)); diff != "" {
		t.Errorf("can1 (-want +got):\n%s", diff)
	}
	if err := os.WriteFile(logFile, []byte("(1.0) vcan0 123#0102030405060708AA\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := bus.run("replay", "--fast", logFile)
	if cli.ExitCode(err) != cli.ExitUsage || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad log line: %v", err)
	}
}

func TestBridge(t *testing.T) {
	bus := newFakeBus(t, "vcan0", "vcan1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, _, wait := bus.start(ctx, "", "bridge", "--filter", "100:700", "--filter", "12345678:1FFFFFFF",
		"--rewrite", "123=456", "--rewrite-back", "12345678=00000001", "vcan0", "vcan1")
	bus.write("vcan0", "123#01", "200#02", "7FF##104", "12345678#03", "1FF#R")
	if diff := cmp.Diff([]string{"456#01", "12345678#03", "1FF#R"}, bus.read("vcan1", 3)); diff != "" {
		t.Errorf("vcan0 to vcan1 (-want +got):\n%s", diff)
	}
	bus.write("vcan1", "12345678#AA", "7FF#BB")
	if diff := cmp.Diff([]string{"00000001#AA", "7FF#BB"}, bus.read("vcan0", 2)); diff != "" {
		t.Errorf("vcan1 to vcan0 (-want +got):\n%s", diff)
	}
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	want := "vcan0->vcan1 received=5 forwarded=3 filtered=2 rewritten=1 dropped=0 loops=0 overflows=0\n" +
		"vcan1->vcan0 received=2 forwarded=2 filtered=0 rewritten=1 dropped=0 loops=0 overflows=0\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
}

func TestBridgeOneWayCount(t *testing.T) {
	bus := newFakeBus(t, "vcan0", "vcan1")
	bus.write("vcan0", "001#01", "002#02", "003#03")
	out, _, err := bus.run("bridge", "--one-way", "-n", "3", "vcan0", "vcan1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"001#01", "002#02", "003#03"}, bus.read("vcan1", 3)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if want := "vcan0->vcan1 received=3 forwarded=3 filtered=0 rewritten=0 dropped=0 loops=0 overflows=0\n"; out != want {
		t.Errorf("counters %q, want %q", out, want)
	}
}

func TestBridgeDropsCounted(t *testing.T) {
	bus := newFakeBus(t, "vcan0", "vcan1")
	if err := bus.test["vcan1"].Shutdown(unix.SHUT_RD); err != nil {
		t.Fatal(err)
	}
	bus.write("vcan0", "001#01", "002#02")
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut, wait := bus.start(ctx, "", "bridge", "--one-way", "vcan0", "vcan1")
	// Wait (with a deadline) for the first drop to be reported.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errOut.String(), "dropped and counted") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^vcan0->vcan1 received=[12] forwarded=0 filtered=0 rewritten=0 dropped=[12] loops=0 overflows=0\n$`).MatchString(out.String()) {
		t.Errorf("counters %q", out.String())
	}
}

func TestFilters(t *testing.T) {
	tests := []struct {
		name  string
		items []string
		pass  []uint32
		block []uint32
	}{
		{"none passes all", nil, []uint32{0x123, 0x80000001}, []uint32{canframe.ErrFlag | 4}},
		{"id mask", []string{"120:7F0"}, []uint32{0x120, 0x12F, 0x8000012F}, []uint32{0x130, 0x7FF}},
		{"extended id", []string{"12345678:1FFFFFFF"}, []uint32{0x92345678}, []uint32{0x12345678 & 0x7ff}},
		{"inverse", []string{"123~7FF"}, []uint32{0x124}, []uint32{0x123}},
		{"any of two", []string{"100:7FF", "200:7FF"}, []uint32{0x100, 0x200}, []uint32{0x300}},
		{"join", []string{"100:700", "010:010", "j"}, []uint32{0x110, 0x1F0}, []uint32{0x100, 0x210}},
		{"error mask", []string{"#44"}, []uint32{canframe.ErrFlag | 4, 0x123}, []uint32{canframe.ErrFlag | 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fs filterSet
			for _, it := range tt.items {
				if err := fs.addFilter(it); err != nil {
					t.Fatal(err)
				}
			}
			for _, id := range tt.pass {
				if !fs.match(id) {
					t.Errorf("%#x blocked", id)
				}
			}
			for _, id := range tt.block {
				if fs.match(id) {
					t.Errorf("%#x passed", id)
				}
			}
		})
	}
	for _, bad := range []string{"", "123", ":7FF", "123:", "#", "#xyz", "12g:7FF"} {
		var fs filterSet
		if err := fs.addFilter(bad); cli.ExitCode(err) != cli.ExitUsage {
			t.Errorf("addFilter(%q) = %v, want a usage error", bad, err)
		}
	}
}

func TestParseID(t *testing.T) {
	for in, want := range map[string]uint32{"123": 0x123, "0x7ff": 0x7ff, "00000123": 0x80000123, "800": 0x80000800, "1FFFFFFF": 0x9fffffff} {
		if got, err := parseID(in); err != nil || got != want {
			t.Errorf("parseID(%q) = %#x, %v; want %#x", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "xyz", "-1", "20000000", "123456789"} {
		if _, err := parseID(bad); err == nil {
			t.Errorf("parseID(%q) succeeded", bad)
		}
	}
}

func TestCyclicSetup(t *testing.T) {
	f, _ := canframe.Parse("123#0102")
	m, err := cyclicSetup(&f, 100*time.Millisecond, 0)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := canframe.EncodeWire(&f)
	want := &sockcore.BCMMsg{Opcode: sockcore.TX_SETUP, Flags: sockcore.BCM_SETTIMER | sockcore.BCM_STARTTIMER,
		Ival2: 100 * time.Millisecond, CANID: 0x123, Frames: [][]byte{wire}}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("forever (-want +got):\n%s", diff)
	}
	fd, _ := canframe.Parse("12345678##1AABB")
	m, err = cyclicSetup(&fd, time.Millisecond, 5)
	if err != nil {
		t.Fatal(err)
	}
	if m.Count != 5 || m.Ival1 != time.Millisecond || m.Ival2 != 0 || m.CANID != 0x92345678 ||
		m.Flags != sockcore.BCM_SETTIMER|sockcore.BCM_STARTTIMER|sockcore.BCM_TX_COUNTEVT|sockcore.BCM_CAN_FD_FRAME ||
		len(m.Frames[0]) != canframe.FDMTU {
		t.Errorf("counted FD setup: %+v", m)
	}
}

func TestParseUDPAddr(t *testing.T) {
	a, err := parseUDPAddr("peer", "192.0.2.1:20000")
	if err != nil || a.String() != "192.0.2.1:20000" || a.Family() != unix.AF_INET {
		t.Errorf("IPv4: %v, %v", a, err)
	}
	a, err = parseUDPAddr("peer", "[2001:db8::1]:9")
	if err != nil || a.Family() != unix.AF_INET6 {
		t.Errorf("IPv6: %v, %v", a, err)
	}
	for _, bad := range []string{"192.0.2.1", "host:1", "1.2.3.4:x", "[::1]:70000"} {
		if _, err := parseUDPAddr("peer", bad); !errors.Is(err, err) || cli.ExitCode(err) != cli.ExitUsage {
			t.Errorf("parseUDPAddr(%q) = %v, want a usage error", bad, err)
		}
	}
}

// The bridge places the process (pinProcess) before forwarding, as
// SCHED_BATCH unless --low-latency.
func TestBridgePinsProcess(t *testing.T) {
	for _, tt := range []struct {
		name       string
		flags      []string
		lowLatency bool
	}{
		{"default", nil, false},
		{"low latency", []string{"--low-latency"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bus := newFakeBus(t, "vcan0", "vcan1")
			bus.write("vcan0", "001#01")
			var calls []bool
			e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, openRaw: bus.openRaw,
				pinProcess: func(lowLatency bool, _ io.Writer) { calls = append(calls, lowLatency) }}
			args := append(append([]string{"canrelay", "bridge", "--one-way", "-n", "1"}, tt.flags...), "vcan0", "vcan1")
			if err := runEnv(context.Background(), args, e); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]bool{tt.lowLatency}, calls); diff != "" {
				t.Errorf("pinProcess calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"001#01"}, bus.read("vcan1", 1)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// -n counts both directions together: of four frames waiting, two each way,
// three are forwarded.
func TestBridgeCountBothWays(t *testing.T) {
	bus := newFakeBus(t, "vcan0", "vcan1")
	bus.write("vcan0", "001#01", "002#02")
	bus.write("vcan1", "003#03", "004#04")
	out, _, err := bus.run("bridge", "-n", "3", "vcan0", "vcan1")
	if err != nil {
		t.Fatal(err)
	}
	forwarded := 0
	for _, m := range regexp.MustCompile(`forwarded=(\d+)`).FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		forwarded += n
	}
	if forwarded != 3 {
		t.Errorf("forwarded %d frames in all, want 3:\n%s", forwarded, out)
	}
}

// TestArgsCheckedBeforeSockets: every argument is validated before any
// socket opens, so that a bad interface name or frame is a usage error
// (exit 2) on any host; with the real openRaw, a host without CAN said
// "AF_CAN is not available" (exit 6) for an interface name over 15 bytes.
func TestArgsCheckedBeforeSockets(t *testing.T) {
	const long = "a234567890123456"
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"send long name", []string{"send", long, "123#00"}, "the limit is 15"},
		{"send long name bad frame", []string{"send", long, "123#zz"}, "the limit is 15"},
		{"send bad frame", []string{"send", "vcan0", "123#zz"}, "not hex bytes"},
		{"echo long name", []string{"echo", long}, "the limit is 15"},
		{"dump long name", []string{"dump", long}, "the limit is 15"},
		{"bridge long name", []string{"bridge", "vcan0", long}, "the limit is 15"},
		{"bridge slash", []string{"bridge", "vcan0", "a/b"}, "not a valid interface name"},
		{"tunnel long name", []string{"tunnel", "--listen", "127.0.0.1:0", "--peer", "127.0.0.1:9", long}, "the limit is 15"},
		{"tunnel bad reorder-wait", []string{"tunnel", "--listen", "127.0.0.1:0", "--peer", "127.0.0.1:9", "--reorder-wait", "x", "vcan0"}, "not a duration"},
		{"cyclic long name", []string{"cyclic", long, "123#00"}, "the limit is 15"},
		{"isotp long name", []string{"isotp", "send", "--rx", "123", "--tx", "321", long, "00"}, "the limit is 15"},
		{"j1939 long name", []string{"j1939", "recv", long}, "the limit is 15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"canrelay"}, tt.args...), strings.NewReader(""), &stdout, &stderr)
			if code := cli.ExitCode(err); code != cli.ExitUsage {
				t.Errorf("exit code %d (%v), want %d", code, err, cli.ExitUsage)
			}
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want it to mention %q", err, tt.msg)
			}
		})
	}
}

// gen at -g 0 allocates nothing per frame or per sendmmsg call: a run of
// 3,200 frames allocates about what a run of 64 does (the batch, the
// goroutines).
// The frames go to a connected UDP socket on loopback whose peer never
// reads (the kernel drops what does not fit; a send never waits).
func TestGenNoAllocsPerFrame(t *testing.T) {
	rx, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	if err := rx.Bind(&sockcore.InetAddr{IP: netip.AddrFrom4([4]byte{127, 0, 0, 1})}); err != nil {
		t.Fatal(err)
	}
	to, err := rx.SockName()
	if err != nil {
		t.Fatal(err)
	}
	tx, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	if err := tx.Connect(to); err != nil {
		t.Fatal(err)
	}
	fd, err := tx.Detach() // gen sends on a descriptor out of the poller
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	g, err := canframe.ParseGenMode("id", "123")
	if err != nil {
		t.Fatal(err)
	}
	allocs := func(count int) float64 {
		return testing.AllocsPerRun(5, func() {
			gn := &generator{gen: &canframe.Generator{ID: g}, iface: "udp", count: count, batch: genBatch, out: bufio.NewWriter(io.Discard)}
			done := make(chan error, 1)
			go func() { done <- gn.run(context.Background(), fd) }() // run pins its goroutine's thread
			if err := <-done; err != nil || gn.sent != count {
				t.Fatalf("sent %d of %d: %v", gn.sent, count, err)
			}
		})
	}
	// 49 more sendmmsg calls and 3,136 more frames: one allocation a call
	// would add 49. The runtime's own (a thread's start and end) add a few.
	if few, many := allocs(genBatch), allocs(50*genBatch); many-few >= 25 {
		t.Errorf("allocations: %v for %d frames, %v for %d", few, genBatch, many, 50*genBatch)
	}
}

// The interface preamble the subcommands share (one IFACE operand, its name
// checked, then the socket) says the same words, with the same exit code,
// and in the same order of checks, in every subcommand.
func TestIfacePreamble(t *testing.T) {
	const long = "a234567890123456"
	tooLong := `CAN interface name "a234567890123456" is 16 bytes, the limit is 15`
	tunnel := []string{"tunnel", "--listen", "127.0.0.1:0", "--peer", "127.0.0.1:9"}
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"echo"}, cli.ExitUsage, "echo: want one interface"},
		{[]string{"echo", "vcan0", "vcan1"}, cli.ExitUsage, "echo: want one interface"},
		{[]string{"echo", "--send", "123#zz", long}, cli.ExitUsage, tooLong},
		{[]string{"echo", "nosuch0"}, cli.ExitNoSuchThing, `no CAN interface "nosuch0" (ip link add dev nosuch0 type vcan; ip link set nosuch0 up)`},
		{tunnel, cli.ExitUsage, "tunnel: want one interface"},
		{append(tunnel, "--reorder-wait", "x", long), cli.ExitUsage, tooLong},
		{[]string{"gen"}, cli.ExitUsage, "gen: want one interface"},
		{[]string{"gen", "-c", "0", long}, cli.ExitUsage, "gen: -c 0: want 1-1024 frames a call"},
		{[]string{"gen", long}, cli.ExitUsage, tooLong},
		{[]string{"gen", "nosuch0"}, cli.ExitNoSuchThing, `no CAN interface "nosuch0" (ip link add dev nosuch0 type vcan; ip link set nosuch0 up)`},
		{[]string{"isotpdump", "-s", "1", "-d", "2"}, cli.ExitUsage, "isotpdump: want one interface"},
		{[]string{"isotpdump", "-s", "1", "-d", "2", "-t", "q", long}, cli.ExitUsage, `isotpdump: -t "q": want a, A, d or z`},
		{[]string{"isotpdump", "-s", "1", "-d", "2", long}, cli.ExitUsage, tooLong},
		{[]string{"isotp", "recv", "--rx", "1", "--tx", "2"}, cli.ExitUsage, "isotp recv: want one interface"},
		{[]string{"isotp", "recv", "--rx", "1", "--tx", "2", "--bs", "300", long}, cli.ExitUsage, "isotp: --bs is 0-255 and --stmin 0-127"},
		{[]string{"j1939", "recv", "vcan0", "vcan1"}, cli.ExitUsage, "j1939 recv: want one interface"},
		{[]string{"j1939", "recv", "--addr", "x", long}, cli.ExitUsage, `j1939: --addr "x": want a number up to 0xff (0x for hex)`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			bus := newFakeBus(t, "vcan0", "vcan1")
			_, _, err := bus.run(tt.args...)
			if code := cli.ExitCode(err); code != tt.code {
				t.Errorf("exit code %d (%v), want %d", code, err, tt.code)
			}
			if err == nil || err.Error() != tt.msg {
				t.Errorf("error %v, want %q", err, tt.msg)
			}
		})
	}
}

// TestBridgeAllocations: a bridge direction allocates nothing a frame. Once
// the kernel has dropped a frame for a full receive buffer, the SO_RXQ_OVFL
// count rides on every frame, and it was parsed into two allocations each
// (sockcore.ControlMessages) just when the bridge is behind; it is read in
// place now. Run
// over UDP on loopback, whose datagrams carry the same count, as this
// kernel has no CAN: 16-byte datagrams are frames to the bridge.
func TestBridgeAllocations(t *testing.T) {
	udp := func() *sockcore.Socket {
		s, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Bind(&sockcore.InetAddr{IP: netip.AddrFrom4([4]byte{127, 0, 0, 1})}); err != nil {
			t.Fatal(err)
		}
		bigRcvBuf(s)
		return s
	}
	connect := func(s, to *sockcore.Socket) {
		a, err := to.SockName()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Connect(a); err != nil {
			t.Fatal(err)
		}
	}
	from, to, feed, sink := udp(), udp(), udp(), udp()
	connect(feed, from)
	connect(to, sink)
	if err := from.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1); err != nil {
		t.Fatal(err)
	}
	frame, err := canframe.EncodeWire(&canframe.Frame{ID: 0x123, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}})
	if err != nil {
		t.Fatal(err)
	}
	// The feeding and draining use plain blocking descriptors, so that
	// what is counted is the bridge's (sockcore's Send and RecvInto
	// allocate a little each call).
	raw := func(s *sockcore.Socket) int {
		fd, err := s.Detach()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		if err := unix.SetNonblock(fd, false); err != nil {
			t.Fatal(err)
		}
		return fd
	}
	feedFD, sinkFD := raw(feed), raw(sink)
	buf := make([]byte, 64)
	// The kernel adds the count to a frame only once the socket has
	// dropped one (sock_recv_drops): overflow a small receive buffer
	// first, so that every frame after carries it, as on a bus that
	// overran the bridge once.
	if err := from.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF, 0); err != nil {
		t.Fatal(err)
	}
	for range 200 {
		if _, err := unix.Write(feedFD, frame); err != nil {
			t.Fatal(err)
		}
	}
	for {
		if _, err := from.RecvInto(buf, unix.MSG_DONTWAIT); err != nil {
			break
		}
	}
	bigRcvBuf(from)
	d := &bridgeDir{from: from, to: to, fromName: "a", toName: "b"}
	allocs := func(count int) float64 {
		return testing.AllocsPerRun(3, func() {
			for range count {
				if _, err := unix.Write(feedFD, frame); err != nil {
					t.Fatal(err)
				}
			}
			var total atomic.Int64
			if err := d.run(&total, int64(count), io.Discard); err != nil || total.Load() != int64(count) {
				t.Fatalf("forwarded %d of %d: %v", total.Load(), count, err)
			}
			for range count {
				if n, err := unix.Read(sinkFD, buf); err != nil || n != len(frame) {
					t.Fatalf("sink: %d bytes, %v", n, err)
				}
			}
		})
	}
	// 1,984 more frames in 31 more recvmmsg and sendmmsg calls: one
	// allocation a frame would add 1,984 (the old parse added two), where
	// sockcore's few a call add about 300.
	if few, many := allocs(64), allocs(2048); many-few >= 1000 {
		t.Errorf("allocations: %v for 64 frames, %v for 2048", few, many)
	}
	if d.overflows.Load() == 0 || d.dropped.Load() != 0 {
		t.Errorf("overflows %d (want the count of the drops above), dropped %d", d.overflows.Load(), d.dropped.Load())
	}
}
