package cpupin

import (
	"errors"
	"os"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PinProcess puts every thread of the process on the CPU the caller is on,
// for good: threads started later inherit the mask. Unlike Pin it locks no
// goroutine to a thread, so a goroutine that waits in the poller is woken
// on whatever thread polls, without the hand-over between threads that a
// locked goroutine costs on every wait; frames written by any goroutine
// still leave from that one CPU, in order. It returns the CPU, or -1 when
// the threads could not be pinned.
func PinProcess() int {
	var cpu uint32
	if _, _, e := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), 0, 0); e != 0 {
		return -1
	}
	var set unix.CPUSet
	set.Set(int(cpu))
	if eachThread(func(tid int) error { return unix.SchedSetaffinity(tid, &set) }) != nil {
		return -1
	}
	return int(cpu)
}

// eachThread calls fn for every thread of the process, also for threads
// started while it runs: it reads /proc/self/task again until a pass finds
// no new thread. A thread that ended in between is skipped.
func eachThread(fn func(tid int) error) error {
	done := map[int]bool{}
	for {
		ents, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		fresh := 0
		for _, e := range ents {
			tid, err := strconv.Atoi(e.Name())
			if err != nil || done[tid] {
				continue
			}
			done[tid] = true
			fresh++
			if err := fn(tid); err != nil && !errors.Is(err, unix.ESRCH) {
				return err
			}
		}
		if fresh == 0 {
			return nil
		}
	}
}

// SchedBatch gives every thread of the process the SCHED_BATCH policy
// (threads started later inherit it): a thread woken by I/O then waits for
// the CPU's running task to block or use up its slice instead of preempting
// it. On a busy CPU work queues up and is taken in batches; on an idle CPU
// nothing changes.
func SchedBatch() error {
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_BATCH}
	return eachThread(func(tid int) error { return unix.SchedSetAttr(tid, &attr, 0) })
}
