package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// runTool runs afalg-hash's run() with buffers and returns what it printed
// and the exit code cli.Main would use.
func runTool(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{name}, args...), strings.NewReader(stdin), &out, &errb)
	code = cli.ExitCode(err)
	if err != nil {
		var ee *cli.ExitError
		if !errors.As(err, &ee) || ee.Err.Error() != fmt.Sprintf("exit status %d", code) {
			cli.Report(&errb, name, err) // what cli.Main prints
		}
	}
	return out.String(), errb.String(), code
}

// runPeer runs a coreutils tool in the C locale; its diagnostics are
// rewritten to carry afalg-hash's name.
func runPeer(t *testing.T, stdin string, prog string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	r := testenv.Run(t, strings.NewReader(stdin), testenv.RequireProgram(t, prog, "coreutils"), args...)
	return r.Stdout, strings.ReplaceAll(r.Stderr, prog+": ", name+": "), r.Code
}

// corpus makes the test inputs in a fresh directory and changes into it:
// empty, small, 1 MiB of random bytes, a sparse file, and names that need
// coreutils' escapes.
func corpus(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	rnd := make([]byte, 1<<20)
	rand.Read(rnd)
	files := map[string][]byte{
		"empty":   nil,
		"small":   []byte("hello\n"),
		"random":  rnd,
		"sp ace":  []byte("space"),
		"x\ny":    []byte("newline"),
		`b\c`:     []byte("backslash"),
		"r\rr":    []byte("carriage return"),
		"n\\\nm":  []byte("both"),
		"it's":    []byte("quote"),
		"tab\tta": []byte("tab"),
	}
	var names []string
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	// Sparse: 8 MiB with holes around one written block.
	f, err := os.Create(filepath.Join(dir, "sparse"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(8 << 20); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("data in the middle of holes"), 5<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	names = append(names, "sparse")
	return names
}

type outcome struct {
	Stdout, Stderr string
	Code           int
}

func TestMatchesCoreutils(t *testing.T) {
	names := corpus(t)
	peers := []struct {
		alg, prog string
		peerArgs  []string
	}{
		{"sha256", "sha256sum", nil}, {"sha1", "sha1sum", nil}, {"md5", "md5sum", nil}, {"sha512", "sha512sum", nil},
		{"sha224", "sha224sum", nil}, {"sha384", "sha384sum", nil},
		{"blake2b-512", "b2sum", nil}, {"blake2b-256", "b2sum", []string{"-l", "256"}}, {"blake2b-160", "b2sum", []string{"-l", "160"}},
	}
	modes := [][]string{nil, {"--tag"}, {"-z"}, {"--tag", "-z"}, {"-b"}}
	for _, p := range peers {
		for _, m := range modes {
			t.Run(p.alg+strings.Join(m, ""), func(t *testing.T) {
				args := append(append([]string{}, m...), names...)
				var want, got outcome
				want.Stdout, want.Stderr, want.Code = runPeer(t, "", p.prog, append(append([]string{}, p.peerArgs...), args...)...)
				got.Stdout, got.Stderr, got.Code = runTool(t, "", append([]string{"-a", p.alg, "--backend", "go"}, args...)...)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("afalg-hash vs %s (-want +got):\n%s", p.prog, diff)
				}
				// auto falls back to Go here and prints the same.
				var auto outcome
				auto.Stdout, auto.Stderr, auto.Code = runTool(t, "", append([]string{"-a", p.alg}, args...)...)
				if diff := cmp.Diff(want, auto); diff != "" {
					t.Errorf("afalg-hash --backend auto vs %s (-want +got):\n%s", p.prog, diff)
				}
			})
		}
	}
}

func TestStdinAndMissingFiles(t *testing.T) {
	corpus(t)
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"stdin implicit", "from stdin\n", nil},
		{"stdin dash", "from stdin\n", []string{"-"}},
		{"stdin tagged", "x", []string{"--tag", "-"}},
		{"missing among present", "", []string{"small", "nope", "sp ace missing", "empty"}},
		{"directory", "", []string{".", "small"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want, got outcome
			want.Stdout, want.Stderr, want.Code = runPeer(t, tc.stdin, "sha256sum", tc.args...)
			got.Stdout, got.Stderr, got.Code = runTool(t, tc.stdin, tc.args...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckMatchesCoreutils(t *testing.T) {
	names := corpus(t)
	// Checksum files made by sha256sum itself, then damaged.
	gnu, _, _ := runPeer(t, "", "sha256sum", names...)
	bsd, _, _ := runPeer(t, "", "sha256sum", append([]string{"--tag"}, names...)...)
	smallSum := "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
	files := map[string]string{
		"gnu.sums": gnu,
		"bsd.sums": bsd,
		"mixed.sums": gnu + bsd +
			strings.Repeat("0", 64) + "  small\n" + // mismatch
			"garbage line\n" +
			"MD5 (small) = b1946ac92492d2347c6235b4d2611184\n" + // another algorithm
			smallSum + "  missing file\n" +
			smallSum + " *small\r\n" + // binary mark and CRLF
			"# a comment\n\n" +
			strings.ToUpper(smallSum) + "  small\n" +
			"\\" + smallSum + "  bad\\escape\n",
		"reversed.sums":    smallSum + " small\n" + smallSum + " empty\n",
		"onlymissing.sums": smallSum + "  gone\n",
		"onlybad.sums":     "nothing to see\n",
		"mixedforms.sums":  smallSum + "  small\n" + smallSum + " small\n",
		"noeol.sums":       smallSum + "  small",
	}
	for n, s := range files {
		if err := os.WriteFile(n, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	flagSets := [][]string{nil, {"--quiet"}, {"--status"}, {"--strict"}, {"-w"}, {"--ignore-missing"},
		{"--strict", "-w"}, {"--ignore-missing", "--quiet"}}
	sumFiles := []string{"gnu.sums", "bsd.sums", "mixed.sums", "reversed.sums", "onlymissing.sums",
		"onlybad.sums", "mixedforms.sums", "noeol.sums", "does-not-exist.sums"}
	for _, fl := range flagSets {
		for _, sf := range sumFiles {
			t.Run(strings.Join(fl, "")+"/"+sf, func(t *testing.T) {
				args := append(append([]string{"-c"}, fl...), sf)
				var want, got outcome
				want.Stdout, want.Stderr, want.Code = runPeer(t, "", "sha256sum", args...)
				got.Stdout, got.Stderr, got.Code = runTool(t, "", args...)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("afalg-hash %q vs sha256sum (-want +got):\n%s", args, diff)
				}
			})
		}
	}
	t.Run("several files and stdin", func(t *testing.T) {
		args := []string{"-c", "gnu.sums", "-", "onlybad.sums"}
		var want, got outcome
		want.Stdout, want.Stderr, want.Code = runPeer(t, files["mixed.sums"], "sha256sum", args...)
		got.Stdout, got.Stderr, got.Code = runTool(t, files["mixed.sums"], args...)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("jobs keep the order", func(t *testing.T) {
		one, _, _ := runTool(t, "", "-c", "mixed.sums")
		four, _, _ := runTool(t, "", "-j", "4", "-c", "mixed.sums")
		if diff := cmp.Diff(one, four); diff != "" {
			t.Errorf("-j 4 (-j1 +j4):\n%s", diff)
		}
	})
}

func TestJobsKeepOrder(t *testing.T) {
	names := corpus(t)
	var many []string
	for range 8 {
		many = append(many, names...)
	}
	seq, _, _ := runTool(t, "", many...)
	par, _, code := runTool(t, "", append([]string{"-j", "4"}, many...)...)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if diff := cmp.Diff(seq, par); diff != "" {
		t.Errorf("-j 4 output differs from -j 1 (-seq +par):\n%s", diff)
	}
}

func TestVectors(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key")
	if err := os.WriteFile(key, []byte("Jefe"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"sha256 abc", "abc", []string{"-a", "sha256"}, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n"},
		{"sha1 abc", "abc", []string{"-a", "sha1"}, "a9993e364706816aba3e25717850c26c9cd0d89d  -\n"},
		{"md5 abc", "abc", []string{"-a", "md5"}, "900150983cd24fb0d6963f7d28e17f72  -\n"},
		{"sha224 abc", "abc", []string{"-a", "sha224"}, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7  -\n"},
		{"sha3-256 abc", "abc", []string{"-a", "sha3-256"}, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532  -\n"},
		// crc32c("123456789") = 0xe3069283, as the kernel's digest bytes (little-endian).
		{"crc32c check value", "123456789", []string{"-a", "crc32c"}, "839206e3  -\n"},
		{"crc32c tag", "123456789", []string{"-a", "crc32c", "--tag"}, "CRC32C (-) = 839206e3\n"},
		// RFC 4231 test case 2.
		{"hmac-sha256 rfc4231 case 2", "what do ya want for nothing?", []string{"--hmac", "--key-file", key},
			"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843  -\n"},
		{"hmac(sha256) by name", "what do ya want for nothing?", []string{"-a", "hmac(sha256)", "--key-file", key, "--tag"},
			"HMAC-SHA256 (-) = 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runTool(t, tc.stdin, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if diff := cmp.Diff(tc.want, out); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestKeyFD(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString("Jefe")
	w.Close()
	// run() takes ownership of the descriptor and closes it.
	fd, err := unix.Dup(int(r.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	out, errOut, code := runTool(t, "what do ya want for nothing?", "--hmac", "--key-fd", fmt.Sprint(fd))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843  -\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func kernelHasALG() bool {
	s, err := sockcore.New(unix.AF_ALG, unix.SOCK_SEQPACKET, 0)
	if err != nil {
		return false
	}
	s.Close()
	return true
}

func TestKernelBackendWithoutALG(t *testing.T) {
	if kernelHasALG() {
		t.Skip("this kernel has AF_ALG: the VM tier tests the kernel backend")
	}
	out, errOut, code := runTool(t, "abc", "--backend", "kernel")
	want := outcome{
		Stderr: "afalg-hash: hashing with the kernel's sha256: AF_ALG is not available in this kernel (load the af_alg and algif_hash modules)\n",
		Code:   cli.ExitUnsupported,
	}
	if diff := cmp.Diff(want, outcome{out, errOut, code}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// -v says why auto mode uses Go, and which backend hashed.
	_, errOut, code = runTool(t, "abc", "-v")
	wantErr := "afalg-hash: using go (crypto/sha256): AF_ALG is not available in this kernel (load the af_alg and algif_hash modules)\n" +
		"afalg-hash: -: hashed by go (crypto/sha256)\n"
	if code != 0 || errOut != wantErr {
		t.Errorf("-v: exit %d, stderr %q; want %q", code, errOut, wantErr)
	}
	// An algorithm only the kernel could have (in /proc/crypto, not in
	// Go: blake2b has a Go fallback now): the same exit code.
	only := ""
	if algs, err := readProcCrypto(); err == nil {
		for _, a := range hashAlgs(algs) {
			if lookupAlgo(a.Name, false, nil).GoName == "" {
				only = a.Name
				break
			}
		}
	}
	if only == "" {
		return // every hash this kernel lists has a Go fallback
	}
	_, errOut, code = runTool(t, "abc", "-a", only)
	if code != cli.ExitUnsupported || !strings.Contains(errOut, "AF_ALG is not available") {
		t.Errorf("%s without AF_ALG: exit %d, %q", only, code, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{
		{"--backend", "gpu"},
		{"-c", "--tag", "x"},
		{"-c", "-z", "x"},
		{"--quiet", "x"},
		{"--status", "x"},
		{"--strict", "x"},
		{"-w", "x"},
		{"--ignore-missing", "x"},
		{"--hmac"},
		{"--key-file", "k"},
		{"-j", "0"},
		{"--no-such-flag"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, errOut, code := runTool(t, "", args...)
			if code != cli.ExitUsage {
				t.Errorf("exit %d (%q), want %d", code, errOut, cli.ExitUsage)
			}
		})
	}
}

func TestList(t *testing.T) {
	if _, err := os.Stat("/proc/crypto"); err != nil {
		t.Skip("no /proc/crypto")
	}
	out, errOut, code := runTool(t, "", "--list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "ALGORITHM") {
		t.Errorf("no header: %q", out)
	}
}

// TestKeyRefused: the HMAC key's sources that are refused, each with its
// message and exit code: a device without end (/dev/zero grew the key to
// 1.3 GB before), a directory, an empty key, one past the cap.
func TestKeyRefused(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	long := filepath.Join(dir, "long")
	atCap := filepath.Join(dir, "at-cap")
	os.WriteFile(empty, nil, 0o600)
	os.WriteFile(long, bytes.Repeat([]byte("k"), maxKeySize+1), 0o600)
	os.WriteFile(atCap, bytes.Repeat([]byte("k"), maxKeySize), 0o600)
	tests := []struct {
		name, file string
		want       outcome
	}{
		{"dev-zero", "/dev/zero", outcome{Stderr: "afalg-hash: the key must come from a regular file or a pipe; /dev/zero is a character device\n", Code: cli.ExitUsage}},
		{"directory", dir, outcome{Stderr: "afalg-hash: the key must come from a regular file or a pipe; " + dir + " is a directory\n", Code: cli.ExitUsage}},
		{"empty", empty, outcome{Stderr: "afalg-hash: the key in " + empty + " is empty\n", Code: cli.ExitUsage}},
		{"over-cap", long, outcome{Stderr: fmt.Sprintf("afalg-hash: the key in %s is longer than %d bytes\n", long, maxKeySize), Code: cli.ExitUsage}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runTool(t, "data", "--hmac", "--key-file", tc.file)
			if diff := cmp.Diff(tc.want, outcome{out, errOut, code}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("at-cap", func(t *testing.T) {
		out, errOut, code := runTool(t, "data", "--hmac", "--key-file", atCap)
		mac := hmac.New(sha256.New, bytes.Repeat([]byte("k"), maxKeySize))
		mac.Write([]byte("data"))
		want := outcome{Stdout: fmt.Sprintf("%x  -\n", mac.Sum(nil))}
		if diff := cmp.Diff(want, outcome{out, errOut, code}); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// TestKeyZeroed: readKey's buffer is the key's only copy in afalg-hash, and
// execute clears it once hashing ends.
func TestKeyZeroed(t *testing.T) {
	key := filepath.Join(t.TempDir(), "key")
	os.WriteFile(key, []byte("Jefe"), 0o600)
	o := options{hmac: true, keyFile: key, keyFD: -1}
	k, err := readKey(&o)
	if err != nil {
		t.Fatal(err)
	}
	if string(k) != "Jefe" || cap(k) != len(k) {
		t.Fatalf("readKey = %q (cap %d)", k, cap(k))
	}
	var seen []byte
	keyHook = func(b []byte) { seen = b }
	defer func() { keyHook = nil }()
	var out, errb bytes.Buffer
	o = options{alg: "sha256", hmac: true, keyFile: key, keyFD: -1, backend: "go", jobs: 1}
	if err := execute(context.Background(), &o, []string{"-"}, strings.NewReader("x"), &out, &errb); err != nil {
		t.Fatal(err, errb.String())
	}
	if seen == nil || !bytes.Equal(seen, make([]byte, len(seen))) {
		t.Errorf("key buffer after execute: %q, want zeros", seen)
	}
}

// TestUnknownAlgorithm: a name neither Go nor this kernel has is a usage
// error that says so, whatever the kernel lacks (it said "AF_ALG is not
// available" before).
func TestUnknownAlgorithm(t *testing.T) {
	for _, args := range [][]string{
		{"-a", "sha999"},
		{"-a", "sha999", "--backend", "go"},
		{"-a", "sha999", "--backend", "kernel"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, code := runTool(t, "abc", args...)
			want := outcome{Stderr: "afalg-hash: unknown algorithm sha999 (afalg-hash --list shows this kernel's, --help Go's)\n", Code: cli.ExitUsage}
			if diff := cmp.Diff(want, outcome{out, errOut, code}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestListBackend: --list says which backend auto mode would use for each
// algorithm on this kernel: without AF_ALG, go where Go has it, none where
// it does not.
func TestListBackend(t *testing.T) {
	if _, err := os.Stat("/proc/crypto"); err != nil {
		t.Skip("no /proc/crypto")
	}
	out, errOut, code := runTool(t, "", "--list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if f := strings.Fields(lines[0]); f[len(f)-1] != "BACKEND" {
		t.Fatalf("header %q has no BACKEND column", lines[0])
	}
	alg := kernelHasALG()
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		name, goName, backend := f[0], f[len(f)-2], f[len(f)-1]
		want := "none"
		switch {
		case alg:
			want = "kernel" // every hash /proc/crypto lists binds
		case goName != "-":
			want = "go"
		}
		if backend != want {
			t.Errorf("%s: backend %s, want %s", name, backend, want)
		}
	}
}

// usageAsOurs turns a coreutils usage failure into what afalg-hash prints
// for it by design (docs/afalg-hash.md): exit 2, not 1, and the one line
// of the diagnostic without "Try '... --help' for more information.".
func usageAsOurs(o outcome) outcome {
	if i := strings.Index(o.Stderr, "Try '"); i >= 0 && o.Code == 1 {
		o.Stderr, o.Code = o.Stderr[:i], cli.ExitUsage
	}
	return o
}

// TestLastFlagWins: coreutils reads -b, -t and --tag into one binary/text
// mode and --status, --quiet and --warn into one report mode, the last
// flag given winning in each: "-b -t" writes text lines, "--status -w"
// prints the OK lines and the warnings, "-w --quiet" neither. --tag
// followed by -t, and -t with -c, are refused.
func TestLastFlagWins(t *testing.T) {
	corpus(t)
	smallSum := "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
	sums := "garbage\n" + smallSum + "  small\n" + strings.Repeat("0", 64) + "  empty\n" + smallSum + "  gone\n"
	if err := os.WriteFile("sums", []byte(sums), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := [][]string{
		{"-b", "-t", "small"},
		{"-t", "-b", "small"},
		{"--binary", "--text", "small", "-"},
		{"--tag", "-t", "small"},
		{"-t", "--tag", "small"},
		{"--tag", "-b", "-t", "small"},
		{"-z", "--tag", "-t", "small"},
		{"-t", "-c", "sums"},
		{"-c", "sums", "--text"},
		{"--tag", "-t", "-c", "sums"},
		{"-c", "sums", "--status", "--quiet"},
		{"-c", "sums", "--status", "-w"},
		{"-c", "sums", "--quiet", "--status"},
		{"-c", "sums", "--quiet", "-w"},
		{"-c", "sums", "-w", "--status"},
		{"-c", "sums", "-w", "--quiet"},
		{"-c", "sums", "--status", "-w", "--quiet"},
		{"-c", "sums", "--quiet", "--status", "--warn", "--strict"},
		{"-c", "sums", "--warn", "--quiet", "--ignore-missing"},
		{"--status", "--quiet", "small"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var want, got outcome
			want.Stdout, want.Stderr, want.Code = runPeer(t, "stdin\n", "sha256sum", args...)
			want = usageAsOurs(want)
			got.Stdout, got.Stderr, got.Code = runTool(t, "stdin\n", args...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("afalg-hash %q vs sha256sum (-want +got):\n%s", args, diff)
			}
		})
	}
}

// TestCheckFileUnreadable: a checksum file that opens but cannot be read
// (a directory) is "NAME: read error" in coreutils, not the errno's text,
// and the other checksum files are still checked.
func TestCheckFileUnreadable(t *testing.T) {
	corpus(t)
	if err := os.Mkdir("dir", 0o755); err != nil {
		t.Fatal(err)
	}
	sums := "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  small\n"
	if err := os.WriteFile("sums", []byte(sums), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-c", "dir"},
		{"-c", "dir", "sums", "missing.sums"},
		{"-c", "--status", "sums", "dir"},
		{"-c", "--ignore-missing", "dir"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var want, got outcome
			want.Stdout, want.Stderr, want.Code = runPeer(t, "", "sha256sum", args...)
			got.Stdout, got.Stderr, got.Code = runTool(t, "", args...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("afalg-hash %q vs sha256sum (-want +got):\n%s", args, diff)
			}
		})
	}
}

// TestWriteErrorMatchesCoreutils: standard output on a full disk
// (/dev/full) makes sha256sum say "write error" and exit 1, after its
// other diagnostics, when hashing and when checking; afalg-hash exited 0
// with the lines lost, and a CI job writing SUMS would go on with it cut.
func TestWriteErrorMatchesCoreutils(t *testing.T) {
	corpus(t)
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer full.Close()
	peer := testenv.RequireProgram(t, "sha256sum", "coreutils")
	sums := "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  small\n"
	if err := os.WriteFile("sums", []byte(sums), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"small"},
		{"nope", "small", "empty"},
		{"--tag", "small"},
		{"-c", "sums"},
		{"-c", "--quiet", "sums"}, // nothing written: no write error
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := testenv.Run(t, nil, "/bin/sh", append([]string{"-c", `exec "$0" "$@" >/dev/full`, peer}, args...)...)
			want := outcome{Stderr: strings.ReplaceAll(r.Stderr, peer+": ", name+": "), Code: r.Code}
			var errb bytes.Buffer
			err := run(context.Background(), append([]string{name}, args...), strings.NewReader(""), full, &errb)
			got := outcome{Code: cli.ExitCode(err)}
			if err != nil {
				var ee *cli.ExitError
				if !errors.As(err, &ee) || ee.Err.Error() != fmt.Sprintf("exit status %d", got.Code) {
					cli.Report(&errb, name, err)
				}
			}
			got.Stderr = errb.String()
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("afalg-hash %q >/dev/full vs sha256sum (-want +got):\n%s", args, diff)
			}
		})
	}
}

// TestB2sumCheckReadsLength: b2sum -c takes each line's digest length from
// the line ("b2sum -l 256" lines, "BLAKE2b-256 (f) = ..." tags), whatever
// -l says, and b2sum -l N hashes any whole number of bytes; afalg-hash -c
// with a BLAKE2b took only -a's length and called the rest improperly
// formatted, and -a blake2b-128 was an unknown algorithm.
func TestB2sumCheckReadsLength(t *testing.T) {
	names := corpus(t)
	var all string
	for _, l := range []string{"8", "128", "160", "256", "512"} {
		for _, tag := range [][]string{nil, {"--tag"}} {
			out, _, _ := runPeer(t, "", "b2sum", append(append([]string{"-l", l}, tag...), "small", "empty", `b\c`)...)
			all += out
		}
	}
	small512, _, _ := runPeer(t, "", "b2sum", "small")
	files := map[string]string{
		"all.sums": all,
		"bad.sums": "BLAKE2b-12 (small) = abc\n" + // not whole bytes
			"BLAKE2b-256 (small) = " + small512[:128] + "\n" + // tag and length disagree
			small512[:63] + "  small\n" + // odd length
			"BLAKE2b-520 (small) = " + strings.Repeat("0", 130) + "\n" + // too long
			small512,
	}
	for n, s := range files {
		if err := os.WriteFile(n, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		alg  string
		peer []string
	}{
		{"blake2b-512", []string{"-c", "all.sums"}},
		{"blake2b-512", []string{"-c", "-w", "bad.sums"}},
		{"blake2b-256", []string{"-l", "256", "-c", "all.sums"}},
		{"blake2b-160", []string{"-l", "160", "-c", "--strict", "-w", "bad.sums", "all.sums"}},
		{"blake2b-128", []string{"-l", "128", "small", "empty"}},
		{"blake2b-8", []string{"-l", "8", "--tag", "small"}},
		{"blake2b-504", append([]string{"-l", "504", "-z"}, names...)},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.peer, " "), func(t *testing.T) {
			args := tc.peer
			if args[0] == "-l" {
				args = args[2:]
			}
			var want, got outcome
			want.Stdout, want.Stderr, want.Code = runPeer(t, "", "b2sum", tc.peer...)
			got.Stdout, got.Stderr, got.Code = runTool(t, "", append([]string{"-a", tc.alg}, args...)...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("afalg-hash -a %s %q vs b2sum %q (-want +got):\n%s", tc.alg, args, tc.peer, diff)
			}
		})
	}
}
