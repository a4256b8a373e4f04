package echo

import (
	"bytes"
	"crypto/rand"
	"net"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestUDPFileThroughAgainstPeers: a file piped into a UDP client arrives
// whole, as through nc -u and ncat -u (datagrams of 16384 and 8192 bytes).
// echocat read its input 64 KiB at a time and sent each read as one
// datagram: more than UDP holds, so send(2) failed with "message too
// long" (exit 1) and nothing arrived.
func TestUDPFileThroughAgainstPeers(t *testing.T) {
	ns := testenv.NewNetNS(t)
	nc := testenv.RequireProgram(t, "nc.openbsd", "netcat-openbsd")
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	in := make([]byte, 100000)
	rand.Read(in)
	for _, tc := range []struct {
		prog string
		args []string
	}{
		{nc, []string{"-u", "-w", "1"}},
		{ncat, []string{"-u", "--send-only"}},
		{testenv.Bin(t, "echocat"), []string{"-u", "--send-only"}},
	} {
		var conn net.PacketConn
		if err := ns.Do(func() (err error) {
			conn, err = net.ListenPacket("udp4", "127.0.0.1:0")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// The reader keeps what arrives and says when the whole input has.
		var got []byte
		whole, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			buf := make([]byte, 65536)
			for {
				n, _, err := conn.ReadFrom(buf)
				if err != nil {
					return
				}
				got = append(got, buf[:n]...)
				if len(got) == len(in) {
					close(whole)
				}
			}
		}()
		_, port, _ := net.SplitHostPort(conn.LocalAddr().String())
		res := run(t, ns, string(in), tc.prog, append(tc.args, "127.0.0.1", port)...)
		select {
		case <-whole:
		case <-time.After(10 * time.Second): // a bound on failure
		}
		conn.Close()
		<-done
		if res.Code != 0 || !bytes.Equal(got, in) {
			t.Errorf("%s %q < %d bytes: exit %d (stderr %q), %d bytes arrived (equal: %v)", tc.prog, tc.args, len(in), res.Code, res.Stderr, len(got), bytes.Equal(got, in))
		}
	}
}
