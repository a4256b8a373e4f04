package main

import "github.com/sockcore/sockcore/pkg/canframe"

// reorderBuf puts tunnel datagrams back in sequence order. A datagram ahead
// of the expected one waits until the gap is filled, until more than window
// datagrams wait (the gap is then given up as lost), or until the caller
// flushes after a quiet time. A datagram behind the expected one (it
// arrived after the tunnel gave up on it, or a duplicate) is dropped and
// counted in late: writing it would put its frames on the bus after frames
// that followed them.
type reorderBuf struct {
	window  int
	started bool
	next    uint8
	pending map[uint8]canframe.Datagram
	late    uint64 // datagrams dropped for arriving behind the expected one
}

func newReorderBuf(window int) *reorderBuf {
	return &reorderBuf{window: window, pending: map[uint8]canframe.Datagram{}}
}

// push takes an arriving datagram and appends to out those now ready, in
// order.
func (r *reorderBuf) push(d canframe.Datagram, out []canframe.Datagram) []canframe.Datagram {
	if !r.started {
		r.started, r.next = true, d.Seq
	}
	gap := d.Seq - r.next
	switch {
	case gap >= 128: // late: its place has passed
		r.late++
		return out
	case gap == 0:
		out = append(out, d)
		r.next++
		return r.ready(out)
	}
	if _, dup := r.pending[d.Seq]; !dup {
		r.pending[d.Seq] = d
	}
	if len(r.pending) > r.window {
		r.skip()
		out = r.ready(out)
	}
	return out
}

// ready appends the pending datagrams that follow next without a gap.
func (r *reorderBuf) ready(out []canframe.Datagram) []canframe.Datagram {
	for {
		d, ok := r.pending[r.next]
		if !ok {
			return out
		}
		delete(r.pending, r.next)
		out = append(out, d)
		r.next++
	}
}

// skip gives up the gap before the earliest pending datagram.
func (r *reorderBuf) skip() {
	for i := 1; i < 256; i++ {
		if _, ok := r.pending[r.next+uint8(i)]; ok {
			r.next += uint8(i)
			return
		}
	}
}

// flush gives up every gap and appends all pending datagrams in order.
func (r *reorderBuf) flush(out []canframe.Datagram) []canframe.Datagram {
	for len(r.pending) > 0 {
		r.skip()
		out = r.ready(out)
	}
	return out
}

// restart flushes the pending datagrams (to out) and expects next: the
// sender started again and numbers from there.
func (r *reorderBuf) restart(next uint8, out []canframe.Datagram) []canframe.Datagram {
	out = r.flush(out)
	r.started, r.next = true, next
	return out
}

// waiting reports whether datagrams are held back.
func (r *reorderBuf) waiting() bool { return len(r.pending) > 0 }
