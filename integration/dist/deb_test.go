package dist

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

func version(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// makeDeb runs make deb into a temporary DISTDIR in dir and returns the
// package's path.
func makeDeb(t *testing.T, dir string, env []string) string {
	t.Helper()
	testenv.RequireProgram(t, "dpkg-shlibdeps", "dpkg-dev")
	out := t.TempDir()
	run(t, dir, env, "make", "deb", "DISTDIR="+out)
	debs, _ := filepath.Glob(filepath.Join(out, "sockcore_"+version(t)+"_*.deb"))
	if len(debs) != 1 {
		t.Fatalf("make deb made %v, want one sockcore_%s_ARCH.deb", debs, version(t))
	}
	return debs[0]
}

// TestDeb builds the package, checks its contents and lintian's verdict,
// installs it into a throwaway dpkg root (the host's packages are not
// touched), runs every tool's --version from there, and removes it, which
// must leave nothing behind.
func TestDeb(t *testing.T) {
	testenv.RequireRoot(t)
	lintian := testenv.RequireProgram(t, "lintian", "lintian")
	deb := makeDeb(t, repoRoot(t), nil)

	t.Run("contents", func(t *testing.T) {
		list := run(t, "", nil, "dpkg-deb", "--contents", deb)
		want := []string{"./usr/share/doc/sockcore/copyright", "./usr/share/doc/sockcore/changelog.gz",
			"./lib/systemd/system/echod.socket", "./lib/systemd/system/echod.service",
			"./lib/systemd/system/canrelay-bridge@.service", "./lib/systemd/system/canrelay-tunnel@.service",
			"./lib/systemd/system/fdpass-hold@.service"}
		for _, tool := range tools {
			want = append(want, "./usr/bin/"+tool, "./usr/share/man/man1/"+tool+".1.gz",
				"./usr/share/bash-completion/completions/"+tool,
				"./usr/share/zsh/vendor-completions/_"+tool,
				"./usr/share/fish/vendor_completions.d/"+tool+".fish")
		}
		for _, p := range want {
			if !strings.Contains(list, " "+p+"\n") {
				t.Errorf("package lacks %s", p)
			}
		}
		for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
			if f := strings.Fields(line); len(f) < 2 || f[1] != "root/root" {
				t.Errorf("not owned by root/root: %s", line)
			}
		}
		if strings.Contains(list, "/etc/systemd/system/") || strings.Contains(list, ".wants/") {
			t.Errorf("the package enables a unit:\n%s", list)
		}
		if got := strings.TrimSpace(run(t, "", nil, "dpkg-deb", "--field", deb, "Version")); got != version(t) {
			t.Errorf("Version: %q, want %q (VERSION)", got, version(t))
		}
		if ctl := run(t, "", nil, "dpkg-deb", "--ctrl-tarfile", deb); strings.Contains(ctl, "postinst") {
			t.Errorf("the package has maintainer scripts")
		}
	})

	t.Run("copyright is DEP-5 BSD-3-Clause", func(t *testing.T) {
		x := t.TempDir()
		run(t, "", nil, "dpkg-deb", "-x", deb, x)
		b, err := os.ReadFile(filepath.Join(x, "usr/share/doc/sockcore/copyright"))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if !strings.HasPrefix(s, "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n") ||
			!strings.Contains(s, "\nFiles: *\nCopyright: 2026 The sockcore authors\nLicense: BSD-3-Clause\n") ||
			!strings.Contains(s, "\nLicense: BSD-3-Clause\n Redistribution and use") {
			t.Errorf("copyright is not a DEP-5 file naming BSD-3-Clause:\n%s", s)
		}
	})

	t.Run("lintian", func(t *testing.T) {
		out, err := runErr("", nil, lintian, "--fail-on", "error", deb)
		t.Logf("lintian:\n%s", out)
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "E: ") {
				t.Errorf("lintian error: %s", line)
			}
		}
		if err != nil {
			t.Errorf("lintian: %v", err)
		}
	})

	t.Run("install, run, remove", func(t *testing.T) {
		root := t.TempDir()
		for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"} {
			if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		writeFile(t, filepath.Join(root, "var/lib/dpkg/status"), "")
		writeFile(t, filepath.Join(root, "var/lib/dpkg/available"), "")
		// --force-depends: the throwaway root has no libc6 or libpcap0.8
		// package; the binaries run with the host's libraries.
		run(t, "", nil, "dpkg", "--root="+root, "--force-depends", "--install", deb)
		if out := run(t, "", nil, "dpkg", "--root="+root, "--status", "sockcore"); !strings.Contains(out, "Status: install ok installed") {
			t.Fatalf("dpkg --status sockcore:\n%s", out)
		}
		for _, tool := range tools {
			r := testenv.Run(t, nil, filepath.Join(root, "usr/bin", tool), "--version")
			if want := tool + " " + version(t) + " ("; r.Code != 0 || !strings.HasPrefix(r.Stdout, want) {
				t.Errorf("%s --version from the installed package: exit %d, %q%s, want %q…", tool, r.Code, r.Stdout, r.Stderr, want)
			}
		}
		run(t, "", nil, "dpkg", "--root="+root, "--purge", "sockcore")
		var left []string
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			rel, _ := filepath.Rel(root, p)
			switch {
			case rel == "." || rel == "var" || rel == "var/lib":
			case rel == "var/lib/dpkg" || strings.HasPrefix(rel, "var/lib/dpkg/"):
				if strings.HasPrefix(rel, "var/lib/dpkg/info/sockcore.") {
					left = append(left, rel)
				}
			default:
				left = append(left, rel)
			}
			return nil
		})
		if len(left) > 0 {
			t.Errorf("dpkg --purge sockcore left: %v", left)
		}
		if out, err := runErr("", nil, "dpkg", "--root="+root, "--status", "sockcore"); err == nil && strings.Contains(out, "ok installed") {
			t.Errorf("sockcore still installed after --purge:\n%s", out)
		}
	})
}
