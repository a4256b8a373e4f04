package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// pcapFile lays out a microsecond pcap file of Ethernet records, each
// given as its data and its length on the wire.
func pcapFile(snaplen uint32, recs ...[]any) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0xa1b2c3d4)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = binary.LittleEndian.AppendUint32(b, snaplen)
	b = binary.LittleEndian.AppendUint32(b, 1)
	for i, r := range recs {
		data, wire := r[0].([]byte), r[1].(int)
		b = binary.LittleEndian.AppendUint32(b, uint32(1000+i))
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
		b = binary.LittleEndian.AppendUint32(b, uint32(wire))
		b = append(b, data...)
	}
	return b
}

// TestReadInconsistentRecords: records libpcap reads (captured length
// above the original length, or above the snapshot length) print and
// reading goes on; a file that ends inside a record prints the packets
// before it, then one line, exit 2.
func TestReadInconsistentRecords(t *testing.T) {
	pk := testPackets(t)
	udp := pk[2]
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	whole := pcapFile(262144, []any{udp.data, len(udp.data)}, []any{udp.data, len(udp.data) - 2}, []any{udp.data, len(udp.data)})
	tests := []struct {
		name  string
		file  []byte
		lines int
		code  int
		err   string
	}{
		{"caplen above len", whole, 3, 0, ""},
		{"caplen above snaplen", pcapFile(40, []any{udp.data, len(udp.data)}, []any{udp.data, len(udp.data)}), 2, 0, ""},
		{"record cut short", whole[:len(whole)-5], 2, 2, "truncated dump file; tried to read 60 captured bytes, only got 55"},
		{"header cut short", whole[:len(whole)-len(udp.data)-3], 2, 2, "tried to read 16 header bytes, only got 13"},
		{"bad magic", append([]byte{1, 2, 3, 4}, whole[4:]...), 0, 2, "unknown magic number 0x04030201"},
		{"header only", whole[:24], 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(t.Context(), []string{"sniff", "-n", "-r", write(strings.ReplaceAll(tt.name, " ", "-"), tt.file)}, nil, &out, &errb)
			if got := exitCode(err); got != tt.code {
				t.Errorf("exit %d (%v), want %d", got, err, tt.code)
			}
			if got := strings.Count(out.String(), "\n"); got != tt.lines {
				t.Errorf("%d lines, want %d:\n%s", got, tt.lines, out.String())
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("error %v, want one saying %q", err, tt.err)
			}
		})
	}
}

// readAll reads a capture file to its end as sniff -r does.
func readAll(b []byte) (n int, err error) {
	br := bufio.NewReader(bytes.NewReader(b))
	if bytes.HasPrefix(b, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		ng, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{})
		if err != nil {
			return 0, err
		}
		for {
			data, ci, _, err := readNg(ng)
			if err != nil {
				return n, err
			}
			if len(data) != ci.CaptureLength {
				panic("captured length is not the data's")
			}
			n++
		}
	}
	pr, err := newPcapReader(br)
	if err != nil {
		return 0, err
	}
	for {
		data, ci, err := pr.ReadPacketData()
		if err != nil {
			return n, err
		}
		if len(data) != ci.CaptureLength || len(data) > maxSnaplen {
			panic("bad record")
		}
		n++
	}
}

func FuzzPcapReader(f *testing.F) {
	pk := testPackets(f)
	f.Add(pcapFile(262144, []any{pk[0].data, len(pk[0].data)}, []any{pk[1].data, 10}))
	f.Add(pcapFile(16, []any{pk[2].data, 1 << 20}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := readAll(b); err != nil && err != io.EOF && !isCorrupt(err) {
			t.Fatalf("an error that is not errCorrupt: %v", err)
		}
	})
}

func FuzzPcapngReader(f *testing.F) {
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriter(&buf, layers.LinkTypeEthernet)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range testPackets(f)[:3] {
		w.WritePacket(gopacket.CaptureInfo{CaptureLength: len(p.data), Length: len(p.data)}, p.data)
	}
	w.Flush()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		readAll(append([]byte{0x0a, 0x0d, 0x0d, 0x0a}, b...))
	})
}

func isCorrupt(err error) bool { return errors.Is(err, errCorrupt) }
