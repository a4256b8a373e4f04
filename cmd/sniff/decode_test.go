package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// frame serializes ls with lengths and checksums fixed.
func frame(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	for _, l := range ls {
		if n, ok := l.(interface {
			SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
		}); ok {
			for _, x := range ls {
				if nl, ok := x.(gopacket.NetworkLayer); ok {
					n.SetNetworkLayerForChecksum(nl)
				}
			}
		}
	}
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	mac1 = net.HardwareAddr{2, 0, 0, 0, 0, 1}
	mac2 = net.HardwareAddr{2, 0, 0, 0, 0, 2}
	ip1  = net.IP{10, 0, 0, 1}
	ip2  = net.IP{10, 0, 0, 2}
)

func eth(t layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: mac1, DstMAC: mac2, EthernetType: t}
}

func ip4(p layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 7, Flags: layers.IPv4DontFragment, Protocol: p, SrcIP: ip1, DstIP: ip2}
}

// testPackets are the decoder's cases with the line tcpdump -n prints for
// them: tcpdump 4.99.3 -n prints the same lines for a file of these
// frames, plus its port-based guess ": HTTP" on port 80.
func testPackets(t testing.TB) []struct {
	name string
	data []byte
	want string
} {
	tcp := &layers.TCP{SrcPort: 41234, DstPort: 80, Seq: 1000, SYN: true, Window: 64240, Options: []layers.TCPOption{
		{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
		{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
		{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: []byte{0, 0, 0, 1, 0, 0, 0, 0}},
		{OptionType: layers.TCPOptionKindNop},
		{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
	}}
	ack := &layers.TCP{SrcPort: 80, DstPort: 41234, Seq: 5000, Ack: 1001, ACK: true, PSH: true, Window: 502}
	dns := []byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01")
	ip6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolUDP, SrcIP: net.ParseIP("fd00::1"), DstIP: net.ParseIP("fd00::2")}
	return []struct {
		name string
		data []byte
		want string
	}{
		{"tcp syn", frame(t, eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcp),
			"IP 10.0.0.1.41234 > 10.0.0.2.80: Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0"},
		{"tcp data", frame(t, eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), ack, gopacket.Payload("hello")),
			"IP 10.0.0.1.80 > 10.0.0.2.41234: Flags [P.], seq 5000:5005, ack 1001, win 502, length 5: HTTP"},
		{"udp", frame(t, eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 5000, DstPort: 9000}, gopacket.Payload("abc")),
			"IP 10.0.0.1.5000 > 10.0.0.2.9000: UDP, length 3"},
		{"dns query", frame(t, eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 5000, DstPort: 53}, gopacket.Payload(dns)),
			"IP 10.0.0.1.5000 > 10.0.0.2.53: 4660+ A? example.com. (29)"},
		{"icmp echo", frame(t, eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolICMPv4),
			&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 9, Seq: 1}, gopacket.Payload(make([]byte, 56))),
			"IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 9, seq 1, length 64"},
		{"arp request", frame(t, eth(layers.EthernetTypeARP), &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
			HwAddressSize: 6, ProtAddressSize: 4, Operation: layers.ARPRequest, SourceHwAddress: mac1, SourceProtAddress: ip1,
			DstHwAddress: make([]byte, 6), DstProtAddress: ip2}),
			"ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 46"}, // padded to 60 bytes
		{"vlan udp", frame(t, eth(layers.EthernetTypeDot1Q), &layers.Dot1Q{VLANIdentifier: 10, Type: layers.EthernetTypeIPv4},
			ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 7000, DstPort: 7000}, gopacket.Payload("tagged")),
			"IP 10.0.0.1.7000 > 10.0.0.2.7000:  [|rx] (6)"},
		{"ipv6 udp", frame(t, eth(layers.EthernetTypeIPv6), ip6, &layers.UDP{SrcPort: 1, DstPort: 2}, gopacket.Payload("x")),
			"IP6 fd00::1.1 > fd00::2.2: UDP, length 1"},
	}
}

func TestDecodeLines(t *testing.T) {
	d := newDecoder()
	for _, tt := range testPackets(t) {
		t.Run(tt.name, func(t *testing.T) {
			s := d.decode(&pkt{data: tt.data, len: len(tt.data), lt: layers.LinkTypeEthernet}, false)
			if diff := cmp.Diff(tt.want, s.text); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendHex(t *testing.T) {
	b := []byte("E\x00\x00\x54abcdefghijklmnopqrs")
	got := string(appendHex(nil, b, false))
	want := "\t0x0000:  4500 0054 6162 6364 6566 6768 696a 6b6c\n\t0x0010:  6d6e 6f70 7172 73\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-x (-want +got):\n%s", diff)
	}
	got = string(appendHex(nil, b[:19], true))
	want = "\t0x0000:  4500 0054 6162 6364 6566 6768 696a 6b6c  E..Tabcdefghijkl\n\t0x0010:  6d6e 6f                                  mno\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-X (-want +got):\n%s", diff)
	}
}

func TestRunReadFile(t *testing.T) {
	dir := t.TempDir()
	if d := os.Getenv("SNIFF_KEEP"); d != "" {
		dir = d
	}
	pcapPath := filepath.Join(dir, "in.pcap")
	var names []string
	var lts []layers.LinkType
	names, lts = append(names, "eth0"), append(lts, layers.LinkTypeEthernet)
	fs, err := newFileSink(pcapPath, "pcap", names, lts, 262144, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	pk := testPackets(t)
	for i, p := range pk {
		if err := fs.write(&pkt{data: p.data, len: len(p.data), ts: time.Unix(int64(1000+i), 0), lt: layers.LinkTypeEthernet}); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"all", []string{"-t"}, func() []string {
			var w []string
			for _, p := range pk {
				w = append(w, p.want)
			}
			return w
		}()},
		{"filter", []string{"-tt", "udp and not port 53"}, []string{
			// "udp" without "vlan" does not look inside 802.1Q tags.
			"1002.000000 " + pk[2].want, "1007.000000 " + pk[7].want}},
		{"count", []string{"-t", "-c", "1", "arp or icmp"}, []string{pk[4].want}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"sniff", "-r", pcapPath}, tt.args...)
			if err := run(t.Context(), args, nil, &out, &errb); err != nil {
				t.Fatalf("%v: %s", err, errb.String())
			}
			if diff := cmp.Diff(tt.want, strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunUsageErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "g.pcap")
	os.WriteFile(garbage, []byte("garbage garbage garbage garbage"), 0o644)
	badddd := filepath.Join(dir, "bad.ddd")
	os.WriteFile(badddd, []byte("2\n40 0 0 12\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"bad direction", []string{"-Q", "sideways"}, 2},
		{"bad precision", []string{"--time-stamp-precision", "pico"}, 2},
		{"bad format", []string{"--format", "cap", "-w", "x"}, 2},
		{"corrupt file", []string{"-r", garbage}, 2},
		{"bad bpf file", []string{"--bpf-file", badddd, "-d"}, 2},
		{"filter syntax", []string{"-d", "tcp port"}, 2},
		{"protocol filter on bluetooth-monitor", []string{"-i", "bluetooth-monitor", "-d", "tcp"}, 2},
		{"bluetooth-monitor with another interface", []string{"-i", "bluetooth-monitor", "-i", "lo"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(t.Context(), append([]string{"sniff"}, tt.args...), nil, &out, &errb)
			if got := exitCode(err); got != tt.code {
				t.Errorf("exit code %d (%v), want %d", got, err, tt.code)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	pk := testPackets(b)
	ts := newTextSink(&options{}, discard{}, func(int) string { return "" }, false)
	p := &pkt{data: pk[2].data, len: len(pk[2].data), lt: layers.LinkTypeEthernet, ts: time.Unix(1, 0)}
	b.ReportAllocs()
	for b.Loop() {
		ts.write(p)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// writeBig writes n 1400-byte UDP frames, one a second from t=1000.
func writeBig(t *testing.T, path string, n int) {
	t.Helper()
	fs, err := newFileSink(path, "pcap", []string{"eth0"}, []layers.LinkType{layers.LinkTypeEthernet}, 262144, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := frame(t, eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2}, gopacket.Payload(make([]byte, 1358)))
	for i := range n {
		if err := fs.write(&pkt{data: data, len: len(data), ts: time.Unix(int64(1000+i), 0), lt: layers.LinkTypeEthernet}); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.close(); err != nil {
		t.Fatal(err)
	}
}

func TestRotation(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pcap")
	writeBig(t, in, 1500) // 2.1 MB
	tests := []struct {
		name string
		args []string
		want map[string]int // file: packets
	}{
		// 1,000,000 / (16 + 1400) bytes: a file takes 707 packets.
		{"size", []string{"-C", "1"}, map[string]int{"out": 707, "out1": 707, "out2": 86}},
		{"size and count", []string{"-C", "1", "-W", "2"}, map[string]int{"out0": 86, "out1": 707}},
		// Without a strftime pattern the second file replaces the first.
		{"seconds and count", []string{"-G", "600", "-W", "2"}, map[string]int{"out": 600}},
		{"seconds with strftime", []string{"-G", "1000"}, map[string]int{"out-1970-01-01T00:16:40": 1000, "out-1970-01-01T00:33:20": 500}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TZ", "UTC")
			sub := t.TempDir()
			w := filepath.Join(sub, "out")
			if strings.Contains(tt.name, "strftime") {
				w += "-%Y-%m-%dT%H:%M:%S"
			}
			var out, errb bytes.Buffer
			if err := run(t.Context(), append([]string{"sniff", "-r", in, "-w", w}, tt.args...), nil, &out, &errb); err != nil {
				t.Fatalf("%v: %s", err, errb.String())
			}
			got := map[string]int{}
			ents, _ := os.ReadDir(sub)
			for _, e := range ents {
				var o bytes.Buffer
				if err := run(t.Context(), []string{"sniff", "-r", filepath.Join(sub, e.Name())}, nil, &o, &errb); err != nil {
					t.Fatal(err)
				}
				got[e.Name()] = strings.Count(o.String(), "\n")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("files and packets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPcapMatchesGopacket: the pcap records sniff lays out itself are the
// bytes gopacket's writer produces for the same packets.
func TestPcapMatchesGopacket(t *testing.T) {
	data := frame(t, eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2}, gopacket.Payload("hello"))
	pkts := []pkt{
		{data: data, len: len(data), ts: time.Unix(1700000000, 123456789)},
		{data: data[:20], len: len(data), ts: time.Unix(1700000001, 0)},
		{data: nil, len: 60, ts: time.Unix(0, 999999999)},
		{data: bytes.Repeat(data, 300), len: 300 * len(data), ts: time.Unix(1<<31, 5)},
	}
	for _, nano := range []bool{false, true} {
		t.Run(map[bool]string{false: "micro", true: "nano"}[nano], func(t *testing.T) {
			var want bytes.Buffer
			w := pcapgo.NewWriter(&want) // microseconds: tcpdump's default
			if nano {
				w = pcapgo.NewWriterNanos(&want)
			}
			if err := w.WriteFileHeader(1000, layers.LinkTypeLinuxSLL2); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "x.pcap")
			fs, err := newFileSink(path, "pcap", []string{"any"}, []layers.LinkType{layers.LinkTypeLinuxSLL2}, 1000, nano, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Enough packets that the buffer goes out several times.
			for i := range 2000 {
				p := pkts[i%len(pkts)]
				if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: p.ts, CaptureLength: len(p.data), Length: p.len}, p.data); err != nil {
					t.Fatal(err)
				}
				if err := fs.write(&p); err != nil {
					t.Fatal(err)
				}
				if i == 7 {
					if err := fs.flush(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := fs.size(); got != int64(want.Len()) {
				t.Errorf("size %d before close, want %d", got, want.Len())
			}
			if err := fs.close(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("the file (%d bytes) differs from gopacket's (%d bytes)", len(got), want.Len())
			}
			if err := fs.write(&pkt{data: data, len: 10}); err == nil {
				t.Error("a packet longer than its length on the wire: no error")
			}

		})
	}
}

// TestUnsupportedLinkType: a link type sniff has no printer for prints as
// tcpdump 4.99.3's unsupported_if_print: "UNSUPPORTED" and a dump of the
// whole packet, with or without -x (a frame of LINKTYPE_DVB_CI, the link
// type of Wireshark's dvb-ci_UV1_0000.pcap).
func TestUnsupportedLinkType(t *testing.T) {
	data := []byte{0x00, 0xff, 0x00, 0x05, 0x01, 0x00, 0xa0, 0x01, 0x90, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}
	want := "UNSUPPORTED\n\t0x0000:  00ff 0005 0100 a001 9002 0100 0000 0000  ................\n\t0x0010:  0001                                     .."
	for _, hexOut := range []bool{false, true} {
		d := newDecoder()
		d.hexOut = hexOut
		if s := d.decode(&pkt{data: data, len: len(data), lt: 235}, false); s.text != want {
			t.Errorf("-x %v: %q, want %q", hexOut, s.text, want)
		}
	}
}
