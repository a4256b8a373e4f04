package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func FuzzCheckLine(f *testing.F) {
	f.Add("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc", "x\ny")
	f.Add("SHA256 (abc) = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", `b\c`)
	f.Add("\\ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a\\nb", "r\rr")
	f.Fuzz(func(t *testing.T, line, fname string) {
		p := &lineParser{tag: "SHA256", hexLen: 64, bsdReversed: -1}
		if d, _, ok := p.parse(line); ok && !validHex(d, 64) {
			t.Fatalf("parse(%q) accepted digest %q", line, d)
		}
		// What formatLine writes, parse reads back (names coreutils can
		// represent: not empty, no NUL).
		if fname == "" || strings.IndexByte(fname, 0) >= 0 {
			return
		}
		sum := make([]byte, 32)
		for _, tagged := range []bool{false, true} {
			l := strings.TrimSuffix(formatLine("SHA256", sum, fname, tagged, false, '\n'), "\n")
			p := &lineParser{tag: "SHA256", hexLen: 64, bsdReversed: -1}
			_, got, ok := p.parse(l)
			if !ok {
				t.Fatalf("parse(%q) rejected its own line", l)
			}
			if diff := cmp.Diff(fname, got); diff != "" {
				t.Fatalf("line %q (-want +got):\n%s", l, diff)
			}
		}
	})
}

func FuzzProcCrypto(f *testing.F) {
	f.Add([]byte("name         : sha256\ndriver       : sha256-ni\nmodule       : kernel\npriority     : 250\nselftest     : passed\ninternal     : no\ntype         : shash\nblocksize    : 64\ndigestsize   : 32\n\n"))
	f.Add([]byte("name : a\nname : b\n\n\n:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		algs := parseProcCrypto(b)
		for _, a := range algs {
			if a.Name == "" {
				t.Fatalf("entry without a name: %+v", a)
			}
		}
		for _, a := range hashAlgs(algs) {
			if driverFor(algs, a.Name) == "" && a.Driver != "" {
				t.Fatalf("no driver for listed %q", a.Name)
			}
		}
	})
}

func TestProcCrypto(t *testing.T) {
	in := `name         : sha256
driver       : sha256-generic
module       : kernel
priority     : 100
refcnt       : 1
selftest     : passed
internal     : no
type         : shash
blocksize    : 64
digestsize   : 32

name         : sha256
driver       : sha256-ni
module       : sha256_ssse3
priority     : 250
selftest     : passed
internal     : no
type         : shash
digestsize   : 32

name         : __sha256
driver       : __sha256-internal
priority     : 0
internal     : yes
type         : shash

name         : cbc(aes)
driver       : cbc(aes-aesni)
priority     : 400
type         : skcipher
`
	algs := parseProcCrypto([]byte(in))
	if len(algs) != 4 {
		t.Fatalf("parsed %d entries, want 4: %+v", len(algs), algs)
	}
	var got []string
	for _, a := range hashAlgs(algs) {
		got = append(got, a.Driver)
	}
	if diff := cmp.Diff([]string{"sha256-ni", "sha256-generic"}, got); diff != "" {
		t.Errorf("hash drivers by priority (-want +got):\n%s", diff)
	}
	if d := driverFor(algs, "sha256"); d != "sha256-ni" {
		t.Errorf("driverFor(sha256) = %q, want sha256-ni", d)
	}
	if d := driverFor(algs, "sha256-generic"); d != "sha256-generic" {
		t.Errorf("driverFor(sha256-generic) = %q", d)
	}
	if d := driverFor(algs, "md5"); d != "" {
		t.Errorf("driverFor(md5) = %q, want none", d)
	}
}
