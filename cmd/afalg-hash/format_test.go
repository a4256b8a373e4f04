package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFormatLine(t *testing.T) {
	sum := []byte{0xab, 0x01}
	tests := []struct {
		name        string
		file        string
		tagged, bin bool
		delim       byte
		want        string
	}{
		{"gnu", "a b", false, false, '\n', "ab01  a b\n"},
		{"gnu binary", "f", false, true, '\n', "ab01 *f\n"},
		{"bsd", "f", true, true, '\n', "SHA256 (f) = ab01\n"},
		{"newline escaped", "x\ny", false, false, '\n', "\\ab01  x\\ny\n"},
		{"backslash escaped", `b\c`, false, false, '\n', `\ab01  b\\c` + "\n"},
		{"carriage return escaped", "r\rr", false, false, '\n', "\\ab01  r\\rr\n"},
		{"bsd escaped", "x\ny", true, true, '\n', "\\SHA256 (x\\ny) = ab01\n"},
		{"zero: no escape", "x\ny", false, false, 0, "ab01  x\ny\x00"},
		{"zero bsd", `b\c`, true, true, 0, "SHA256 (b\\c) = ab01\x00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := formatLine("SHA256", sum, tc.file, tc.tagged, tc.bin, tc.delim)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// The expected strings are what sha256sum (coreutils 9.1, LC_ALL=C) prints
// for a missing file of that name.
func TestQuotef(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a.b-c_d/e", "a.b-c_d/e"},
		{"@", "@"},
		{"%", "%"},
		{"]", "]"},
		{"x{y", "x{y"},
		{"x#", "x#"},
		{"x~", "x~"},
		{"", "''"},
		{"sp ace", "'sp ace'"},
		{"a:b", "'a:b'"},
		{"#x", "'#x'"},
		{"~x", "'~x'"},
		{"{", "'{'"},
		{"?", "'?'"},
		{"a=b", "'a=b'"},
		{"a,b+c%d@e^f", "'a,b+c%d@e^f'"},
		{"a*b", "'a*b'"},
		{"a!b", "'a!b'"},
		{`a\b`, `'a\b'`},
		{`q"q`, `'q"q'`},
		{"it's", `"it's"`},
		{"it's a", `"it's a"`},
		{"it's$", `'it'\''s$'`},
		{`a'b"c`, `'a'\''b"c'`},
		{"n\nl", `'n'$'\n''l'`},
		{"t\tt", `'t'$'\t''t'`},
		{"c\x01d", `'c'$'\001''d'`},
		{"é", `''$'\303\251'`},
		{"é'", `''$'\303\251'\'''`},
		{"standard input", "'standard input'"},
	}
	for _, tc := range tests {
		if got := quotef(tc.in); got != tc.want {
			t.Errorf("quotef(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct{ in, want string }{
		{`b\c`, `b\c`},
		{"r\rr", "r\rr"},
		{"x\ny", `\x\ny`},
		{"n\\\nm", `\n\\\nm`},
		{"q\rq\nq", `\q\rq\nq`},
	}
	for _, tc := range tests {
		if got := checkName(tc.in); got != tc.want {
			t.Errorf("checkName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
