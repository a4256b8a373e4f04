package sockcore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ControlMessage is one ancillary data item: Python's (level, type, data).
type ControlMessage struct {
	Level, Type int
	Data        []byte
}

const (
	cmsgAlign   = int(unsafe.Sizeof(uintptr(0)))
	cmsgHdrLen  = unix.SizeofCmsghdr
	socklenTMax = math.MaxInt32 // Python's SOCKLEN_T_LIMIT
)

func alignCmsg(n int) int { return (n + cmsgAlign - 1) &^ (cmsgAlign - 1) }

// ErrCMSGRange is returned by CMSGLen and CMSGSpace where Python raises
// OverflowError.
var ErrCMSGRange = errors.New("CMSG argument out of range")

// CMSGLen returns the cmsg_len for n bytes of data (socket.CMSG_LEN).
func CMSGLen(n int) (int, error) {
	if n < 0 || n > socklenTMax-alignCmsg(cmsgHdrLen) {
		return 0, ErrCMSGRange
	}
	return alignCmsg(cmsgHdrLen) + n, nil
}

// CMSGSpace returns the buffer space for n bytes of data with padding
// (socket.CMSG_SPACE).
func CMSGSpace(n int) (int, error) {
	// As CPython's get_CMSG_SPACE: CMSG_SPACE(1) accounts for the padding
	// before and after the data.
	if n < 0 || n > socklenTMax-(alignCmsg(cmsgHdrLen)+alignCmsg(1)) {
		return 0, ErrCMSGRange
	}
	sp := alignCmsg(cmsgHdrLen) + alignCmsg(n)
	if sp > socklenTMax || sp < n {
		return 0, ErrCMSGRange
	}
	return sp, nil
}

// BuildControl lays out control messages as sendmsg(2) expects: each item at
// CMSG_SPACE spacing.
func BuildControl(anc []ControlMessage) ([]byte, error) {
	total := 0
	for _, m := range anc {
		sp, err := CMSGSpace(len(m.Data))
		if err != nil || total > socklenTMax-sp {
			return nil, fmt.Errorf("ancillary data item too large: %w", ErrCMSGRange)
		}
		total += sp
	}
	b := make([]byte, total)
	off := 0
	for _, m := range anc {
		l, _ := CMSGLen(len(m.Data))
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[off]))
		h.SetLen(l)
		h.Level = int32(m.Level)
		h.Type = int32(m.Type)
		copy(b[off+alignCmsg(cmsgHdrLen):], m.Data)
		sp, _ := CMSGSpace(len(m.Data))
		off += sp
	}
	return b, nil
}

// ParseControl parses the control buffer recvmsg(2) filled (b is exactly
// msg_controllen bytes). As in Python, a last item whose cmsg_len runs past
// the buffer is kept with the data that is there; truncated reports that. A
// header too short to parse ends the list. Each item's Data is a copy;
// ControlSeq and FindControl read b in place, allocating nothing.
func ParseControl(b []byte) (msgs []ControlMessage, truncated bool) {
	truncated = walkControl(b, func(level, typ int, data []byte) bool {
		msgs = append(msgs, ControlMessage{Level: level, Type: typ, Data: append([]byte(nil), data...)})
		return true
	})
	return msgs, truncated
}

// ControlSeq yields the control messages in b by ParseControl's rules
// without copying: each Data is a slice of b, valid while b is not reused
// (a batch's Control buffers until the next RecvMMsg). For the hot paths
// that read a counter or an address from every datagram.
func ControlSeq(b []byte) iter.Seq[ControlMessage] {
	return func(yield func(ControlMessage) bool) {
		walkControl(b, func(level, typ int, data []byte) bool {
			return yield(ControlMessage{Level: level, Type: typ, Data: data})
		})
	}
}

// FindControl returns the data of the first control message in b of the
// given level and type (a slice of b, not a copy), and whether there is one.
func FindControl(b []byte, level, typ int) (data []byte, ok bool) {
	walkControl(b, func(l, t int, d []byte) bool {
		if l == level && t == typ {
			data, ok = d, true
			return false
		}
		return true
	})
	return data, ok
}

// walkControl calls fn with each control message in b, its data a slice of
// b, until fn returns false; it reports whether the buffer ended inside an
// item (see ParseControl).
func walkControl(b []byte, fn func(level, typ int, data []byte) bool) (truncated bool) {
	hl := alignCmsg(cmsgHdrLen)
	off := 0
	// Lengths are compared with what is left of b, never added to off: a
	// cmsg_len near the top of its type would overflow off+l.
	for len(b)-off >= cmsgHdrLen {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[off]))
		rest := len(b) - off
		cl := uint64(h.Len)
		if cl < uint64(hl) || hl > rest {
			return true
		}
		l := rest
		if cl < uint64(rest) {
			l = int(cl)
		} else if cl > uint64(rest) {
			truncated = true
		}
		if !fn(int(h.Level), int(h.Type), b[off+hl:off+l:off+l]) || truncated || alignCmsg(l) >= rest {
			return truncated
		}
		off += alignCmsg(l)
	}
	return truncated
}

// FDsOf returns the descriptors in the SCM_RIGHTS items of msgs.
func FDsOf(msgs []ControlMessage) []int {
	var fds []int
	for _, m := range msgs {
		if m.Level != unix.SOL_SOCKET || m.Type != unix.SCM_RIGHTS {
			continue
		}
		for i := 0; i+4 <= len(m.Data); i += 4 {
			fds = append(fds, int(int32(binary.NativeEndian.Uint32(m.Data[i:]))))
		}
	}
	return fds
}

// CloseFDs closes the descriptors carried by SCM_RIGHTS items in msgs.
func CloseFDs(msgs []ControlMessage) {
	for _, fd := range FDsOf(msgs) {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}

// SendMsg wraps sendmsg(2): gather bufs, send anc, optionally to an address.
func (s *Socket) SendMsg(bufs [][]byte, anc []ControlMessage, flags int, to Addr) (int, error) {
	return s.SendMsgContext(nil, bufs, anc, flags, to)
}

// SendMsgContext is SendMsg that ctx can end (see AcceptContext).
func (s *Socket) SendMsgContext(ctx context.Context, bufs [][]byte, anc []ControlMessage, flags int, to Addr) (int, error) {
	if err := checkCInt("sendmsg", "flags", flags); err != nil {
		return 0, err
	}
	raw, err := s.encode(to)
	if err != nil {
		return 0, err
	}
	ctl, err := BuildControl(anc)
	if err != nil {
		return 0, err
	}
	return s.sendmsg(bufs, ctl, flags, raw, s.wait(ctx, flags))
}

func (s *Socket) sendmsg(bufs [][]byte, ctl []byte, flags int, raw []byte, w wait) (int, error) {
	iov := iovecs(bufs)
	var msg unix.Msghdr
	if len(iov) > 0 {
		msg.Iov = &iov[0]
		msg.SetIovlen(len(iov))
	}
	if len(ctl) > 0 {
		msg.Control = &ctl[0]
		msg.SetControllen(len(ctl))
	}
	if len(raw) > 0 {
		msg.Name = &raw[0]
		msg.Namelen = uint32(len(raw))
	}
	var sent int
	err := s.ioWrite("sendmsg", w, func(fd, dw int) error {
		r, _, e := unix.Syscall(unix.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), uintptr(s.sendFlags(flags|dw)))
		sent = int(r)
		return errnoErr(e)
	})
	if err != nil {
		return 0, err
	}
	return sent, nil
}

// RecvMsg wraps recvmsg(2): at most n bytes of data and ancBufSize bytes of
// control buffer. Descriptors arrive close-on-exec (MSG_CMSG_CLOEXEC is
// added on AF_UNIX sockets). msgFlags carries MSG_TRUNC and MSG_CTRUNC.
func (s *Socket) RecvMsg(n, ancBufSize, flags int) (data []byte, anc []ControlMessage, msgFlags int, from Addr, err error) {
	return s.RecvMsgContext(nil, n, ancBufSize, flags)
}

// RecvMsgContext is RecvMsg that ctx can end (see AcceptContext).
func (s *Socket) RecvMsgContext(ctx context.Context, n, ancBufSize, flags int) (data []byte, anc []ControlMessage, msgFlags int, from Addr, err error) {
	if n < 0 {
		return nil, nil, 0, nil, fmt.Errorf("negative buffer size in RecvMsg: %d", n)
	}
	buf := make([]byte, n)
	m, anc, msgFlags, from, err := s.RecvMsgIntoContext(ctx, [][]byte{buf}, ancBufSize, flags)
	if err != nil {
		return nil, nil, 0, nil, err
	}
	return buf[:min(m, n)], anc, msgFlags, from, nil // MSG_TRUNC: m is the datagram's length
}

// RecvMsgInto wraps recvmsg(2) scattering into bufs in order.
func (s *Socket) RecvMsgInto(bufs [][]byte, ancBufSize, flags int) (n int, anc []ControlMessage, msgFlags int, from Addr, err error) {
	return s.RecvMsgIntoContext(nil, bufs, ancBufSize, flags)
}

// RecvMsgIntoContext is RecvMsgInto that ctx can end (see AcceptContext).
func (s *Socket) RecvMsgIntoContext(ctx context.Context, bufs [][]byte, ancBufSize, flags int) (n int, anc []ControlMessage, msgFlags int, from Addr, err error) {
	if err := checkCInt("recvmsg", "flags", flags); err != nil {
		return 0, nil, 0, nil, err
	}
	if ancBufSize < 0 || ancBufSize > socklenTMax {
		return 0, nil, 0, nil, fmt.Errorf("invalid ancillary buffer size in RecvMsg: %d", ancBufSize)
	}
	iov := iovecs(bufs)
	var ctl []byte
	if ancBufSize > 0 {
		ctl = make([]byte, ancBufSize)
	}
	var raw rawBuf
	var msg unix.Msghdr
	var got int
	// Only AF_UNIX passes descriptors; other families (AF_PACKET,
	// CAN_J1939) reject MSG_CMSG_CLOEXEC with EINVAL.
	cloexec := 0
	if s.family == unix.AF_UNIX {
		cloexec = unix.MSG_CMSG_CLOEXEC
	}
	err = s.ioRead("recvmsg", s.wait(ctx, flags), func(fd, dw int) error {
		msg = unix.Msghdr{Name: &raw[0], Namelen: uint32(len(raw))}
		if len(iov) > 0 {
			msg.Iov = &iov[0]
			msg.SetIovlen(len(iov))
		}
		if len(ctl) > 0 {
			msg.Control = &ctl[0]
			msg.SetControllen(len(ctl))
		}
		r, _, e := unix.Syscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), uintptr(flags|cloexec|dw))
		got = int(r)
		return errnoErr(e)
	})
	if err != nil {
		return 0, nil, 0, nil, err
	}
	cl := min(int(msg.Controllen), len(ctl))
	anc, _ = ParseControl(ctl[:cl])
	if msg.Namelen > 0 {
		from, err = DecodeSockaddr(raw[:min(int(msg.Namelen), len(raw))])
		if err != nil {
			CloseFDs(anc)
			return 0, nil, 0, nil, err
		}
	}
	msgFlags = int(msg.Flags)
	if flags&unix.MSG_CMSG_CLOEXEC == 0 {
		// The kernel echoes the MSG_CMSG_CLOEXEC sockcore added.
		msgFlags &^= unix.MSG_CMSG_CLOEXEC
	}
	return got, anc, msgFlags, from, nil
}

// SendFDs sends fds in one SCM_RIGHTS message with bufs (socket.send_fds).
func SendFDs(s *Socket, bufs [][]byte, fds []int) (int, error) {
	data := make([]byte, 4*len(fds))
	for i, fd := range fds {
		binary.NativeEndian.PutUint32(data[4*i:], uint32(int32(fd)))
	}
	var anc []ControlMessage
	if len(fds) > 0 {
		anc = []ControlMessage{{Level: unix.SOL_SOCKET, Type: unix.SCM_RIGHTS, Data: data}}
	}
	return s.SendMsg(bufs, anc, 0, nil)
}

// RecvFDs receives at most n bytes and maxFDs descriptors (socket.recv_fds).
// The descriptors are close-on-exec. When msgFlags has MSG_CTRUNC some
// descriptors did not fit: the kernel closed those, the ones returned are
// open and the caller owns them. On error none are left open.
func RecvFDs(s *Socket, n, maxFDs int) (data []byte, fds []int, msgFlags int, from Addr, err error) {
	if maxFDs < 0 {
		return nil, nil, 0, nil, fmt.Errorf("negative maxFDs %d", maxFDs)
	}
	// CMSG_LEN as Python's recv_fds: CMSG_SPACE's padding would leave
	// room for one more descriptor when maxFDs is odd.
	space, err := CMSGLen(4 * maxFDs)
	if err != nil {
		return nil, nil, 0, nil, err
	}
	data, anc, msgFlags, from, err := s.RecvMsg(n, space, 0)
	if err != nil {
		return nil, nil, 0, nil, err
	}
	fds = FDsOf(anc)
	// Non-SCM_RIGHTS items are dropped; descriptors in them cannot exist.
	return data, fds, msgFlags, from, nil
}

// iovecs returns the iovec array for bufs; empty buffers get a NULL base.
func iovecs(bufs [][]byte) []unix.Iovec {
	iov := make([]unix.Iovec, len(bufs))
	for i, b := range bufs {
		if len(b) > 0 {
			iov[i].Base = &b[0]
			iov[i].SetLen(len(b))
		}
	}
	return iov
}
