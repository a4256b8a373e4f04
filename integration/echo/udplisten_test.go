package echo

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestUDPListenerKeepsReceivingAgainstPeers: `-u -l PORT` with standard
// input at its end (a script's background job, a service: /dev/null)
// writes out every datagram its sender sends, as nc -ul and ncat -ul do,
// until it is stopped. echocat took the end of input as the end of a
// datagram client's session: it wrote the first datagram and exited 0,
// and the rest were lost.
func TestUDPListenerKeepsReceivingAgainstPeers(t *testing.T) {
	ns := testenv.NewNetNS(t)
	nc := testenv.RequireProgram(t, "nc.openbsd", "netcat-openbsd")
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	var client net.PacketConn
	if err := ns.Do(func() (err error) {
		client, err = net.ListenPacket("udp4", "127.0.0.1:0")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	for i, prog := range []string{nc, ncat, testenv.Bin(t, "echocat")} {
		port := 51060 + i
		to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
		p := testenv.Start(t, ns.Command(prog, "-u", "-l", "127.0.0.1", fmt.Sprint(port))) // stdin: /dev/null
		// The listener says nothing when it is ready: send until the
		// first datagram is written out (datagrams before the bind are
		// refused and lost).
		first := false
		for try := 0; try < 100 && !first; try++ {
			if _, err := client.WriteTo([]byte("first\n"), to); err != nil {
				t.Fatal(err)
			}
			_, first = p.Stdout.Next(0, 100*time.Millisecond)
		}
		if !first {
			t.Fatalf("%s -u -l: no datagram written out: stderr %s", prog, p.Stderr)
		}
		from := len(p.Stdout.Lines(0))
		var got []string
		for _, d := range []string{"second", "third"} {
			if _, err := client.WriteTo([]byte(d+"\n"), to); err != nil {
				t.Fatal(err)
			}
			line, _ := p.Stdout.WaitFor(from, d)
			got = append(got, line)
		}
		select {
		case <-p.Exited():
			t.Errorf("%s -u -l: exited (%v) while its sender was still sending; stderr %s", prog, p.Wait(), p.Stderr)
		default:
		}
		p.Kill()
		if diff := cmp.Diff([]string{"second", "third"}, got); diff != "" {
			t.Errorf("%s -u -l with standard input at its end: datagrams after the first (-want +got):\n%s", prog, diff)
		}
	}
}
