// Command uringecho is a prototype TCP echo server on io_uring, written to
// decide whether echod should use it (issue #17; docs/bench/io_uring.md has
// the figures, bench/uringecho/ab.sh measures it). One goroutine owns one ring: every connection has a multishot
// receive (IORING_RECV_MULTISHOT) drawing from a provided buffer ring
// (IORING_REGISTER_PBUF_RING), each completion becomes a send of that
// buffer, and the sends of a batch, with the buffers of the previous batch
// given back, go in one io_uring_enter. The ring's descriptor waits in Go's
// runtime poller (it is readable while completions are queued), so no OS
// thread waits in io_uring_enter: the loop calls it only to submit,
// without waiting (min_complete 0).
//
// It is a measuring prototype, not a server: no limits, no idle timeout, a
// send that the socket does not take whole is an error, and it exits with
// a message where io_uring is disabled (sysctl kernel.io_uring_disabled).
//
//	uringecho -addr 127.0.0.1:7
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// From include/uapi/linux/io_uring.h.
const (
	opRead = 22 // IORING_OP_READ
	opSend = 26 // IORING_OP_SEND
	opRecv = 27 // IORING_OP_RECV

	sqeBufferSelect = 1 << 5 // IOSQE_BUFFER_SELECT
	recvMultishot   = 1 << 1 // IORING_RECV_MULTISHOT (in sqe.ioprio)

	cqeFBuffer  = 1 << 0 // IORING_CQE_F_BUFFER
	cqeFMore    = 1 << 1 // IORING_CQE_F_MORE
	cqeBufShift = 16     // IORING_CQE_BUFFER_SHIFT

	featSingleMmap = 1 << 0 // IORING_FEAT_SINGLE_MMAP
	setupCoopTask  = 1 << 8 // IORING_SETUP_COOP_TASKRUN

	offSQRing = 0          // IORING_OFF_SQ_RING
	offSQEs   = 0x10000000 // IORING_OFF_SQES

	registerPbufRing = 22 // IORING_REGISTER_PBUF_RING
)

type sqringOffsets struct {
	Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1 uint32
	UserAddr                                                        uint64
}

type cqringOffsets struct {
	Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1 uint32
	UserAddr                                                        uint64
}

type params struct {
	SQEntries, CQEntries, Flags, SQThreadCPU, SQThreadIdle, Features, WQFd uint32
	Resv                                                                   [3]uint32
	SQOff                                                                  sqringOffsets
	CQOff                                                                  cqringOffsets
}

type sqe struct {
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

type cqe struct {
	UserData uint64
	Res      int32
	Flags    uint32
}

type bufReg struct {
	RingAddr    uint64
	RingEntries uint32
	Bgid        uint16
	Flags       uint16
	Resv        [3]uint64
}

const (
	nBufs   = 4096 // provided buffers (a power of two)
	bufSize = 2048
	bgid    = 1
)

// ring is one io_uring with its provided buffer ring.
type ring struct {
	fd                                  int
	sqHead, sqTail, sqMask, sqArray     unsafe.Pointer
	sqes                                []sqe
	cqHead, cqTail, cqMask              unsafe.Pointer
	cqes                                []cqe
	sqLocalTail                         uint32
	pending                             uint32 // SQEs queued, not yet submitted
	bufRing                             []byte // nBufs io_uring_buf of 16 bytes; tail at bytes 14-15
	bufTail                             uint16
	bufs                                []byte
	rc                                  syscall.RawConn
	submits, waits, recvs, sends, rearm atomic.Int64

	wake    int // eventfd: the acceptor writes, a read on the ring completes
	wakeBuf [8]byte
}

// wakeData is the user_data of the eventfd read.
const wakeData = ^uint64(0)

// readWake queues the read of the wake eventfd.
func (r *ring) readWake() {
	s := r.get()
	s.Opcode = opRead
	s.Fd = int32(r.wake)
	s.Addr = uint64(uintptr(unsafe.Pointer(&r.wakeBuf[0])))
	s.Len = 8
	s.UserData = wakeData
}

func newRing(entries uint32) (*ring, error) {
	var p params
	p.Flags = setupCoopTask
	fd, _, e := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	if e != 0 {
		return nil, os.NewSyscallError("io_uring_setup", e)
	}
	r := &ring{fd: int(fd)}
	if p.Features&featSingleMmap == 0 {
		return nil, fmt.Errorf("io_uring: kernel lacks IORING_FEAT_SINGLE_MMAP")
	}
	sqSize := p.SQOff.Array + p.SQEntries*4
	cqSize := p.CQOff.Cqes + p.CQEntries*uint32(unsafe.Sizeof(cqe{}))
	size := max(sqSize, cqSize)
	mem, err := unix.Mmap(r.fd, offSQRing, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	base := unsafe.Pointer(&mem[0])
	r.sqHead = unsafe.Add(base, p.SQOff.Head)
	r.sqTail = unsafe.Add(base, p.SQOff.Tail)
	r.sqMask = unsafe.Add(base, p.SQOff.RingMask)
	r.sqArray = unsafe.Add(base, p.SQOff.Array)
	r.cqHead = unsafe.Add(base, p.CQOff.Head)
	r.cqTail = unsafe.Add(base, p.CQOff.Tail)
	r.cqMask = unsafe.Add(base, p.CQOff.RingMask)
	r.cqes = unsafe.Slice((*cqe)(unsafe.Add(base, p.CQOff.Cqes)), p.CQEntries)
	sm, err := unix.Mmap(r.fd, offSQEs, int(p.SQEntries)*int(unsafe.Sizeof(sqe{})), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	r.sqes = unsafe.Slice((*sqe)(unsafe.Pointer(&sm[0])), p.SQEntries)
	r.sqLocalTail = atomic.LoadUint32((*uint32)(r.sqTail))

	// Provided buffers.
	r.bufRing, err = unix.Mmap(-1, 0, nBufs*16, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE|unix.MAP_POPULATE)
	if err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	reg := bufReg{RingAddr: uint64(uintptr(unsafe.Pointer(&r.bufRing[0]))), RingEntries: nBufs, Bgid: bgid}
	if _, _, e := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), registerPbufRing, uintptr(unsafe.Pointer(&reg)), 1, 0, 0); e != 0 {
		return nil, os.NewSyscallError("io_uring_register PBUF_RING", e)
	}
	r.bufs = make([]byte, nBufs*bufSize)
	for i := range nBufs {
		r.putBuf(uint16(i))
	}
	r.publishBufs()

	// Non-blocking before NewFile, which registers it with the poller.
	if err := unix.SetNonblock(r.fd, true); err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(r.fd), "io_uring")
	if r.rc, err = f.SyscallConn(); err != nil {
		return nil, err
	}
	return r, nil
}

// putBuf queues buffer id for the kernel; publishBufs makes them visible.
func (r *ring) putBuf(id uint16) {
	e := unsafe.Pointer(&r.bufRing[int(r.bufTail&(nBufs-1))*16])
	*(*uint64)(e) = uint64(uintptr(unsafe.Pointer(&r.bufs[int(id)*bufSize])))
	*(*uint32)(unsafe.Add(e, 8)) = bufSize
	*(*uint16)(unsafe.Add(e, 12)) = id
	r.bufTail++
}

func (r *ring) publishBufs() {
	// The tail is the resv field of the first entry (a u16 at byte 14);
	// an atomic store of the aligned u32 holding it orders the entries
	// before it (bytes 12-13, the first entry's bid, are rewritten with
	// their value).
	w := (*uint32)(unsafe.Pointer(&r.bufRing[12]))
	old := atomic.LoadUint32(w)
	atomic.StoreUint32(w, old&0xffff|uint32(r.bufTail)<<16)
}

// get returns the next free SQE, first submitting the queued ones when
// the submission queue is full.
func (r *ring) get() *sqe {
	mask := atomic.LoadUint32((*uint32)(r.sqMask))
	if r.pending > mask {
		if err := r.submit(); err != nil {
			log.Fatal(err)
		}
	}
	s := &r.sqes[r.sqLocalTail&mask]
	*s = sqe{}
	*(*uint32)(unsafe.Add(r.sqArray, 4*(r.sqLocalTail&mask))) = r.sqLocalTail & mask
	r.sqLocalTail++
	r.pending++
	return s
}

// submit hands the queued SQEs to the kernel in one io_uring_enter that
// does not wait.
func (r *ring) submit() error {
	if r.pending == 0 {
		return nil
	}
	atomic.StoreUint32((*uint32)(r.sqTail), r.sqLocalTail)
	n := r.pending
	r.pending = 0
	r.submits.Add(1)
	for {
		_, _, e := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(n), 0, 0, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return os.NewSyscallError("io_uring_enter", e)
		}
		return nil
	}
}

func (r *ring) recv(fd int) {
	s := r.get()
	s.Opcode = opRecv
	s.Fd = int32(fd)
	s.Ioprio = recvMultishot
	s.Flags = sqeBufferSelect
	s.BufGroup = bgid
	s.UserData = uint64(fd) << 1 // low bit 0: a receive
	r.recvs.Add(1)
}

func (r *ring) send(fd int, b []byte, id uint16) {
	s := r.get()
	s.Opcode = opSend
	s.Fd = int32(fd)
	s.Addr = uint64(uintptr(unsafe.Pointer(&b[0])))
	s.Len = uint32(len(b))
	s.OpFlags = unix.MSG_NOSIGNAL
	s.UserData = uint64(id)<<33 | uint64(fd)<<1 | 1
	r.sends.Add(1)
}

// loop serves the ring's connections; newConns hands it accepted ones.
func (r *ring) loop(newConns chan int) {
	for {
		// Wait in the runtime poller until completions are queued (a
		// handed-over connection completes the eventfd read).
		var head, tail uint32
		r.waits.Add(1)
		err := r.rc.Read(func(uintptr) bool {
			head = atomic.LoadUint32((*uint32)(r.cqHead))
			tail = atomic.LoadUint32((*uint32)(r.cqTail))
			return head != tail
		})
		if err != nil {
			log.Fatal(err)
		}
	drain:
		for {
			select {
			case fd := <-newConns:
				r.recv(fd)
			default:
				break drain
			}
		}
		mask := atomic.LoadUint32((*uint32)(r.cqMask))
		for ; head != tail; head++ {
			c := r.cqes[head&mask]
			if c.UserData == wakeData {
				r.readWake()
				continue
			}
			fd := int(c.UserData >> 1 & (1<<32 - 1))
			if c.UserData&1 == 1 { // send done: give its buffer back
				r.putBuf(uint16(c.UserData >> 33))
				if c.Res < 0 {
					unix.Close(fd)
				}
				continue
			}
			if c.Res <= 0 { // end of stream or error: the multishot is over
				if c.Flags&cqeFBuffer != 0 {
					r.putBuf(uint16(c.Flags >> cqeBufShift))
				}
				if c.Res == -int32(unix.ENOBUFS) {
					r.rearm.Add(1)
					r.recv(fd)
					continue
				}
				unix.Close(fd)
				continue
			}
			id := uint16(c.Flags >> cqeBufShift)
			r.send(fd, r.bufs[int(id)*bufSize:int(id)*bufSize+int(c.Res)], id)
			if c.Flags&cqeFMore == 0 { // the kernel ended the multishot
				r.rearm.Add(1)
				r.recv(fd)
			}
		}
		atomic.StoreUint32((*uint32)(r.cqHead), head)
		r.publishBufs()
		if err := r.submit(); err != nil {
			log.Fatal(err)
		}
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "TCP address to serve")
	flag.Parse()
	r, err := newRing(4096)
	if err != nil {
		// kernel.io_uring_disabled=2 (or 1 for this user): EPERM.
		log.Fatalf("uringecho: %v (sysctl kernel.io_uring_disabled)", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	conns := make(chan int, 1024)
	if r.wake, err = unix.Eventfd(0, unix.EFD_CLOEXEC); err != nil {
		log.Fatal(err)
	}
	r.readWake()
	if err := r.submit(); err != nil {
		log.Fatal(err)
	}
	go r.loop(conns)
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		// Take the descriptor out of Go's poller: the ring does the I/O.
		f, err := c.(*net.TCPConn).File()
		c.Close()
		if err != nil {
			log.Fatal(err)
		}
		fd, err := unix.Dup(int(f.Fd()))
		f.Close()
		if err != nil {
			log.Fatal(err)
		}
		conns <- fd
		var one [8]byte
		one[0] = 1
		unix.Write(r.wake, one[:])
	}
}
