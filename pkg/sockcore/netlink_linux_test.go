package sockcore_test

import (
	"testing"

	"github.com/sockcore/sockcore/internal/nltest"
)

// The AF_NETLINK tests that need no privilege; the root ones are in
// integration/sockcore and all of them run in integration/vm/netlink.
func TestNetlinkBindAutoPID(t *testing.T) { nltest.BindAutoPID(t) }
func TestNetlinkDumpListsLo(t *testing.T) { nltest.DumpListsLo(t) }
func TestNetlinkGenlFamily(t *testing.T)  { nltest.GenlFamily(t) }
