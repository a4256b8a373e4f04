package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/sys/unix"
)

// fullDisk writes to f until limit bytes are in it, then fails as a full
// disk does: part of the write, then ENOSPC.
type fullDisk struct {
	f     *os.File
	limit int64
	n     int64
}

func (d *fullDisk) Write(p []byte) (int, error) {
	room := d.limit - d.n
	if int64(len(p)) <= room {
		n, err := d.f.Write(p)
		d.n += int64(n)
		return n, err
	}
	n, _ := d.f.Write(p[:room])
	d.n += int64(n)
	return n, &os.PathError{Op: "write", Path: d.f.Name(), Err: unix.ENOSPC}
}

// fillUp writes with write until the disk is full and flushes; the error
// must be ENOSPC. It closes fs and returns the size of the file at path.
func fillUp(t *testing.T, fs *fileSink, path string, limit int64, write func(i int) error) int64 {
	t.Helper()
	var err error
	for i := 0; i < 20000 && err == nil; i++ {
		err = write(i)
	}
	if err == nil {
		err = fs.flush()
	}
	if !errors.Is(err, unix.ENOSPC) {
		t.Fatalf("limit %d: error %v, want ENOSPC", limit, err)
	}
	fs.close()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// readToEnd reads every packet of the file cut at limit bytes and counts
// them; anything but a clean end fails the test.
func readToEnd(t *testing.T, r gopacket.PacketDataSource, limit int64) int64 {
	t.Helper()
	n := int64(0)
	for {
		_, _, err := r.ReadPacketData()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatalf("limit %d: packet %d: %v", limit, n, err)
		}
		n++
	}
}

// sniff -w on a disk that fills up: the write fails with ENOSPC and the
// file is cut back to its last whole record, so that readers read every
// record in it and then a clean end (#16; tcpdump said "truncated dump
// file"). integration/sniff TestWriteOntoFullTmpfs does it on a 1 MiB tmpfs.
func TestWriteDiskFull(t *testing.T) {
	for _, limit := range []int64{10, 24, 24 + 16 + 50, 5000, 1<<20 + 7} {
		path := filepath.Join(t.TempDir(), "full.pcap")
		fs, err := newFileSink(path, "pcap", []string{"eth0"}, []layers.LinkType{layers.LinkTypeEthernet}, 262144, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		fs.w = &fullDisk{f: fs.f, limit: limit}
		data := make([]byte, 100)
		size := fillUp(t, fs, path, limit, func(i int) error { return fs.record(uint32(i), 0, data, len(data)) })
		want := int64(0)
		if limit >= 24 {
			want = 24 + (limit-24)/116*116
		}
		if size != want {
			t.Errorf("limit %d: file of %d bytes, want %d (whole records)", limit, size, want)
		}
		if want == 0 {
			continue
		}
		f, _ := os.Open(path)
		r, err := pcapgo.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		n := readToEnd(t, r, limit)
		f.Close()
		if n != (limit-24)/116 {
			t.Errorf("limit %d: %d records read, want %d", limit, n, (limit-24)/116)
		}
	}
}

// The same for pcapng: the file is cut back to its last whole block and
// reads to a clean end (#16; before, it ended in part of a block).
func TestWriteDiskFullPcapng(t *testing.T) {
	data := make([]byte, 100)
	p := &pkt{data: data, len: len(data), ts: time.Unix(1, 0)}
	// The size of the headers and of one packet's block.
	ref := filepath.Join(t.TempDir(), "ref.pcapng")
	fs, err := newFileSink(ref, "pcapng", []string{"eth0"}, []layers.LinkType{layers.LinkTypeEthernet}, 262144, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	fs.flush()
	st, _ := fs.f.Stat()
	hdr := st.Size()
	fs.write(p)
	fs.close()
	st, _ = os.Stat(ref)
	block := st.Size() - hdr
	for _, limit := range []int64{hdr, hdr + 5, hdr + block, hdr + 3*block + 7, 1<<20 + 3} {
		path := filepath.Join(t.TempDir(), "full.pcapng")
		fs, err := newFileSink(path, "pcapng", []string{"eth0"}, []layers.LinkType{layers.LinkTypeEthernet}, 262144, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := fs.flush(); err != nil {
			t.Fatal(err)
		}
		fs.bw.Reset(&fullDisk{f: fs.f, limit: limit, n: hdr})
		size := fillUp(t, fs, path, limit, func(int) error { return fs.write(p) })
		want := hdr + (limit-hdr)/block*block
		if size != want {
			t.Errorf("limit %d: file of %d bytes, want %d (whole blocks)", limit, size, want)
		}
		f, _ := os.Open(path)
		r, err := pcapgo.NewNgReader(f, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			t.Fatalf("limit %d: %v", limit, err)
		}
		n := readToEnd(t, r, limit)
		f.Close()
		if n != (limit-hdr)/block {
			t.Errorf("limit %d: %d packets read, want %d", limit, n, (limit-hdr)/block)
		}
	}
}
