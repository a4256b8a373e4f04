package main

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestNameSpellings pins the names resolve derives from sockcore's
// FamilyName and TypeName: the text format's (ip(8)'s "inet", "stream") and
// getent's socket types, byte for byte as glibc's getent.c prints them.
func TestNameSpellings(t *testing.T) {
	for fam, want := range map[int]string{
		unix.AF_INET: "inet", unix.AF_INET6: "inet6", unix.AF_UNIX: "AF_UNIX", unix.AF_PACKET: "AF_PACKET", 99: "family 99",
	} {
		if got := familyName(fam); got != want {
			t.Errorf("familyName(%d) = %q, want %q", fam, got, want)
		}
	}
	for typ, want := range map[int]string{
		unix.SOCK_STREAM: "stream", unix.SOCK_DGRAM: "dgram", unix.SOCK_RAW: "raw", unix.SOCK_SEQPACKET: "seqpacket",
		unix.SOCK_RDM: "4", unix.SOCK_DCCP: "6", unix.SOCK_PACKET: "10", 0: "0",
	} {
		if got := typeName(typ); got != want {
			t.Errorf("typeName(%d) = %q, want %q", typ, got, want)
		}
	}
	for typ, want := range map[int]string{
		unix.SOCK_STREAM: "STREAM", unix.SOCK_DGRAM: "DGRAM", unix.SOCK_RAW: "RAW", unix.SOCK_RDM: "RDM",
		unix.SOCK_SEQPACKET: "SEQPACKET", unix.SOCK_DCCP: "DCCP", unix.SOCK_PACKET: "PACKET", 0: "0", 7: "7",
	} {
		if got := getentType(typ); got != want {
			t.Errorf("getentType(%d) = %q, want %q", typ, got, want)
		}
	}
	for in, want := range map[string]int{"stream": unix.SOCK_STREAM, "SOCK_DGRAM": unix.SOCK_DGRAM, "Raw": unix.SOCK_RAW, "seqpacket": unix.SOCK_SEQPACKET, "5": 5, "": 0} {
		if got, err := parseType(in); err != nil || got != want {
			t.Errorf("parseType(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"rdm", "sock_", "-1"} {
		if _, err := parseType(in); err == nil {
			t.Errorf("parseType(%q) succeeded; want a usage error", in)
		}
	}
}
