package kernel

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

// guestProgram finds a program that integration/vm/guest-programs.txt copies
// into the guest: a missing one skips, or fails under CI=true.
func guestProgram(t *testing.T, name, debianPkg string) string {
	t.Helper()
	return testenv.RequireProgram(t, name, debianPkg+" and list it in integration/vm/guest-programs.txt")
}

// TestGuestPrograms runs the peers copied in from the host, which proves their
// shared libraries came along, and compares them with the kernel.
func TestGuestPrograms(t *testing.T) {
	testenv.RequireVM(t)
	for _, tc := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"ip/vxcan", func(t *testing.T) {
			out, err := exec.Command(guestProgram(t, "ip", "iproute2"), "-d", "link", "show", "vxcan0").CombinedOutput()
			if err != nil || !bytes.Contains(out, []byte("vxcan")) {
				t.Fatalf("ip -d link show vxcan0: %v\n%s", err, out)
			}
		}},
		{"kcapi-dgst/sha256", func(t *testing.T) {
			const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
			cmd := exec.Command(guestProgram(t, "kcapi-dgst", "kcapi-tools"), "-c", "sha256", "--hex")
			cmd.Stdin = strings.NewReader("abc")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("kcapi-dgst -c sha256 --hex: %v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != want {
				t.Errorf("kcapi-dgst sha256(abc) = %s, want %s", got, want)
			}
		}},
		{"cansend/vcan1", func(t *testing.T) {
			rx := canSocket(t, "vcan1")
			out, err := exec.Command(guestProgram(t, "cansend", "can-utils"), "vcan1", "123#DEADBEEF").CombinedOutput()
			if err != nil {
				t.Fatalf("cansend vcan1 123#DEADBEEF: %v\n%s", err, out)
			}
			want := canFrame(0x123, []byte{0xde, 0xad, 0xbe, 0xef})
			if got := read(t, rx, 16); !bytes.Equal(got, want) {
				t.Errorf("frame from cansend = % x, want % x", got, want)
			}
		}},
		{"candump/help", func(t *testing.T) {
			// candump without arguments prints its usage and exits 0 or 1;
			// running at all proves the loader and libraries are there.
			out, _ := exec.Command(guestProgram(t, "candump", "can-utils")).CombinedOutput()
			if !bytes.Contains(out, []byte("candump")) {
				t.Errorf("candump printed no usage:\n%s", out)
			}
		}},
		{"cangw/help", func(t *testing.T) {
			out, _ := exec.Command(guestProgram(t, "cangw", "can-utils")).CombinedOutput()
			if !bytes.Contains(out, []byte("cangw")) {
				t.Errorf("cangw printed no usage:\n%s", out)
			}
		}},
	} {
		t.Run(tc.name, tc.run)
	}
}
