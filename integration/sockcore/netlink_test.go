package sockcore_test

import (
	"testing"

	"github.com/sockcore/sockcore/internal/nltest"
)

func TestNetlinkExtAck(t *testing.T)     { nltest.ExtAck(t) }
func TestNetlinkMembership(t *testing.T) { nltest.Membership(t) }
