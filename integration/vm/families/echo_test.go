package families

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

// startEchod runs echod on a listen URL and waits for its "listening" line.
func startEchod(t *testing.T, url, wantPrefix string) string {
	t.Helper()
	_, line := testenv.StartReady(t, exec.Command(testenv.Bin(t, "echod"), "--listen", url), "listening "+wantPrefix)
	return line
}

// TestEchoFamilies: echod serves a TIPC service name, an SCTP port and a
// VSOCK port (vsock_loopback); echocat echoes a line and verifies 200
// sequenced messages over each.
func TestEchoFamilies(t *testing.T) {
	testenv.RequireVM(t)
	for _, tc := range []struct {
		listen, listening, dial string
		verify                  string // the URL --verify dials; "" is dial
	}{
		{"tipc://3000:7", "tipc://<", "tipc://3000:7", ""},
		{"tipc-seqpacket://3001:7", "tipc-seqpacket://<", "tipc-seqpacket://3001:7", ""},
		{"sctp://127.0.0.1:5300", "sctp://127.0.0.1:5300", "sctp://127.0.0.1:5300", ""},
		{"sctp://[::1]:5301", "sctp://[::1]:5301", "sctp://[::1]:5301", ""},
		// The wildcard CID prints as the URL takes it, not as 4294967295.
		{"vsock://any:5000", "vsock://any:5000", "vsock://local:5000", "vsock://1:5000"},
	} {
		t.Run(tc.listen, func(t *testing.T) {
			startEchod(t, tc.listen, tc.listening)
			if tc.verify == "" {
				tc.verify = tc.dial
			}
			for _, args := range [][]string{
				{"-w", "10", tc.dial},
				{"-w", "10", "--verify", "--count", "200", "--size", "1024", tc.verify},
			} {
				cmd := exec.Command(testenv.Bin(t, "echocat"), args...)
				cmd.Stdin = strings.NewReader("over " + tc.dial + "\n")
				var o, e bytes.Buffer
				cmd.Stdout, cmd.Stderr = &o, &e
				if err := cmd.Run(); err != nil {
					t.Fatalf("echocat %v: %v: %s", args, err, e.String())
				}
				if args[2] != "--verify" && o.String() != "over "+tc.dial+"\n" {
					t.Errorf("echocat %v echoed %q", args, o.String())
				}
				if args[2] == "--verify" && !strings.Contains(o.String(), "lost 0 (0.00%), corrupted 0") {
					t.Errorf("echocat %v: %s", args, o.String())
				}
			}
		})
	}
}
