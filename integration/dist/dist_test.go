package dist

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

func sha256File(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// offlineEnv builds with vendored modules only: no proxy, an empty module
// cache, no toolchain download.
func offlineEnv(t testing.TB) []string {
	return []string{"GOFLAGS=-mod=vendor", "GOPROXY=off", "GOMODCACHE=" + t.TempDir(), "GOTOOLCHAIN=local", "GONOSUMDB=", "GOSUMDB=off"}
}

// TestDistOfflineReproducible makes the source tarball twice (same bytes),
// unpacks it in two different directories and builds the binaries and the
// .deb in each with no network (GOFLAGS=-mod=vendor GOPROXY=off, an empty
// module cache), the second with an empty build cache too: the binaries and
// the packages must be byte-identical, and say the version and commit.
func TestDistOfflineReproducible(t *testing.T) {
	testenv.RequireRoot(t) // make deb's dpkg-deb --root-owner-group needs no root, but the suite's Debian tools are installed as root
	repo := repoRoot(t)
	testenv.RequireProgram(t, "git", "git")
	if out, err := runErr(repo, nil, "git", "rev-parse", "--short=12", "HEAD"); err != nil {
		testenv.Skip(t, "make dist needs a git checkout: "+out)
	}
	commit := strings.TrimSpace(run(t, repo, nil, "git", "rev-parse", "--short=12", "HEAD"))
	name := "sockcore-" + version(t)
	d1, d2 := t.TempDir(), t.TempDir()
	run(t, repo, nil, "make", "dist", "DISTDIR="+d1)
	run(t, repo, nil, "make", "dist", "DISTDIR="+d2)
	tarball := filepath.Join(d1, name+".tar.gz")
	if a, b := sha256File(t, tarball), sha256File(t, filepath.Join(d2, name+".tar.gz")); a != b {
		t.Errorf("two make dist runs differ: %s %s", a, b)
	}
	list := run(t, "", nil, "tar", "-tzf", tarball)
	for _, p := range []string{name + "/vendor/modules.txt", name + "/COMMIT", name + "/SOURCE_DATE_EPOCH", name + "/go.mod", name + "/Makefile"} {
		if !strings.Contains(list, p+"\n") {
			t.Errorf("tarball lacks %s", p)
		}
	}

	type build struct{ bins map[string]string }
	var builds []build
	for i, dir := range []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "elsewhere", "b")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		run(t, "", nil, "tar", "-xzf", tarball, "-C", dir)
		src := filepath.Join(dir, name)
		env := offlineEnv(t)
		if i == 1 {
			env = append(env, "GOCACHE="+t.TempDir()) // nothing reused from the first build
		}
		deb := makeDeb(t, src, env)
		b := build{bins: map[string]string{"deb": sha256File(t, deb)}}
		for _, tool := range tools {
			b.bins[tool] = sha256File(t, filepath.Join(src, "bin", tool))
		}
		r := testenv.Run(t, nil, filepath.Join(src, "bin", "echod"), "--version")
		if want := "echod " + version(t) + " (" + commit + ", "; !strings.HasPrefix(r.Stdout, want) {
			t.Errorf("echod --version built from the tarball: %q, want %q…", r.Stdout, want)
		}
		builds = append(builds, b)
	}
	for k, a := range builds[0].bins {
		if b := builds[1].bins[k]; a != b {
			t.Errorf("%s differs between two builds of the same commit: %s %s", k, a, b)
		} else {
			t.Logf("%s: sha256 %s in both builds", k, a)
		}
	}
}
