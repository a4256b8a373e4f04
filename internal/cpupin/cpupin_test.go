package cpupin

import (
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
