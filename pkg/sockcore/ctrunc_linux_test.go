package sockcore

import (
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// 100,000 receives into a control buffer too small for the descriptors in
// flight (MSG_CTRUNC: the kernel closes what does not fit) leave the
// process's descriptor count where it was (#16). Three kinds of short
// buffer: room for one descriptor of three, room for no header at all, and
// no buffer. Eight messages stay queued, so descriptors are always in
// flight. The loop also ends after a minute (a loaded machine) and says
// how far it got; the count is checked either way.
func TestCtruncLeaksNoDescriptors(t *testing.T) {
	total := 100000
	if testing.Short() {
		total = 5000
	}
	a, b, err := Pair(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	fds := []int{int(null.Fd()), int(null.Fd()), int(null.Fd())}
	before := len(openFDs(t))
	const inFlight = 8
	for range inFlight {
		if _, err := SendFDs(a, [][]byte{[]byte("x")}, fds); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	done := 0
	for ; done < total; done++ {
		if done%1000 == 0 && time.Now().After(deadline) {
			break
		}
		var got []int
		var flags int
		switch done % 3 {
		case 0:
			_, got, flags, _, err = RecvFDs(b, 16, 1)
		case 1:
			var anc []ControlMessage
			_, anc, flags, _, err = b.RecvMsg(16, 8, 0) // less than a cmsghdr
			got = FDsOf(anc)
		case 2:
			var anc []ControlMessage
			_, anc, flags, _, err = b.RecvMsg(16, 0, 0)
			got = FDsOf(anc)
		}
		if err != nil {
			t.Fatalf("receive %d: %v", done, err)
		}
		if flags&unix.MSG_CTRUNC == 0 {
			t.Fatalf("receive %d: no MSG_CTRUNC (flags %#x)", done, flags)
		}
		for _, fd := range got {
			unix.Close(fd)
		}
		if _, err := SendFDs(a, [][]byte{[]byte("x")}, fds); err != nil {
			t.Fatal(err)
		}
	}
	for range inFlight {
		_, got, _, _, err := RecvFDs(b, 16, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range got {
			unix.Close(fd)
		}
	}
	t.Logf("%d truncated receives", done)
	if after := len(openFDs(t)); after != before {
		t.Errorf("%d descriptors open after %d truncated receives, %d before", after, done, before)
	}
}
