package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// checkLine is one parsed line of a checksum file.
type checkLine struct {
	lineNo  int
	ok      bool // properly formatted
	digest  string
	fname   string
	comment bool    // '#' or empty: skipped without counting
	e       *engine // the engine for this line's digest (BLAKE2b: its length)
	err     error   // no engine could be made for it
}

func isWhite(c byte) bool { return c == ' ' || c == '\t' }

func validHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// unescapeName undoes the \\, \n and \r escapes of a checksum line; any
// other escape, a trailing backslash or a NUL makes the line invalid.
func unescapeName(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i == len(s)-1 {
				return "", false
			}
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case '\\':
				b.WriteByte('\\')
			default:
				return "", false
			}
		case 0:
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// lineParser parses checksum lines as coreutils' split_3 does: GNU
// ("HEX  NAME", "HEX *NAME"), BSD ("TAG (NAME) = HEX") and the "bsd
// reversed" form ("HEX NAME", one space), which once seen excludes the GNU
// form and the other way round.
type lineParser struct {
	tag         string
	hexLen      int
	bsdReversed int // -1 undecided, 0 GNU seen, 1 reversed seen
	// blake2b: as b2sum -c, each line's digest sets its length (any whole
	// number of bytes up to 64; "BLAKE2b-N" tags N bits, "BLAKE2b" 512),
	// whatever -a's length.
	blake2b bool
}

// matchTag reports whether s starts with the BSD tag, how long the tag is
// and how many hex digits its digest must have (-1: none will do).
func (p *lineParser) matchTag(s string) (n, hexLen int, ok bool) {
	if !p.blake2b {
		return len(p.tag), p.hexLen, strings.HasPrefix(s, p.tag)
	}
	const tag = "BLAKE2b"
	if !strings.HasPrefix(s, tag) {
		return 0, 0, false
	}
	n = len(tag)
	if n >= len(s) || s[n] != '-' {
		return n, 128, true
	}
	k := n + 1
	for k < len(s) && '0' <= s[k] && s[k] <= '9' {
		k++
	}
	bits, err := strconv.Atoi(s[n+1 : k])
	if err != nil || bits <= 0 || bits%8 != 0 || bits > 512 {
		return k, -1, true
	}
	return k, bits / 4, true
}

// validDigest reports whether d is a digest of the right length: b2sum's
// any whole number of bytes up to 64, or exactly hexLen digits.
func (p *lineParser) validDigest(d string) bool {
	if p.blake2b {
		return len(d)%2 == 0 && len(d) >= 2 && len(d) <= 128 && validHex(d, len(d))
	}
	return validHex(d, p.hexLen)
}

func (p *lineParser) parse(s string) (digest, fname string, ok bool) {
	i := 0
	for i < len(s) && isWhite(s[i]) {
		i++
	}
	escaped := false
	if i < len(s) && s[i] == '\\' {
		i++
		escaped = true
	}
	if n, hexLen, ok := p.matchTag(s[i:]); ok {
		j := i + n
		if j < len(s) && s[j] == ' ' {
			j++
		}
		if j < len(s) && s[j] == '(' {
			return p.parseBSD(s[j+1:], escaped, hexLen)
		}
		return "", "", false
	}
	extra := 0
	if i < len(s) && s[i] == '\\' {
		extra = 1
	}
	minHex := p.hexLen
	if p.blake2b {
		minHex = 2
	}
	if len(s)-i < minHex+2+extra {
		return "", "", false
	}
	k := i
	for k < len(s) && s[k] != 0 && !isWhite(s[k]) {
		k++
	}
	if k == len(s) {
		return "", "", false
	}
	digest = s[i:k]
	k++
	if !p.validDigest(digest) {
		return "", "", false
	}
	if len(s)-k == 1 || (k < len(s) && s[k] != ' ' && s[k] != '*') || k >= len(s) {
		if p.bsdReversed == 0 {
			return "", "", false
		}
		p.bsdReversed = 1
	} else if p.bsdReversed != 1 {
		p.bsdReversed = 0
		k++ // the mode mark: ' ' text, '*' binary
	}
	fname = s[k:]
	if escaped {
		if fname, ok = unescapeName(fname); !ok {
			return "", "", false
		}
	}
	return digest, fname, true
}

func (p *lineParser) parseBSD(s string, escaped bool, hexLen int) (digest, fname string, ok bool) {
	if s == "" {
		return "", "", false
	}
	i := len(s) - 1
	for i > 0 && s[i] != ')' {
		i--
	}
	if s[i] != ')' {
		return "", "", false
	}
	fname = s[:i]
	if escaped {
		if fname, ok = unescapeName(fname); !ok {
			return "", "", false
		}
	}
	i++
	for i < len(s) && isWhite(s[i]) {
		i++
	}
	if i >= len(s) || s[i] != '=' {
		return "", "", false
	}
	i++
	for i < len(s) && isWhite(s[i]) {
		i++
	}
	digest = s[i:]
	if !validHex(digest, hexLen) {
		return "", "", false
	}
	return digest, fname, true
}

// splitLines cuts a checksum file into lines as getline does, numbering
// them from 1; comments and empty lines are marked so that they keep their
// numbers but are skipped.
func splitLines(data []byte) []string {
	var lines []string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lines = append(lines, string(data))
			break
		}
		lines = append(lines, string(data[:i+1]))
		data = data[i+1:]
	}
	return lines
}

// checkStatus is what one checksum line came to.
type checkStatus int

const (
	stSkipped checkStatus = iota
	stMisformatted
	stOK
	stMismatch
	stOpenFail
	stMissing
)

// checkFile verifies one checksum file as sha256sum -c does, printing
// coreutils' lines and warnings, and reports whether it all checked out.
func checkFile(o *options, e *engine, op opener, cf string, prog *progress, write func(result)) bool {
	display := cf
	var data []byte
	var err error
	isStdin := cf == "-"
	if isStdin {
		display = "standard input"
		data, err = io.ReadAll(op.stdin)
	} else {
		var f *os.File
		if f, err = os.Open(cf); err != nil {
			write(result{errOut: fmt.Sprintf("%s: %s: %s\n", name, quotef(display), strerror(err))})
			return false
		}
		data, err = io.ReadAll(f)
		f.Close()
	}
	if err != nil {
		// coreutils names the reason when the open fails (above) but
		// says only "read error" when reading fails: a directory, EIO.
		write(result{errOut: fmt.Sprintf("%s: %s: read error\n", name, quotef(display))})
		return false
	}
	raw := splitLines(data)
	lines := make([]checkLine, len(raw))
	if e.parser == nil {
		e.parser = &lineParser{tag: e.a.Tag, hexLen: 2 * e.size, bsdReversed: -1,
			blake2b: strings.HasPrefix(e.a.Name, "blake2b-")}
	}
	tagName := e.a.Tag
	if e.parser.blake2b {
		tagName = "BLAKE2b" // b2sum's word, whatever the length
	}
	for n, l := range raw {
		cl := checkLine{lineNo: n + 1}
		if l == "" || l[0] == '#' {
			cl.comment = true
			lines[n] = cl
			continue
		}
		l = strings.TrimSuffix(l, "\n")
		l = strings.TrimSuffix(l, "\r")
		if l == "" {
			cl.comment = true
			lines[n] = cl
			continue
		}
		d, f, ok := e.parser.parse(l)
		if ok && isStdin && f == "-" {
			ok = false
		}
		cl.ok, cl.digest, cl.fname, cl.e = ok, d, f, e
		if ok && len(d) != 2*e.size {
			cl.e, cl.err = e.variant(o, len(d)/2)
		}
		lines[n] = cl
	}
	status := make([]checkStatus, len(lines))
	ordered(len(lines), o.jobs, func(i int) result {
		cl := lines[i]
		switch {
		case cl.comment:
			return result{}
		case !cl.ok:
			status[i] = stMisformatted
			if o.warn {
				return result{errOut: fmt.Sprintf("%s: %s: %d: improperly formatted %s checksum line\n",
					name, quotef(display), cl.lineNo, tagName)}
			}
			return result{}
		}
		st, r := verify(o, cl.e, op, cl, prog)
		status[i] = st
		return r
	}, write)
	var misformatted, mismatched, unreadable int
	properly, matched := false, false
	for _, st := range status {
		switch st {
		case stMisformatted:
			misformatted++
		case stOK:
			properly, matched = true, true
		case stMismatch:
			properly = true
			mismatched++
		case stOpenFail:
			properly = true
			unreadable++
		case stMissing:
			properly = true
		}
	}
	var warn strings.Builder
	if !properly {
		fmt.Fprintf(&warn, "%s: %s: no properly formatted checksum lines found\n", name, quotef(display))
	} else if !o.status {
		plural := func(n int, one, many string) {
			if n == 1 {
				fmt.Fprintf(&warn, "%s: WARNING: %d %s\n", name, n, one)
			} else if n > 1 {
				fmt.Fprintf(&warn, "%s: WARNING: %d %s\n", name, n, many)
			}
		}
		plural(misformatted, "line is improperly formatted", "lines are improperly formatted")
		plural(unreadable, "listed file could not be read", "listed files could not be read")
		plural(mismatched, "computed checksum did NOT match", "computed checksums did NOT match")
		if o.ignoreMissing && !matched {
			fmt.Fprintf(&warn, "%s: %s: no file was verified\n", name, quotef(display))
		}
	}
	if warn.Len() > 0 {
		write(result{errOut: warn.String()})
	}
	return properly && matched && mismatched == 0 && unreadable == 0 && (!o.strict || misformatted == 0)
}

// verify hashes the file of one checksum line and compares.
func verify(o *options, e *engine, op opener, cl checkLine, prog *progress) (checkStatus, result) {
	failed := func(err error) (checkStatus, result) {
		r := result{errOut: fmt.Sprintf("%s: %s: %s\n", name, quotef(cl.fname), strerror(err))}
		if !isReadError(err) && !errors.Is(err, os.ErrNotExist) && !isOpenError(err) {
			r.errOut = hashErrorLine(cl.fname, err)
		}
		if !o.status {
			r.out = checkName(cl.fname) + ": FAILED open or read\n"
		}
		return stOpenFail, r
	}
	if cl.err != nil {
		return failed(cl.err)
	}
	src, closeSrc, err := op.open(cl.fname)
	if err != nil {
		if o.ignoreMissing && errors.Is(err, os.ErrNotExist) {
			return stMissing, result{}
		}
		return failed(err)
	}
	defer closeSrc()
	sum, _, err := e.hash(src, prog.counter())
	if err != nil {
		return failed(err)
	}
	if strings.EqualFold(fmt.Sprintf("%x", sum), cl.digest) {
		if o.status || o.quiet {
			return stOK, result{}
		}
		return stOK, result{out: checkName(cl.fname) + ": OK\n"}
	}
	if o.status {
		return stMismatch, result{}
	}
	return stMismatch, result{out: checkName(cl.fname) + ": FAILED\n"}
}

func isOpenError(err error) bool {
	var pe *os.PathError
	return errors.As(err, &pe)
}
