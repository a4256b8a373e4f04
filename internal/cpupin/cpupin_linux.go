// Package cpupin keeps a goroutine on one CPU.
package cpupin

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Pin locks the calling goroutine to its OS thread and the thread to the
// CPU it is on, for good (the thread ends with the goroutine). Frames
// written to a virtual CAN interface (vcan, vxcan) are delivered through the
// per-CPU backlog of the writing CPU, so a writer that moves between CPUs
// can have its frames delivered out of order; every goroutine that writes
// frames in sequence calls Pin. It returns the CPU, or -1 when the thread
// could not be pinned.
func Pin() int {
	runtime.LockOSThread()
	var cpu uint32
	if _, _, e := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), 0, 0); e != 0 {
		return -1
	}
	var set unix.CPUSet
	set.Set(int(cpu))
	if unix.SchedSetaffinity(0, &set) != nil {
		return -1
	}
	return int(cpu)
}
