package echo

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestAttachedOptionValuesAgainstPeers: the forms CI scripts type with
// nc and ncat, a one-letter option's value attached (getopt(3): -w1,
// -zw1, -zvw1), options after the operands too, give echocat the same
// exit code and echo as both peers. echocat said "flag provided but not
// defined: -zw1" (exit 2) to every one of them.
func TestAttachedOptionValuesAgainstPeers(t *testing.T) {
	ns := testenv.NewNetNS(t)
	nc := testenv.RequireProgram(t, "nc.openbsd", "netcat-openbsd")
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	startEchod(t, ns, 1, "--listen", "tcp://127.0.0.1:50007")
	const open, closed = "50007", "50006"
	for _, tc := range []struct {
		name string
		in   string
		args []string
		code int
		echo bool // the peers' standard output is compared too
	}{
		{"-zw1 open", "", []string{"-zw1", "127.0.0.1", open}, 0, false},
		{"-zw1 closed", "", []string{"-zw1", "127.0.0.1", closed}, 1, false},
		{"-zvw1 open", "", []string{"-zvw1", "127.0.0.1", open}, 0, false},
		{"-w1 -z closed", "", []string{"-w1", "-z", "127.0.0.1", closed}, 1, false},
		{"-zw1 after operands", "", []string{"127.0.0.1", open, "-zw1"}, 0, false},
		{"-w1 client", "hello\n", []string{"-w1", "127.0.0.1", open}, 0, true},
		{"-vw1 client after operands", "hello\n", []string{"127.0.0.1", open, "-vw1"}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ours := echocat(t, ns, tc.in, tc.args...)
			for _, peer := range []string{nc, ncat} {
				theirs := run(t, ns, tc.in, peer, tc.args...)
				if theirs.Code != tc.code {
					t.Fatalf("%s %q: exit %d, want %d (stderr %q)", peer, tc.args, theirs.Code, tc.code, theirs.Stderr)
				}
				if ours.Code != theirs.Code {
					t.Errorf("echocat %q: exit %d, %s: %d (echocat's stderr %q)", tc.args, ours.Code, peer, theirs.Code, ours.Stderr)
				}
				if tc.echo {
					if diff := cmp.Diff(theirs.Stdout, ours.Stdout); diff != "" {
						t.Errorf("echocat %q against %s: stdout (-%s +echocat):\n%s", tc.args, peer, peer, diff)
					}
				}
			}
			if tc.echo && ours.Stdout != tc.in {
				t.Errorf("echocat %q: stdout %q, want the echo %q", tc.args, ours.Stdout, tc.in)
			}
		})
	}
}

// TestShutdownFlagAgainstNc: `nc -N HOST PORT < FILE`, the OpenBSD nc
// habit for a server that answers once the input ends, works with
// echocat unchanged: the whole file comes back and both exit 0. echocat
// half-closes at end of input anyway, but refused -N as an unknown flag
// (exit 2, nothing sent).
func TestShutdownFlagAgainstNc(t *testing.T) {
	ns := testenv.NewNetNS(t)
	nc := testenv.RequireProgram(t, "nc.openbsd", "netcat-openbsd")
	startEchod(t, ns, 1, "--listen", "tcp://127.0.0.1:50007")
	in := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	for _, args := range [][]string{
		{"-N", "127.0.0.1", "50007"},
		{"-Nw5", "127.0.0.1", "50007"},
		{"127.0.0.1", "50007", "-N"},
	} {
		theirs := run(t, ns, in, nc, args...)
		ours := echocat(t, ns, in, args...)
		if theirs.Code != 0 || theirs.Stdout != in {
			t.Fatalf("nc %q: exit %d, %d of %d bytes back (stderr %q)", args, theirs.Code, len(theirs.Stdout), len(in), theirs.Stderr)
		}
		if ours.Code != theirs.Code || ours.Stdout != theirs.Stdout {
			t.Errorf("echocat %q: exit %d, %d bytes back (stderr %q); nc: exit 0, the whole %d bytes", args, ours.Code, len(ours.Stdout), ours.Stderr, len(in))
		}
	}
}

// TestProbePortOperandsAgainstNc: `-z HOST PORT PORT...` (OpenBSD nc's
// "nc -zv host http 20 22-23") probes every port operand in the order
// given: the same ports in the same order as nc's -v lines, and exit 0
// when all are open, as nc. echocat took one PORTS operand only ("-z
// wants HOST PORTS", exit 2).
func TestProbePortOperandsAgainstNc(t *testing.T) {
	ns := testenv.NewNetNS(t)
	nc := testenv.RequireProgram(t, "nc.openbsd", "netcat-openbsd")
	startEchod(t, ns, 1, "--listen", "tcp://127.0.0.1:50007", "--listen", "tcp://127.0.0.1:50009")
	ports := regexp.MustCompile(`\b5000[0-9]\b`)
	for _, tc := range []struct {
		args []string
		code int // echocat's: 0 only if every port is open (docs/echocat.md)
	}{
		{[]string{"127.0.0.1", "50009", "50007"}, 0},
		{[]string{"127.0.0.1", "50009", "50006-50007", "50008"}, 1},
	} {
		theirs := run(t, ns, "", nc, append([]string{"-zv"}, tc.args...)...)
		ours := echocat(t, ns, "", append([]string{"-zv"}, tc.args...)...)
		want := ports.FindAllString(theirs.Stderr, -1)
		if diff := cmp.Diff(want, ports.FindAllString(ours.Stdout, -1)); diff != "" || ours.Code != tc.code {
			t.Errorf("echocat -zv %q: exit %d, want %d; ports probed (-nc +echocat):\n%s\nechocat's stdout %q, stderr %q",
				tc.args, ours.Code, tc.code, diff, ours.Stdout, ours.Stderr)
		}
		if tc.code == 0 && theirs.Code != 0 {
			t.Errorf("nc -zv %q: exit %d, want 0 (all open)", tc.args, theirs.Code)
		}
	}
}

// TestWaitTimeUnitsAgainstNcat: -w takes ncat's time values ("Options
// taking a time assume seconds. Append 'ms' for milliseconds, 's' for
// seconds, 'm' for minutes, or 'h' for hours"): -w 500ms, -zw1s and -w 2s
// give echocat ncat's exit code and echo. echocat's -w took only a
// number ("invalid value \"500ms\" for flag -w", exit 2).
func TestWaitTimeUnitsAgainstNcat(t *testing.T) {
	ns := testenv.NewNetNS(t)
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	startEchod(t, ns, 1, "--listen", "tcp://127.0.0.1:50007")
	for _, tc := range []struct {
		in   string
		args []string
	}{
		{"", []string{"-z", "-w", "500ms", "127.0.0.1", "50007"}},
		{"", []string{"-zw1s", "127.0.0.1", "50006"}},
		{"hello\n", []string{"-w", "2s", "127.0.0.1", "50007"}},
		{"hello\n", []string{"-w", "0.5", "127.0.0.1", "50007"}},
	} {
		theirs := run(t, ns, tc.in, ncat, tc.args...)
		ours := echocat(t, ns, tc.in, tc.args...)
		if ours.Code != theirs.Code || ours.Stdout != theirs.Stdout && tc.in != "" {
			t.Errorf("echocat %q: exit %d, stdout %q, stderr %q; ncat: exit %d, stdout %q", tc.args, ours.Code, ours.Stdout, ours.Stderr, theirs.Code, theirs.Stdout)
		}
	}
}
