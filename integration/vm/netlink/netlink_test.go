// Package netlink runs the AF_NETLINK tests of internal/nltest (the same
// ones the unit and host tiers run) on Debian's kernels in the VM, plus
// resolve iface with a real dummy interface (the host kernel has none).
package netlink

import (
	"os"
	"testing"

	"github.com/sockcore/sockcore/internal/nltest"
	"github.com/sockcore/sockcore/internal/testenv"
)

func TestNetlink(t *testing.T) {
	testenv.RequireVM(t)
	// The guest's root has no /run, where ip netns keeps its namespaces.
	if err := os.MkdirAll("/run/netns", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"BindAutoPID", nltest.BindAutoPID},
		{"DumpListsLo", nltest.DumpListsLo},
		{"GenlFamily", nltest.GenlFamily},
		{"ExtAck", nltest.ExtAck},
		{"Membership", nltest.Membership},
		{"IfaceAgainstIP", func(t *testing.T) { nltest.IfaceAgainstIP(t, "dummy") }},
	} {
		t.Run(tc.name, tc.fn)
	}
}
