package afalghash

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
	"golang.org/x/sys/unix"
)

type outcome = testenv.Result

// execute runs prog; a coreutils peer's diagnostics are rewritten to carry
// afalg-hash's name.
func execute(t *testing.T, stdin string, prog string, args ...string) outcome {
	t.Helper()
	r := testenv.Run(t, strings.NewReader(stdin), prog, args...)
	r.Stderr = strings.ReplaceAll(r.Stderr, filepath.Base(prog)+": ", "afalg-hash: ")
	return r
}

func hasALG() bool {
	s, err := sockcore.New(unix.AF_ALG, unix.SOCK_SEQPACKET, 0)
	if err != nil {
		return false
	}
	s.Close()
	return true
}

// sparseFiles makes a 1 GiB sparse file (truncate: instant) with a few
// written blocks, an empty file and a small one.
func sparseFiles(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	big := filepath.Join(dir, "1GiB sparse")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 123456789, 1<<30 - 5} {
		if _, err := f.WriteAt([]byte("block"), off); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	empty := filepath.Join(dir, "empty")
	small := filepath.Join(dir, "small")
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(small, []byte("small\n"), 0o644)
	return []string{empty, small, big}
}

// TestOneGiBMatchesCoreutils: auto mode (Go here, without AF_ALG) prints
// what the coreutils tools print for empty, small and 1 GiB sparse files,
// one file at a time and with -j.
func TestOneGiBMatchesCoreutils(t *testing.T) {
	tool := testenv.Bin(t, "afalg-hash")
	files := sparseFiles(t)
	for _, p := range []struct{ alg, prog string }{
		{"sha256", "sha256sum"}, {"sha1", "sha1sum"}, {"md5", "md5sum"}, {"sha512", "sha512sum"},
	} {
		t.Run(p.alg, func(t *testing.T) {
			peer := testenv.RequireProgram(t, p.prog, "coreutils")
			want := execute(t, "", peer, files...)
			got := execute(t, "", tool, append([]string{"-a", p.alg, "-j", "2"}, files...)...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("afalg-hash -a %s vs %s (-want +got):\n%s", p.alg, p.prog, diff)
			}
		})
	}
}

// TestCheckAgainstSha256sum: checksum files written by sha256sum, with bad
// lines and a missing file, checked by both.
func TestCheckAgainstSha256sum(t *testing.T) {
	tool := testenv.Bin(t, "afalg-hash")
	peer := testenv.RequireProgram(t, "sha256sum", "coreutils")
	files := sparseFiles(t)[:2] // the 1 GiB file is TestOneGiBMatchesCoreutils's
	sums := execute(t, "", peer, files...).Stdout
	dir := filepath.Dir(files[0])
	os.WriteFile(filepath.Join(dir, "changed"), []byte("before"), 0o644)
	changed := execute(t, "", peer, filepath.Join(dir, "changed")).Stdout
	os.WriteFile(filepath.Join(dir, "changed"), []byte("after"), 0o644)
	sumFile := filepath.Join(dir, "SHA256SUMS")
	content := sums + changed + "not a checksum line\n" +
		strings.Replace(strings.SplitN(sums, "\n", 2)[0], files[0], filepath.Join(dir, "missing"), 1) + "\n"
	if err := os.WriteFile(sumFile, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{nil, {"--quiet"}, {"--status"}, {"--strict"}, {"-w"}, {"--ignore-missing"}} {
		t.Run(strings.Join(flags, ""), func(t *testing.T) {
			args := append(append([]string{"-c"}, flags...), sumFile)
			want := execute(t, "", peer, args...)
			got := execute(t, "", tool, args...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("-c %q (-want +got):\n%s", flags, diff)
			}
		})
	}
}

// TestKernelBackendExitCode: without AF_ALG, --backend kernel fails as a
// process with the clear message and exit code 6.
func TestKernelBackendExitCode(t *testing.T) {
	if hasALG() {
		t.Skip("this kernel has AF_ALG: the VM tier covers the kernel backend")
	}
	tool := testenv.Bin(t, "afalg-hash")
	got := execute(t, "abc", tool, "--backend", "kernel")
	want := outcome{
		Stderr: "afalg-hash: hashing with the kernel's sha256: AF_ALG is not available in this kernel (load the af_alg and algif_hash modules)\n",
		Code:   6,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestInterruptStopsHashing: SIGINT or SIGTERM to the binary while it hashes
// an input without end (/dev/zero as a file, as standard input, and a pipe
// that never delivers) ends it with exit 130 and "afalg-hash: interrupted";
// before, it hashed on until the input ended, that is forever.
func TestInterruptStopsHashing(t *testing.T) {
	tool := testenv.Bin(t, "afalg-hash")
	sums := filepath.Join(t.TempDir(), "SUMS")
	if err := os.WriteFile(sums, []byte(strings.Repeat("0", 64)+"  /dev/zero\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		sig   syscall.Signal
		args  []string
		stdin string // "zero": /dev/zero; "pipe": a pipe nobody writes to
	}{
		{"file/SIGINT", syscall.SIGINT, []string{"/dev/zero"}, ""},
		{"file/SIGTERM", syscall.SIGTERM, []string{"/dev/zero"}, ""},
		{"stdin/SIGINT", syscall.SIGINT, []string{"-"}, "zero"},
		{"stdin-go-backend/SIGTERM", syscall.SIGTERM, []string{"--backend", "go", "-"}, "zero"},
		{"pipe/SIGINT", syscall.SIGINT, nil, "pipe"},
		{"check/SIGINT", syscall.SIGINT, []string{"-c", sums}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(tool, tc.args...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			switch tc.stdin {
			case "zero":
				z, err := os.Open("/dev/zero")
				if err != nil {
					t.Fatal(err)
				}
				defer z.Close()
				cmd.Stdin = z
			case "pipe":
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				defer w.Close()
				cmd.Stdin = r
				// 2 MiB, then nothing more: the reader blocks.
				go w.Write(make([]byte, 2<<20))
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			waitStarted(t, cmd.Process.Pid)
			cmd.Process.Signal(tc.sig)
			select {
			case <-exited:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				<-exited
				t.Fatalf("afalg-hash still ran 20 s after %v", tc.sig)
			}
			got := outcome{Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
			want := outcome{Stderr: "afalg-hash: interrupted\n", Code: 130}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// waitStarted waits until pid has installed its signal handlers (its
// SigCgt in /proc/PID/status has SIGINT) and has read more than 1 MiB,
// which it does only once run() runs, after cli.Main's signal.Notify: the
// condition, not a sleep.
func waitStarted(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		io, _ := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
		caught := false
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, "SigCgt:"); ok {
				mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
				caught = err == nil && mask&(1<<(syscall.SIGINT-1)) != 0 && mask&(1<<(syscall.SIGTERM-1)) != 0
			}
		}
		read := false
		for _, l := range strings.Split(string(io), "\n") {
			if v, ok := strings.CutPrefix(l, "rchar:"); ok {
				n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				read = read || n > 1<<20
			}
		}
		if caught && read {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("afalg-hash (pid %d) did not start hashing", pid)
}
