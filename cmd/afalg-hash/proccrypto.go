package main

import (
	"bufio"
	"bytes"
	"os"
	"sort"
	"strconv"
	"strings"
)

// cryptoAlg is one entry of /proc/crypto.
type cryptoAlg struct {
	Name, Driver, Module, Type string
	Priority                   int
	DigestSize                 int
	Internal                   bool
	Selftest                   string
}

// parseProcCrypto parses /proc/crypto: blocks of "key : value" lines
// separated by blank lines. Unknown keys are ignored; a block without a
// name is dropped.
func parseProcCrypto(b []byte) []cryptoAlg {
	var algs []cryptoAlg
	var cur cryptoAlg
	flush := func() {
		if cur.Name != "" {
			algs = append(algs, cur)
		}
		cur = cryptoAlg{}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "name":
			if cur.Name != "" {
				flush()
			}
			cur.Name = v
		case "driver":
			cur.Driver = v
		case "module":
			cur.Module = v
		case "type":
			cur.Type = v
		case "priority":
			cur.Priority, _ = strconv.Atoi(v)
		case "digestsize":
			cur.DigestSize, _ = strconv.Atoi(v)
		case "internal":
			cur.Internal = v == "yes"
		case "selftest":
			cur.Selftest = v
		}
	}
	flush()
	return algs
}

func readProcCrypto() ([]cryptoAlg, error) {
	b, err := os.ReadFile("/proc/crypto")
	if err != nil {
		return nil, err
	}
	return parseProcCrypto(b), nil
}

func isHash(a cryptoAlg) bool { return (a.Type == "shash" || a.Type == "ahash") && !a.Internal }

// hashAlgs returns the hash algorithms, by name and then by falling
// priority (the kernel uses the first of each name).
func hashAlgs(algs []cryptoAlg) []cryptoAlg {
	var out []cryptoAlg
	for _, a := range algs {
		if isHash(a) {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Priority > out[j].Priority
	})
	return out
}

// driverFor names the driver the kernel picks for name: the hash of that
// name (or driver name) with the highest priority that passed its self-test.
func driverFor(algs []cryptoAlg, name string) string {
	best, prio := "", -1
	for _, a := range algs {
		if !isHash(a) {
			continue
		}
		if a.Driver == name {
			return a.Driver
		}
		if a.Name == name && a.Priority > prio {
			best, prio = a.Driver, a.Priority
		}
	}
	return best
}
