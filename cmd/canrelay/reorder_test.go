package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/pkg/canframe"
)

func TestReorderBuf(t *testing.T) {
	tests := []struct {
		name   string
		window int
		seqs   []uint8
		flush  bool
		want   []uint8
		late   uint64
	}{
		{"in order", 4, []uint8{5, 6, 7}, false, []uint8{5, 6, 7}, 0},
		{"swap", 4, []uint8{1, 3, 2, 4}, false, []uint8{1, 2, 3, 4}, 0},
		{"across wrap", 4, []uint8{254, 0, 255, 1}, false, []uint8{254, 255, 0, 1}, 0},
		{"gap held", 4, []uint8{1, 3, 4}, false, []uint8{1}, 0},
		{"gap flushed", 4, []uint8{1, 3, 5, 4}, true, []uint8{1, 3, 4, 5}, 0},
		{"window exceeded", 2, []uint8{1, 3, 4, 5}, false, []uint8{1, 3, 4, 5}, 0},
		{"late after skip", 1, []uint8{1, 3, 4, 2}, false, []uint8{1, 3, 4}, 1},
		{"duplicate behind", 4, []uint8{1, 2, 1, 3}, false, []uint8{1, 2, 3}, 1},
		{"duplicate ahead", 4, []uint8{1, 3, 3, 2}, false, []uint8{1, 2, 3}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReorderBuf(tt.window)
			var out []canframe.Datagram
			for _, s := range tt.seqs {
				out = r.push(canframe.Datagram{Seq: s}, out)
			}
			if tt.flush {
				out = r.flush(out)
				if r.waiting() {
					t.Error("still waiting after flush")
				}
			}
			var got []uint8
			for _, d := range out {
				got = append(got, d.Seq)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("delivered (-want +got):\n%s", diff)
			}
			if r.late != tt.late {
				t.Errorf("late = %d, want %d", r.late, tt.late)
			}
		})
	}
}

// A datagram that comes after the reorder wait gave up on it is dropped:
// its frames would follow frames written after them.
func TestReorderLateAfterFlush(t *testing.T) {
	r := newReorderBuf(4)
	var out []canframe.Datagram
	for _, s := range []uint8{1, 3} {
		out = r.push(canframe.Datagram{Seq: s}, out)
	}
	out = r.flush(out) // the reorder wait ended
	for _, s := range []uint8{2, 4} {
		out = r.push(canframe.Datagram{Seq: s}, out)
	}
	var got []uint8
	for _, d := range out {
		got = append(got, d.Seq)
	}
	if diff := cmp.Diff([]uint8{1, 3, 4}, got); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if r.late != 1 {
		t.Errorf("late = %d, want 1", r.late)
	}
}
