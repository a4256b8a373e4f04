package canframe

import (
	"encoding/binary"
	"fmt"
)

// The tunnel datagram, modelled on cannelloni's version-2 UDP layout. All
// fields are big-endian.
//
//	header, 5 bytes:
//	  1  version   TunnelVersion (2)
//	  1  op code   TunnelOpData (0)
//	  1  sequence  datagram counter, wraps at 255
//	  2  count     number of frames that follow
//	each frame:
//	  4  can_id    with the EFF (1<<31), RTR (1<<30) and ERR (1<<29) flags
//	  1  length    payload length; bit 7 (0x80) set marks a CAN FD frame;
//	               for a remote request, the requested length
//	  1  flags     CAN FD frames only: BRS 0x01, ESI 0x02
//	  n  data      length bytes (none for a remote request)
//
// A tunnel that starts sends a hello first (canrelay's own op code, not
// cannelloni's): version 2, op code TunnelOpHello, sequence 0, count 0,
// then an 8-byte session number it picks at random. Its data datagrams
// follow from sequence 1. The receiver then knows that the sender
// (re)started and that its sequence numbers start again, which it cannot
// tell from a datagram that comes late; a hello it has seen (a duplicate)
// changes nothing.
const (
	TunnelVersion    = 2
	TunnelOpData     = 0
	TunnelOpHello    = 3
	TunnelHelloLen   = TunnelHeaderLen + 8
	TunnelHeaderLen  = 5
	tunnelFDBit      = 0x80
	tunnelFrameFixed = 5 // can_id and length
)

// Datagram is one tunnel datagram.
type Datagram struct {
	Seq    uint8
	Frames []Frame
}

// TunnelFrameLen is the number of bytes f takes in a datagram.
func TunnelFrameLen(f *Frame) int {
	n := tunnelFrameFixed + len(f.Data)
	if f.FD {
		n++
	}
	return n
}

// AppendTunnelHeader appends a datagram header for count frames.
func AppendTunnelHeader(b []byte, seq uint8, count int) []byte {
	return append(b, TunnelVersion, TunnelOpData, seq, byte(count>>8), byte(count))
}

// AppendTunnelFrame appends f in the tunnel's frame encoding.
func AppendTunnelFrame(b []byte, f *Frame) ([]byte, error) {
	if err := f.Validate(); err != nil {
		return b, err
	}
	b = binary.BigEndian.AppendUint32(b, f.CANID())
	l := byte(f.Len())
	if f.FD {
		b = append(b, l|tunnelFDBit, f.Flags)
	} else {
		b = append(b, l)
	}
	return append(b, f.Data...), nil
}

// EncodeDatagram returns d as one datagram.
func EncodeDatagram(d *Datagram) ([]byte, error) {
	if len(d.Frames) > 0xffff {
		return nil, fmt.Errorf("%w: %d frames in one datagram, at most 65535", ErrTooLong, len(d.Frames))
	}
	b := AppendTunnelHeader(nil, d.Seq, len(d.Frames))
	for i := range d.Frames {
		var err error
		if b, err = AppendTunnelFrame(b, &d.Frames[i]); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// AppendTunnelHello appends the hello of a tunnel starting session.
func AppendTunnelHello(b []byte, session uint64) []byte {
	b = append(b, TunnelVersion, TunnelOpHello, 0, 0, 0)
	return binary.BigEndian.AppendUint64(b, session)
}

// ParseTunnelHello reports whether b is a hello and returns its session.
func ParseTunnelHello(b []byte) (session uint64, ok bool) {
	if len(b) != TunnelHelloLen || b[0] != TunnelVersion || b[1] != TunnelOpHello || b[2] != 0 || b[3] != 0 || b[4] != 0 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b[TunnelHeaderLen:]), true
}

// DecodeDatagram parses one tunnel datagram. Bytes after the last counted
// frame are an error, as is a version or op code it does not know.
func DecodeDatagram(b []byte) (Datagram, error) {
	var d Datagram
	if len(b) < TunnelHeaderLen {
		return d, fmt.Errorf("%w: tunnel datagram of %d bytes", ErrShort, len(b))
	}
	if b[0] != TunnelVersion {
		return d, fmt.Errorf("%w: tunnel version %d, want %d", ErrBadFrame, b[0], TunnelVersion)
	}
	if b[1] != TunnelOpData {
		return d, fmt.Errorf("%w: tunnel op code %d, want %d (data)", ErrBadFrame, b[1], TunnelOpData)
	}
	d.Seq = b[2]
	count := int(binary.BigEndian.Uint16(b[3:]))
	p := b[TunnelHeaderLen:]
	if count > len(p)/tunnelFrameFixed {
		return d, fmt.Errorf("%w: %d frames announced in %d bytes", ErrShort, count, len(p))
	}
	d.Frames = make([]Frame, 0, count)
	for i := 0; i < count; i++ {
		if len(p) < tunnelFrameFixed {
			return d, fmt.Errorf("%w: frame %d of %d cut off", ErrShort, i+1, count)
		}
		var f Frame
		f.setCANID(binary.BigEndian.Uint32(p))
		l := p[4]
		p = p[tunnelFrameFixed:]
		if l&tunnelFDBit != 0 {
			f.FD = true
			if len(p) < 1 {
				return d, fmt.Errorf("%w: frame %d of %d has no flags byte", ErrShort, i+1, count)
			}
			f.Flags = p[0] & fdFlagsKept
			p = p[1:]
			l &^= tunnelFDBit
		}
		n := int(l)
		if f.RTR {
			f.RTRLen = l
			n = 0
		}
		if len(p) < n {
			return d, fmt.Errorf("%w: frame %d of %d wants %d data bytes, %d left", ErrShort, i+1, count, n, len(p))
		}
		if !f.RTR {
			f.Data = append([]byte{}, p[:n]...)
		}
		p = p[n:]
		if err := f.Validate(); err != nil {
			return d, fmt.Errorf("frame %d of %d: %w", i+1, count, err)
		}
		d.Frames = append(d.Frames, f)
	}
	if len(p) != 0 {
		return d, fmt.Errorf("%w: %d bytes after the last frame", ErrBadFrame, len(p))
	}
	return d, nil
}

// SeqTracker counts lost and reordered tunnel datagrams from their 8-bit
// sequence numbers. A sequence number up to 127 ahead of the expected one
// counts the skipped ones as lost; one behind it is a late (reordered)
// datagram, which is taken off the lost count again.
type SeqTracker struct {
	started   bool
	expected  uint8
	Received  uint64 // datagrams seen
	Lost      uint64 // datagrams skipped and not (yet) seen late
	Reordered uint64 // datagrams that arrived after a later one
}

// Restart makes next the expected sequence number (the sender started
// again) and keeps the counts.
func (t *SeqTracker) Restart(next uint8) { t.started, t.expected = true, next }

// Observe records the arrival of a datagram with sequence number seq. It
// reports whether the datagram is in order (not a late one).
func (t *SeqTracker) Observe(seq uint8) (inOrder bool) {
	t.Received++
	if !t.started {
		t.started = true
		t.expected = seq + 1
		return true
	}
	gap := seq - t.expected
	if gap < 128 {
		t.Lost += uint64(gap)
		t.expected = seq + 1
		return true
	}
	t.Reordered++
	if t.Lost > 0 {
		t.Lost--
	}
	return false
}
