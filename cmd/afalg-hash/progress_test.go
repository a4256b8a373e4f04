package main

import (
	"bytes"
	"testing"
)

func TestHuman(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536 << 10, "1.5 MiB"}, {1 << 30, "1.0 GiB"}, {3 << 40, "3.0 TiB"},
	} {
		if got := human(tc.n); got != tc.want {
			t.Errorf("human(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestProgressOnlyOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, []string{"run_test.go"})
	p.counter().Add(1 << 30)
	p.stop()
	if buf.Len() != 0 {
		t.Errorf("progress wrote %q to a buffer", buf.String())
	}
}

func TestUseSplice(t *testing.T) {
	for _, tc := range []struct {
		mode, release string
		want          bool
	}{
		{"auto", "6.1.0-56-amd64", false},
		{"auto", "6.4.16", false},
		{"auto", "6.5.0", true},
		{"auto", "6.12.117+deb12-amd64", true},
		{"auto", "7.0.1", true},
		{"auto", "5.10.0-30-amd64", false},
		{"auto", "garbage", false},
		{"on", "6.1.0", true},
		{"off", "6.12.0", false},
	} {
		if got := useSplice(tc.mode, tc.release); got != tc.want {
			t.Errorf("useSplice(%q, %q) = %v, want %v", tc.mode, tc.release, got, tc.want)
		}
	}
}
