package canframe

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
)

// An authenticated tunnel datagram wraps the datagram above (version 2)
// between a header and an HMAC-SHA256 tag, both ends sharing one key. All
// fields are big-endian.
//
//	header, 18 bytes:
//	  1  version  TunnelAuthVersion (0x12): a peer without a key sees an
//	              unknown version and can say so
//	  1  key id   0 (reserved for key rotation)
//	  8  sender   a random number each tunnel picks when it starts: a
//	              datagram that carries the receiver's own number was
//	              reflected back to it and is dropped
//	  8  seq      64-bit sequence number: the sender's start time in Unix
//	              seconds in the high 32 bits, a counter from 0 in the low
//	              ones, so that a restarted sender goes on above its last
//	              run and the receiver's replay window stays valid
//	n  datagram   the unauthenticated datagram, version 2
//	16 tag       HMAC-SHA256(key, header and datagram), its first 16 bytes
//	             (128 bits, as RFC 4868's HMAC-SHA-256-128 in IPsec)
const (
	TunnelAuthVersion   = 0x12
	TunnelAuthHeaderLen = 18
	TunnelTagLen        = 16
	// TunnelAuthOverhead is what authentication adds to a datagram.
	TunnelAuthOverhead = TunnelAuthHeaderLen + TunnelTagLen
	// MinTunnelKeyLen and MaxTunnelKeyLen bound the pre-shared key: at
	// least 128 bits, and no more than a key file should hold.
	MinTunnelKeyLen = 16
	MaxTunnelKeyLen = 4096
	// ReplayWindowSize is how far behind the highest sequence number seen
	// a datagram may arrive (late, reordered) and still be accepted once.
	ReplayWindowSize = 64
)

var (
	// ErrUnauthenticated is a version 2 datagram where a key is in use:
	// the peer has no key.
	ErrUnauthenticated = errors.New("unauthenticated tunnel datagram")
	// ErrBadTag is a datagram whose tag does not verify: forged, damaged
	// or sent with another key.
	ErrBadTag = errors.New("tunnel datagram fails authentication")
)

// TunnelAuth seals and opens authenticated datagrams with one key.
type TunnelAuth struct {
	mac    hash.Hash
	sender uint64
	next   uint64
	sum    [sha256.Size]byte
}

// NewTunnelAuth returns the authenticator for key. sender is this end's
// random number, epoch its start time in Unix seconds.
func NewTunnelAuth(key []byte, sender uint64, epoch uint32) (*TunnelAuth, error) {
	if len(key) < MinTunnelKeyLen || len(key) > MaxTunnelKeyLen {
		return nil, fmt.Errorf("tunnel key of %d bytes: want %d to %d", len(key), MinTunnelKeyLen, MaxTunnelKeyLen)
	}
	return &TunnelAuth{mac: hmac.New(sha256.New, key), sender: sender, next: uint64(epoch) << 32}, nil
}

// Sender is this end's random number.
func (a *TunnelAuth) Sender() uint64 { return a.sender }

func (a *TunnelAuth) tag(b []byte) []byte {
	a.mac.Reset()
	a.mac.Write(b)
	return a.mac.Sum(a.sum[:0])[:TunnelTagLen]
}

// Seal appends to dst the authenticated form of datagram, with the next
// sequence number. Not safe for concurrent use (one sender goroutine).
func (a *TunnelAuth) Seal(dst, datagram []byte) []byte {
	start := len(dst)
	dst = append(dst, TunnelAuthVersion, 0)
	dst = binary.BigEndian.AppendUint64(dst, a.sender)
	dst = binary.BigEndian.AppendUint64(dst, a.next)
	a.next++
	dst = append(dst, datagram...)
	return append(dst, a.tag(dst[start:])...)
}

// Opened is what Open found in a datagram whose tag verified.
type Opened struct {
	Sender   uint64
	Seq      uint64
	Datagram []byte // the version 2 datagram inside, aliasing the input
}

// Open checks b's tag and returns what it carries. It does not check the
// sender or the sequence number: the caller's ReplayWindow does. Not safe
// for concurrent use (one receiver goroutine; Seal may run beside it only
// on another TunnelAuth).
func (a *TunnelAuth) Open(b []byte) (Opened, error) {
	var o Opened
	if len(b) > 0 && b[0] == TunnelVersion {
		return o, ErrUnauthenticated
	}
	if len(b) < TunnelAuthOverhead {
		return o, fmt.Errorf("%w: authenticated tunnel datagram of %d bytes, at least %d", ErrShort, len(b), TunnelAuthOverhead)
	}
	if b[0] != TunnelAuthVersion || b[1] != 0 {
		return o, fmt.Errorf("%w: version %#x key id %d, want %#x and 0", ErrBadTag, b[0], b[1], TunnelAuthVersion)
	}
	body, tag := b[:len(b)-TunnelTagLen], b[len(b)-TunnelTagLen:]
	if !hmac.Equal(a.tag(body), tag) {
		return o, ErrBadTag
	}
	o.Sender = binary.BigEndian.Uint64(b[2:])
	o.Seq = binary.BigEndian.Uint64(b[10:])
	o.Datagram = body[TunnelAuthHeaderLen:]
	return o, nil
}

// ReplayWindow is IPsec's anti-replay window (RFC 4303 section 3.4.3,
// appendix A2): the highest sequence number accepted and a bitmap of the
// ReplayWindowSize numbers below it. A number is accepted once; one below
// the window is refused. The first number seen starts the window.
type ReplayWindow struct {
	started bool
	top     uint64
	seen    uint64 // bit i: top-i was accepted
}

// Check reports whether seq would be accepted, without recording it:
// call Accept only once the datagram's tag has verified.
func (w *ReplayWindow) Check(seq uint64) bool {
	if !w.started || seq > w.top {
		return true
	}
	d := w.top - seq
	return d < ReplayWindowSize && w.seen&(1<<d) == 0
}

// Accept records seq, which Check accepted.
func (w *ReplayWindow) Accept(seq uint64) {
	switch {
	case !w.started:
		w.started, w.top, w.seen = true, seq, 1
	case seq > w.top:
		if d := seq - w.top; d < ReplayWindowSize {
			w.seen = w.seen<<d | 1
		} else {
			w.seen = 1
		}
		w.top = seq
	default:
		w.seen |= 1 << (w.top - seq)
	}
}
