// Package echo runs echocat's servers over the stream transports the host
// kernel lacks (AF_VSOCK through vsock_loopback, SCTP) in the kernel VM, and
// echod's io_uring reactor on the VM tier's kernels (uring_test.go); echod
// over each family is a row of integration/vm/families.
package echo

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestServerTransports: echocat -l -k -e cat, plain and with --ssl, over
// the stream transports the host kernel lacks (vsock, SCTP), with echocat
// clients.
func TestServerTransports(t *testing.T) {
	testenv.RequireVM(t)
	for _, tc := range []struct {
		listen, connect string
		tls             bool
	}{
		{"vsock://any:5101", "vsock://local:5101", false},
		{"vsock://any:5102", "vsock://local:5102", true},
		{"sctp://127.0.0.1:5103", "sctp://127.0.0.1:5103", false},
		{"sctp://127.0.0.1:5104", "sctp://127.0.0.1:5104", true},
	} {
		t.Run(tc.connect, func(t *testing.T) {
			args := []string{"-l", "-v", "-k", "-e", "/bin/cat"}
			if tc.tls {
				args = append(args, "--ssl")
			}
			srv := exec.Command(testenv.Bin(t, "echocat"), append(args, tc.listen)...)
			p := testenv.Start(t, srv)
			if l, _ := p.Stderr.WaitFor(0, "listening on"); l == "" {
				t.Fatalf("echocat %v did not listen: %s", args, p.Stderr)
			}
			for i := range 2 {
				cargs := []string{tc.connect}
				if tc.tls {
					cargs = []string{"--ssl", tc.connect}
				}
				cmd := exec.Command(testenv.Bin(t, "echocat"), cargs...)
				cmd.Stdin = strings.NewReader("through a child\n")
				var o, e bytes.Buffer
				cmd.Stdout, cmd.Stderr = &o, &e
				if err := cmd.Run(); err != nil || o.String() != "through a child\n" {
					t.Errorf("connection %d: %v, %q, %s", i, err, o.String(), e.String())
				}
			}
		})
	}
}
