package can

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cpupin"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// Timeout bounds every wait of the CAN VM tests; the guest runs under TCG,
// so it is generous.
const Timeout = 20 * time.Second

// RawSocket opens a CAN_RAW socket bound to iface ("" = every interface)
// with CAN FD frames, an 8 MiB receive buffer and a read timeout, closed
// when the test ends. It pins the calling goroutine to its CPU (see
// cpupin): tests write frames in sequence on vcan.
func RawSocket(t testing.TB, iface string) *sockcore.Socket {
	t.Helper()
	cpupin.Pin()
	s, err := sockcore.New(unix.AF_CAN, unix.SOCK_RAW, unix.CAN_RAW)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.SetCANRawFDFrames(true); err != nil {
		t.Fatal(err)
	}
	s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20)
	if err := s.Bind(&sockcore.CANAddr{Interface: iface}); err != nil {
		t.Fatalf("bind %s: %v", iface, err)
	}
	s.SetTimeout(Timeout)
	return s
}
