package afalg

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// timeout bounds every socket operation: the guest runs under TCG.
const timeout = 30 * time.Second

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// bindALG opens an AF_ALG transform socket bound to typ/name and closes it
// when the test ends. A missing algorithm fails with the module to add.
func bindALG(t *testing.T, typ, name string) *sockcore.Socket {
	t.Helper()
	s, err := sockcore.New(unix.AF_ALG, unix.SOCK_SEQPACKET, 0)
	if err != nil {
		t.Fatalf("socket(AF_ALG): %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Bind(&sockcore.ALGAddr{Type: typ, Name: name}); err != nil {
		t.Fatalf("bind %s %s: %v (add the algorithm's module to integration/vm/modules.txt)", typ, name, err)
	}
	return s
}

// accept returns an operation socket; AF_ALG gives it no address.
func accept(t *testing.T, tfm *sockcore.Socket) *sockcore.Socket {
	t.Helper()
	op, addr, err := tfm.Accept()
	if err != nil {
		t.Fatalf("accept on AF_ALG: %v", err)
	}
	if addr != nil {
		t.Errorf("accept on AF_ALG returned address %v, want none", addr)
	}
	op.SetTimeout(timeout)
	t.Cleanup(func() { op.Close() })
	return op
}

// crc32cLE is the kernel's crc32c digest: the CRC in little-endian bytes.
type crc32cLE struct{ crc uint32 }

func (d *crc32cLE) Write(p []byte) (int, error) {
	d.crc = crc32.Update(d.crc, crc32.MakeTable(crc32.Castagnoli), p)
	return len(p), nil
}
func (d *crc32cLE) Sum(b []byte) []byte { return binary.LittleEndian.AppendUint32(b, d.crc) }
func (d *crc32cLE) Reset()              { d.crc = 0 }
func (d *crc32cLE) Size() int           { return 4 }
func (d *crc32cLE) BlockSize() int      { return 1 }

// rfc4231Key and rfc4231Data are HMAC-SHA256 test case 2 of RFC 4231.
var (
	rfc4231Key  = []byte("Jefe")
	rfc4231Data = []byte("what do ya want for nothing?")
)

var hashes = []struct {
	name string
	key  []byte
	new  func() hash.Hash
}{
	{"sha1", nil, sha1.New},
	{"sha224", nil, sha256.New224},
	{"sha256", nil, sha256.New},
	{"sha384", nil, sha512.New384},
	{"sha512", nil, sha512.New},
	{"md5", nil, md5.New},
	{"crc32c", nil, func() hash.Hash { return &crc32cLE{} }},
	{"hmac(sha256)", rfc4231Key, func() hash.Hash { return hmac.New(sha256.New, rfc4231Key) }},
}

// kernelDigest hashes parts with MSG_MORE between them and reads the digest.
func kernelDigest(t *testing.T, tfm *sockcore.Socket, parts ...[]byte) []byte {
	t.Helper()
	op := accept(t, tfm)
	for _, p := range parts {
		if err := op.SendAll(p, unix.MSG_MORE); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	sum := make([]byte, 64)
	n, err := op.RecvInto(sum, 0)
	if err != nil {
		t.Fatalf("recv digest: %v", err)
	}
	return sum[:n]
}

// TestKernelHashMatchesGo: every hash the tool falls back for gives the
// kernel's digest in Go, on empty, short, chunked and 3 MiB inputs.
func TestKernelHashMatchesGo(t *testing.T) {
	testenv.RequireVM(t)
	big := make([]byte, 3<<20+17)
	rand.Read(big)
	inputs := map[string][][]byte{
		"empty":   nil,
		"abc":     {[]byte("abc")},
		"chunked": {[]byte("a"), []byte("bc"), nil, []byte("defghijklmnopqrstuvwxyz")},
		"3MiB":    {big[:1<<20], big[1<<20:]},
	}
	for _, h := range hashes {
		t.Run(h.name, func(t *testing.T) {
			tfm := bindALG(t, "hash", h.name)
			if h.key != nil {
				if err := tfm.SetsockoptBytes(unix.SOL_ALG, unix.ALG_SET_KEY, h.key); err != nil {
					t.Fatalf("ALG_SET_KEY: %v", err)
				}
			}
			for in, parts := range inputs {
				ref := h.new()
				for _, p := range parts {
					ref.Write(p)
				}
				if got, want := kernelDigest(t, tfm, parts...), ref.Sum(nil); !bytes.Equal(got, want) {
					t.Errorf("%s(%s): kernel %x, Go %x", h.name, in, got, want)
				}
			}
		})
	}
}

// TestKernelVectors: the published test vectors.
func TestKernelVectors(t *testing.T) {
	testenv.RequireVM(t)
	for _, tc := range []struct {
		alg  string
		key  []byte
		data []byte
		want string
	}{
		{"sha256", nil, []byte("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"sha1", nil, []byte("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"sha224", nil, []byte("abc"), "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
		{"sha384", nil, []byte("abc"), "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
		{"sha512", nil, []byte("abc"), "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
		{"md5", nil, []byte("abc"), "900150983cd24fb0d6963f7d28e17f72"},
		{"crc32c", nil, []byte("123456789"), "839206e3"}, // 0xe3069283, little-endian
		{"hmac(sha256)", rfc4231Key, rfc4231Data, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			tfm := bindALG(t, "hash", tc.alg)
			if tc.key != nil {
				if err := tfm.SetsockoptBytes(unix.SOL_ALG, unix.ALG_SET_KEY, tc.key); err != nil {
					t.Fatalf("ALG_SET_KEY: %v", err)
				}
			}
			if got := hex.EncodeToString(kernelDigest(t, tfm, tc.data)); got != tc.want {
				t.Errorf("%s = %s, want %s", tc.alg, got, tc.want)
			}
		})
	}
}

func recvExactly(t *testing.T, op *sockcore.Socket, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	got := 0
	for got < n {
		m, err := op.RecvInto(b[got:], 0)
		if err != nil {
			t.Fatalf("recv after %d of %d bytes: %v", got, n, err)
		}
		if m == 0 {
			t.Fatalf("recv: end after %d of %d bytes", got, n)
		}
		got += m
	}
	return b
}

// TestSendMsgAFALGCBC is CPython's test_aes_cbc: the "Single block msg"
// vector of RFC 3602 case 1, then a long message, checked against Go.
func TestSendMsgAFALGCBC(t *testing.T) {
	testenv.RequireVM(t)
	key := mustHex("06a9214036b8a15b512e03d534120006")
	iv := mustHex("3dafba429d9eb430b422da802c9fac41")
	msg := []byte("Single block msg")
	ciphertext := mustHex("e353779c1079aeb82708942dbe77181a")

	tfm := bindALG(t, "skcipher", "cbc(aes)")
	if err := tfm.SetsockoptBytes(unix.SOL_ALG, unix.ALG_SET_KEY, key); err != nil {
		t.Fatalf("ALG_SET_KEY: %v", err)
	}
	op := accept(t, tfm)
	if _, err := op.SendMsgAFALG([][]byte{msg}, unix.ALG_OP_ENCRYPT, iv, -1, 0); err != nil {
		t.Fatalf("sendmsg_afalg encrypt: %v", err)
	}
	if diff := cmp.Diff(ciphertext, recvExactly(t, op, len(msg))); diff != "" {
		t.Errorf("encrypt (-want +got):\n%s", diff)
	}
	op = accept(t, tfm)
	if _, err := op.SendMsgAFALG([][]byte{ciphertext}, unix.ALG_OP_DECRYPT, iv, -1, 0); err != nil {
		t.Fatalf("sendmsg_afalg decrypt: %v", err)
	}
	if diff := cmp.Diff(msg, recvExactly(t, op, len(msg))); diff != "" {
		t.Errorf("decrypt (-want +got):\n%s", diff)
	}

	// A long message in several buffers, against Go's CBC.
	long := make([][]byte, 8)
	for i := range long {
		long[i] = msg
	}
	flat := bytes.Repeat(msg, 8)
	block, _ := aes.NewCipher(key)
	want := make([]byte, len(flat))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(want, flat)
	op = accept(t, tfm)
	if _, err := op.SendMsgAFALG(long, unix.ALG_OP_ENCRYPT, iv, -1, 0); err != nil {
		t.Fatalf("sendmsg_afalg long: %v", err)
	}
	enc := recvExactly(t, op, len(flat))
	if !bytes.Equal(enc[:len(msg)], ciphertext) || !bytes.Equal(enc, want) {
		t.Errorf("long encrypt = %x, Go says %x", enc, want)
	}
	op = accept(t, tfm)
	if _, err := op.SendMsgAFALG([][]byte{enc}, unix.ALG_OP_DECRYPT, iv, -1, 0); err != nil {
		t.Fatalf("sendmsg_afalg long decrypt: %v", err)
	}
	if dec := recvExactly(t, op, len(flat)); !bytes.Equal(dec, flat) {
		t.Errorf("long decrypt = %q", dec)
	}
}

// TestSendMsgAFALGGCM is CPython's test_aead_aes_gcm: associated data and
// tag length, the data sent after sendmsg_afalg with MSG_MORE and with it.
func TestSendMsgAFALGGCM(t *testing.T) {
	testenv.RequireVM(t)
	key := mustHex("c939cc13397c1d37de6ae0e1cb7c423c")
	iv := mustHex("b3d8cc017cbb89b39e0f67e2")
	plain := mustHex("c3b3c41f113a31b73d9a5cd432103069")
	assoc := mustHex("24825602bd12a984e0092d3e448eda5f")
	wantCT := mustHex("93fe7d9e9bfd10348a5606e5cafa7354")
	wantTag := mustHex("0032a1dc85f1c9786925a2e71d8272dd")
	taglen, assoclen := len(wantTag), len(assoc)

	// Go agrees with the vector.
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	if sealed := gcm.Seal(nil, iv, plain, assoc); !bytes.Equal(sealed, append(append([]byte{}, wantCT...), wantTag...)) {
		t.Fatalf("Go's GCM disagrees with the vector: %x", sealed)
	}

	tfm := bindALG(t, "aead", "gcm(aes)")
	if err := tfm.SetsockoptBytes(unix.SOL_ALG, unix.ALG_SET_KEY, key); err != nil {
		t.Fatalf("ALG_SET_KEY: %v", err)
	}
	if err := tfm.SetsockoptNull(unix.SOL_ALG, unix.ALG_SET_AEAD_AUTHSIZE, taglen); err != nil {
		t.Fatalf("ALG_SET_AEAD_AUTHSIZE: %v", err)
	}

	check := func(t *testing.T, res []byte) {
		t.Helper()
		if diff := cmp.Diff(wantCT, res[assoclen:len(res)-taglen]); diff != "" {
			t.Errorf("ciphertext (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantTag, res[len(res)-taglen:]); diff != "" {
			t.Errorf("tag (-want +got):\n%s", diff)
		}
	}
	t.Run("separate steps", func(t *testing.T) {
		op := accept(t, tfm)
		if _, err := op.SendMsgAFALG(nil, unix.ALG_OP_ENCRYPT, iv, assoclen, unix.MSG_MORE); err != nil {
			t.Fatalf("sendmsg_afalg: %v", err)
		}
		if err := op.SendAll(assoc, unix.MSG_MORE); err != nil {
			t.Fatal(err)
		}
		if err := op.SendAll(plain, 0); err != nil {
			t.Fatal(err)
		}
		check(t, recvExactly(t, op, assoclen+len(plain)+taglen))
	})
	t.Run("with the message", func(t *testing.T) {
		op := accept(t, tfm)
		msg := append(append([]byte{}, assoc...), plain...)
		if _, err := op.SendMsgAFALG([][]byte{msg}, unix.ALG_OP_ENCRYPT, iv, assoclen, 0); err != nil {
			t.Fatalf("sendmsg_afalg: %v", err)
		}
		check(t, recvExactly(t, op, len(msg)+taglen))
	})
	t.Run("decrypt", func(t *testing.T) {
		op := accept(t, tfm)
		msg := bytes.Join([][]byte{assoc, wantCT, wantTag}, nil)
		if _, err := op.SendMsgAFALG([][]byte{msg}, unix.ALG_OP_DECRYPT, iv, assoclen, 0); err != nil {
			t.Fatalf("sendmsg_afalg: %v", err)
		}
		res := recvExactly(t, op, len(msg)-taglen)
		if diff := cmp.Diff(plain, res[assoclen:]); diff != "" {
			t.Errorf("plaintext (-want +got):\n%s", diff)
		}
	})
}

// blockModuleLoading points the kernel's module loader at /bin/false until
// the test ends, so that an algorithm whose module is not loaded cannot be
// (the way a blacklisted module behaves).
func blockModuleLoading(t *testing.T) {
	t.Helper()
	const knob = "/proc/sys/kernel/modprobe"
	old, err := os.ReadFile(knob)
	if err != nil {
		t.Fatalf("read %s: %v", knob, err)
	}
	if err := os.WriteFile(knob, []byte("/bin/false\n"), 0); err != nil {
		t.Fatalf("write %s: %v", knob, err)
	}
	t.Cleanup(func() { os.WriteFile(knob, old, 0) })
}

// blockedAlgorithm returns a hash Go has and the kernel cannot load now.
func blockedAlgorithm(t *testing.T) string {
	t.Helper()
	blockModuleLoading(t)
	// blake2b_generic is a module in Debian's 6.1 and 6.12 kernels and not in
	// the guest's modules.txt; SHA-3 is a module on 6.1 only.
	for _, name := range []string{"blake2b-512", "blake2b-256", "sha3-256", "sha3-512", "sha3-384", "sha3-224"} {
		s, err := sockcore.New(unix.AF_ALG, unix.SOCK_SEQPACKET, 0)
		if err != nil {
			t.Fatal(err)
		}
		err = s.Bind(&sockcore.ALGAddr{Type: "hash", Name: name})
		s.Close()
		var nf *sockcore.ALGNotFoundError
		if errors.As(err, &nf) {
			if want := fmt.Sprintf("the kernel has no algorithm %s (or its module is blocked)", name); err.Error() != want {
				t.Errorf("bind error %q, want %q", err, want)
			}
			if !errors.Is(err, unix.ENOENT) {
				t.Errorf("bind error %v does not unwrap to ENOENT", err)
			}
			return name
		}
	}
	t.Skip("this kernel has BLAKE2b and every SHA-3 hash built in: no algorithm to block")
	return ""
}

// goPackage is the Go implementation afalg-hash names for a blocked algorithm.
func goPackage(alg string) string {
	if strings.HasPrefix(alg, "blake2b") {
		return "golang.org/x/crypto/blake2b"
	}
	return "crypto/sha3"
}

type outcome = testenv.Result

func runTool(t *testing.T, stdin []byte, args ...string) outcome {
	t.Helper()
	var in io.Reader
	if stdin != nil {
		in = bytes.NewReader(stdin)
	}
	return testenv.Run(t, in, testenv.Bin(t, "afalg-hash"), args...)
}

// TestBlockedAlgorithmFallsBack: ENOENT at bind sends auto mode to Go with
// the reason on -v, and makes --backend kernel fail with exit code 6.
func TestBlockedAlgorithmFallsBack(t *testing.T) {
	testenv.RequireVM(t)
	alg := blockedAlgorithm(t)
	goOut := runTool(t, []byte("abc"), "--backend", "go", "-a", alg)
	auto := runTool(t, []byte("abc"), "-v", "-a", alg)
	if auto.Code != 0 || auto.Stdout != goOut.Stdout {
		t.Errorf("auto: %+v, want the go backend's %q", auto, goOut.Stdout)
	}
	reason := fmt.Sprintf("the kernel has no algorithm %s (or its module is blocked)", alg)
	if !strings.Contains(auto.Stderr, reason) || !strings.Contains(auto.Stderr, "hashed by go ("+goPackage(alg)+")") {
		t.Errorf("auto -v stderr %q does not give the reason and the backend", auto.Stderr)
	}
	kernel := runTool(t, []byte("abc"), "--backend", "kernel", "-a", alg)
	want := outcome{Stderr: fmt.Sprintf("afalg-hash: hashing with the kernel's %s: %s\n", alg, reason), Code: 6}
	if diff := cmp.Diff(want, kernel); diff != "" {
		t.Errorf("--backend kernel (-want +got):\n%s", diff)
	}
}

// testFiles writes inputs that take each data path: empty, small, 3 MiB of
// random bytes (several splice rounds), a 16 MiB sparse file.
func testFiles(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	rnd := make([]byte, 3<<20+5)
	rand.Read(rnd)
	files := []string{filepath.Join(dir, "empty"), filepath.Join(dir, "small"), filepath.Join(dir, "random")}
	os.WriteFile(files[0], nil, 0o644)
	os.WriteFile(files[1], []byte("small\n"), 0o644)
	os.WriteFile(files[2], rnd, 0o644)
	sparse := filepath.Join(dir, "sparse")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(16 << 20)
	f.WriteAt([]byte("middle"), 10<<20)
	f.Close()
	return append(files, sparse)
}

// TestToolKernelMatchesGo: afalg-hash --backend kernel prints what --backend
// go prints, spliced and not, from files, a stdin pipe and with -j; -v names
// the kernel driver.
func TestToolKernelMatchesGo(t *testing.T) {
	testenv.RequireVM(t)
	files := testFiles(t)
	key := filepath.Join(t.TempDir(), "key")
	os.WriteFile(key, rfc4231Key, 0o600)
	for _, alg := range []struct {
		name string
		args []string
	}{
		{"sha1", nil}, {"sha224", nil}, {"sha256", nil}, {"sha384", nil}, {"sha512", nil}, {"md5", nil},
		{"crc32c", nil}, {"hmac(sha256)", []string{"--key-file", key}},
	} {
		t.Run(alg.name, func(t *testing.T) {
			base := append([]string{"-a", alg.name}, alg.args...)
			want := runTool(t, nil, append(append([]string{"--backend", "go"}, base...), files...)...)
			if want.Code != 0 {
				t.Fatalf("go backend: %+v", want)
			}
			for _, extra := range [][]string{nil, {"--no-zero-copy"}, {"-j", "3"}, {"--tag"}} {
				args := append(append(append([]string{"--backend", "kernel", "-v"}, base...), extra...), files...)
				got := runTool(t, nil, args...)
				w := want.Stdout
				if len(extra) > 0 && extra[0] == "--tag" {
					w = runTool(t, nil, append(append([]string{"--backend", "go", "--tag"}, base...), files...)...).Stdout
				}
				if got.Code != 0 {
					t.Fatalf("%q: exit %d, stderr %q", args, got.Code, got.Stderr)
				}
				if got.Stdout != w {
					t.Errorf("%q: exit %d, stdout %q, stderr %q; want stdout %q", args, got.Code, got.Stdout, got.Stderr, w)
				}
				if !strings.Contains(got.Stderr, "hashed by kernel (") {
					t.Errorf("%q: -v does not name the kernel driver: %q", args, got.Stderr)
				}
			}
			// Standard input as a pipe (spliced straight from it).
			data, _ := os.ReadFile(files[2])
			goStdin := runTool(t, data, append([]string{"--backend", "go"}, base...)...)
			kStdin := runTool(t, data, append([]string{"--backend", "kernel"}, base...)...)
			if kStdin != goStdin {
				t.Errorf("stdin pipe: kernel %+v, go %+v", kStdin, goStdin)
			}
			// Check mode with the kernel on the go backend's sums.
			sums := filepath.Join(t.TempDir(), "SUMS")
			os.WriteFile(sums, []byte(want.Stdout), 0o644)
			chk := runTool(t, nil, append(append([]string{"--backend", "kernel", "--quiet", "-c"}, base...), sums)...)
			if diff := cmp.Diff(outcome{}, chk); diff != "" {
				t.Errorf("-c with the kernel (-want +got):\n%s", diff)
			}
		})
	}
}

// TestKcapiDgst: the kernel backend's digests are kcapi-dgst's.
func TestKcapiDgst(t *testing.T) {
	testenv.RequireVM(t)
	kcapi := testenv.RequireProgram(t, "kcapi-dgst", "kcapi-tools")
	files := testFiles(t)
	for _, alg := range []string{"sha1", "sha256", "sha512", "md5", "hmac(sha256)"} {
		t.Run(alg, func(t *testing.T) {
			for _, f := range files {
				args := []string{"-c", alg, "--hex"}
				var extra []*os.File
				if strings.HasPrefix(alg, "hmac(") {
					r, w, err := os.Pipe()
					if err != nil {
						t.Fatal(err)
					}
					w.Write(rfc4231Key)
					w.Close()
					defer r.Close()
					extra = append(extra, r)
					args = append(args, "--keyfd", "3")
				}
				in, err := os.Open(f)
				if err != nil {
					t.Fatal(err)
				}
				defer in.Close()
				cmd := exec.Command(kcapi, args...)
				cmd.Stdin = in
				cmd.ExtraFiles = extra
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("kcapi-dgst %q: %v", args, err)
				}
				ours := []string{"--backend", "kernel", "-a", alg}
				if strings.HasPrefix(alg, "hmac(") {
					kf := filepath.Join(t.TempDir(), "key")
					os.WriteFile(kf, rfc4231Key, 0o600)
					ours = append(ours, "--key-file", kf)
				}
				got := runTool(t, nil, append(ours, f)...)
				digest, _, _ := strings.Cut(got.Stdout, " ")
				if got.Code != 0 || digest != strings.TrimSpace(string(out)) {
					t.Errorf("%s %s: afalg-hash %+v, kcapi-dgst %q", alg, filepath.Base(f), got, out)
				}
			}
		})
	}
}

// benchFile is 64 MiB of random bytes for the throughput benchmarks.
func benchFile(b *testing.B) string {
	b.Helper()
	p := filepath.Join(b.TempDir(), "bench")
	data := make([]byte, 64<<20)
	rand.Read(data)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

// benchProgram runs prog on the file as standard input b.N times; MB/s is
// the throughput. make vmtest VMTEST_ARGS='-test.run=^$ -test.bench=.'
// compares afalg-hash's kernel backend with kcapi-dgst in the guest.
func benchProgram(b *testing.B, prog string, args ...string) {
	f := benchFile(b)
	b.SetBytes(64 << 20)
	b.ResetTimer()
	for range b.N {
		in, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(prog, args...)
		cmd.Stdin = in
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %q: %v: %s", prog, args, err, out)
		}
		in.Close()
	}
}

func BenchmarkKernelBackend(b *testing.B) {
	testenv.RequireVM(b)
	benchProgram(b, testenv.Bin(b, "afalg-hash"), "--backend", "kernel")
}

func BenchmarkKernelBackendNoZeroCopy(b *testing.B) {
	testenv.RequireVM(b)
	benchProgram(b, testenv.Bin(b, "afalg-hash"), "--backend", "kernel", "--no-zero-copy")
}

func BenchmarkGoBackend(b *testing.B) {
	testenv.RequireVM(b)
	benchProgram(b, testenv.Bin(b, "afalg-hash"), "--backend", "go")
}

func BenchmarkKcapiDgst(b *testing.B) {
	testenv.RequireVM(b)
	benchProgram(b, testenv.RequireProgram(b, "kcapi-dgst", "kcapi-tools"), "-c", "sha256", "--hex")
}

// BenchmarkKernelAgainstKcapi runs afalg-hash's kernel backend and
// kcapi-dgst in turn on the same 64 MiB, in the order K C C K K C, each
// digest checked against Go's. It reports each tool's best MB/s of its
// three runs and kernel/kcapi, the ratio of the two: bench/afalg.sh's
// figure for the target. Best, as the host rows of bench/afalg.sh: under
// TCG a run is only ever slowed (one boot, one build, runs of one tool from
// 39.6 to 71.7 MB/s, in no order), so the best run is the one least
// disturbed and the median is a draw of the disturbances. Interleaved:
// BenchmarkKernelBackend then BenchmarkKcapiDgst ran each tool's runs back
// to back (a make bench run gave 0.92 by their medians; the same build,
// three runs of the row alone: 1.00-1.01).
func BenchmarkKernelAgainstKcapi(b *testing.B) {
	testenv.RequireVM(b)
	f := benchFile(b)
	data, err := os.ReadFile(f)
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	tools := [2][]string{
		{testenv.Bin(b, "afalg-hash"), "--backend", "kernel"},
		{testenv.RequireProgram(b, "kcapi-dgst", "kcapi-tools"), "-c", "sha256", "--hex"},
	}
	var best [2]float64
	b.ResetTimer()
	for range b.N {
		for _, t := range []int{0, 1, 1, 0, 0, 1} {
			in, err := os.Open(f)
			if err != nil {
				b.Fatal(err)
			}
			cmd := exec.Command(tools[t][0], tools[t][1:]...)
			cmd.Stdin = in
			start := time.Now()
			out, err := cmd.Output()
			took := time.Since(start)
			in.Close()
			if err != nil {
				b.Fatalf("%q: %v", tools[t], err)
			}
			if got, _, _ := strings.Cut(strings.TrimSpace(string(out)), " "); got != want {
				b.Fatalf("%q printed %q, want %s", tools[t], out, want)
			}
			mbps := float64(len(data)) / took.Seconds() / 1e6
			b.Logf("%s %.1f MB/s", filepath.Base(tools[t][0]), mbps)
			best[t] = max(best[t], mbps)
		}
	}
	b.StopTimer()
	b.ReportMetric(best[0], "kernel-MB/s")
	b.ReportMetric(best[1], "kcapi-MB/s")
	b.ReportMetric(best[0]/best[1], "kernel/kcapi")
}

// TestUnknownAlgorithmAndListBackend: on a kernel with AF_ALG, a name that
// neither the kernel (bind: ENOENT) nor Go has is a usage error that says
// so (it said "the kernel has no algorithm", exit 6), and --list marks
// the algorithms the kernel serves as backend kernel.
func TestUnknownAlgorithmAndListBackend(t *testing.T) {
	testenv.RequireVM(t)
	want := outcome{Stderr: "afalg-hash: unknown algorithm sha999 (afalg-hash --list shows this kernel's, --help Go's)\n", Code: 2}
	for _, args := range [][]string{{"-a", "sha999"}, {"--backend", "kernel", "-a", "sha999"}} {
		if diff := cmp.Diff(want, runTool(t, []byte("abc"), args...)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", args, diff)
		}
	}
	list := runTool(t, nil, "--list")
	if list.Code != 0 {
		t.Fatalf("--list: %+v", list)
	}
	found := false
	for _, l := range strings.Split(list.Stdout, "\n") {
		f := strings.Fields(l)
		if len(f) > 0 && f[0] == "sha256" {
			found = true
			if f[len(f)-1] != "kernel" {
				t.Errorf("--list row %q: backend %s, want kernel", l, f[len(f)-1])
			}
		}
	}
	if !found {
		t.Errorf("--list has no sha256 row:\n%s", list.Stdout)
	}
}
