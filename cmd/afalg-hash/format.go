package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// The output formats of coreutils 9.1's sha256sum, byte for byte.

// hasProblematic reports whether a file name needs the backslash escape in
// a checksum line (coreutils: a backslash, newline or carriage return).
func hasProblematic(name string) bool { return strings.ContainsAny(name, "\\\n\r") }

// escapeName writes \n, \r and \\ for newline, carriage return and
// backslash, as coreutils' print_filename does when escaping.
func escapeName(b *strings.Builder, name string) {
	for i := 0; i < len(name); i++ {
		switch c := name[i]; c {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
}

// formatLine is one line of hash output: GNU "HEX  NAME" (binary: "HEX
// *NAME") or BSD "TAG (NAME) = HEX", ended by delim. With delim '\n' a name
// with a backslash, newline or carriage return is escaped and the line
// starts with a backslash; with -z (delim 0) names are written as they are.
func formatLine(tag string, sum []byte, name string, tagged, binary bool, delim byte) string {
	var b strings.Builder
	esc := delim == '\n' && hasProblematic(name)
	if esc {
		b.WriteByte('\\')
	}
	writeName := func() {
		if esc {
			escapeName(&b, name)
		} else {
			b.WriteString(name)
		}
	}
	if tagged {
		b.WriteString(tag)
		b.WriteString(" (")
		writeName()
		b.WriteString(") = ")
		b.WriteString(hex.EncodeToString(sum))
	} else {
		b.WriteString(hex.EncodeToString(sum))
		b.WriteByte(' ')
		if binary {
			b.WriteByte('*')
		} else {
			b.WriteByte(' ')
		}
		writeName()
	}
	b.WriteByte(delim)
	return b.String()
}

// checkName is how check mode prints a file name before ": OK": coreutils
// 9.1 escapes it, with a leading backslash, only when it has a newline.
func checkName(name string) string {
	if !strings.Contains(name, "\n") {
		return name
	}
	var b strings.Builder
	b.WriteByte('\\')
	escapeName(&b, name)
	return b.String()
}

// quotef quotes a file name for a diagnostic as coreutils' quotef does in
// the C locale (gnulib's shell-escape quoting with ':' quoted): names of
// safe characters stay bare; others get single quotes, double quotes when
// the only problem is a single quote, and $'\ooo' for control and
// non-ASCII bytes.
func quotef(s string) string {
	if s == "" {
		return "''"
	}
	needs, hasQuote, dqUnsafe := false, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c >= 0x7f:
			needs, dqUnsafe = true, true
		case c == '\'':
			needs, hasQuote = true, true
		case c == '"' || c == '$' || c == '`' || c == '\\' || c == '!':
			needs, dqUnsafe = true, true
		case strings.IndexByte(" &()*;<=>?[^|:\t", c) >= 0:
			needs = true
		case (c == '#' || c == '~') && i == 0:
			needs = true
		case (c == '{' || c == '}') && len(s) == 1:
			needs = true
		}
	}
	if !needs {
		return s
	}
	if hasQuote && !dqUnsafe {
		return `"` + s + `"`
	}
	var b strings.Builder
	b.WriteByte('\'')
	inEsc := false // inside a $'...' run
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c >= 0x7f:
			if !inEsc {
				b.WriteString(`'$'`)
				inEsc = true
			}
			b.WriteString(cEscape(c))
		case c == '\'':
			b.WriteString(`'\''`)
			inEsc = false
		default:
			if inEsc {
				b.WriteString(`''`)
				inEsc = false
			}
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func cEscape(c byte) string {
	switch c {
	case '\a':
		return `\a`
	case '\b':
		return `\b`
	case '\f':
		return `\f`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	case '\v':
		return `\v`
	}
	return fmt.Sprintf(`\%03o`, c)
}

// strerror is glibc's text for the errno inside err ("No such file or
// directory"); Go's texts are the same with a lower-case first letter.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	if errors.Is(err, os.ErrNotExist) {
		return "No such file or directory"
	}
	return err.Error()
}
