package testenv

import (
	"os"
	"testing"
)

// InVM reports whether the test runs inside the kernel VM of scripts/vmtest.sh
// (tier 3), which sets SOCKCORE_VM=1 in the guest.
func InVM() bool { return os.Getenv("SOCKCORE_VM") == "1" }

// RequireVM skips t unless it runs in the kernel VM. It never fails on the
// host, not even under CI=true: there the VM tier runs the test instead.
func RequireVM(t testing.TB) {
	t.Helper()
	if !InVM() {
		t.Skip("runs in the kernel VM tier: make vmtest")
	}
}
