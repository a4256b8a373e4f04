package resolve_test

import (
	"testing"

	"github.com/sockcore/sockcore/internal/nltest"
)

// This host's kernel has no dummy module (the VM's has): a bridge without
// ports stands in for it.
func TestIfaceAgainstIP(t *testing.T) { nltest.IfaceAgainstIP(t, "dummy", "bridge") }
