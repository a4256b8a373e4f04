package sockcore

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// The fix names the module the kernel lacks: the protocol's own where the
// family is there but the protocol is not.
func TestSocketErrHints(t *testing.T) {
	tests := []struct {
		name               string
		errno              error
		family, typ, proto int
		want               string
	}{
		{"no AF_CAN", unix.EAFNOSUPPORT, unix.AF_CAN, unix.SOCK_RAW, unix.CAN_RAW,
			"AF_CAN is not available in this kernel (load the can and can_raw modules)"},
		{"no can_isotp", unix.EPROTONOSUPPORT, unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_ISOTP,
			"CAN_ISOTP over AF_CAN is not available in this kernel (load the can_isotp module)"},
		{"no can_j1939", unix.EPROTONOSUPPORT, unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_J1939,
			"CAN_J1939 over AF_CAN is not available in this kernel (load the can_j1939 module)"},
		{"no mptcp", unix.EPROTONOSUPPORT, unix.AF_INET, unix.SOCK_STREAM, IPPROTO_MPTCP,
			"IPPROTO_MPTCP over AF_INET is not available in this kernel (set net.mptcp.enabled=1 or use a kernel built with CONFIG_MPTCP)"},
		{"tcp over dgram is a mismatch", unix.EPROTONOSUPPORT, unix.AF_INET, unix.SOCK_DGRAM, unix.IPPROTO_TCP,
			"socket: protocol not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wrapSocketErr(tt.errno, tt.family, tt.typ, tt.proto)
			if err.Error() != tt.want {
				t.Errorf("got %q\nwant %q", err, tt.want)
			}
			if !errors.Is(err, tt.errno) {
				t.Errorf("%v does not unwrap to %v", err, tt.errno)
			}
		})
	}
}
