// Package netns runs code on an OS thread inside a network namespace: the
// one way sniff's -n and the test helpers enter one.
package netns

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// Run runs fn on a locked OS thread inside the network namespace open as
// fd (name is for messages). Sockets fn creates stay in the namespace;
// goroutines fn starts do not run in it.
//
// With back false the thread never leaves: it is never unlocked, so it
// ends with the goroutine, and no other goroutine runs in the namespace.
// With back true it returns to the namespace it came from after fn and is
// unlocked then; if it cannot return, it stays locked and dies.
func Run(name string, fd int, back bool, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig := -1
		if back {
			o, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				errc <- fmt.Errorf("network namespace of this thread: %w", err)
				return
			}
			defer unix.Close(o)
			orig = o
		}
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("entering network namespace %s: %w", name, os.NewSyscallError("setns", err))
			return
		}
		ferr := fn()
		if orig >= 0 && unix.Setns(orig, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errc <- ferr
	}()
	return <-errc
}
