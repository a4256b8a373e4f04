package main

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The io_uring system calls and structures echod's ring reactor uses
// (ureactor.go), from include/uapi/linux/io_uring.h, after the measuring
// prototype bench/uringecho (retired). x/sys/unix has the system calls; the
// structures are a page of Go, so no dependency.

const (
	uopAsyncCancel = 14 // IORING_OP_ASYNC_CANCEL
	uopSend        = 26 // IORING_OP_SEND
	uopRecv        = 27 // IORING_OP_RECV

	usqeBufferSelect = 1 << 5 // IOSQE_BUFFER_SELECT

	urecvMultishot = 1 << 1 // IORING_RECV_MULTISHOT (sqe.ioprio)

	ucqeFBuffer  = 1 << 0 // IORING_CQE_F_BUFFER
	ucqeFMore    = 1 << 1 // IORING_CQE_F_MORE
	ucqeBufShift = 16     // IORING_CQE_BUFFER_SHIFT

	ufeatSingleMmap = 1 << 0 // IORING_FEAT_SINGLE_MMAP
	ufeatNoDrop     = 1 << 1 // IORING_FEAT_NODROP
	ufeatFastPoll   = 1 << 5 // IORING_FEAT_FAST_POLL

	usetupCQSize = 1 << 3 // IORING_SETUP_CQSIZE

	usqCQOverflow = 1 << 1 // IORING_SQ_CQ_OVERFLOW (sq_ring flags)

	uenterGetEvents = 1 << 0 // IORING_ENTER_GETEVENTS

	uoffSQRing = 0          // IORING_OFF_SQ_RING
	uoffSQEs   = 0x10000000 // IORING_OFF_SQES

	uregisterPbufRing = 22 // IORING_REGISTER_PBUF_RING
	uregisterEventfd  = 4  // IORING_REGISTER_EVENTFD
)

type usqringOffsets struct {
	Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1 uint32
	UserAddr                                                        uint64
}

type ucqringOffsets struct {
	Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1 uint32
	UserAddr                                                        uint64
}

type uparams struct {
	SQEntries, CQEntries, Flags, SQThreadCPU, SQThreadIdle, Features, WQFd uint32
	Resv                                                                   [3]uint32
	SQOff                                                                  usqringOffsets
	CQOff                                                                  ucqringOffsets
}

type usqe struct {
	Opcode      uint8
	Flags       uint8
	Ioprio      uint16
	Fd          int32
	Off         uint64
	Addr        uint64
	Len         uint32
	OpFlags     uint32
	UserData    uint64
	BufGroup    uint16
	Personality uint16
	SpliceFdIn  int32
	Addr3       uint64
	Pad         uint64
}

type ucqe struct {
	UserData uint64
	Res      int32
	Flags    uint32
}

type ubufReg struct {
	RingAddr    uint64
	RingEntries uint32
	Bgid        uint16
	Flags       uint16
	Resv        [3]uint64
}

// The provided buffers of one ring: the kernel picks one for each receive.
// A read that fills one is bulk (the connection leaves for a goroutine of
// its own, as with the epoll reactor's reactorBuf). They are anonymous
// memory outside Go's heap, touched only as the kernel uses them.
const (
	uringBufs    = 256 // a power of two
	uringBufSize = 16 << 10
	uringBgid    = 1
)

// The ring's submission and completion queue entries (variables: the test
// of completion queue overflow makes them small).
var (
	uringSQ uint32 = 1024
	uringCQ uint32 = 32768 // completions queue here: more than any batch
)

// errUringUnavailable wraps every reason io_uring cannot serve: the
// kernel's refusal (ENOSYS, EPERM where kernel.io_uring_disabled is 1 or 2
// or a seccomp filter denies it, EINVAL on kernels without a feature).
var errUringUnavailable = errors.New("io_uring unavailable")

// uring is one io_uring with its provided buffer ring. One goroutine uses
// it (the reactor's loop); add and stop reach it only through wake.
type uring struct {
	fd                              int
	mem, sqeMem, bufRingMem, bufMem []byte

	sqHead, sqTail, sqMask, sqArray, sqFlags unsafe.Pointer
	sqes                                     []usqe
	cqHead, cqTail, cqMask                   unsafe.Pointer
	cqes                                     []ucqe
	sqLocalTail                              uint32
	pending                                  uint32 // SQEs queued, not yet submitted

	bufTail uint16
}

func uringErr(call string, e syscall.Errno) error {
	return fmt.Errorf("%w: %w", errUringUnavailable, os.NewSyscallError(call, e))
}

// newUring sets up a ring, or returns an error wrapping errUringUnavailable
// when the kernel refuses one.
func newUring() (_ *uring, err error) {
	// Not IORING_SETUP_COOP_TASKRUN: with it the kernel does not interrupt
	// the thread that submitted a request to complete it, and a Go thread
	// running goroutines in user space would hold the completion until its
	// next entry into the kernel (a tick at worst); without it, 16 and 256
	// ping-pong connections cost the same system calls and context
	// switches per round trip (docs/bench/io_uring.md).
	p := uparams{Flags: usetupCQSize, CQEntries: uringCQ}
	fd, _, e := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(uringSQ), uintptr(unsafe.Pointer(&p)), 0)
	if e != 0 {
		return nil, uringErr("io_uring_setup", e)
	}
	r := &uring{fd: int(fd)}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	const need = ufeatSingleMmap | ufeatNoDrop | ufeatFastPoll
	if p.Features&need != need {
		return nil, fmt.Errorf("%w: the kernel lacks IORING_FEAT_SINGLE_MMAP, NODROP or FAST_POLL", errUringUnavailable)
	}
	sqSize := p.SQOff.Array + p.SQEntries*4
	cqSize := p.CQOff.Cqes + p.CQEntries*uint32(unsafe.Sizeof(ucqe{}))
	if r.mem, err = unix.Mmap(r.fd, uoffSQRing, int(max(sqSize, cqSize)), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	base := unsafe.Pointer(&r.mem[0])
	r.sqHead = unsafe.Add(base, p.SQOff.Head)
	r.sqTail = unsafe.Add(base, p.SQOff.Tail)
	r.sqMask = unsafe.Add(base, p.SQOff.RingMask)
	r.sqArray = unsafe.Add(base, p.SQOff.Array)
	r.sqFlags = unsafe.Add(base, p.SQOff.Flags)
	r.cqHead = unsafe.Add(base, p.CQOff.Head)
	r.cqTail = unsafe.Add(base, p.CQOff.Tail)
	r.cqMask = unsafe.Add(base, p.CQOff.RingMask)
	r.cqes = unsafe.Slice((*ucqe)(unsafe.Add(base, p.CQOff.Cqes)), p.CQEntries)
	if r.sqeMem, err = unix.Mmap(r.fd, uoffSQEs, int(p.SQEntries)*int(unsafe.Sizeof(usqe{})), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	r.sqes = unsafe.Slice((*usqe)(unsafe.Pointer(&r.sqeMem[0])), p.SQEntries)
	r.sqLocalTail = atomic.LoadUint32((*uint32)(r.sqTail))

	// Provided buffers (IORING_REGISTER_PBUF_RING, 5.19).
	if r.bufRingMem, err = unix.Mmap(-1, 0, uringBufs*16, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE|unix.MAP_POPULATE); err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	if r.bufMem, err = unix.Mmap(-1, 0, uringBufs*uringBufSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE); err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	reg := ubufReg{RingAddr: uint64(uintptr(unsafe.Pointer(&r.bufRingMem[0]))), RingEntries: uringBufs, Bgid: uringBgid}
	if _, _, e := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), uregisterPbufRing, uintptr(unsafe.Pointer(&reg)), 1, 0, 0); e != 0 {
		return nil, uringErr("io_uring_register PBUF_RING", e)
	}
	for i := range uringBufs {
		r.putBuf(uint16(i))
	}
	r.publishBufs()

	return r, nil
}

// notify has the kernel signal eventfd efd at every completion
// (IORING_REGISTER_EVENTFD).
func (r *uring) notify(efd int) error {
	if _, _, e := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), uregisterEventfd, uintptr(unsafe.Pointer(&efd)), 1, 0, 0); e != 0 {
		return uringErr("io_uring_register EVENTFD", e)
	}
	return nil
}

// close tears the ring down; the kernel cancels what is still queued.
func (r *uring) close() {
	for _, m := range [][]byte{r.mem, r.sqeMem} {
		if m != nil {
			unix.Munmap(m)
		}
	}
	unix.Close(r.fd)
	// The buffers last: the kernel's last reference to them went with
	// the ring.
	for _, m := range [][]byte{r.bufRingMem, r.bufMem} {
		if m != nil {
			unix.Munmap(m)
		}
	}
}

// buf is provided buffer id's memory.
func (r *uring) buf(id uint16) []byte {
	return r.bufMem[int(id)*uringBufSize : (int(id)+1)*uringBufSize]
}

// putBuf gives buffer id back to the kernel; publishBufs makes the
// buffers given back visible.
func (r *uring) putBuf(id uint16) {
	e := unsafe.Pointer(&r.bufRingMem[int(r.bufTail&(uringBufs-1))*16])
	*(*uint64)(e) = uint64(uintptr(unsafe.Pointer(&r.bufMem[int(id)*uringBufSize])))
	*(*uint32)(unsafe.Add(e, 8)) = uringBufSize
	*(*uint16)(unsafe.Add(e, 12)) = id
	r.bufTail++
}

func (r *uring) publishBufs() {
	// The tail is the resv field of the first entry (a u16 at byte 14);
	// an atomic store of the aligned u32 holding it orders the entries
	// before it (bytes 12-13, the first entry's bid, keep their value).
	w := (*uint32)(unsafe.Pointer(&r.bufRingMem[12]))
	old := atomic.LoadUint32(w)
	atomic.StoreUint32(w, old&0xffff|uint32(r.bufTail)<<16)
}

// get returns the next free SQE, zeroed, first submitting the queued ones
// when the submission queue is full.
func (r *uring) get() (*usqe, error) {
	mask := atomic.LoadUint32((*uint32)(r.sqMask))
	if r.pending > mask {
		if err := r.submit(); err != nil {
			return nil, err
		}
		if r.pending > mask {
			return nil, errors.New("io_uring: submission queue full")
		}
	}
	s := &r.sqes[r.sqLocalTail&mask]
	*s = usqe{}
	*(*uint32)(unsafe.Add(r.sqArray, 4*(r.sqLocalTail&mask))) = r.sqLocalTail & mask
	r.sqLocalTail++
	r.pending++
	return s, nil
}

// submit hands the queued SQEs to the kernel in one io_uring_enter that
// does not wait (min_complete 0). With completions overflowed (kept by the
// kernel: IORING_FEAT_NODROP) it flushes them into the ring as well.
func (r *uring) submit() error {
	atomic.StoreUint32((*uint32)(r.sqTail), r.sqLocalTail)
	flush := r.overflowed()
	for r.pending > 0 || flush {
		var flags uintptr
		if flush {
			flags = uenterGetEvents
		}
		flush = false
		n, _, e := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(r.pending), 0, flags, 0, 0)
		switch e {
		case 0:
			r.pending -= min(uint32(n), r.pending)
			if n == 0 {
				return nil // nothing taken now: the next submit tries again
			}
		case unix.EINTR:
		case unix.EBUSY, unix.EAGAIN:
			// The completion queue is full (older kernels refuse to
			// submit then): the loop reaps, then submits again.
			return nil
		default:
			return os.NewSyscallError("io_uring_enter", e)
		}
	}
	return nil
}

// overflowed reports completions the kernel holds for want of room in the
// completion queue (IORING_SQ_CQ_OVERFLOW).
func (r *uring) overflowed() bool {
	return atomic.LoadUint32((*uint32)(r.sqFlags))&usqCQOverflow != 0
}

// ready reports whether completions are queued (or held in overflow).
func (r *uring) ready() bool {
	return atomic.LoadUint32((*uint32)(r.cqHead)) != atomic.LoadUint32((*uint32)(r.cqTail)) || r.overflowed()
}

func loadU32(p unsafe.Pointer) uint32     { return atomic.LoadUint32((*uint32)(p)) }
func storeU32(p unsafe.Pointer, v uint32) { atomic.StoreUint32((*uint32)(p), v) }
