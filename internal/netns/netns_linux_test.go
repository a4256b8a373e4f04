package netns_test

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/netns"
	"github.com/sockcore/sockcore/internal/testenv"
)

func nsIno() (uint64, error) {
	var st unix.Stat_t
	err := unix.Stat("/proc/thread-self/ns/net", &st)
	return st.Ino, err
}

// TestRun enters a namespace with and without going back: fn runs inside
// it either way, and a bad descriptor is an error naming the namespace.
func TestRun(t *testing.T) {
	ns := testenv.NewNetNS(t)
	fd, err := unix.Open("/run/netns/"+ns.Name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	host, err := nsIno()
	if err != nil {
		t.Fatal(err)
	}
	for _, back := range []bool{true, false} {
		var in uint64
		if err := netns.Run(ns.Name, fd, back, func() (err error) { in, err = nsIno(); return err }); err != nil {
			t.Fatalf("back=%v: %v", back, err)
		}
		if in != st.Ino || in == host {
			t.Errorf("back=%v: fn ran in namespace inode %d, want %d (host %d)", back, in, st.Ino, host)
		}
	}
	if got, _ := nsIno(); got != host {
		t.Errorf("test goroutine moved to namespace inode %d, want host %d", got, host)
	}
	err = netns.Run("nowhere", -1, false, func() error { t.Error("fn ran"); return nil })
	if !errors.Is(err, unix.EBADF) || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("bad fd: err = %v, want EBADF", err)
	}
}
