package sniff

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

// corpusFloor is the share of lines sniff must print as tcpdump does on
// the corpus, with -n, -n -v and -n -e: about what it printed when the
// corpus was made, so that a printer that regresses fails here; and on the
// malformed captures made from it (testdata/corpus/malformed). Every file
// of the corpus must give as many lines (packets) as tcpdump's.
var corpusFloor = map[string]float64{"-n": 99, "-v": 99, "-e": 99, "-vv": 99}

var malformedFloor = map[string]float64{"-n": 92, "-v": 92, "-e": 92, "-vv": 0}

// TestCorpusMatchesTcpdump reads each capture of testdata/corpus (made by
// its gen.sh from real daemons in namespaces) with sniff -n, -n -v and -n -e
// (and -n -vv where a .vv.out golden file says what tcpdump prints more) and
// compares the lines with tcpdump's, kept beside it as golden files and,
// where tcpdump is installed, printed live. It reports the share of
// identical lines; -v shows the lines that differ.
func TestCorpusMatchesTcpdump(t *testing.T) {
	t.Run("corpus", func(t *testing.T) { corpusMatches(t, "testdata/corpus", corpusFloor, true) })
	t.Run("malformed", func(t *testing.T) { corpusMatches(t, "testdata/corpus/malformed", malformedFloor, false) })
}

// corpusMatches compares sniff with tcpdump on the captures in dir; with
// sameCount every file must print as many packets as tcpdump.
func corpusMatches(t *testing.T, dir string, floor map[string]float64, sameCount bool) {
	sniff := testenv.Bin(t, "sniff")
	files, err := filepath.Glob(filepath.Join(dir, "*.pcap"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in %s (%v): run its gen.sh or mutate.py", dir, err)
	}
	tcpdump, _ := exec.LookPath("tcpdump")
	for _, mode := range []struct{ name, golden string }{{"-n", ".n.out"}, {"-v", ".v.out"}, {"-e", ".e.out"}, {"-vv", ".vv.out"}} {
		same, total, lsame, ltotal, nfiles := 0, 0, 0, 0, 0
		for _, f := range files {
			base := strings.TrimSuffix(f, ".pcap")
			if _, err := os.Stat(base + mode.golden); mode.name == "-vv" && err != nil {
				continue // -vv only for the printers that print more with it
			}
			nfiles++
			want, err := os.ReadFile(base + mode.golden)
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"-n", "-r", f}
			if mode.name != "-n" {
				args = append(args, mode.name)
			}
			if tcpdump != "" {
				live := run(t, tcpdump, args)
				if !bytes.Equal(live, want) {
					t.Errorf("%s %s: the installed tcpdump prints other lines than the golden file", f, mode.name)
				}
			}
			got := run(t, sniff, args)
			w, g := lines(want), lines(got)
			if sameCount && len(w) != len(g) {
				t.Errorf("%s %s: %d lines, tcpdump %d", f, mode.name, len(g), len(w))
			}
			m := compareLines(w, g, func(i int) {
				if testing.Verbose() {
					t.Logf("%s %s line %d:\n  tcpdump %s\n  sniff   %s", filepath.Base(f), mode.name, i+1, w[i], g[i])
				}
			})
			lsame += m.lines
			ltotal += m.totalLines
			same += m.packets
			total += m.totalPackets
		}
		share := 100 * float64(lsame) / float64(max(ltotal, 1))
		t.Logf("%s %s: %d of %d lines identical (%.1f%%), %d of %d packets printed identically (%.1f%%), %d files",
			dir, mode.name, lsame, ltotal, share, same, total, 100*float64(same)/float64(max(total, 1)), nfiles)
		if share < floor[mode.name] {
			t.Errorf("%s %s: %.1f%% of lines identical, below the floor of %.1f%%", dir, mode.name, share, floor[mode.name])
		}
	}
}

// match is how much of tcpdump's text sniff printed identically: lines
// (tcpdump -v's continuation lines each counted) and packets (a line with its
// continuation lines), each at the same place.
type match struct{ lines, totalLines, packets, totalPackets int }

// compareLines compares tcpdump's packets want with sniff's got, both as
// lines returns them, line by line at the same place; differ is called with
// the index of each of want's packets that sniff printed otherwise (got[i]
// is there).
func compareLines(want, got []string, differ func(i int)) match {
	var m match
	for i := range want {
		wl := strings.Split(want[i], "\n")
		m.totalLines += len(wl)
		m.totalPackets++
		if i >= len(got) {
			continue
		}
		gl := strings.Split(got[i], "\n")
		for j := range min(len(wl), len(gl)) {
			if wl[j] == gl[j] {
				m.lines++
			}
		}
		if want[i] == got[i] {
			m.packets++
		} else if differ != nil {
			differ(i)
		}
	}
	return m
}

// lines splits text into lines, tcpdump -v's continuation lines (starting
// with a tab or spaces) joined to the packet's.
func lines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if len(out) > 0 && (strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "    ")) {
			out[len(out)-1] += "\n" + l
			continue
		}
		out = append(out, l)
	}
	if len(b) == 0 {
		return nil
	}
	return out
}

func run(t *testing.T, bin string, args []string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("%s %s: %v: %s", bin, strings.Join(args, " "), err, stderr.String())
	}
	return out
}
