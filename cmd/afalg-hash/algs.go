package main

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"maps"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/crypto/blake2b"
)

// algo is one digest algorithm under its kernel name.
type algo struct {
	Name   string // kernel crypto API name: "sha256", "hmac(sha256)"
	Tag    string // BSD tag (--tag): "SHA256" as sha256sum writes it
	GoName string // the Go implementation, "" when Go has none
	newGo  func() hash.Hash
	key    []byte // HMAC key; nil for plain digests
}

// goAlgos are the digests Go's standard library provides, by kernel name.
var goAlgos = map[string]struct {
	pkg string
	new func() hash.Hash
}{
	"md5":      {"crypto/md5", md5.New},
	"sha1":     {"crypto/sha1", sha1.New},
	"sha224":   {"crypto/sha256", sha256.New224},
	"sha256":   {"crypto/sha256", sha256.New},
	"sha384":   {"crypto/sha512", sha512.New384},
	"sha512":   {"crypto/sha512", sha512.New},
	"sha3-224": {"crypto/sha3", func() hash.Hash { return sha3.New224() }},
	"sha3-256": {"crypto/sha3", func() hash.Hash { return sha3.New256() }},
	"sha3-384": {"crypto/sha3", func() hash.Hash { return sha3.New384() }},
	"sha3-512": {"crypto/sha3", func() hash.Hash { return sha3.New512() }},
	"crc32c":   {"hash/crc32", newCRC32C},
	// BLAKE2b is the one family here that is a loadable module in both of
	// Debian's kernels (blake2b_generic), not built in: b2sum's digest.
	"blake2b-160": {"golang.org/x/crypto/blake2b", newBlake2b(20)},
	"blake2b-256": {"golang.org/x/crypto/blake2b", newBlake2b(32)},
	"blake2b-384": {"golang.org/x/crypto/blake2b", newBlake2b(48)},
	"blake2b-512": {"golang.org/x/crypto/blake2b", newBlake2b(64)},
}

// newBlake2b returns an unkeyed BLAKE2b of size bytes, as the kernel's
// blake2b-N without a key and b2sum -l N.
func newBlake2b(size int) func() hash.Hash {
	return func() hash.Hash {
		h, err := blake2b.New(size, nil)
		if err != nil {
			panic(err) // sizes above are all valid
		}
		return h
	}
}

// blake2bBits reads "blake2b-N": a BLAKE2b of N bits, a multiple of 8 up
// to 512, as b2sum -l N.
func blake2bBits(name string) (int, bool) {
	n, ok := strings.CutPrefix(name, "blake2b-")
	if !ok || n == "" || n[0] == '0' || strings.Trim(n, "0123456789") != "" {
		return 0, false
	}
	bits, err := strconv.Atoi(n)
	return bits, err == nil && bits > 0 && bits%8 == 0 && bits <= 512
}

// coreutilsTags are the BSD tags the coreutils tools write.
var coreutilsTags = map[string]string{
	"md5": "MD5", "sha1": "SHA1", "sha224": "SHA224", "sha256": "SHA256", "sha384": "SHA384", "sha512": "SHA512",
	// b2sum names its default length plainly and the others with it.
	"blake2b-512": "BLAKE2b", "blake2b-384": "BLAKE2b-384", "blake2b-256": "BLAKE2b-256", "blake2b-160": "BLAKE2b-160",
}

// lookupAlgo resolves -a NAME (and --hmac) to an algorithm. hmac(NAME) may
// also be given directly. key is the HMAC key, required for HMACs.
// algorithmNames are the -a values shell completion offers: Go's digests
// and the kernel's hashes from /proc/crypto.
func algorithmNames() []string {
	seen := map[string]bool{}
	for n := range goAlgos {
		seen[n] = true
	}
	if algs, err := readProcCrypto(); err == nil {
		for _, a := range hashAlgs(algs) {
			seen[a.Name] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

func lookupAlgo(name string, withHMAC bool, key []byte) algo {
	name = strings.ToLower(name)
	if withHMAC && !strings.HasPrefix(name, "hmac(") {
		name = "hmac(" + name + ")"
	}
	a := algo{Name: name, Tag: strings.ToUpper(name)}
	if t, ok := coreutilsTags[name]; ok {
		a.Tag = t
	}
	if inner, ok := strings.CutPrefix(name, "hmac("); ok && strings.HasSuffix(inner, ")") {
		inner = strings.TrimSuffix(inner, ")")
		a.Tag = "HMAC-" + strings.ToUpper(inner)
		a.key = key
		if g, ok := goAlgos[inner]; ok && inner != "crc32c" {
			a.GoName = "crypto/hmac+" + g.pkg
			a.newGo = func() hash.Hash { return hmac.New(g.new, key) }
		}
		return a
	}
	if g, ok := goAlgos[name]; ok {
		a.GoName, a.newGo = g.pkg, g.new
	} else if bits, ok := blake2bBits(name); ok {
		// b2sum -l BITS: any whole number of bytes up to 64, in Go.
		a.Tag = fmt.Sprintf("BLAKE2b-%d", bits)
		a.GoName, a.newGo = "golang.org/x/crypto/blake2b", newBlake2b(bits/8)
	}
	return a
}

// IsHMAC reports whether the algorithm needs a key.
func (a algo) IsHMAC() bool { return strings.HasPrefix(a.Name, "hmac(") }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32cDigest is CRC-32C with the kernel's crc32c digest bytes: the final
// (inverted) CRC in little-endian order, so that the hex output matches
// AF_ALG's and kcapi-dgst's. hash/crc32's own Sum is big-endian.
type crc32cDigest struct{ crc uint32 }

func newCRC32C() hash.Hash { return &crc32cDigest{} }

func (d *crc32cDigest) Write(p []byte) (int, error) {
	d.crc = crc32.Update(d.crc, castagnoli, p)
	return len(p), nil
}
func (d *crc32cDigest) Sum(b []byte) []byte { return binary.LittleEndian.AppendUint32(b, d.crc) }
func (d *crc32cDigest) Reset()              { d.crc = 0 }
func (d *crc32cDigest) Size() int           { return 4 }
func (d *crc32cDigest) BlockSize() int      { return 1 }
