package dist

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

// unitFiles are the files of contrib/systemd, with the unit name each is
// checked as (templates through an instance) and the configuration file an
// instance reads.
var unitFiles = []struct {
	file, unit, conf, confText string
}{
	{file: "echod.socket", unit: "echod.socket"},
	{file: "echod.service", unit: "echod.service"},
	{file: "canrelay-bridge@.service", unit: "canrelay-bridge@t.service",
		conf: "etc/sockcore/canrelay-bridge/t.conf", confText: "IFACE_A=vcan0\nIFACE_B=vcan1\n"},
	{file: "canrelay-tunnel@.service", unit: "canrelay-tunnel@t.service",
		conf: "etc/sockcore/canrelay-tunnel/t.conf", confText: "IFACE=vcan0\nLISTEN=127.0.0.1:20000\nPEER=127.0.0.1:20001\n"},
	{file: "fdpass-hold@.service", unit: "fdpass-hold@t.service"},
}

// unitRoot builds a directory tree systemd-analyze can check units in with
// --root: the host's own units (for the targets the units name), the built
// tools in /usr/bin, contrib/systemd in /etc/systemd/system and each
// instance's configuration file.
func unitRoot(t *testing.T) string {
	t.Helper()
	testenv.RequireProgram(t, "systemd-analyze", "systemd")
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "usr/lib/systemd"), 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, "", nil, "cp", "-a", "/usr/lib/systemd/system", filepath.Join(root, "usr/lib/systemd/"))
	for _, tool := range tools {
		copyFile(t, testenv.Bin(t, tool), filepath.Join(root, "usr/bin", tool), 0o755)
	}
	src := filepath.Join(repoRoot(t), "contrib/systemd")
	for _, u := range unitFiles {
		copyFile(t, filepath.Join(src, u.file), filepath.Join(root, "etc/systemd/system", u.file), 0o644)
		if u.conf != "" {
			writeFile(t, filepath.Join(root, u.conf), u.confText)
		}
	}
	return root
}

// TestUnitsVerify runs systemd-analyze verify on every unit: it must exit 0
// and say nothing (unknown keys, bad values and missing programs are
// reported on output without failing the exit status).
func TestUnitsVerify(t *testing.T) {
	root := unitRoot(t)
	entries, err := os.ReadDir(filepath.Join(repoRoot(t), "contrib/systemd"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(unitFiles) {
		t.Fatalf("contrib/systemd has %d files, the test knows %d: add the new unit to unitFiles", len(entries), len(unitFiles))
	}
	for _, u := range unitFiles {
		t.Run(u.unit, func(t *testing.T) {
			out, err := runErr("", nil, "systemd-analyze", "verify", "--man=no", "--root="+root, u.unit)
			if err != nil || out != "" {
				t.Errorf("systemd-analyze verify %s: %v\n%s", u.unit, err, out)
			}
		})
	}
	// The check bites: a unit whose program is missing and one with an
	// unknown key both produce output.
	t.Run("bad units are reported", func(t *testing.T) {
		writeFile(t, filepath.Join(root, "etc/systemd/system/bad-exec.service"), "[Service]\nExecStart=/usr/bin/no-such-sockcore-tool\n")
		writeFile(t, filepath.Join(root, "etc/systemd/system/bad-key.service"), "[Service]\nExecStart=/usr/bin/echod --systemd\nNoSuchKey=1\n")
		for _, u := range []string{"bad-exec.service", "bad-key.service"} {
			out, err := runErr("", nil, "systemd-analyze", "verify", "--man=no", "--root="+root, u)
			if err == nil && out == "" {
				t.Errorf("systemd-analyze verify %s: no complaint", u)
			}
		}
	})
}

var exposureRE = regexp.MustCompile(`Overall exposure level for (\S+): ([0-9.]+)`)

// TestUnitsSecurity scores every service with systemd-analyze security
// --offline=true: echod.service (the bar) and every other service
// must stay at or below 2.0 ("SAFE"/"OK"), and each carries the hardening
// every unit here promises.
func TestUnitsSecurity(t *testing.T) {
	root := unitRoot(t)
	for _, u := range unitFiles {
		if !strings.HasSuffix(u.unit, ".service") {
			continue
		}
		t.Run(u.unit, func(t *testing.T) {
			out := run(t, "", nil, "systemd-analyze", "security", "--offline=true", "--root="+root, "--no-pager", u.unit)
			m := exposureRE.FindStringSubmatch(out)
			if m == nil || m[1] != u.unit {
				t.Fatalf("no exposure level for %s in:\n%s", u.unit, out)
			}
			score, err := strconv.ParseFloat(m[2], 64)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: exposure %.1f", u.unit, score)
			if score > 2.0 {
				t.Errorf("%s: exposure %.1f > 2.0:\n%s", u.unit, score, out)
			}
			text, err := os.ReadFile(filepath.Join(repoRoot(t), "contrib/systemd", u.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes",
				"RestrictAddressFamilies=", "CapabilityBoundingSet=", "SystemCallFilter=@system-service"} {
				if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want)).Match(text) {
					t.Errorf("%s lacks %s", u.file, want)
				}
			}
		})
	}
}
