// Package sniff tests the sniff tool against tcpdump and tshark on traffic
// the tests generate in network namespaces joined by veth.
package sniff

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// proc is a capture running in the background, started by testenv.Start.
type proc struct {
	*testenv.Proc
	cmd    *exec.Cmd
	stderr afterReady
	done   chan error // cmd.Wait's error, once stderr has ended too
}

// afterReady is a program's stderr after its "listening on" line.
type afterReady struct {
	log  *testenv.LineLog
	from int
}

func (a afterReady) String() string { return a.log.Since(a.from) }

// start runs cmd and returns once its first stderr line ("listening on")
// has arrived, so that its sockets are bound.
func start(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	tp := testenv.Start(t, cmd)
	p := &proc{Proc: tp, cmd: cmd, done: make(chan error, 1)}
	anyLine := func(string) bool { return true }
	line, next := tp.Stderr.WaitMatch(0, anyLine)
	if strings.HasPrefix(line, "tcpdump: data link type") { // tcpdump -i any says this first
		line, next = tp.Stderr.WaitMatch(next, anyLine)
	}
	if line == "" {
		t.Fatalf("%s: no listening line: exit %v", cmd, tp.Wait())
	}
	if !strings.Contains(line, "listening on") {
		t.Fatalf("%s: first line %q", cmd, line)
	}
	p.stderr = afterReady{tp.Stderr, next}
	go func() { err := tp.Wait(); tp.Stderr.Wait(); p.done <- err }()
	return p
}

// stop sends SIGINT and waits for the summary.
func (p *proc) stop(t *testing.T) string {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGINT)
	if err := <-p.done; err != nil {
		t.Fatalf("%s: %v: %s", p.cmd, err, p.stderr.String())
	}
	return p.stderr.String()
}

func must(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", cmd, err, out)
	}
	return string(out)
}

// countLines runs tcpdump -r file [filter] and counts the packets.
func tcpdumpCount(t *testing.T, file string, filter ...string) int {
	t.Helper()
	out, err := exec.Command("tcpdump", append([]string{"-nr", file}, filter...)...).Output()
	if err != nil {
		t.Fatalf("tcpdump -r %s %v: %v", file, filter, err)
	}
	return strings.Count(string(out), "\n")
}

// tshark runs tshark and returns its standard output (it warns about root
// on stderr).
func tshark(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("tshark %v: %v", args, err)
	}
	return string(out)
}

type env struct {
	a, b   *testenv.NetNS
	sniff  string
	dir    string
	tshark string
}

func newEnv(t *testing.T) *env {
	testenv.RequireProgram(t, "tcpdump", "tcpdump")
	e := &env{sniff: testenv.Bin(t, "sniff"), dir: t.TempDir(), tshark: testenv.RequireProgram(t, "tshark", "tshark")}
	e.a, e.b = testenv.NewNetNS(t), testenv.NewNetNS(t)
	testenv.Veth(t, e.a, e.b, []string{"10.0.0.1/24", "fd00::1/64"}, []string{"10.0.0.2/24", "fd00::2/64"})
	return e
}

func (e *env) sniffCmd(ns *testenv.NetNS, args ...string) *exec.Cmd {
	return exec.Command(e.sniff, append([]string{"--netns", ns.Name}, args...)...)
}

// traffic generates from a to b: 3 pings (after ARP), 2 ping6, a ping of
// 2000 bytes (fragmented on veth), a TCP connection
// attempt, a TCP conversation (handshake, "hello" echoed, close), a
// DNS-shaped UDP query, one VLAN 10 tagged frame, 2 UDP datagrams.
func (e *env) traffic(t *testing.T) {
	t.Helper()
	must(t, e.a.Command("ping", "-c", "3", "-i", "0.2", "10.0.0.2"))
	must(t, e.a.Command("ping", "-6", "-c", "2", "-i", "0.2", "fd00::2"))
	must(t, e.a.Command("ping", "-c", "1", "-s", "2000", "10.0.0.2")) // two fragments each way
	var ln *sockcore.Socket
	err := e.b.Do(func() error {
		var err error
		if ln, err = sockcore.New(unix.AF_INET, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := ln.Bind(&sockcore.InetAddr{IP: netip.MustParseAddr("10.0.0.2"), Port: 8081}); err != nil {
			return err
		}
		return ln.Listen(1)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan error, 1)
	go func() {
		c, _, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer c.Close()
		buf := make([]byte, 64)
		n, err := c.RecvInto(buf, 0)
		if err == nil {
			err = c.SendAll(buf[:n], 0)
		}
		served <- err
	}()
	err = e.a.Do(func() error {
		c, err := sockcore.New(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err != nil {
			return err
		}
		defer c.Close()
		if errno := c.ConnectEx(&sockcore.InetAddr{IP: netip.MustParseAddr("10.0.0.2"), Port: 8080}); errno != unix.ECONNREFUSED {
			return errors.New("connect to a closed port: " + errno.Error())
		}
		conv, err := sockcore.New(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err != nil {
			return err
		}
		defer conv.Close()
		if err := conv.Connect(&sockcore.InetAddr{IP: netip.MustParseAddr("10.0.0.2"), Port: 8081}); err != nil {
			return err
		}
		if err := conv.SendAll([]byte("hello"), 0); err != nil {
			return err
		}
		if err := <-served; err != nil {
			return err
		}
		for { // until the server's FIN
			if b, err := conv.Recv(64, 0); err != nil || len(b) == 0 {
				break
			}
		}
		conv.Close()
		u, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer u.Close()
		dns := []byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01")
		dst := func(p int) sockcore.Addr { return &sockcore.InetAddr{IP: netip.MustParseAddr("10.0.0.2"), Port: p} }
		for _, m := range []struct {
			b []byte
			p int
		}{{dns, 53}, {[]byte("one"), 9000}, {[]byte("two"), 9001}} {
			if _, err := u.SendTo(m.b, 0, dst(m.p)); err != nil {
				return err
			}
		}
		raw, err := sockcore.New(unix.AF_PACKET, unix.SOCK_RAW, 0)
		if err != nil {
			return err
		}
		defer raw.Close()
		frame := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00,
			0x45, 0, 0, 34, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 10, 1, 10, 0, 10, 2, 0x1b, 0x58, 0x1b, 0x58, 0, 14, 0, 0}
		frame = append(frame, "tagged"...)
		_, err = raw.SendTo(frame, 0, &sockcore.PacketAddr{Ifname: "veth0"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCaptureMatchesTcpdump(t *testing.T) {
	e := newEnv(t)
	ng := filepath.Join(e.dir, "sniff.pcapng")
	pc := filepath.Join(e.dir, "sniff.pcap")
	td := filepath.Join(e.dir, "tcpdump.pcap")
	filter := "not ip6 multicast" // no spontaneous MLD or router solicitations
	s1 := start(t, e.sniffCmd(e.b, "-i", "veth1", "-w", ng, filter))
	s2 := start(t, e.sniffCmd(e.b, "-i", "veth1", "-w", pc, filter))
	// -s 2048 keeps every packet here whole (MTU 1500) and gives libpcap's
	// immediate-mode ring 2 KiB frames instead of eight 256 KiB ones that
	// a burst (the TCP conversation) can overflow.
	td1 := start(t, e.b.Command("tcpdump", "-Z", "root", "--immediate-mode", "-U", "-s", "2048", "-i", "veth1", "-w", td, filter))
	e.traffic(t)
	sum := s1.stop(t)
	s2.stop(t)
	td1.stop(t)

	for _, c := range []struct {
		filter []string
		want   int
	}{
		{[]string{"icmp[icmptype] = icmp-echo or icmp[icmptype] = icmp-echoreply"}, 8}, // first fragments only
		{[]string{"ip[6:2] & 0x3fff != 0"}, 4},                                         // fragments
		{[]string{"arp"}, 2},
		{[]string{"tcp port 8080"}, 2},
		{[]string{"tcp port 8081 and tcp[tcpflags] & tcp-syn != 0"}, 2},
		{[]string{"udp port 53"}, 1},
		{[]string{"udp portrange 9000-9001"}, 2},
		{[]string{"vlan 10"}, 1},
	} {
		for _, f := range []string{ng, pc, td} {
			if got := tcpdumpCount(t, f, c.filter...); got != c.want {
				t.Errorf("tcpdump -r %s %s: %d packets, want %d", filepath.Base(f), c.filter, got, c.want)
			}
		}
	}
	// The three files hold the same packets, byte for byte (timestamps
	// differ by microseconds between sockets).
	dump := func(f string) string {
		out := must(t, exec.Command("tcpdump", "-r", f, "-t", "-nxx"))
		return out[strings.Index(out, "\n")+1:]
	}
	want := dump(td)
	for _, f := range []string{ng, pc} {
		if diff := cmp.Diff(want, dump(f)); diff != "" {
			t.Errorf("tcpdump -xx of %s against tcpdump's own capture (-want +got):\n%s", filepath.Base(f), diff)
		}
	}
	n := tcpdumpCount(t, td)
	for _, f := range []string{ng, pc} {
		out := tshark(t, e.tshark, "-r", f, "-T", "fields", "-e", "frame.len")
		if got := strings.Count(out, "\n"); got != n {
			t.Errorf("tshark -r %s: %d packets, want %d", filepath.Base(f), got, n)
		}
	}
	if !strings.Contains(sum, strconv.Itoa(n)+" packets captured") {
		t.Errorf("summary %q: want %d packets captured", sum, n)
	}
	// The filter corpus: sniff -r accepts exactly the packets tcpdump -r
	// accepts (compared by their -tt timestamps).
	stamps := func(out string) []string {
		var s []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if f := strings.Fields(l); len(f) > 0 && !strings.HasPrefix(l, "\t") && !strings.HasPrefix(l, " ") {
				s = append(s, f[0])
			}
		}
		return s
	}
	for _, expr := range filterCorpus {
		tdOut, err := exec.Command("tcpdump", "-nr", td, "-tt", expr).Output()
		if err != nil {
			t.Errorf("tcpdump -r %q: %v", expr, err)
			continue
		}
		snOut, err := exec.Command(e.sniff, "-r", td, "-tt", expr).Output()
		if err != nil {
			t.Errorf("sniff -r %q: %v", expr, err)
			continue
		}
		if diff := cmp.Diff(stamps(string(tdOut)), stamps(string(snOut))); diff != "" {
			t.Errorf("filter %q: packets accepted (-tcpdump +sniff):\n%s", expr, diff)
		}
	}
	// The text output is tcpdump's, for every output flag: TCP sequence
	// numbers relative to the conversation (absolute with -S), and with -v
	// the IP fields and TCP checksum verdicts.
	for _, flags := range [][]string{{}, {"-e"}, {"-x"}, {"-xx"}, {"-X"}, {"-XX"}, {"-A"}, {"-q"}, {"-S"}, {"-v"},
		{"-t"}, {"-tt"}, {"-ttt"}, {"-tttt"}, {"-ttttt"}, {"--time-stamp-precision", "nano"}} {
		args := append(append([]string{"-nr", td}, flags...),
			"icmp or arp or tcp or udp port 53 or icmp6[icmp6type] == icmp6-echo or icmp6[icmp6type] == icmp6-echoreply")
		want, err := exec.Command("tcpdump", args...).Output()
		if err != nil {
			t.Fatalf("tcpdump %v: %v", args, err)
		}
		got, err := exec.Command(e.sniff, args...).Output()
		if err != nil {
			t.Fatalf("sniff %v: %v", args, err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("sniff %v against tcpdump (-want +got):\n%s", flags, diff)
		}
	}
	// sniff reads tcpdump's file and its own.
	for _, f := range []string{td, ng} {
		out := must(t, exec.Command(e.sniff, "-r", f, "-n"))
		if got := strings.Count(out, "\n"); got != n {
			t.Errorf("sniff -r %s: %d lines, want %d", filepath.Base(f), got, n)
		}
	}
	text := must(t, exec.Command(e.sniff, "-r", ng, "-e", "udp port 53 or vlan"))
	for _, w := range []string{"A? example.com. (29)", "vlan 10, p 0, ethertype IPv4 (0x0800)"} {
		if !strings.Contains(text, w) {
			t.Errorf("sniff -r -e output lacks %q:\n%s", w, text)
		}
	}
}

func TestAnyMatchesTcpdump(t *testing.T) {
	e := newEnv(t)
	sn := filepath.Join(e.dir, "any.pcap")
	td := filepath.Join(e.dir, "tcpdump-any.pcap")
	p1 := start(t, e.sniffCmd(e.a, "-i", "any", "-w", sn, "icmp"))
	p2 := start(t, e.a.Command("tcpdump", "-Z", "root", "--immediate-mode", "-U", "-i", "any", "-w", td, "icmp"))
	must(t, e.a.Command("ping", "-c", "3", "-i", "0.2", "10.0.0.2"))
	must(t, e.a.Command("ping", "-c", "1", "127.0.0.1"))
	p1.stop(t)
	p2.stop(t)
	// Compared in e.a's namespace so that interface indexes name the same
	// interfaces.
	dump := func(bin, f string) string {
		out, err := e.a.Command(bin, "-r", f, "-t", "-nxx").Output()
		if err != nil {
			t.Fatalf("%s -r %s: %v", bin, f, err)
		}
		return string(out)
	}
	// tcpdump -i any may miss the first ping (it says it listens before
	// its ring is bound): compare from the second on.
	skipFirst := func(out string) string {
		var b strings.Builder
		skip := false
		for _, l := range strings.SplitAfter(out, "\n") {
			if !strings.HasPrefix(l, "\t") {
				skip = strings.Contains(l, "10.0.0.") && strings.Contains(l, ", seq 1,")
			}
			if !skip {
				b.WriteString(l)
			}
		}
		return b.String()
	}
	want := skipFirst(dump("tcpdump", td))
	got := skipFirst(dump(e.sniff, sn))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sniff -i any against tcpdump -i any (-want +got):\n%s", diff)
	}
	if n := strings.Count(got, " In ") + strings.Count(got, " Out "); n != 6 {
		t.Errorf("%d packets, want 6 (pings 2 and 3 on veth0 each way, 1 on lo once):\n%s", n, got)
	}
}

func TestWithoutCapability(t *testing.T) {
	e := newEnv(t)
	setpriv := testenv.RequireProgram(t, "setpriv", "util-linux")
	var stderr bytes.Buffer
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
		e.sniff, "-i", "lo")
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 5 {
		t.Errorf("exit %v, want 5", err)
	}
	if !strings.Contains(stderr.String(), "CAP_NET_RAW") || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("stderr %q: want one line naming CAP_NET_RAW", stderr.String())
	}
}

// nobodyDir makes a directory the user nobody owns: -Z nobody creates its
// -w files as nobody, as tcpdump does, so they go where nobody may write.
func nobodyDir(t *testing.T, parent string) string {
	t.Helper()
	d := filepath.Join(parent, "nobody")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(d, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	// t.TempDir and its parent are 0700 root: nobody must reach d.
	for _, p := range []string{parent, filepath.Dir(parent)} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func TestDropPrivileges(t *testing.T) {
	e := newEnv(t)
	f := filepath.Join(nobodyDir(t, e.dir), "z.pcap")
	p := start(t, e.sniffCmd(e.a, "-i", "lo", "-Z", "nobody", "-w", f, "icmp"))
	must(t, e.a.Command("ping", "-c", "1", "127.0.0.1"))
	status, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(status), "\nUid:\t65534\t65534\t65534\t65534\n") {
		t.Errorf("sniff -Z nobody runs as:\n%s", status)
	}
	p.stop(t)
	if got := tcpdumpCount(t, f); got != 2 {
		t.Errorf("%d packets after dropping privileges, want 2", got)
	}
}

func TestLoopbackOnce(t *testing.T) {
	e := newEnv(t)
	f := filepath.Join(e.dir, "lo.pcap")
	p := start(t, e.sniffCmd(e.a, "-i", "lo", "-w", f, "icmp"))
	must(t, e.a.Command("ping", "-c", "2", "-i", "0.2", "127.0.0.1"))
	sum := p.stop(t)
	if got := tcpdumpCount(t, f); got != 4 {
		t.Errorf("%d packets on lo for 2 pings, want 4 (each once)", got)
	}
	if !strings.Contains(sum, "4 packets captured") {
		t.Errorf("summary %q", sum)
	}
}

func TestCountExits(t *testing.T) {
	e := newEnv(t)
	p := start(t, e.sniffCmd(e.b, "-i", "veth1", "-c", "2", "-tt", "icmp"))
	must(t, e.a.Command("ping", "-c", "3", "-i", "0.2", "10.0.0.2"))
	if err := <-p.done; err != nil {
		t.Fatalf("sniff -c 2: %v: %s", err, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "2 packets captured") {
		t.Errorf("summary %q", p.stderr.String())
	}
}

// TestInterruptUnderTraffic: SIGINT stops a capture while packets keep
// coming (every block used to renew the wait for the last one), and every
// packet counted is in the file.
func TestInterruptUnderTraffic(t *testing.T) {
	e := newEnv(t)
	f := filepath.Join(e.dir, "steady.pcap")
	p := start(t, e.sniffCmd(e.b, "-i", "veth1", "-w", f, "icmp"))
	ping := e.a.Command("ping", "-q", "-i", "0.005", "10.0.0.2")
	if err := ping.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { ping.Process.Kill(); ping.Wait() }()
	// Some traffic first: the capture has packets in hand at the signal.
	must(t, e.a.Command("ping", "-c", "3", "-i", "0.2", "10.0.0.2"))
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("sniff: %v: %s", err, p.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("sniff still runs 20 s after SIGINT under steady traffic: %s", p.stderr.String())
	}
	n := tcpdumpCount(t, f)
	if want := strconv.Itoa(n) + " packets captured"; n == 0 || !strings.Contains(p.stderr.String(), want) {
		t.Errorf("file holds %d packets; summary %q", n, p.stderr.String())
	}
}

func TestMultiInterfacePcapng(t *testing.T) {
	e := newEnv(t)
	f := filepath.Join(e.dir, "multi.pcapng")
	p := start(t, e.sniffCmd(e.a, "-i", "veth0", "-i", "lo", "-w", f, "icmp"))
	must(t, e.a.Command("ping", "-c", "1", "10.0.0.2"))
	must(t, e.a.Command("ping", "-c", "1", "127.0.0.1"))
	p.stop(t)
	out := tshark(t, e.tshark, "-r", f, "-T", "fields", "-e", "frame.interface_name",
		"-e", "frame.packet_flags_direction", "-e", "icmp.type")
	// Each interface has its own ring, retired on its own timer: the file
	// keeps each interface's packets in order, not the two interleaved by time.
	lines := strings.SplitAfter(out, "\n")
	sort.SliceStable(lines, func(i, j int) bool {
		return strings.HasPrefix(lines[i], "veth0") && !strings.HasPrefix(lines[j], "veth0")
	})
	out = strings.Join(lines, "")
	want := "veth0\t0x00000002\t8\nveth0\t0x00000001\t0\nlo\t0x00000001\t8\nlo\t0x00000001\t0\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("tshark interface, direction, icmp type (-want +got):\n%s", diff)
	}
	js := must(t, exec.Command(e.sniff, "-r", f, "--json"))
	for _, w := range []string{`"interface":"veth0"`, `"direction":"out"`, `"interface":"lo"`} {
		if !strings.Contains(js, w) {
			t.Errorf("sniff -r --json lacks %s:\n%s", w, js)
		}
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pcap")
	os.WriteFile(garbage, []byte("this is not a capture file"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown interface", []string{"--netns", e.a.Name, "-i", "nosuch0"}, 8, "interface nosuch0: no such interface"},
		{"bad filter", []string{"--netns", e.a.Name, "-i", "lo", "tcp port"}, 2, "syntax error"},
		{"unknown port", []string{"-d", "port 80 and portt 5"}, 2, "unknown port 'portt'"},
		{"unwritable file", []string{"--netns", e.a.Name, "-i", "lo", "-w", "/nonexistent/dir/x.pcap"}, 8, "writing /nonexistent/dir/x.pcap"},
		{"corrupt pcap", []string{"-r", garbage}, 2, "not a pcap or pcapng file"},
		{"missing file", []string{"-r", filepath.Join(dir, "none.pcap")}, 8, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cmd := exec.Command(e.sniff, tt.args...)
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tt.code {
				t.Errorf("exit %v, want %d", err, tt.code)
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "sniff: ") || !strings.Contains(lines[0], tt.want) {
				t.Errorf("stderr %q: want one line with %q", stderr.String(), tt.want)
			}
		})
	}
}

// filterCorpus is run against the capture of traffic(): hosts, nets,
// ports, protocols, flags, VLAN, lengths, broadcast, IPv6.
var filterCorpus = []string{
	"", "ip", "ip6", "arp", "rarp", "icmp", "icmp6", "tcp", "udp", "vlan", "vlan 10", "vlan 20",
	"host 10.0.0.1", "host 10.0.0.2", "src host 10.0.0.1", "dst host 10.0.0.2", "host 10.0.10.2",
	"net 10.0.0.0/24", "net 10.0.0.0/8", "src net 10.0.0.0/30", "dst net 10.0.10.0/24", "not net 10.0.0.0/24",
	"port 53", "udp port 53", "tcp port 53", "dst port 53", "src port 53", "port 8080", "tcp dst port 8080",
	"portrange 9000-9001", "udp portrange 9000-9000", "tcp portrange 1-1024", "port 9000 or port 9001",
	"tcp[tcpflags] & tcp-syn != 0", "tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)",
	"tcp[tcpflags] & tcp-rst != 0", "tcp[13] = 2", "icmp[icmptype] = icmp-echo", "icmp[icmptype] = icmp-echoreply",
	"icmp[icmptype] = icmp-unreach", "len > 100", "len < 60", "len >= 98", "greater 90", "less 64",
	"broadcast", "ether broadcast", "multicast", "ether multicast", "ether broadcast or arp",
	"ip6 and udp", "ip6 and icmp6", "ip6 host fd00::1", "ip6 net fd00::/64", "dst host fd00::2 and icmp6",
	"ip proto 17", "ip proto \\udp", "proto \\tcp", "ip[8] = 64", "ip[2:2] > 40", "ip[6] & 0x40 != 0",
	"udp[8:2] = 0x1234", "ether proto 0x0806", "ether proto 0x8100", "ether host ff:ff:ff:ff:ff:ff",
	"not arp and not icmp", "(tcp or udp) and host 10.0.0.2", "vlan and udp port 7000", "udp and not port 53",
	"icmp or (udp and len < 80)", "ip and not vlan",
}

// TestDropPrivilegesSymlinkNotFollowed: the -Z user plants a symlink at the
// -w name pointing at a file of root's. sniff running as root with -Z
// nobody creates the file only after dropping privileges, so the link
// leads to a file nobody cannot write: sniff fails (exit 5) and root's file
// is intact. Before, root opened it with O_TRUNC and wrote packets into it.
func TestDropPrivilegesSymlinkNotFollowed(t *testing.T) {
	e := newEnv(t)
	dir := nobodyDir(t, e.dir)
	precious := filepath.Join(e.dir, "precious.conf")
	if err := os.WriteFile(precious, []byte("root's configuration\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "cap.pcap")
	if err := os.Symlink(precious, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(link, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-w", link},
		{"-C", "1", "-w", link},
		{"-G", "60", "-w", link},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cmd := e.sniffCmd(e.a, append([]string{"-i", "lo", "-Z", "nobody"}, append(args, "icmp")...)...)
			p := testenv.Start(t, cmd)
			line, _ := p.Stderr.WaitMatch(0, func(string) bool { return true })
			if strings.Contains(line, "listening on") {
				p.Kill()
				t.Errorf("sniff opened %s through the symlink and captures", link)
			} else {
				p.Wait()
				if code := cmd.ProcessState.ExitCode(); code != 5 || !strings.Contains(line, "permission denied") {
					t.Errorf("exit %d, stderr %q: want exit 5 and permission denied", code, line)
				}
			}
			got, err := os.ReadFile(precious)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "root's configuration\n" {
				t.Errorf("root's file now holds %d bytes: %q", len(got), got[:min(len(got), 32)])
			}
		})
	}
}

// TestDropPrivilegesRotation: with -Z nobody, -C rotation creates every
// file as nobody, and all of them hold the packets.
func TestDropPrivilegesRotation(t *testing.T) {
	e := newEnv(t)
	dir := nobodyDir(t, e.dir)
	f := filepath.Join(dir, "cap.pcap")
	p := start(t, e.sniffCmd(e.a, "-i", "lo", "-Z", "nobody", "-C", "1", "-w", f, "icmp"))
	// 20 pings of 60,000 bytes: 40 packets, 2.4 MB, three 1 MB files.
	must(t, e.a.Command("ping", "-c", "20", "-i", "0.01", "-s", "60000", "127.0.0.1"))
	sum := p.stop(t)
	files, _ := filepath.Glob(f + "*")
	if len(files) < 3 {
		t.Fatalf("files %v: want cap.pcap, cap.pcap1, cap.pcap2", files)
	}
	total := 0
	for _, name := range files {
		st, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if sys := st.Sys().(*syscall.Stat_t); sys.Uid != 65534 {
			t.Errorf("%s is owned by uid %d, want 65534 (nobody)", name, sys.Uid)
		}
		total += tcpdumpCount(t, name)
	}
	// Every packet sniff counted is in the files (a loaded machine may lose
	// a ping reply or two before sniff sees it: the count, not 40, is the
	// measure).
	if want := strconv.Itoa(total) + " packets captured"; total < 30 || !strings.Contains(sum, want) {
		t.Errorf("%d packets in %d files; summary %q", total, len(files), sum)
	}
}

// TestRepeatedInterfaceOnce: -i lo -i lo captures lo once; each packet was
// printed twice before.
func TestRepeatedInterfaceOnce(t *testing.T) {
	e := newEnv(t)
	f := filepath.Join(e.dir, "lo.pcap")
	p := start(t, e.sniffCmd(e.a, "-i", "lo", "-i", "lo", "-w", f, "icmp"))
	must(t, e.a.Command("ping", "-c", "1", "127.0.0.1"))
	sum := p.stop(t)
	if got := tcpdumpCount(t, f); got != 2 {
		t.Errorf("%d packets, want 2 (one echo, one reply)\n%s", got, sum)
	}
}

// pcapMagic returns a capture file's first four bytes in hex, as written.
func pcapMagic(t *testing.T, f string) string {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 4 {
		t.Fatalf("%s: %d bytes", f, len(b))
	}
	return fmt.Sprintf("%x", b[:4])
}

// TestPcapPrecisionMatchesTcpdump: sniff -w writes the pcap time stamp
// precision tcpdump -w writes, microseconds (magic a1b2c3d4) unless
// --time-stamp-precision nano; tcpdump reads both. Before, sniff always
// wrote nanoseconds. Re-writing with -r keeps the input's precision (where
// tcpdump would write microseconds) unless the flag is given.
func TestPcapPrecisionMatchesTcpdump(t *testing.T) {
	e := newEnv(t)
	for _, prec := range [][]string{nil, {"--time-stamp-precision", "micro"}, {"--time-stamp-precision", "nano"}} {
		t.Run(strings.Join(append([]string{"default"}, prec...)[min(len(prec), 1):], "="), func(t *testing.T) {
			sf := filepath.Join(e.dir, "sniff"+strings.Join(prec, "")+".pcap")
			tf := filepath.Join(e.dir, "tcpdump"+strings.Join(prec, "")+".pcap")
			s := start(t, e.sniffCmd(e.a, append(append([]string{"-i", "lo"}, prec...), "-w", sf, "icmp")...))
			td := start(t, e.a.Command("tcpdump", append(append([]string{"-Z", "root", "--immediate-mode", "-U", "-i", "lo"}, prec...), "-w", tf, "icmp")...))
			must(t, e.a.Command("ping", "-c", "1", "127.0.0.1"))
			s.stop(t)
			td.stop(t)
			if got, want := pcapMagic(t, sf), pcapMagic(t, tf); got != want {
				t.Errorf("sniff wrote magic %s, tcpdump %s", got, want)
			}
			if got := tcpdumpCount(t, sf); got != 2 {
				t.Errorf("tcpdump -r reads %d packets of sniff's file, want 2", got)
			}
			// Re-written with -r: the input's precision, or the flag's.
			rf := filepath.Join(e.dir, "rewritten"+strings.Join(prec, "")+".pcap")
			must(t, exec.Command(e.sniff, append(append([]string{"-r", tf}, prec...), "-w", rf)...))
			if got, want := pcapMagic(t, rf), pcapMagic(t, tf); got != want {
				t.Errorf("sniff -r %s -w: magic %s, want the input's %s", filepath.Base(tf), got, want)
			}
			if len(prec) > 0 && prec[1] == "nano" {
				// A nanosecond input stays nanosecond without the flag.
				nf := filepath.Join(e.dir, "nano-rewritten.pcap")
				must(t, exec.Command(e.sniff, "-r", tf, "-w", nf))
				if got := pcapMagic(t, nf); got != "4d3cb2a1" {
					t.Errorf("sniff -r nano.pcap -w: magic %s, want 4d3cb2a1 (nanoseconds)", got)
				}
			}
		})
	}
}

// TestFileWrittenWhileRunning: once the traffic stops, the packets reach the
// -w file while sniff goes on running (the block the kernel retires on its
// timeout writes the buffer out), with no signal and no ticker. It waits on
// inotify for each write to the file and counts what the file holds.
func TestFileWrittenWhileRunning(t *testing.T) {
	e := newEnv(t)
	f := filepath.Join(e.dir, "live.pcap")
	p := start(t, e.sniffCmd(e.b, "-i", "veth1", "-w", f, "icmp"))
	in, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(in)
	if _, err := unix.InotifyAddWatch(in, f, unix.IN_MODIFY); err != nil {
		t.Fatalf("watching %s: %v", f, err)
	}
	must(t, e.a.Command("ping", "-c", "3", "-i", "0.2", "10.0.0.2"))
	buf := make([]byte, 4096)
	// 3 requests in and 3 replies out; every write to the file queues an
	// event, so none is missed between a count and the next read.
	for n := tcpdumpCount(t, f); n < 6; n = tcpdumpCount(t, f) {
		if _, err := unix.Read(in, buf); err != nil {
			t.Fatalf("inotify: %v", err)
		}
	}
	if sum := p.stop(t); !strings.Contains(sum, "6 packets captured") {
		t.Errorf("summary %q", sum)
	}
}

// TestRotationOntoReadOnlyDir: -C rotation when the directory has become
// read-only (for the -Z user) mid-capture: sniff ends with one line that
// names the file it could not start and says the earlier ones are
// complete, exit 5 (permission denied), its summary, and the first file
// reads to its end with tcpdump (#16). Before, the message said "writing"
// twice and did not say what became of the earlier files.
func TestRotationOntoReadOnlyDir(t *testing.T) {
	for _, format := range []string{"pcap", "pcapng"} {
		t.Run(format, func(t *testing.T) {
			e := newEnv(t)
			dir := nobodyDir(t, e.dir)
			f := filepath.Join(dir, "cap."+format)
			p := start(t, e.sniffCmd(e.a, "-i", "lo", "-Z", "nobody", "-C", "1", "-w", f, "icmp"))
			if _, err := os.Stat(f); err != nil {
				t.Fatalf("the first file is not there once sniff listens: %v", err)
			}
			if err := os.Chmod(dir, 0o555); err != nil {
				t.Fatal(err)
			}
			// 20 pings of 60,000 bytes: 2.4 MB, past the 1 MB of -C 1.
			must(t, e.a.Command("ping", "-c", "20", "-i", "0.01", "-s", "60000", "127.0.0.1"))
			err := <-p.done
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 5 {
				t.Errorf("sniff: %v, want exit 5 (permission denied); stderr %q", err, p.stderr.String())
			}
			want := "sniff: rotating to the next file: open " + f + "1: permission denied (the files before it are complete)\n"
			if !strings.Contains(p.stderr.String(), want) || !strings.Contains(p.stderr.String(), "packets captured") {
				t.Errorf("stderr %q, want the summary and %q", p.stderr.String(), want)
			}
			if n := tcpdumpCount(t, f); n < 10 {
				t.Errorf("%s: %d packets read, want the ones before 1 MB", f, n)
			}
			if _, err := os.Stat(f + "1"); err == nil {
				t.Errorf("%s1 exists", f)
			}
		})
	}
}

// TestWriteOntoFullTmpfs: sniff -w onto a 1 MiB tmpfs that the capture
// fills (#16): one line that names the file and says "no space left on
// device", its summary, exit 1, and the file reads with tcpdump -r to a
// clean end, cut back to its last whole record (pcap) or block (pcapng).
// Before, the file ended in part of a record: "truncated dump file".
func TestWriteOntoFullTmpfs(t *testing.T) {
	for _, format := range []string{"pcap", "pcapng"} {
		t.Run(format, func(t *testing.T) {
			e := newEnv(t)
			dir := t.TempDir()
			if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=1m"); err != nil {
				t.Fatalf("mount a 1 MiB tmpfs: %v", err)
			}
			t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
			f := filepath.Join(dir, "cap."+format)
			p := start(t, e.sniffCmd(e.a, "-i", "lo", "-w", f, "icmp"))
			// 20 pings of 60,000 bytes: 40 packets, 2.4 MB, past the 1 MiB.
			e.a.Command("ping", "-c", "20", "-i", "0.01", "-s", "60000", "127.0.0.1").Run()
			err := <-p.done
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Errorf("sniff: %v, want exit 1; stderr %q", err, p.stderr.String())
			}
			stderr := p.stderr.String()
			if want := "sniff: writing " + f + ": "; !strings.Contains(stderr, want) || !strings.Contains(stderr, "no space left on device\n") ||
				!strings.Contains(stderr, "packets captured") {
				t.Errorf("stderr %q, want the summary and a line %q… no space left on device", stderr, want)
			}
			cmd := exec.Command("tcpdump", "-nr", f)
			var out, tdErr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &tdErr
			if err := cmd.Run(); err != nil || strings.Contains(tdErr.String(), "tcpdump:") {
				t.Errorf("tcpdump -r %s: %v: %s", f, err, tdErr.String())
			}
			st, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			n := strings.Count(out.String(), "\n")
			t.Logf("%s: %d bytes, %d packets; sniff: %q", format, st.Size(), n, stderr)
			// 60,042-byte packets: at most 17 fit in 1 MiB; at least 10
			// must, or the file was cut back too far.
			if n < 10 {
				t.Errorf("%s holds %d packets, want the ones that fit in 1 MiB", f, n)
			}
		})
	}
}

// TestRotationAtFileLimit: sniff -C whose open-files limit is lowered
// under it mid-capture (its soft limit set to 3 with prlimit: no descriptor left for the next
// file) writes on to the file it has, says so in one line (at most one
// more per 10 s, with the count of failed rotations), and rotates by
// itself once the limit is raised again, saying that too: every packet
// captured is in the files. Before, the capture ended at the failed
// rotation ("rotating to the next file: … too many open files").
func TestRotationAtFileLimit(t *testing.T) {
	for _, format := range []string{"pcap", "pcapng"} {
		t.Run(format, func(t *testing.T) {
			e := newEnv(t)
			f := filepath.Join(e.dir, "cap."+format)
			began := time.Now()
			p := start(t, e.sniffCmd(e.a, "-i", "lo", "--format", format, "-C", "1", "-w", f, "icmp"))
			pid := p.cmd.Process.Pid
			restore := testenv.LowerFileLimit(t, pid, 3)
			// 20 pings of 60,000 bytes: 2.4 MB, past the 1 MB of -C 1.
			must(t, e.a.Command("ping", "-c", "20", "-i", "0.01", "-s", "60000", "127.0.0.1"))
			line, next := p.Stderr.WaitFor(p.stderr.from, "sniff: rotating to the next file: open "+f+"1: too many open files: writing on to "+f)
			if line == "" {
				t.Fatalf("no line saying sniff writes on to %s: exit %v; stderr %q", f, <-p.done, p.stderr.String())
			}
			restore()
			must(t, e.a.Command("ping", "-c", "2", "-i", "0.01", "-s", "60000", "127.0.0.1"))
			if line, _ := p.Stderr.WaitFor(next, "sniff: rotated to "+f+"1 after ", "descriptors are back"); line == "" {
				t.Fatalf("no line saying sniff rotated again: exit %v; stderr %q", <-p.done, p.stderr.String())
			}
			stderr := p.stop(t)
			elapsed := time.Since(began)
			captured := -1
			for _, l := range strings.Split(stderr, "\n") {
				if strings.HasSuffix(l, " packets captured") {
					fmt.Sscanf(l, "%d", &captured)
				}
			}
			if captured < 0 {
				t.Fatalf("no summary in %q", stderr)
			}
			// Not a timed assertion: the bound follows the time it took.
			if n, max := strings.Count(stderr, "still no descriptor"), int(elapsed/(10*time.Second))+1; n > max {
				t.Errorf("%d repeated complaints in %s, want at most one per 10 s: %q", n, elapsed, stderr)
			}
			var inFiles int
			for _, name := range []string{f, f + "1", f + "2"} {
				if _, err := os.Stat(name); err == nil {
					inFiles += tcpdumpCount(t, name)
				}
			}
			if inFiles != captured || captured < 44 {
				t.Errorf("%d packets in the files, %d captured (want 44 or more, all in the files); stderr %q", inFiles, captured, stderr)
			}
			t.Logf("stderr: %q", stderr)
		})
	}
}
