package sockcore

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// AF_PACKET socket options: membership, statistics, classic BPF filters,
// auxiliary data, fanout, and the TPACKET_V3 memory-mapped receive ring.

// AddPacketMembership wraps setsockopt(PACKET_ADD_MEMBERSHIP): typ is
// PACKET_MR_PROMISC, PACKET_MR_ALLMULTI or PACKET_MR_MULTICAST (with addr).
// The kernel undoes it when the socket closes.
func (s *Socket) AddPacketMembership(ifindex, typ int, addr []byte) error {
	return s.packetMembership(unix.PACKET_ADD_MEMBERSHIP, ifindex, typ, addr)
}

// DropPacketMembership wraps setsockopt(PACKET_DROP_MEMBERSHIP).
func (s *Socket) DropPacketMembership(ifindex, typ int, addr []byte) error {
	return s.packetMembership(unix.PACKET_DROP_MEMBERSHIP, ifindex, typ, addr)
}

func (s *Socket) packetMembership(opt, ifindex, typ int, addr []byte) error {
	if len(addr) > 8 {
		return fmt.Errorf("packet membership address is %d bytes, the limit is 8", len(addr))
	}
	mr := unix.PacketMreq{Ifindex: int32(ifindex), Type: uint16(typ), Alen: uint16(len(addr))}
	copy(mr.Address[:], addr)
	b := unsafe.Slice((*byte)(unsafe.Pointer(&mr)), unsafe.Sizeof(mr))
	return s.SetsockoptBytes(unix.SOL_PACKET, opt, b)
}

// PacketStats is struct tpacket_stats_v3. The kernel resets its counters on
// every read; Packets includes Drops.
type PacketStats struct {
	Packets uint32 // packets that passed the filter, dropped ones included
	Drops   uint32 // packets dropped for lack of room
	Freezes uint32 // times the ring's queue was frozen (TPACKET_V3 only)
}

// PacketStatistics wraps getsockopt(PACKET_STATISTICS). It works with and
// without a ring; Freezes is only reported by TPACKET_V3 rings.
func (s *Socket) PacketStatistics() (PacketStats, error) {
	b, err := s.GetsockoptBytes(unix.SOL_PACKET, unix.PACKET_STATISTICS, unix.SizeofTpacketStatsV3)
	if err != nil {
		return PacketStats{}, err
	}
	var st PacketStats
	if len(b) >= 8 {
		st.Packets = binary.NativeEndian.Uint32(b)
		st.Drops = binary.NativeEndian.Uint32(b[4:])
	}
	if len(b) >= 12 {
		st.Freezes = binary.NativeEndian.Uint32(b[8:])
	}
	return st, nil
}

// AttachFilter wraps setsockopt(SO_ATTACH_FILTER) with a classic BPF
// program. It works on every socket family.
func (s *Socket) AttachFilter(prog []unix.SockFilter) error {
	if len(prog) == 0 || len(prog) > 0xffff {
		return fmt.Errorf("BPF program of %d instructions: must be 1-65535", len(prog))
	}
	fp := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	return s.control("setsockopt", func(fd int) error {
		return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fp)
	})
}

// DetachFilter wraps setsockopt(SO_DETACH_FILTER).
func (s *Socket) DetachFilter() error {
	return s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_DETACH_FILTER, 0)
}

// LockFilter wraps setsockopt(SO_LOCK_FILTER, 1): the filter can no longer
// be detached or replaced, even by a process the socket is passed to.
func (s *Socket) LockFilter() error {
	return s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_LOCK_FILTER, 1)
}

// FanoutType values and flags are PACKET_FANOUT_* from golang.org/x/sys/unix.

// JoinFanout wraps setsockopt(PACKET_FANOUT): the socket joins group id,
// which spreads packets over its members by typ (PACKET_FANOUT_HASH, _LB,
// _CPU, …) or'ed with flags (PACKET_FANOUT_FLAG_DEFRAG, …). The socket must
// be bound first.
func (s *Socket) JoinFanout(id uint16, typ, flags int) error {
	return s.SetsockoptInt(unix.SOL_PACKET, unix.PACKET_FANOUT, int(id)|(typ|flags)<<16)
}

// PacketAuxData is struct tpacket_auxdata, delivered as a PACKET_AUXDATA
// control message once SetsockoptInt(SOL_PACKET, PACKET_AUXDATA, 1) is set.
// It carries the VLAN tag the kernel (or the NIC) stripped from the frame.
type PacketAuxData struct {
	Status   uint32 // TP_STATUS_*
	Len      uint32 // original length
	Snaplen  uint32
	Mac, Net uint16
	VLANTCI  uint16
	VLANTPID uint16
}

// HasVLAN reports whether a VLAN tag was stripped (TP_STATUS_VLAN_VALID).
func (a PacketAuxData) HasVLAN() bool { return a.Status&unix.TP_STATUS_VLAN_VALID != 0 }

// TPID returns the stripped tag's protocol: VLANTPID when the kernel
// reports it, else 802.1Q (0x8100).
func (a PacketAuxData) TPID() uint16 {
	if a.Status&unix.TP_STATUS_VLAN_TPID_VALID != 0 && a.VLANTPID != 0 {
		return a.VLANTPID
	}
	return unix.ETH_P_8021Q
}

// ParsePacketAuxData finds the PACKET_AUXDATA message in anc.
func ParsePacketAuxData(anc []ControlMessage) (PacketAuxData, bool) {
	for _, m := range anc {
		if m.Level != unix.SOL_PACKET || m.Type != unix.PACKET_AUXDATA || len(m.Data) < int(unsafe.Sizeof(unix.TpacketAuxdata{})) {
			continue
		}
		d := m.Data
		return PacketAuxData{
			Status:   binary.NativeEndian.Uint32(d),
			Len:      binary.NativeEndian.Uint32(d[4:]),
			Snaplen:  binary.NativeEndian.Uint32(d[8:]),
			Mac:      binary.NativeEndian.Uint16(d[12:]),
			Net:      binary.NativeEndian.Uint16(d[14:]),
			VLANTCI:  binary.NativeEndian.Uint16(d[16:]),
			VLANTPID: binary.NativeEndian.Uint16(d[18:]),
		}, true
	}
	return PacketAuxData{}, false
}

// ParseTimestampNS finds the SCM_TIMESTAMPNS message (SO_TIMESTAMPNS) in anc.
func ParseTimestampNS(anc []ControlMessage) (time.Time, bool) {
	for _, m := range anc {
		if m.Level == unix.SOL_SOCKET && m.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(m.Data))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:]))
			return time.Unix(sec, nsec), true
		}
	}
	return time.Time{}, false
}

// RingConfig sizes a TPACKET_V3 receive ring: BlockCount blocks of
// BlockSize bytes, each handed to user space when full or when
// RetireTimeout has passed since its first packet.
type RingConfig struct {
	BlockSize     int           // a multiple of the page size; 0 means 1 MiB
	BlockCount    int           // 0 means 4
	FrameSize     int           // the kernel's sanity unit; 0 means 2048
	RetireTimeout time.Duration // rounded to milliseconds; 0 means 100 ms
}

// Offsets in struct tpacket_block_desc and struct tpacket3_hdr
// (linux/if_packet.h).
const (
	blkStatusOff   = 8  // hdr.bh1.block_status
	blkNumPktsOff  = 12 // hdr.bh1.num_pkts
	blkFirstPktOff = 16 // hdr.bh1.offset_to_first_pkt
	tp3HdrLen      = 48 // TPACKET_ALIGN(sizeof(struct tpacket3_hdr)): sockaddr_ll follows
)

// Ring is a TPACKET_V3 memory-mapped receive ring on an AF_PACKET socket.
// One goroutine reads it: NextBlock, then the block's frames, then Release.
type Ring struct {
	s         *Socket
	mem       []byte
	blockSize int
	blocks    int
	cur       int
	intr      atomic.Bool
	blk       RingBlock // the block NextBlock hands out, reused
}

// SetupRxRing switches the socket to TPACKET_V3, asks the kernel for a
// receive ring (PACKET_RX_RING) and maps it. Set it up before binding so
// that no packet goes to the ordinary receive queue.
func (s *Socket) SetupRxRing(cfg RingConfig) (*Ring, error) {
	if cfg.BlockSize == 0 {
		cfg.BlockSize = 1 << 20
	}
	if cfg.BlockCount == 0 {
		cfg.BlockCount = 4
	}
	if cfg.FrameSize == 0 {
		cfg.FrameSize = 2048
	}
	if cfg.RetireTimeout == 0 {
		cfg.RetireTimeout = 100 * time.Millisecond
	}
	page := os.Getpagesize()
	if cfg.BlockSize <= 0 || cfg.BlockSize%page != 0 || cfg.BlockCount <= 0 || cfg.FrameSize <= 0 ||
		cfg.BlockSize%cfg.FrameSize != 0 || int64(cfg.BlockSize)*int64(cfg.BlockCount) > 1<<34 {
		return nil, fmt.Errorf("ring of %d blocks of %d bytes with %d-byte frames: block size must be a multiple of the page size (%d) and of the frame size",
			cfg.BlockCount, cfg.BlockSize, cfg.FrameSize, page)
	}
	tov := max(cfg.RetireTimeout.Milliseconds(), 1)
	if err := s.SetsockoptInt(unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V3); err != nil {
		return nil, err
	}
	req := unix.TpacketReq3{
		Block_size:     uint32(cfg.BlockSize),
		Block_nr:       uint32(cfg.BlockCount),
		Frame_size:     uint32(cfg.FrameSize),
		Frame_nr:       uint32(cfg.BlockSize / cfg.FrameSize * cfg.BlockCount),
		Retire_blk_tov: uint32(tov),
	}
	err := s.control("setsockopt", func(fd int) error {
		return unix.SetsockoptTpacketReq3(fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req)
	})
	if err != nil {
		return nil, err
	}
	var mem []byte
	err = s.control("mmap", func(fd int) error {
		var err error
		mem, err = unix.Mmap(fd, 0, cfg.BlockSize*cfg.BlockCount, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Ring{s: s, mem: mem, blockSize: cfg.BlockSize, blocks: cfg.BlockCount}, nil
}

func (r *Ring) word(off int) *uint32 { return (*uint32)(unsafe.Pointer(&r.mem[off])) }

func (r *Ring) ready() bool {
	return atomic.LoadUint32(r.word(r.cur*r.blockSize+blkStatusOff))&unix.TP_STATUS_USER != 0
}

// NextBlock returns the next block the kernel has handed to user space,
// waiting through the runtime poller in the socket's timeout mode (a
// non-blocking socket returns EAGAIN, a timeout os.ErrDeadlineExceeded).
// The block must be released before the next call, which reuses it.
func (r *Ring) NextBlock() (*RingBlock, error) {
	if r.mem == nil {
		return nil, os.NewSyscallError("poll", errClosed)
	}
	if !r.ready() || r.intr.Load() {
		w := r.s.wait(nil, 0)
		w.kernel = false // the ring is polled, never read: the poller waits
		err := r.s.ioRead("poll", w, func(_, _ int) error {
			switch {
			case r.intr.Swap(false):
				return os.ErrDeadlineExceeded
			case r.ready():
				return nil
			}
			return unix.EAGAIN
		})
		if err != nil {
			// A wait ended by Interrupt's deadline leaves the flag set.
			r.intr.Store(false)
			return nil, err
		}
	}
	off := r.cur * r.blockSize
	b := &r.blk
	*b = RingBlock{r: r, base: off, n: int(binary.NativeEndian.Uint32(r.mem[off+blkNumPktsOff:]))}
	b.status = binary.NativeEndian.Uint32(r.mem[off+blkStatusOff:])
	b.next = off + int(binary.NativeEndian.Uint32(r.mem[off+blkFirstPktOff:]))
	return b, nil
}

// Pending reports whether the kernel holds packets for the reader: the
// next block is ready, or the block the kernel is filling has packets it
// hands over when the block is full or its retire timeout expires.
func (r *Ring) Pending() bool {
	if r.mem == nil {
		return false
	}
	off := r.cur * r.blockSize
	return r.ready() || atomic.LoadUint32(r.word(off+blkNumPktsOff)) != 0
}

// Interrupt makes a NextBlock waiting in another goroutine, or the next
// call if none is waiting, return os.ErrDeadlineExceeded; the socket's
// timeout mode applies again from the call after.
func (r *Ring) Interrupt() error {
	r.intr.Store(true)
	r.s.mu.Lock()
	r.s.rdeadline = true
	r.s.mu.Unlock()
	return r.s.file.SetReadDeadline(time.Unix(1, 0))
}

// Close unmaps the ring. The socket stays open; closing it frees the ring
// in the kernel.
func (r *Ring) Close() error {
	if r.mem == nil {
		return nil
	}
	err := unix.Munmap(r.mem)
	r.mem = nil
	if err != nil {
		return os.NewSyscallError("munmap", err)
	}
	return nil
}

// RingBlock is one block of a Ring, owned by user space until Release.
type RingBlock struct {
	r      *Ring
	base   int
	n      int // packets left
	next   int // offset of the next packet in the ring
	status uint32
}

// Len returns the number of packets left in the block.
func (b *RingBlock) Len() int { return b.n }

// TimedOut reports whether the kernel handed the block over when its
// retire timeout expired (TP_STATUS_BLK_TMO) rather than when it was full:
// the traffic is light.
func (b *RingBlock) TimedOut() bool { return b.status&unix.TP_STATUS_BLK_TMO != 0 }

// RingFrame is one packet in a ring block. Data aliases the ring: it is
// valid until the block is released.
type RingFrame struct {
	Data     []byte // from the link-layer header (SOCK_RAW) or network header (SOCK_DGRAM)
	Len      int    // length on the wire
	Sec      uint32
	Nsec     uint32
	Status   uint32 // TP_STATUS_*
	VLANTCI  uint16 // valid when Status has TP_STATUS_VLAN_VALID
	VLANTPID uint16 // valid when Status has TP_STATUS_VLAN_TPID_VALID
	Ifindex  int
	Proto    uint16 // host order
	PktType  int
	HAType   int
	Addr     [8]byte // sll_addr, HALen bytes of it
	HALen    int
}

// Next fills f with the next packet of the block and reports whether there
// was one.
func (b *RingBlock) Next(f *RingFrame) bool {
	if b.n <= 0 {
		return false
	}
	m := b.r.mem
	h := m[b.next : b.next+tp3HdrLen+sizeofSockaddrLL]
	nextOff := int(binary.NativeEndian.Uint32(h))
	snap := int(binary.NativeEndian.Uint32(h[12:]))
	mac := int(binary.NativeEndian.Uint16(h[24:]))
	start := b.next + mac
	f.Data = m[start : start+snap : start+snap]
	f.Sec = binary.NativeEndian.Uint32(h[4:])
	f.Nsec = binary.NativeEndian.Uint32(h[8:])
	f.Len = int(binary.NativeEndian.Uint32(h[16:]))
	f.Status = binary.NativeEndian.Uint32(h[20:])
	f.VLANTCI = uint16(binary.NativeEndian.Uint32(h[32:]))
	f.VLANTPID = binary.NativeEndian.Uint16(h[36:])
	ll := h[tp3HdrLen:]
	f.Proto = binary.BigEndian.Uint16(ll[2:])
	f.Ifindex = int(int32(binary.NativeEndian.Uint32(ll[4:])))
	f.HAType = int(binary.NativeEndian.Uint16(ll[8:]))
	f.PktType = int(ll[10])
	f.HALen = min(int(ll[11]), 8)
	copy(f.Addr[:], ll[12:20])
	b.n--
	b.next += nextOff
	return true
}

// Release hands the block back to the kernel and moves the ring on.
func (b *RingBlock) Release() {
	if b.r == nil {
		return
	}
	atomic.StoreUint32(b.r.word(b.base+blkStatusOff), unix.TP_STATUS_KERNEL)
	b.r.cur = (b.r.cur + 1) % b.r.blocks
	b.r = nil
}
