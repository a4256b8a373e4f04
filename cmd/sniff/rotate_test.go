package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestRotationShortageSaidOncePerInterval: rotations that find no
// descriptor are one line when they start, then at most one per
// shortageEvery with the count since the last line, and one with the
// total when a rotation succeeds again. The clock is moved by hand (the
// time of the last line), not waited for.
func TestRotationShortageSaidOncePerInterval(t *testing.T) {
	var stderr bytes.Buffer
	r := &rotator{stderr: &stderr, curName: "cap.pcap"}
	err := &os.PathError{Op: "open", Path: "cap.pcap1", Err: unix.EMFILE}
	for range 5 {
		r.noDescriptor("cap.pcap1", err)
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "sniff: rotating to the next file: open cap.pcap1: too many open files: writing on to cap.pcap, rotating when a descriptor frees up (open-files limit ") {
		t.Fatalf("5 failed rotations at once said %q, want one line", stderr.String())
	}
	stderr.Reset()
	r.lastLine = r.lastLine.Add(-shortageEvery - time.Second)
	r.noDescriptor("cap.pcap1", err)
	r.noDescriptor("cap.pcap1", err)
	if got, want := stderr.String(), "sniff: still no descriptor for the next file: 5 failed rotations in 11s, writing on to cap.pcap\n"; got != want {
		t.Errorf("after an interval: %q, want %q", got, want)
	}
	if r.total != 7 || r.failed != 1 {
		t.Errorf("total %d, failed %d since the line; want 7, 1", r.total, r.failed)
	}
}
