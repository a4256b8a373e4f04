package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
)

func exitCode(err error) int { return cli.ExitCode(err) }

func sf(code uint16, jt, jf uint8, k uint32) unix.SockFilter {
	return unix.SockFilter{Code: code, Jt: jt, Jf: jf, K: k}
}

func TestParseDDD(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []unix.SockFilter
		ok   bool
	}{
		{"tcpdump -ddd icmp", "6\n40 0 0 12\n21 0 3 2048\n48 0 0 23\n21 0 1 1\n6 0 0 262144\n6 0 0 0\n",
			[]unix.SockFilter{sf(0x28, 0, 0, 12), sf(0x15, 0, 3, 2048), sf(0x30, 0, 0, 23), sf(0x15, 0, 1, 1), sf(6, 0, 0, 262144), sf(6, 0, 0, 0)}, true},
		{"count mismatch", "2\n6 0 0 0\n", nil, false},
		{"not numbers", "1\nret 0 0 0\n", nil, false},
		{"too few fields", "1\n6 0 0\n", nil, false},
		{"out of range", "1\n6 0 256 0\n", nil, false},
		{"empty", "", nil, false},
		{"jump past the end", "1\n21 5 5 0\n", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDDD(strings.NewReader(tt.in))
			if (err == nil) != tt.ok {
				t.Fatalf("error %v, want ok=%v", err, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompileMatchesDDD(t *testing.T) {
	prog, err := compileFilter("icmp", layers.LinkTypeEthernet, 262144)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := parseDDD(strings.NewReader("6\n40 0 0 12\n21 0 3 2048\n48 0 0 23\n21 0 1 1\n6 0 0 262144\n6 0 0 0\n"))
	if diff := cmp.Diff(want, prog); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var b bytes.Buffer
	printProgram(&b, prog)
	// tcpdump -d icmp
	wantText := "(000) ldh      [12]\n(001) jeq      #0x800           jt 2\tjf 5\n(002) ldb      [23]\n" +
		"(003) jeq      #0x1             jt 4\tjf 5\n(004) ret      #262144\n(005) ret      #0\n"
	if diff := cmp.Diff(wantText, b.String()); diff != "" {
		t.Errorf("-d (-want +got):\n%s", diff)
	}
	if _, err := compileFilter("tcp port", layers.LinkTypeEthernet, 262144); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("bad filter: %v", err)
	}
}

func FuzzParseDDD(f *testing.F) {
	f.Add("6\n40 0 0 12\n21 0 3 2048\n48 0 0 23\n21 0 1 1\n6 0 0 262144\n6 0 0 0\n")
	f.Add("1\n6 0 0 0\n")
	f.Fuzz(func(t *testing.T, s string) {
		prog, err := parseDDD(strings.NewReader(s))
		if err != nil {
			return
		}
		vm, err := newVM(prog)
		if err != nil {
			t.Fatalf("accepted a program the VM rejects: %v", err)
		}
		vm.Run(make([]byte, 64))
	})
}

func FuzzDecode(f *testing.F) {
	for _, p := range testPackets(f) {
		f.Add(p.data, uint16(layers.LinkTypeEthernet))
	}
	f.Add([]byte{0, 0, 1, 0x23, 4, 0, 0, 0, 1, 2, 3, 4}, uint16(linkTypeCAN))
	f.Add([]byte{0, 0, 0, 2, 0x09, 0x10, 0}, uint16(linkTypeBTMon))
	for _, cases := range printSeeds {
		for _, tc := range cases {
			data, lt := tc.frame(f)
			f.Add(data, uint16(lt))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, lt uint16) {
		d := newDecoder()
		s := d.decode(&pkt{data: data, len: len(data), lt: layers.LinkType(lt)}, true)
		vv := newDecoder() // -vv: the hex some printers add
		vv.vv = true
		vv.decode(&pkt{data: data, len: len(data), lt: layers.LinkType(lt)}, true)
		// Printers never pass on a packet's control bytes; a line after
		// the first is -v's indented detail or the packet a VXLAN header
		// carries.
		lines := strings.Split(s.text, "\n")
		for i, l := range lines {
			for _, r := range l {
				if r < 0x20 && r != '\t' || r == 0x7f {
					t.Fatalf("control byte %#x in %q", r, s.text)
				}
			}
			// BGP's cut-short and invalid messages start a line of their
			// own, as tcpdump's do.
			// LISP's records and a frame under OTV start with one space,
			// and SOME/IP ends its line with a newline, as tcpdump's do.
			if i > 0 && !strings.HasPrefix(l, "\t") && !strings.HasPrefix(l, "    ") && !strings.Contains(lines[i-1], "VXLAN") &&
				!strings.HasPrefix(l, "[|BGP ") && !strings.HasPrefix(l, "message length ") &&
				!(strings.HasPrefix(l, " ") && (strings.Contains(s.text, "LISP-") || strings.Contains(s.text, "OTV, "))) &&
				!(l == "" && i == len(lines)-1 && strings.Contains(s.text, "SOMEIP")) {
				t.Fatalf("line %d of %q is not indented", i+1, s.text)
			}
		}
	})
}
