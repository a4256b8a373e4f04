package sniff

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// floodCount is the numbered flood's datagrams: more than two 1 MiB ring
// blocks of 64-byte datagrams (about 5,400 a block), and 22 fills of the
// 64 KiB buffer of a file written by raw write(2)s, yet fewer than the
// default 4 MiB ring holds, so that the kernel drops none even if sniff
// does not read until the end.
const floodCount = 12000

// TestNumberedFlood: every datagram of a numbered flood is in the capture
// once, in the order sent, through both of sniff -w's writers: a regular
// file (raw write(2)s from a 64 KiB buffer) and a pipe (a FIFO: os.File
// writes from a 1 MiB buffer). The flood ends before SIGINT: what the
// kernel holds then is drained and written (issue #17).
func TestNumberedFlood(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		name := map[bool]string{false: "file", true: "fifo"}[fifo]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			// ARP first: datagrams sent before it resolves would wait in
			// the neighbour queue, which holds only a few.
			must(t, e.a.Command("ping", "-c", "1", "10.0.0.2"))
			path := filepath.Join(e.dir, "flood.pcap")
			var piped bytes.Buffer
			copied := make(chan error, 1)
			if fifo {
				if err := unix.Mkfifo(path, 0o600); err != nil {
					t.Fatal(err)
				}
				go func() {
					f, err := os.Open(path) // waits for sniff to open it
					if err == nil {
						_, err = io.Copy(&piped, f)
						f.Close()
					}
					copied <- err
				}()
			}
			p := start(t, e.sniffCmd(e.b, "-i", "veth1", "-w", path, "udp port 9999"))
			err := e.a.Do(func() error {
				u, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
				if err != nil {
					return err
				}
				defer u.Close()
				dst := &sockcore.InetAddr{IP: netip.MustParseAddr("10.0.0.2"), Port: 9999}
				msg := make([]byte, 64)
				for i := range floodCount {
					binary.BigEndian.PutUint32(msg, uint32(i))
					if _, err := u.SendTo(msg, 0, dst); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// A round trip after the flood: the datagrams ahead of it have
			// gone through veth1 into the ring.
			must(t, e.a.Command("ping", "-c", "1", "10.0.0.2"))
			sum := p.stop(t)
			var r io.Reader = &piped
			if fifo {
				if err := <-copied; err != nil {
					t.Fatal(err)
				}
			} else {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				r = f
			}
			seqs := floodSeqs(t, r)
			if len(seqs) != floodCount {
				t.Errorf("%d datagrams in the capture, want %d", len(seqs), floodCount)
			}
			for i, s := range seqs {
				if s != uint32(i) {
					t.Fatalf("datagram %d of the capture is number %d (lost or out of order); %d in all", i, s, len(seqs))
				}
			}
			for _, want := range []string{strconv.Itoa(floodCount) + " packets captured", "\n0 packets dropped by kernel"} {
				if !strings.Contains(sum, want) {
					t.Errorf("summary %q lacks %q", sum, want)
				}
			}
		})
	}
}

// floodSeqs reads a pcap capture of the flood and returns the numbers in
// its datagrams, in file order.
func floodSeqs(t *testing.T, r io.Reader) []uint32 {
	t.Helper()
	pr, err := pcapgo.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint32
	for {
		data, _, err := pr.ReadPacketData()
		if err == io.EOF {
			return seqs
		}
		if err != nil {
			t.Fatalf("after %d packets: %v", len(seqs), err)
		}
		// Ethernet, IPv4 (IHL words), UDP, then the number.
		if len(data) < 14+20 {
			t.Fatalf("packet %d: %d bytes", len(seqs), len(data))
		}
		off := 14 + int(data[14]&0x0f)*4 + 8
		if len(data) < off+4 {
			t.Fatalf("packet %d: %d bytes", len(seqs), len(data))
		}
		seqs = append(seqs, binary.BigEndian.Uint32(data[off:]))
	}
}
