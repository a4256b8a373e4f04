package sockcore_test

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/nltest"
	"github.com/sockcore/sockcore/pkg/nlmsg"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// The AF_NETLINK tests that need no privilege; the root ones are in
// integration/sockcore and all of them run in integration/vm/netlink.
func TestNetlinkBindAutoPID(t *testing.T) { nltest.BindAutoPID(t) }
func TestNetlinkDumpListsLo(t *testing.T) { nltest.DumpListsLo(t) }
func TestNetlinkGenlFamily(t *testing.T)  { nltest.GenlFamily(t) }

// TestNetlinkExchangeRefusesBadRequest: a request that is not one netlink
// message is refused before anything is sent; a truncated one wraps
// nlmsg.ErrTruncated.
func TestNetlinkExchangeRefusesBadRequest(t *testing.T) {
	hdr := make([]byte, nlmsg.HeaderLen)
	binary.NativeEndian.PutUint32(hdr, nlmsg.HeaderLen)
	for _, tc := range []struct {
		name      string
		req       []byte
		want      string
		truncated bool
	}{
		{"none", nil, "sockcore: NetlinkExchange wants one netlink message, not 0", false},
		{"two", append(append([]byte{}, hdr...), hdr...), "sockcore: NetlinkExchange wants one netlink message, not 2", false},
		{"truncated", append([]byte{0xff, 0, 0, 0}, hdr[4:]...), "sockcore: NetlinkExchange wants one netlink message: ", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sockcore.NetlinkExchange(nil, tc.req)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err %v, want it to start %q", err, tc.want)
			}
			if got := errors.Is(err, nlmsg.ErrTruncated); got != tc.truncated {
				t.Errorf("errors.Is(err, nlmsg.ErrTruncated) = %v, want %v", got, tc.truncated)
			}
		})
	}
}
