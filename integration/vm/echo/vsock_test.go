// Package echo runs echod and echocat over AF_VSOCK in the kernel VM
// (vsock_loopback), which the host kernel lacks.
package echo

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

func TestVSockEcho(t *testing.T) {
	testenv.RequireVM(t)
	echod := exec.Command(testenv.Bin(t, "echod"), "--listen", "vsock://any:5000")
	out, err := echod.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	echod.Stderr = &stderr
	if err := echod.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { echod.Process.Kill(); echod.Wait() })
	sc := bufio.NewScanner(out)
	// The wildcard CID prints as the URL takes it, not as 4294967295.
	if !sc.Scan() || sc.Text() != "listening vsock://any:5000" {
		echod.Process.Kill()
		echod.Wait()
		t.Fatalf("echod did not listen: %q %s", sc.Text(), stderr.String())
	}
	for _, args := range [][]string{
		{"vsock://local:5000"},
		{"--verify", "--count", "200", "--size", "4096", "vsock://1:5000"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cmd := exec.Command(testenv.Bin(t, "echocat"), args...)
			cmd.Stdin = strings.NewReader("over vsock\n")
			var o, e bytes.Buffer
			cmd.Stdout, cmd.Stderr = &o, &e
			if err := cmd.Run(); err != nil {
				t.Fatalf("echocat %v: %v: %s", args, err, e.String())
			}
			if args[0] != "--verify" && o.String() != "over vsock\n" {
				t.Errorf("echo %q", o.String())
			}
			if args[0] == "--verify" && !strings.Contains(o.String(), "lost 0 (0.00%), corrupted 0") {
				t.Errorf("verify: %s", o.String())
			}
		})
	}
}
