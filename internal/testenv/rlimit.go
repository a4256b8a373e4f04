package testenv

import (
	"testing"

	"golang.org/x/sys/unix"
)

// LowerFileLimit sets the soft open-files limit (RLIMIT_NOFILE) of the
// running process pid to n and returns a func that puts the old one back.
// The soft limit only: raising it back needs no CAP_SYS_RESOURCE, which a
// container's root may lack. With n at 3 nothing more can be opened.
func LowerFileLimit(t testing.TB, pid int, n uint64) (restore func()) {
	t.Helper()
	var old unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, nil, &old); err != nil {
		t.Fatalf("prlimit %d: %v", pid, err)
	}
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: n, Max: old.Max}, nil); err != nil {
		t.Fatalf("prlimit %d: %v", pid, err)
	}
	return func() {
		t.Helper()
		if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &old, nil); err != nil {
			t.Errorf("prlimit %d: %v", pid, err)
		}
	}
}
