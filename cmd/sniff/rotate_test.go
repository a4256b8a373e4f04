package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gopacket/gopacket/layers"
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

// TestRotationReusesBuffers: a rotated file takes the closed file's
// buffers (pcap records, pcapng's bufio.Writer), so that rotating
// allocates none: the soak's RSS climbed for minutes with one new buffer a
// rotation, until the Go heap's first collection.
func TestRotationReusesBuffers(t *testing.T) {
	for _, format := range []string{"pcap", "pcapng"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			o := &options{write: filepath.Join(dir, "cap"), format: format, snaplen: 262144, fileSizeMB: 1, fileCount: 3}
			r, err := newRotator(o, []string{"eth0"}, []layers.LinkType{layers.LinkTypeEthernet}, nil, io.Discard, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			defer r.close()
			bufOf := func(fs *fileSink) any {
				if format == "pcapng" {
					return fs.bw
				}
				return unsafe.SliceData(fs.buf)
			}
			first := bufOf(r.cur)
			p := &pkt{data: make([]byte, 1000), len: 1000, ts: time.Now(), lt: layers.LinkTypeEthernet}
			for r.n < 5 {
				if err := r.write(p); err != nil {
					t.Fatal(err)
				}
				if got := bufOf(r.cur); got != first {
					t.Fatalf("file %d has a new buffer", r.n)
				}
			}
		})
	}
}
