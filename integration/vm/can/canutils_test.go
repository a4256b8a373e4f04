package can

import (
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
			t.Fatalf("%s: %v", cmds[i].cmd.Args, err)
		}
		ents, _ := os.ReadDir(d)
		if len(ents) != 1 {
			t.Fatalf("%s wrote %d files", cmds[i].cmd.Args, len(ents))
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
	if !strings.Contains(cmds[1].stderr.String(), "Enabling Logfile '"+names[1]+"'") {
		t.Errorf("stderr %q does not name the log file", cmds[1].stderr.String())
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
