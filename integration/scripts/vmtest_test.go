// Package scripts tests the shell scripts the test tiers run on, with
// stand-ins for what they drive.
package scripts

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

// fakeQemu stands in for qemu-system-x86_64 in scripts/vmtest.sh: it
// records its -append line (FAKE_QEMU_DIR/append.N for run N) and, on the
// runs listed in FAKE_QEMU_PANIC, writes a kernel panic (FAKE_QEMU_REASON)
// to the console file (the first -serial) and ends as qemu does with
// -no-reboot panic=-1; on the other runs it prints the markers of a guest
// whose package FAKE_QEMU_PKG passed.
const fakeQemu = `#!/bin/sh
set -e
n=$(($(cat "$FAKE_QEMU_DIR/runs" 2>/dev/null || echo 0) + 1))
echo "$n" >"$FAKE_QEMU_DIR/runs"
console= append=
while [ $# -gt 0 ]; do
	case $1 in
	-serial) case $2 in file:*) [ -n "$console" ] || console=${2#file:} ;; esac; shift ;;
	-append) append=$2; shift ;;
	esac
	shift
done
echo "$append" >"$FAKE_QEMU_DIR/append.$n"
case " $FAKE_QEMU_PANIC " in
*" $n "*)
	printf '[    0.512345] ..MP-BIOS bug: 8254 timer not connected to IO-APIC\r\n[    0.612345] %s\r\n' "$FAKE_QEMU_REASON" >"$console"
	exit 0
	;;
esac
: >"$console"
printf '@@VMTEST BEGIN %s\r\nPASS\r\n@@VMTEST END %s rc=0\r\n@@VMTEST DONE\r\n' "$FAKE_QEMU_PKG" "$FAKE_QEMU_PKG"
`

const ioapicPanic = "Kernel panic - not syncing: IO-APIC + timer doesn't work!  Boot with apic=debug and send a report.  Then try booting with the 'noapic' option."

// TestVMTestBootPanicRetry: a guest kernel that panics (under TCG, seen as
// "IO-APIC + timer doesn't work" at boot) is booted again once, with the
// reason printed; if that boot panics with the IO-APIC reason too, a third
// boot adds noapic. Any other panic that recurs fails the run, as does a
// third panic. Before, the second boot added noapic at once and a second
// panic failed the run.
func TestVMTestBootPanicRetry(t *testing.T) {
	const pkg = "./integration/vm/kernel"
	for _, c := range []struct {
		name, panics, reason string
		runs                 int    // qemu runs
		noapic               string // for each run, whether noapic was on the command line ("ny": not, then yes)
		exit                 int
		says                 []string
	}{
		{name: "panics once", panics: "1", reason: ioapicPanic, runs: 2, noapic: "nn",
			says: []string{"panicked ([    0.612345] " + ioapicPanic + "; console kept in ", ".log.1): booting again\n", "ok   " + pkg + " on "}},
		{name: "panics twice", panics: "1 2", reason: ioapicPanic, runs: 3, noapic: "nny",
			says: []string{".log.1): booting again\n", "panicked again ([    0.612345] " + ioapicPanic + "; console kept in ", ".log.2): booting again with noapic\n", "ok   " + pkg + " on "}},
		{name: "panics always", panics: "1 2 3", reason: ioapicPanic, runs: 3, noapic: "nny", exit: 1,
			says: []string{"booting again with noapic\n", "FAIL: " + pkg + " on ", "no end marker"}},
		{name: "another panic twice", panics: "1 2", reason: "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100", runs: 2, noapic: "nn", exit: 1,
			says: []string{"panicked ([    0.612345] Kernel panic - not syncing: Attempted to kill init!", "FAIL: " + pkg + " on "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			qemu := filepath.Join(dir, "qemu")
			if err := os.WriteFile(qemu, []byte(fakeQemu), 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("../../scripts/vmtest.sh")
			cmd.Env = append(os.Environ(), "KERNELS=6.1", "VMTEST_PACKAGES="+pkg, "VMTEST_QEMU="+qemu, "VMTEST_ARGS=", "VMTEST_APPEND=",
				"FAKE_QEMU_DIR="+dir, "FAKE_QEMU_PANIC="+c.panics, "FAKE_QEMU_REASON="+c.reason, "FAKE_QEMU_PKG="+pkg)
			b, err := cmd.CombinedOutput()
			out := string(b)
			if strings.Contains(out, "vmtest: skipped:") {
				testenv.Skip(t, "scripts/vmtest.sh skipped: "+out)
			}
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			runs, _ := os.ReadFile(filepath.Join(dir, "runs"))
			if n, _ := strconv.Atoi(strings.TrimSpace(string(runs))); n != c.runs || code != c.exit {
				t.Errorf("qemu ran %d times and vmtest exited %d, want %d and %d; output:\n%s", n, code, c.runs, c.exit, out)
			}
			var noapic string
			for i := 1; i <= c.runs; i++ {
				a, _ := os.ReadFile(filepath.Join(dir, "append."+strconv.Itoa(i)))
				if strings.Contains(string(a), " noapic") {
					noapic += "y"
				} else {
					noapic += "n"
				}
			}
			if noapic != c.noapic {
				t.Errorf("noapic on the runs: %q, want %q; output:\n%s", noapic, c.noapic, out)
			}
			for _, s := range c.says {
				if !strings.Contains(out, s) {
					t.Errorf("output does not say %q:\n%s", s, out)
				}
			}
		})
	}
}
