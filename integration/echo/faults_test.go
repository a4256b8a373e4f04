package echo

import (
	"encoding/json"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// lossyRelay forwards UDP datagrams between one client and echod and
// misbehaves on a fixed pattern, so that the counts echocat --verify
// reports can be checked exactly: request and echo numbers count from 0
// in arrival order.
type lossyRelay struct {
	dropRequest func(i int) bool // never forwarded
	dupRequest  func(i int) bool // forwarded twice: echod echoes twice
	holdEcho    func(i int) bool // sent only after the next echo: late
	corruptEcho func(i int) bool // a payload byte after the sequence number flipped
}

// start listens on laddr in ns (the sockets keep the namespace after Do)
// and forwards to upstream until the test ends.
func (r lossyRelay) start(t *testing.T, do func(func() error) error, laddr, upstream string) {
	t.Helper()
	var down, up *net.UDPConn
	err := do(func() error {
		la, err := net.ResolveUDPAddr("udp", laddr)
		if err != nil {
			return err
		}
		ua, err := net.ResolveUDPAddr("udp", upstream)
		if err != nil {
			return err
		}
		if down, err = net.ListenUDP("udp", la); err != nil {
			return err
		}
		up, err = net.DialUDP("udp", nil, ua)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { down.Close(); up.Close() })
	var mu sync.Mutex
	var client *net.UDPAddr
	go func() {
		buf := make([]byte, 65536)
		for i := 0; ; i++ {
			n, from, err := down.ReadFromUDP(buf)
			if err != nil {
				return
			}
			mu.Lock()
			client = from
			mu.Unlock()
			if r.dropRequest != nil && r.dropRequest(i) {
				continue
			}
			up.Write(buf[:n])
			if r.dupRequest != nil && r.dupRequest(i) {
				up.Write(buf[:n])
			}
		}
	}()
	go func() {
		buf := make([]byte, 65536)
		var held []byte
		for i := 0; ; i++ {
			n, err := up.Read(buf)
			if err != nil {
				return
			}
			mu.Lock()
			to := client
			mu.Unlock()
			b := append([]byte(nil), buf[:n]...)
			if r.corruptEcho != nil && r.corruptEcho(i) && len(b) > 8 {
				b[8] ^= 0xff
			}
			if held != nil {
				down.WriteToUDP(held, to)
				held = nil
			}
			if r.holdEcho != nil && r.holdEcho(i) {
				held = b
				continue
			}
			down.WriteToUDP(b, to)
		}
	}()
}

type verifyReport struct {
	Sent, Received, Lost, Corrupted, Late, Duplicates int
	OK                                                bool
}

// TestVerifyCountsFaults: echocat --verify over UDP through a relay that
// loses, duplicates, delays past the wait and corrupts datagrams on a
// fixed pattern, echod on the far side of a veth: sent, received, lost and
// corrupted say exactly what happened, duplicates and late echoes are not
// counted as echoes of later payloads but as duplicates and late (the
// copy of the last echo comes after echocat has finished; the last held
// echo never comes, even in the one -w echocat waits for it after the
// last payload), and the exit code follows
// --max-loss and corruption (#16). A lost payload costs the default wait
// (-w 2 for datagrams). The pattern stands in for netem, which
// this host's kernel lacks (sch_netem); it makes the counts exact.
func TestVerifyCountsFaults(t *testing.T) {
	srv, cl := twoHosts(t)
	startEchod(t, srv, 2)
	every := func(n, k int) func(int) bool { return func(i int) bool { return i%n == k } }
	cases := []struct {
		name     string
		relay    lossyRelay
		args     []string
		want     verifyReport
		wantCode int
	}{
		{"every 5th request lost", lossyRelay{dropRequest: every(5, 4)}, nil,
			verifyReport{Sent: 25, Received: 20, Lost: 5}, 1},
		{"every 5th request lost, --max-loss 20", lossyRelay{dropRequest: every(5, 4)}, []string{"--max-loss", "20"},
			verifyReport{Sent: 25, Received: 20, Lost: 5, OK: true}, 0},
		{"every 3rd request duplicated", lossyRelay{dupRequest: every(3, 0)}, nil,
			verifyReport{Sent: 25, Received: 25, Duplicates: 8, OK: true}, 0},
		{"every 10th echo late (after the next payload went; the last never)", lossyRelay{holdEcho: every(10, 4)}, nil,
			verifyReport{Sent: 25, Received: 22, Lost: 3, Late: 2}, 1},
		{"every 7th echo corrupted", lossyRelay{corruptEcho: every(7, 0)}, nil,
			verifyReport{Sent: 25, Received: 25, Corrupted: 4}, 1},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			port := 40000 + i
			c.relay.start(t, cl.Do, "10.0.0.2:"+strconv.Itoa(port), "10.0.0.1:50007")
			args := append([]string{"--verify", "--json", "--count", "25", "--size", "64", "udp://10.0.0.2:" + strconv.Itoa(port)}, c.args...)
			res := echocat(t, cl, "", args...)
			var got verifyReport
			if err := json.Unmarshal([]byte(res.Stdout), &got); err != nil {
				t.Fatalf("echocat %v: %v; stdout %q stderr %q", args, err, res.Stdout, res.Stderr)
			}
			if diff := cmp.Diff(c.want, got); diff != "" || res.Code != c.wantCode {
				t.Errorf("echocat %v: exit %d (want %d), report (-want +got):\n%s", args, res.Code, c.wantCode, diff)
			}
		})
	}
}

// TestHandoverBlockingPeer: a zero-downtime handover of echod's listening
// socket, both ways, while the other holder flips the shared open file
// description to blocking mode (the systemd convention for a program that
// wants a blocking socket; O_NONBLOCK lives on the description, so echod's
// copy turns blocking too). Each echod serves while the other starts, and
// ends on SIGTERM with the socket still open in the other (#16): an
// accept parked in a blocking accept4 would not notice the close and the
// old echod would never exit; the test would hang until its timeout.
func TestHandoverBlockingPeer(t *testing.T) {
	ns := testenv.NewNetNS(t)
	var lf *os.File
	err := ns.Do(func() error {
		s, err := sockcore.CreateServer("127.0.0.1", "7010")
		if err != nil {
			return err
		}
		lf, err = s.File()
		s.Close()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	blocking := func() {
		t.Helper()
		fl, err := unix.FcntlInt(lf.Fd(), unix.F_GETFL, 0)
		if err == nil {
			_, err = unix.FcntlInt(lf.Fd(), unix.F_SETFL, fl&^unix.O_NONBLOCK)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	start := func() *proc {
		t.Helper()
		cmd := ns.Command("sh", "-c", "LISTEN_PID=$$ LISTEN_FDS=1 exec "+testenv.Bin(t, "echod")+" --systemd")
		cmd.ExtraFiles = []*os.File{lf}
		d := startCmd(t, cmd, 1)
		blocking() // after echod set up its copy
		return d
	}
	serve := func(who string) {
		t.Helper()
		if got := echocat(t, ns, who+"\n", "127.0.0.1", "7010"); got != (result{Stdout: who + "\n"}) {
			t.Errorf("%s: %+v", who, got)
		}
	}
	old := start()
	serve("first echod")
	for _, step := range []string{"handover to the second echod", "handover back to a third"} {
		next := start()
		serve(step + ", both running")
		if err := old.stop(syscall.SIGTERM); err != nil {
			t.Errorf("%s: the old echod ended with %v: %s", step, err, old.stderr)
		}
		serve(step + ", the old one gone")
		old = next
	}
	if err := old.stop(syscall.SIGTERM); err != nil {
		t.Errorf("the last echod ended with %v: %s", err, old.stderr)
	}
}
