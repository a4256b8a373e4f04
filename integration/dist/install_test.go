package dist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestInstallSmoke runs make install into a staging directory: it ends with
// one line saying echod served and echocat --verify checked it; with SMOKE=0
// it says the check was skipped.
func TestInstallSmoke(t *testing.T) {
	testenv.RequireRoot(t) // make install runs make deps, which installs Debian packages as root
	repo := repoRoot(t)
	dest := t.TempDir()
	out := run(t, repo, nil, "make", "install", "DESTDIR="+dest, "PREFIX=/usr")
	if !strings.Contains(out, "install: smoke test passed: "+dest+"/usr/bin/echod served tcp://127.0.0.1:") {
		t.Errorf("make install did not end with the smoke test:\n%s", out)
	}
	for _, tool := range tools {
		if _, err := os.Stat(filepath.Join(dest, "usr/bin", tool)); err != nil {
			t.Errorf("make install: %v", err)
		}
	}
	out = run(t, repo, nil, "make", "install", "DESTDIR="+t.TempDir(), "SMOKE=0")
	if !strings.Contains(out, "install: smoke test skipped (SMOKE=0)") || strings.Contains(out, "smoke test passed") {
		t.Errorf("make install SMOKE=0:\n%s", out)
	}
}

// TestSmokeFailsLoudly feeds scripts/smoke.sh a broken installation: an
// echocat that fails, and a directory without the tools.
func TestSmokeFailsLoudly(t *testing.T) {
	smoke := filepath.Join(repoRoot(t), "scripts/smoke.sh")
	bad := t.TempDir()
	copyFile(t, testenv.Bin(t, "echod"), filepath.Join(bad, "echod"), 0o755)
	if err := os.WriteFile(filepath.Join(bad, "echocat"), []byte("#!/bin/sh\necho 'verify: FAILED: sent 100, received 0' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, dir, want string }{
		{"echocat fails", bad, "install: SMOKE TEST FAILED: " + bad + "/echocat --verify tcp://127.0.0.1:"},
		{"tools missing", t.TempDir(), "echod or "},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := testenv.Run(t, nil, smoke, c.dir)
			if r.Code == 0 || !strings.Contains(r.Stderr, c.want) || !strings.Contains(r.Stderr, "SMOKE=0 skips") {
				t.Errorf("smoke.sh %s: exit %d, stderr %q, want failure with %q", c.dir, r.Code, r.Stderr, c.want)
			}
		})
	}
}
