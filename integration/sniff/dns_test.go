package sniff

import (
	"encoding/binary"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// dnsName encodes a domain name ("" is the root).
func dnsName(n string) []byte {
	var b []byte
	for _, l := range strings.Split(n, ".") {
		if l != "" {
			b = append(append(b, byte(len(l))), l...)
		}
	}
	return append(b, 0)
}

// dnsRR is one resource record with its owner at the question (0xc00c).
func dnsRR(typ, class uint16, ttl uint32, data []byte) []byte {
	b := []byte{0xc0, 0x0c}
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, class)
	b = binary.BigEndian.AppendUint32(b, ttl)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

// TestDNSTextMatchesTcpdump answers queries on loopback with records of
// many kinds and flag combinations, and checks that sniff prints the
// capture as tcpdump does, plain and with -v.
func TestDNSTextMatchesTcpdump(t *testing.T) {
	testenv.RequireProgram(t, "tcpdump", "tcpdump")
	sniff := testenv.Bin(t, "sniff")
	ns := testenv.NewNetNS(t)
	file := filepath.Join(t.TempDir(), "dns.pcap")
	// -s 1024: in immediate mode libpcap's ring has one snaplen-sized
	// frame per packet, eight of 256 KiB by default, and this burst
	// overflows it (tcpdump reported 20 of 52 dropped by kernel).
	td := start(t, ns.Command("tcpdump", "-Z", "root", "--immediate-mode", "-U", "-s", "1024", "-i", "lo", "-w", file, "udp port 53"))

	u16 := func(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
	a4 := func(s string) []byte { a := netip.MustParseAddr(s).As4(); return a[:] }
	a16 := func(s string) []byte { a := netip.MustParseAddr(s).As16(); return a[:] }
	soa := append(append(dnsName("ns1.example.com"), dnsName("hostmaster.example.com")...),
		0, 0, 0, 7, 0, 0, 0x0e, 0x10, 0, 0, 0x07, 0x08, 0, 0x09, 0x3a, 0x80, 0, 0, 0x01, 0x2c)
	replies := []struct {
		qtype, flags uint16
		answers      [][]byte
		extra        [][]byte // additional section
	}{
		{1, 0x8180, [][]byte{dnsRR(1, 1, 300, a4("93.184.216.34")), dnsRR(1, 1, 300, a4("1.2.3.4"))}, nil},
		{28, 0x8180, [][]byte{dnsRR(28, 1, 300, a16("2606:2800::1"))}, nil},
		{15, 0x8580, [][]byte{dnsRR(15, 1, 300, append(u16(10), dnsName("mail.example.com")...))}, nil},
		{1, 0x8183, nil, nil}, // NXDomain
		{1, 0x8102, nil, nil}, // ServFail, no recursion available
		{16, 0x83a0, [][]byte{dnsRR(16, 1, 60, []byte("\x05hello\x03a\"b"))}, nil}, // TC, AD
		{5, 0x8180, [][]byte{dnsRR(5, 1, 60, dnsName("www.example.net")), dnsRR(1, 1, 60, a4("10.1.2.3"))}, nil},
		{33, 0x8180, [][]byte{dnsRR(33, 1, 60, append(append(u16(1), append(u16(5), u16(5060)...)...), dnsName("sip.example.com")...))}, nil},
		{12, 0x8180, [][]byte{dnsRR(12, 1, 60, dnsName("host.example.com"))}, nil},
		{2, 0x8180, [][]byte{dnsRR(2, 1, 60, dnsName("ns1.example.com")), dnsRR(2, 1, 60, dnsName("ns2.example.com"))}, nil},
		{6, 0x8180, [][]byte{dnsRR(6, 1, 60, soa)}, nil},
		{1, 0x8180, [][]byte{dnsRR(1, 3, 60, a4("127.0.0.1"))}, [][]byte{{0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0}}}, // class CH; OPT with DO
		{65, 0x8180, [][]byte{dnsRR(65534, 1, 60, []byte{1, 2, 3})}, nil},
	}
	err := ns.Do(func() error {
		srv, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer srv.Close()
		if err := srv.Bind(&sockcore.InetAddr{IP: netip.MustParseAddr("127.0.0.1"), Port: 53}); err != nil {
			return err
		}
		cl, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer cl.Close()
		if err := cl.Connect(&sockcore.InetAddr{IP: netip.MustParseAddr("127.0.0.1"), Port: 53}); err != nil {
			return err
		}
		for i, r := range replies {
			q := binary.BigEndian.AppendUint16(nil, uint16(0x1000+i))
			q = append(q, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, byte(len(r.extra)))
			q = append(q, dnsName("example.com")...)
			q = append(append(q, u16(r.qtype)...), 0, 1)
			for _, x := range r.extra {
				q = append(q, x...)
			}
			if err := cl.SendAll(q, 0); err != nil {
				return err
			}
			got, from, err := srv.RecvFrom(512, 0)
			if err != nil {
				return err
			}
			qlen := len(got) - 11*len(r.extra)
			a := append([]byte(nil), got[:2]...)
			a = append(a, u16(r.flags)...)
			a = append(a, 0, 1)
			a = append(a, u16(uint16(len(r.answers)))...)
			a = append(a, 0, 0, 0, byte(len(r.extra)))
			a = append(a, got[12:qlen]...)
			for _, rr := range r.answers {
				a = append(a, rr...)
			}
			for _, x := range r.extra {
				a = append(a, x...)
			}
			if _, err := srv.SendTo(a, 0, from); err != nil {
				return err
			}
			if _, err := cl.Recv(512, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// tcpdump drops what it has not read yet when SIGINT comes: stop it
	// once the file holds every packet (-U writes each one).
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, _ := exec.Command("tcpdump", "-nr", file).Output()
		if strings.Count(string(out), "\n") >= 2*len(replies) {
			break
		}
	}
	td.stop(t)
	if n := tcpdumpCount(t, file); n != 2*len(replies) {
		t.Fatalf("tcpdump captured %d packets, want %d", n, 2*len(replies))
	}
	for _, flags := range [][]string{{}, {"-v"}} {
		args := append([]string{"-n", "-r", file}, flags...)
		want, err := exec.Command("tcpdump", args...).Output()
		if err != nil {
			t.Fatalf("tcpdump %v: %v", args, err)
		}
		got, err := exec.Command(sniff, args...).Output()
		if err != nil {
			t.Fatalf("sniff %v: %v", args, err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("sniff %v against tcpdump (-want +got):\n%s", flags, diff)
		}
	}
}
