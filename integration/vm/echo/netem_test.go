package echo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// Networks that misbehave (#16): netem (sch_netem, which the host kernel
// lacks) loses, duplicates, reorders and delays packets on the veth
// between echocat --verify and echod. The veth carries nothing but the
// test's packets (no IPv6, static neighbours: no ARP), so the qdiscs' own
// counters say what happened to each datagram, and echocat's report must
// say the same. integration/echo TestVerifyCountsFaults does this on the
// host with a relay that misbehaves on a fixed pattern; here the kernel
// does it at random.

const (
	srvIP = "10.80.0.1"
	cliIP = "10.80.0.2"
)

// link is echod's namespace (veth0) and echocat's (veth1).
type link struct {
	srv, cli *testenv.NetNS
	echod    *testenv.Proc
}

func newLink(t *testing.T, echodArgs ...string) *link {
	t.Helper()
	testenv.RequireVM(t)
	testenv.RequireProgram(t, "tc", "iproute2")
	// ip netns keeps its names under /run/netns; the guest's initramfs
	// has no /run.
	if err := os.MkdirAll("/run/netns", 0o755); err != nil {
		t.Fatal(err)
	}
	l := &link{srv: testenv.NewNetNS(t), cli: testenv.NewNetNS(t)}
	testenv.Veth(t, l.srv, l.cli, []string{srvIP + "/24"}, []string{cliIP + "/24"})
	for _, x := range []struct {
		ns                 *testenv.NetNS
		dev, mac, peer, pm string
	}{{l.srv, "veth0", "02:00:00:00:50:01", cliIP, "02:00:00:00:50:02"}, {l.cli, "veth1", "02:00:00:00:50:02", srvIP, "02:00:00:00:50:01"}} {
		x.ns.Command("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf."+x.dev+".disable_ipv6=1").Run()
		x.ns.MustIP(t, "link", "set", x.dev, "address", x.mac)
		x.ns.MustIP(t, "neigh", "replace", x.peer, "lladdr", x.pm, "dev", x.dev, "nud", "permanent")
	}
	args := append([]string{"--listen", "udp://" + srvIP + ":50007", "--listen", "tcp://" + srvIP + ":50007", "--udp-rate", "0"}, echodArgs...)
	l.echod = testenv.Start(t, l.srv.Command(testenv.Bin(t, "echod"), args...))
	if line, _ := l.echod.Stdout.WaitFor(0, "listening tcp://"); line == "" {
		t.Fatalf("echod did not start: %s", l.echod.Stderr)
	}
	return l
}

// netem puts a fresh netem qdisc (counters at zero) on the side's veth:
// srv's is what echod sends, cli's what echocat sends.
func netem(t *testing.T, ns *testenv.NetNS, args ...string) {
	t.Helper()
	for _, d := range []string{"veth0", "veth1"} {
		if ns.Command("ip", "link", "show", d).Run() != nil {
			continue
		}
		// "replace" of a netem by a netem changes it in place, keeping
		// its counters: delete it and add a new one.
		ns.Command("tc", "qdisc", "del", "dev", d, "root").Run()
		a := append([]string{"qdisc", "add", "dev", d, "root", "netem"}, args...)
		if out, err := ns.Command("tc", a...).CombinedOutput(); err != nil {
			t.Fatalf("tc %v: %v: %s", a, err, out)
		}
		return
	}
	t.Fatalf("no veth in %s", ns.Name)
}

// lines is how many lines log holds so far: where a wait for the next one
// starts.
func lines(log *testenv.LineLog) int {
	s := log.String()
	if s == "" {
		return 0
	}
	return strings.Count(s, "\n") + 1
}

type qdiscStats struct{ sent, dropped, backlog int }

var qdiscRE = regexp.MustCompile(`Sent \d+ bytes (\d+) pkt \(dropped (\d+),[^)]*\)\s+backlog \d+b (\d+)p`)

func qdisc(t *testing.T, ns *testenv.NetNS) qdiscStats {
	t.Helper()
	out, err := ns.Command("tc", "-s", "qdisc", "show").CombinedOutput()
	if err != nil {
		t.Fatalf("tc -s qdisc show: %v: %s", err, out)
	}
	for _, block := range strings.Split(string(out), "qdisc ") {
		if !strings.HasPrefix(block, "netem") {
			continue
		}
		m := qdiscRE.FindStringSubmatch(block)
		if m == nil {
			break
		}
		var q qdiscStats
		q.sent, _ = strconv.Atoi(m[1])
		q.dropped, _ = strconv.Atoi(m[2])
		q.backlog, _ = strconv.Atoi(m[3])
		return q
	}
	t.Fatalf("no netem counters in %q", out)
	return qdiscStats{}
}

type report struct {
	Sent, Received, Lost, Corrupted, Late, Duplicates int
	RTTMin                                            float64 `json:"rtt_min_ms"`
	OK                                                bool
	Error                                             string
}

// verify runs echocat --verify --json in the client namespace.
func verify(t *testing.T, l *link, args ...string) (r report, code int, stderr string) {
	t.Helper()
	res := testenv.Run(t, nil, "ip", append([]string{"netns", "exec", l.cli.Name, testenv.Bin(t, "echocat"), "--verify", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(res.Stdout), &r); err != nil {
		t.Fatalf("echocat --verify %v: %v; stdout %q stderr %q", args, err, res.Stdout, res.Stderr)
	}
	return r, res.Code, res.Stderr
}

// TestVerifyUDPNetem: echocat --verify over UDP with netem on both
// directions. Lost datagrams are exactly those netem dropped, one way or
// the other; duplicates are counted as such, never as echoes; delay within
// the wait costs nothing; past it the payload counts lost and its echo
// late, every one of them.
func TestVerifyUDPNetem(t *testing.T) {
	l := newLink(t)
	const count = 200
	url := "udp://" + srvIP + ":50007"
	base := []string{"--count", strconv.Itoa(count), "--size", "64", url}

	t.Run("loss both ways", func(t *testing.T) {
		netem(t, l.cli, "loss", "10%")
		netem(t, l.srv, "loss", "10%")
		r, code, _ := verify(t, l, append([]string{"-w", "0.5"}, base...)...)
		c, s := qdisc(t, l.cli), qdisc(t, l.srv)
		t.Logf("echocat %+v; requests: netem sent %d dropped %d; echoes: netem sent %d dropped %d", r, c.sent, c.dropped, s.sent, s.dropped)
		if r.Sent != count || c.sent+c.dropped != count || s.sent+s.dropped != c.sent {
			t.Errorf("echocat sent %d requests; netem passed %d and dropped %d of them; echod echoed %d (netem passed %d, dropped %d)", r.Sent, c.sent, c.dropped, s.sent+s.dropped, s.sent, s.dropped)
		}
		// An echo that came through but after the wait (the VM under
		// TCG stalls at times) counts its payload lost and itself late.
		if r.Received+r.Late != s.sent || r.Lost != c.dropped+s.dropped+r.Late || r.Corrupted != 0 || r.Duplicates != 0 {
			t.Errorf("echocat: received %d, lost %d, corrupted %d, late %d, duplicates %d; netem let %d echoes through and dropped %d requests and %d echoes", r.Received, r.Lost, r.Corrupted, r.Late, r.Duplicates, s.sent, c.dropped, s.dropped)
		}
		if wantCode := map[bool]int{true: 0, false: 1}[r.Lost == 0]; code != wantCode || r.OK != (r.Lost == 0) {
			t.Errorf("exit %d, ok %v with %d lost", code, r.OK, r.Lost)
		}
	})

	t.Run("duplication both ways", func(t *testing.T) {
		netem(t, l.cli, "duplicate", "20%")
		netem(t, l.srv, "duplicate", "20%")
		r, code, _ := verify(t, l, append([]string{"-w", "5"}, base...)...)
		c, s := qdisc(t, l.cli), qdisc(t, l.srv)
		t.Logf("echocat %+v; requests: netem sent %d; echoes: netem sent %d", r, c.sent, s.sent)
		if c.sent <= count || s.sent <= c.sent {
			t.Errorf("netem duplicated nothing: %d requests, %d echoes on the wire", c.sent, s.sent)
		}
		// Every echo on the wire is read, an echo or a duplicate, but
		// for the copies of the last one (up to 3: its request and its
		// echo both duplicated), which come after echocat has finished.
		if dups := s.sent - count; r.Duplicates > dups || r.Duplicates < dups-3 {
			t.Errorf("%d duplicates counted; %d on the wire (at most 3 of them after the last echo)", r.Duplicates, dups)
		}
		if r != (report{Sent: count, Received: count, Duplicates: r.Duplicates, RTTMin: r.RTTMin, OK: true}) || code != 0 {
			t.Errorf("exit %d, report %+v: want every payload echoed once, nothing lost", code, r)
		}
	})

	t.Run("delay and reorder within the wait", func(t *testing.T) {
		netem(t, l.cli, "delay", "20ms", "10ms", "reorder", "25%", "50%")
		netem(t, l.srv, "delay", "20ms", "10ms", "reorder", "25%", "50%")
		r, code, _ := verify(t, l, append([]string{"-w", "5"}, base...)...)
		t.Logf("echocat %+v", r)
		if r != (report{Sent: count, Received: count, RTTMin: r.RTTMin, OK: true}) || code != 0 {
			t.Errorf("exit %d, report %+v: want every payload echoed, nothing lost", code, r)
		}
	})

	t.Run("delay past the wait", func(t *testing.T) {
		// Each way 100 ms ± 100 ms (uniform), a round trip of 0 to
		// 400 ms, against a wait of 300 ms: one echo in eight comes
		// late (none of 100 with a chance of 2e-6). A late echo counts
		// its payload lost and is never taken for the echo of a later
		// one; echocat waits one more -w after the last payload, so it
		// sees every late echo (the last 200 ms after netem's worst).
		netem(t, l.cli, "delay", "100ms", "100ms")
		netem(t, l.srv, "delay", "100ms", "100ms")
		r, code, _ := verify(t, l, "-w", "0.3", "--count", "100", "--size", "64", url)
		t.Logf("echocat %+v", r)
		if r.Sent != 100 || r.Received+r.Lost != 100 || r.Lost == 0 || r.Received == 0 || r.Corrupted != 0 || code != 1 {
			t.Errorf("exit %d, report %+v", code, r)
		}
		if r.Late != r.Lost || r.Duplicates != 0 {
			t.Errorf("%d lost, %d late, %d duplicates: want every lost payload's echo counted late, no duplicate", r.Lost, r.Late, r.Duplicates)
		}
	})
}

// TestVerifyTCPNetem: over TCP, loss, duplication, reordering and delay
// cost time, never bytes: every payload comes back intact.
func TestVerifyTCPNetem(t *testing.T) {
	l := newLink(t)
	netem(t, l.cli, "delay", "5ms", "2ms", "loss", "5%", "duplicate", "5%", "reorder", "25%")
	netem(t, l.srv, "delay", "5ms", "2ms", "loss", "5%", "duplicate", "5%", "reorder", "25%")
	r, code, stderr := verify(t, l, "-w", "20", "--count", "200", "--size", "3000", "tcp://"+srvIP+":50007")
	c, s := qdisc(t, l.cli), qdisc(t, l.srv)
	t.Logf("echocat %+v; netem dropped %d packets of echocat's and %d of echod's", r, c.dropped, s.dropped)
	if r != (report{Sent: 200, Received: 200, RTTMin: r.RTTMin, OK: true}) || code != 0 {
		t.Errorf("exit %d, report %+v, stderr %q", code, r, stderr)
	}
	if c.dropped == 0 && s.dropped == 0 {
		t.Errorf("netem dropped nothing")
	}
}

// TestPeerVanishes: a TCP peer that disappears without FIN or RST (netem
// drops everything both ways) mid-transfer. No tool waits for ever: each
// ends at its own timeout and says so. echocat --verify: exit 7 naming
// the payload that got no echo, counted lost; echocat as a client with -i:
// exit 7, "no traffic"; echod: --idle-timeout closes the connection
// ("idle timeout" in its log), so its descriptor comes back. Neither may
// end while the fault is being set up, its FIN getting through: for
// --verify (-w 1) echocat's side is cut first, and echod's idle timeout
// (5 s) comes after; for -i 3 echod's side first, and the test writes a
// line every 100 ms until echocat's is cut too. The same for echocat -l
// -k -i 3 with a client that vanishes.
func TestPeerVanishes(t *testing.T) {
	l := newLink(t, "-v", "--idle-timeout", "5s")
	// The two sides are cut one after the other (a tc each, slow in the
	// VM): first the side whose FIN must not get through if a timeout
	// ends its tool meanwhile.
	vanish := func(first, second *testenv.NetNS) {
		t.Helper()
		netem(t, first, "loss", "100%")
		netem(t, second, "loss", "100%")
	}
	back := func() {
		t.Helper()
		netem(t, l.cli, "delay", "0ms")
		netem(t, l.srv, "delay", "0ms")
	}
	back()
	// guard runs fn, failing the test if it has not returned within a
	// minute: a hang is what this test looks for, and it must not hang
	// itself.
	guard := func(t *testing.T, what string, fn func()) {
		t.Helper()
		done := make(chan struct{})
		go func() { defer close(done); fn() }()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatalf("%s: still waiting after a minute; echod: %s", what, l.echod.Stderr)
		}
	}
	echodClosed := func(t *testing.T, from int) {
		t.Helper()
		var line string
		guard(t, "echod closing the connection", func() { line, _ = l.echod.Stderr.WaitFor(from, "msg=closed", "idle timeout") })
		if line == "" {
			t.Errorf("echod did not close the connection: %s", l.echod.Stderr)
		}
		t.Logf("echod: %s", line)
	}

	t.Run("echocat --verify", func(t *testing.T) {
		defer back()
		from := lines(l.echod.Stderr)
		cmd := l.cli.Command(testenv.Bin(t, "echocat"), "--verify", "--json", "-w", "1", "--rate", "50", "--count", "1000000", "tcp://"+srvIP+":50007")
		var o, e testenv.SyncBuffer
		cmd.Stdout, cmd.Stderr = &o, &e
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() })
		var err error
		guard(t, "echod seeing echocat's connection", func() { l.echod.Stderr.WaitFor(from, "msg=connection") })
		vanish(l.cli, l.srv)
		guard(t, "echocat --verify -w 1 after its peer vanished", func() { err = cmd.Wait() })
		var r report
		json.Unmarshal([]byte(o.String()), &r)
		t.Logf("echocat: %v; %s%s", err, o.String(), e.String())
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 7 || !strings.Contains(e.String(), "no echo of payload") ||
			r.Sent != r.Received+1 || r.Lost != 1 || r.OK {
			t.Errorf("echocat --verify: %v, stdout %q, stderr %q; want exit 7, the last payload lost", err, o.String(), e.String())
		}
		echodClosed(t, from)
	})

	t.Run("echocat -i", func(t *testing.T) {
		defer back()
		from := lines(l.echod.Stderr)
		cmd := l.cli.Command(testenv.Bin(t, "echocat"), "-i", "3", srvIP, "50007")
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var e testenv.SyncBuffer
		cmd.Stderr = &e
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() })
		fmt.Fprintln(in, "before")
		got := make([]byte, len("before\n"))
		guard(t, "the echo before the fault", func() { _, err = io.ReadFull(out, got) })
		if err != nil || string(got) != "before\n" {
			t.Fatalf("echo before the fault: %q, %v; stderr %q", got, err, e.String())
		}
		copied := make(chan struct{})
		go func() { io.Copy(io.Discard, out); close(copied) }()
		stopTalking := keepTalking(in)
		vanish(l.srv, l.cli)
		stopTalking()
		fmt.Fprintln(in, "after") // never acknowledged
		guard(t, "echocat -i 3 after its peer vanished", func() { <-copied; err = cmd.Wait() })
		t.Logf("echocat: %v; %s", err, e.String())
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 7 || !strings.Contains(e.String(), "no traffic for 3s (-i)") {
			t.Errorf("echocat -i 3: %v, stderr %q; want exit 7 and no traffic for 3s", err, e.String())
		}
		echodClosed(t, from)
	})

	// echocat -l -k -i 3 (in echod's namespace, port 50008) with a client
	// that vanishes: it ends with exit 7, "no traffic ... with clients
	// connected". The client writes a line every 100 ms until the fault
	// is set up, the server's side cut first (its FIN must not get
	// through).
	t.Run("echocat -l -k -i", func(t *testing.T) {
		defer back()
		srv := l.srv.Command(testenv.Bin(t, "echocat"), "-l", "-k", "-v", "-i", "3", srvIP, "50008")
		sin, err := srv.StdinPipe() // open until the end: no end of input
		if err != nil {
			t.Fatal(err)
		}
		defer sin.Close()
		p := testenv.Start(t, srv)
		guard(t, "echocat -l listening", func() { p.Stderr.WaitFor(0, "listening on") })
		cl := l.cli.Command(testenv.Bin(t, "echocat"), srvIP, "50008")
		in, err := cl.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		if err := cl.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cl.Process.Kill(); cl.Wait() })
		stopTalking := keepTalking(in)
		guard(t, "the client's first line at the server", func() { p.Stdout.WaitFor(0, "meanwhile") })
		vanish(l.srv, l.cli)
		stopTalking()
		guard(t, "echocat -l -k -i 3 after its client vanished", func() { err = p.Wait() })
		t.Logf("echocat -l: %v; %s", err, p.Stderr)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 7 || !strings.Contains(p.Stderr.String(), "no traffic for 3s with clients connected (-i)") {
			t.Errorf("echocat -l -k -i 3: %v, stderr %q; want exit 7 and no traffic for 3s with clients connected", err, p.Stderr)
		}
	})
}

// keepTalking writes a "meanwhile" line to in every 100 ms, so that an
// idle timeout cannot fire while a fault is being set up, until the
// returned function is called (it returns once the writer has stopped).
func keepTalking(in io.Writer) (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				fmt.Fprintln(in, "meanwhile")
			}
		}
	}()
	return func() { close(done); <-stopped }
}
