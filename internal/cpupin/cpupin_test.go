package cpupin

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestPin(t *testing.T) {
	done := make(chan error, 1)
	go func() {
		cpu := Pin()
		var set unix.CPUSet
		err := unix.SchedGetaffinity(0, &set)
		if err == nil && (cpu < 0 || set.Count() != 1 || !set.IsSet(cpu)) {
			t.Errorf("Pin() = %d, affinity has %d CPUs", cpu, set.Count())
		}
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestPinProcess runs in a child process (pinning this one would pin the
// rest of the tests): every thread, also one started afterwards, ends up
// on the one CPU, with SCHED_BATCH after SchedBatch.
func TestPinProcess(t *testing.T) {
	if os.Getenv("CPUPIN_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPinProcess$", "-test.v")
		cmd.Env = append(os.Environ(), "CPUPIN_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestPinProcess") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	cpu := PinProcess()
	if cpu < 0 {
		t.Fatal("PinProcess failed")
	}
	if err := SchedBatch(); err != nil {
		t.Fatal(err)
	}
	// A goroutine locked to a new thread: it is pinned as well.
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		errc <- nil
	}()
	<-errc
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		tid, _ := strconv.Atoi(e.Name())
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &set); err != nil {
			continue // ended meanwhile
		}
		if set.Count() != 1 || !set.IsSet(cpu) {
			t.Errorf("thread %d: %d CPUs in its mask, want only CPU %d", tid, set.Count(), cpu)
		}
		if attr, err := unix.SchedGetAttr(tid, 0); err == nil && attr.Policy != unix.SCHED_BATCH {
			t.Errorf("thread %d: policy %d, want SCHED_BATCH", tid, attr.Policy)
		}
	}
}
