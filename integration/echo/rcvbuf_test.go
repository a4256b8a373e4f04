package echo

import (
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// Datagrams the kernel drops because echod's receive buffer is full are
// counted (SO_RXQ_OVFL, drop_rcvbuf in the stats), so that what arrived and
// what was dropped add up to what was sent (#16). echod is stopped
// (SIGSTOP) while 2000 datagrams of 1000 bytes arrive: far more than its
// receive buffer holds. The kernel tells the count with the next datagram
// it queues, so the test sends one more until the counts add up.
func TestUDPRcvbufOverflowCounted(t *testing.T) {
	ns := testenv.NewNetNS(t)
	d := startEchod(t, ns, 1, "--listen", "udp://127.0.0.1:0")
	p, err := strconv.Atoi(d.urls[0][strings.LastIndexByte(d.urls[0], ':')+1:])
	if err != nil {
		t.Fatalf("echod url %s: %v", d.urls[0], err)
	}
	var c *sockcore.Socket
	if err := ns.Do(func() error {
		var err error
		c, err = sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	to := &sockcore.InetAddr{IP: netip.MustParseAddr("127.0.0.1"), Port: p}
	if err := d.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	const total = 2000
	msg := make([]byte, 1000)
	for range total {
		if _, err := c.SendTo(msg, 0, to); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	// The kernel reports its count with the next datagram it queues: one
	// more is sent after each incomplete answer.
	sent := total
	st := &statsReader{p: d}
	m := st.waitStats(t, func(m map[string]uint64) bool {
		if m["datagrams_in"]+m["drop_rcvbuf"] == uint64(sent) {
			return true
		}
		if _, err := c.SendTo(msg, 0, to); err != nil {
			t.Fatal(err)
		}
		sent++
		return false
	})
	t.Logf("sent %d: datagrams_in=%d drop_rcvbuf=%d", sent, m["datagrams_in"], m["drop_rcvbuf"])
	if m["drop_rcvbuf"] == 0 {
		t.Errorf("no drop counted: %v", m)
	}
}
