package sockcore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sizeofAFALGIV is the header of struct af_alg_iv (linux/if_alg.h): a u32
// ivlen followed by the IV bytes. x/sys/unix does not define it.
const sizeofAFALGIV = 4

// ErrNotALG is returned by SendMsgAFALG on a socket of another family
// (Python's "algset is only supported for AF_ALG").
var ErrNotALG = errors.New("algset is only supported for AF_ALG")

// ALGNotFoundError is bind(2)'s ENOENT on an AF_ALG socket: the kernel has
// no such algorithm, or the module providing it is not loaded and cannot be
// (blacklisted algif or crypto modules). It unwraps to the bind error, so
// errors.Is(err, unix.ENOENT) holds.
type ALGNotFoundError struct {
	Type, Name string
	Err        error
}

func (e *ALGNotFoundError) Error() string {
	return fmt.Sprintf("the kernel has no algorithm %s (or its module is blocked)", e.Name)
}

func (e *ALGNotFoundError) Unwrap() error { return e.Err }

func wrapALGBindErr(err error, a Addr) error {
	alg, ok := a.(*ALGAddr)
	if !ok || !errors.Is(err, unix.ENOENT) {
		return err
	}
	return &ALGNotFoundError{Type: alg.Type, Name: alg.Name, Err: err}
}

// BuildAFALGControl lays out the control messages of sendmsg_afalg exactly
// as CPython does: a zeroed buffer of CMSG_SPACE(4) for ALG_SET_OP, then
// CMSG_SPACE(4+len(iv)) for ALG_SET_IV when iv is not nil, then
// CMSG_SPACE(4) for ALG_SET_AEAD_ASSOCLEN when assoclen >= 0. The op and
// assoclen items have cmsg_len CMSG_LEN(4); the IV item, like CPython's, has
// cmsg_len CMSG_SPACE(4+len(iv)) (the padding counts as data, which the
// kernel accepts because it only checks that the IV fits).
func BuildAFALGControl(op int, iv []byte, assoclen int) ([]byte, error) {
	if op < 0 || int64(op) > 0xffffffff {
		return nil, fmt.Errorf("invalid or missing AF_ALG op %d", op)
	}
	if int64(assoclen) > 0xffffffff {
		return nil, fmt.Errorf("assoclen %d out of range", assoclen)
	}
	opSpace, _ := CMSGSpace(4)
	total := opSpace
	var ivSpace int
	if iv != nil {
		sp, err := CMSGSpace(sizeofAFALGIV + len(iv))
		if err != nil || len(iv) > 0xffffffff {
			return nil, fmt.Errorf("IV of %d bytes: %w", len(iv), ErrCMSGRange)
		}
		ivSpace = sp
		total += sp
	}
	if assoclen >= 0 {
		total += opSpace
	}
	b := make([]byte, total)
	hl := alignCmsg(cmsgHdrLen)
	put := func(off, clen, typ int) {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[off]))
		h.SetLen(clen)
		h.Level = unix.SOL_ALG
		h.Type = int32(typ)
	}
	l4, _ := CMSGLen(4)
	put(0, l4, unix.ALG_SET_OP)
	binary.NativeEndian.PutUint32(b[hl:], uint32(op))
	off := opSpace
	if iv != nil {
		put(off, ivSpace, unix.ALG_SET_IV)
		binary.NativeEndian.PutUint32(b[off+hl:], uint32(len(iv)))
		copy(b[off+hl+sizeofAFALGIV:], iv)
		off += ivSpace
	}
	if assoclen >= 0 {
		put(off, l4, unix.ALG_SET_AEAD_ASSOCLEN)
		binary.NativeEndian.PutUint32(b[off+hl:], uint32(assoclen))
	}
	return b, nil
}

// SendMsgAFALG is Python's sendmsg_afalg: it sends msg (may be nil) on an
// AF_ALG operation socket with the operation (ALG_OP_ENCRYPT or
// ALG_OP_DECRYPT), an IV when iv is not nil, and the AEAD associated-data
// length when assoclen >= 0. flags are sendmsg(2) flags (MSG_MORE to send
// more data for the same operation).
func (s *Socket) SendMsgAFALG(msg [][]byte, op int, iv []byte, assoclen int, flags int) (int, error) {
	if s.family != unix.AF_ALG {
		return 0, ErrNotALG
	}
	ctl, err := BuildAFALGControl(op, iv, assoclen)
	if err != nil {
		return 0, err
	}
	return s.sendmsg(msg, ctl, flags, nil, s.wait(nil, flags))
}

// Splice wraps splice(2) from the descriptor rfd (a pipe, or a file at
// *roff) into the socket: up to n bytes, with SPLICE_F_MORE and
// SPLICE_F_MOVE in flags as the caller wants. It returns the bytes moved; 0
// means rfd is at its end. A read side with no data blocks the calling
// thread (the caller fills its own pipe first).
func (s *Socket) Splice(rfd int, roff *int64, n int, flags int) (int, error) {
	var moved int
	err := s.ioWrite("splice", s.wait(nil, 0), func(fd, _ int) error {
		m, e := unix.Splice(rfd, roff, fd, nil, n, flags)
		moved = int(m)
		return e
	})
	if err != nil {
		return 0, err
	}
	return moved, nil
}
