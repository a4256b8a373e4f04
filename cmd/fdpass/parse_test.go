package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		in   string
		want request
		err  string
	}{
		{in: "STORE web 0\n", want: request{Op: opStore, Name: "web"}},
		{in: "STORE web 1500\n", want: request{Op: opStore, Name: "web", TTLms: 1500}},
		{in: "RETRIEVE web\n", want: request{Op: opRetrieve, Name: "web"}},
		{in: "TAKE a.b-c@d\n", want: request{Op: opTake, Name: "a.b-c@d"}},
		{in: "DELETE web\n", want: request{Op: opDelete, Name: "web"}},
		{in: "LIST\n", want: request{Op: opList}},
		{in: "LIST", err: "newline"},
		{in: "list\n", err: "unknown request"},
		{in: "STORE web\n", err: "takes 2 fields"},
		{in: "STORE web -1\n", err: "ttl-ms"},
		{in: "STORE web +1\n", err: "ttl-ms"},
		{in: "STORE web 01\n", err: "ttl-ms"},
		{in: "STORE web 99999999999999999\n", err: "ttl-ms"},
		{in: "RETRIEVE a:b\n", err: "without spaces or ':'"},
		{in: "RETRIEVE  web\n", err: "takes 1 fields"},
		{in: "RETRIEVE " + strings.Repeat("n", 256) + "\n", err: "1 to 255"},
		{in: "LIST x\n", err: "takes 0 fields"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseRequest([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseRequest(%q) error = %v, want one containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("parseRequest(%q) (-want +got):\n%s", tt.in, d)
			}
			if s := got.String(); s != tt.in {
				t.Errorf("String() = %q, want %q", s, tt.in)
			}
		})
	}
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{"STORE web 0\n", "RETRIEVE x\n", "TAKE y\n", "DELETE z\n", "LIST\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseRequest(b)
		if err != nil {
			return
		}
		// What parses prints back as the same bytes.
		if r.String() != string(b) {
			t.Fatalf("parseRequest(%q).String() = %q", b, r.String())
		}
	})
}

func TestParseReply(t *testing.T) {
	tests := []struct {
		in   string
		want reply
		err  string
	}{
		{in: "OK\n", want: reply{OK: true}},
		{in: "OK 3\n", want: reply{OK: true, Fields: []string{"3"}}},
		{in: "ERR denied uid 5 may not\n", want: reply{Code: "denied", Text: "uid 5 may not"}},
		{in: "ERR full\n", want: reply{Code: "full"}},
		{in: "ERR \n", err: "no error code"},
		{in: "OK", err: "newline"},
		{in: "HELLO\n", err: "neither OK nor ERR"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseReply([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseReply(%q) error = %v, want one containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("parseReply(%q) (-want +got):\n%s", tt.in, d)
			}
		})
	}
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"OK\n", "OK 3\n", "ERR denied no\n", "web 1 0\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := parseReply(b); err == nil && !r.OK && r.Code == "" {
			t.Fatalf("parseReply(%q) = %+v: an ERR without a code", b, r)
		}
		if e, err := parseListEntry(b); err == nil && e.String() != string(b) {
			t.Fatalf("parseListEntry(%q).String() = %q", b, e.String())
		}
	})
}

func TestDecodeNames(t *testing.T) {
	unknown3 := []string{"unknown", "unknown", "unknown"}
	tests := []struct {
		name string
		data string
		n    int
		want []string
	}{
		{"one per descriptor", "a:b:c\n", 3, []string{"a", "b", "c"}},
		{"no newline", "a:b:c", 3, []string{"a", "b", "c"}},
		{"too few", "a:b\n", 3, unknown3},
		{"foreign data", "x", 3, unknown3},
		{"empty name", "a::c\n", 3, unknown3},
		{"space", "a:b c:d\n", 3, unknown3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, decodeNames([]byte(tt.data), tt.n)); d != "" {
				t.Errorf("decodeNames(%q, %d) (-want +got):\n%s", tt.data, tt.n, d)
			}
		})
	}
}

func TestNamesFor(t *testing.T) {
	tests := []struct {
		name  string
		given []string
		n     int
		want  []string
		err   bool
	}{
		{"none", nil, 2, []string{"unknown", "unknown"}, false},
		{"one for all", []string{"web"}, 2, []string{"web", "web"}, false},
		{"one each", []string{"a", "b"}, 2, []string{"a", "b"}, false},
		{"wrong count", []string{"a", "b"}, 3, nil, true},
		{"colon", []string{"a:b"}, 1, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := namesFor(tt.given, tt.n)
			if (err != nil) != tt.err {
				t.Fatalf("namesFor error = %v, want error %t", err, tt.err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("namesFor (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseFdinfoFlags(t *testing.T) {
	tests := []struct {
		in      string
		flags   int
		cloexec bool
	}{
		{"pos:\t0\nflags:\t02004002\nmnt_id:\t15\n", unix.O_RDWR | unix.O_NONBLOCK, true},
		{"pos:\t0\nflags:\t0100000\n", 0o100000, false},
		{"garbage", 0, false},
	}
	for _, tt := range tests {
		f, c := parseFdinfoFlags(tt.in)
		if f != tt.flags || c != tt.cloexec {
			t.Errorf("parseFdinfoFlags(%q) = %#o, %t; want %#o, %t", tt.in, f, c, tt.flags, tt.cloexec)
		}
	}
}
