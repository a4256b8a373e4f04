package sockcore

import (
	"encoding/binary"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// CAN socket option levels and options x/sys/unix does not define.
const (
	SOL_CAN_ISOTP = unix.SOL_CAN_BASE + unix.CAN_ISOTP // 106, linux/can/isotp.h
	SOL_CAN_J1939 = unix.SOL_CAN_BASE + unix.CAN_J1939 // 107, linux/can/j1939.h

	// linux/can/isotp.h
	CAN_ISOTP_OPTS     = 1 // struct can_isotp_options
	CAN_ISOTP_RECV_FC  = 2 // struct can_isotp_fc_options
	CAN_ISOTP_TX_STMIN = 3 // __u32 nanoseconds
	CAN_ISOTP_RX_STMIN = 4 // __u32 nanoseconds
	CAN_ISOTP_LL_OPTS  = 5 // struct can_isotp_ll_options

	// linux/can/j1939.h
	SO_J1939_FILTER     = 1
	SO_J1939_PROMISC    = 2
	SO_J1939_SEND_PRIO  = 3
	SO_J1939_ERRQUEUE   = 4
	SCM_J1939_DEST_ADDR = 1
	SCM_J1939_DEST_NAME = 2
	SCM_J1939_PRIO      = 3
	SCM_J1939_ERRQUEUE  = 4
)

// ISO-TP option flags, can_isotp_options.flags (linux/can/isotp.h).
const (
	CAN_ISOTP_LISTEN_MODE   = 0x0001
	CAN_ISOTP_EXTEND_ADDR   = 0x0002
	CAN_ISOTP_TX_PADDING    = 0x0004
	CAN_ISOTP_RX_PADDING    = 0x0008
	CAN_ISOTP_CHK_PAD_LEN   = 0x0010
	CAN_ISOTP_CHK_PAD_DATA  = 0x0020
	CAN_ISOTP_HALF_DUPLEX   = 0x0040
	CAN_ISOTP_FORCE_TXSTMIN = 0x0080
	CAN_ISOTP_FORCE_RXSTMIN = 0x0100
	CAN_ISOTP_RX_EXT_ADDR   = 0x0200
	CAN_ISOTP_WAIT_TX_DONE  = 0x0400
	CAN_ISOTP_SF_BROADCAST  = 0x0800
	CAN_ISOTP_CF_BROADCAST  = 0x1000
)

// BCM opcodes and flags (linux/can/bcm.h).
const (
	TX_SETUP   = 1
	TX_DELETE  = 2
	TX_READ    = 3
	TX_SEND    = 4
	RX_SETUP   = 5
	RX_DELETE  = 6
	RX_READ    = 7
	TX_STATUS  = 8
	TX_EXPIRED = 9
	RX_STATUS  = 10
	RX_TIMEOUT = 11
	RX_CHANGED = 12

	BCM_SETTIMER           = 0x0001
	BCM_STARTTIMER         = 0x0002
	BCM_TX_COUNTEVT        = 0x0004
	BCM_TX_ANNOUNCE        = 0x0008
	BCM_TX_CP_CAN_ID       = 0x0010
	BCM_RX_FILTER_ID       = 0x0020
	BCM_RX_CHECK_DLC       = 0x0040
	BCM_RX_NO_AUTOTIMER    = 0x0080
	BCM_RX_ANNOUNCE_RESUME = 0x0100
	BCM_TX_RESET_MULTI_IDX = 0x0200
	BCM_RX_RTR_FRAME       = 0x0400
	BCM_CAN_FD_FRAME       = 0x0800
)

// CAN frame sizes (linux/can.h); x/sys/unix has CAN_MTU but not CANFD_MTU.
const (
	CAN_MTU   = unix.CAN_MTU
	CANFD_MTU = 72
)

// CANFilter is struct can_filter: a frame passes when
// received_can_id & Mask == ID & Mask; CAN_INV_FILTER in ID inverts it.
type CANFilter struct {
	ID   uint32
	Mask uint32
}

// SetCANRawFilter sets CAN_RAW_FILTER. No filters (an empty slice) receive
// nothing; a single {0, 0} receives everything (the default).
func (s *Socket) SetCANRawFilter(filters []CANFilter) error {
	if len(filters) > unix.CAN_RAW_FILTER_MAX {
		return fmt.Errorf("%d CAN filters, the kernel takes at most %d", len(filters), unix.CAN_RAW_FILTER_MAX)
	}
	return s.SetsockoptBytes(unix.SOL_CAN_RAW, unix.CAN_RAW_FILTER, EncodeCANFilters(filters))
}

// EncodeCANFilters returns filters as an array of struct can_filter.
func EncodeCANFilters(filters []CANFilter) []byte {
	b := make([]byte, 0, 8*len(filters))
	for _, f := range filters {
		b = binary.NativeEndian.AppendUint32(b, f.ID)
		b = binary.NativeEndian.AppendUint32(b, f.Mask)
	}
	return b
}

// SetCANRawErrFilter sets CAN_RAW_ERR_FILTER: the error classes
// (linux/can/error.h CAN_ERR_*) delivered as error frames; CAN_ERR_MASK is all.
func (s *Socket) SetCANRawErrFilter(mask uint32) error {
	return s.SetsockoptInt(unix.SOL_CAN_RAW, unix.CAN_RAW_ERR_FILTER, int(mask))
}

// SetCANRawLoopback sets CAN_RAW_LOOPBACK: whether frames this host sends are
// looped back to other sockets on it (on by default).
func (s *Socket) SetCANRawLoopback(on bool) error {
	return s.SetsockoptInt(unix.SOL_CAN_RAW, unix.CAN_RAW_LOOPBACK, boolInt(on))
}

// SetCANRawRecvOwnMsgs sets CAN_RAW_RECV_OWN_MSGS: whether this socket
// receives the frames it sent itself (off by default).
func (s *Socket) SetCANRawRecvOwnMsgs(on bool) error {
	return s.SetsockoptInt(unix.SOL_CAN_RAW, unix.CAN_RAW_RECV_OWN_MSGS, boolInt(on))
}

// SetCANRawFDFrames sets CAN_RAW_FD_FRAMES: the socket reads and writes
// struct canfd_frame (72 bytes) as well as struct can_frame.
func (s *Socket) SetCANRawFDFrames(on bool) error {
	return s.SetsockoptInt(unix.SOL_CAN_RAW, unix.CAN_RAW_FD_FRAMES, boolInt(on))
}

// SetCANRawJoinFilters sets CAN_RAW_JOIN_FILTERS: a frame must match every
// filter instead of any one.
func (s *Socket) SetCANRawJoinFilters(on bool) error {
	return s.SetsockoptInt(unix.SOL_CAN_RAW, unix.CAN_RAW_JOIN_FILTERS, boolInt(on))
}

func boolInt(on bool) int {
	if on {
		return 1
	}
	return 0
}

// BCMMsg is a broadcast manager message: struct bcm_msg_head followed by
// nframes struct can_frame, or struct canfd_frame when Flags has
// BCM_CAN_FD_FRAME. Frames holds each frame's raw bytes (16 or 72 bytes, as
// canframe.EncodeWire makes them).
type BCMMsg struct {
	Opcode uint32
	Flags  uint32
	Count  uint32        // ival1 repetitions before switching to ival2
	Ival1  time.Duration // microsecond resolution
	Ival2  time.Duration
	CANID  uint32
	Frames [][]byte
}

// bcmMsgHead mirrors struct bcm_msg_head; C long is Go int on Linux.
type bcmMsgHead struct {
	Opcode, Flags, Count uint32
	Ival1Sec, Ival1Usec  int
	Ival2Sec, Ival2Usec  int
	CANID, Nframes       uint32
}

// bcmTimerSecMax is BCM_TIMER_SEC_MAX (net/can/bcm.c): 400 days.
const bcmTimerSecMax = 400 * 24 * 60 * 60

// BCMHeadLen is sizeof(struct bcm_msg_head): 56 on 64-bit Linux. The frames
// that follow it are 8-byte aligned.
const BCMHeadLen = (int(unsafe.Sizeof(bcmMsgHead{})) + 7) &^ 7

func (m *BCMMsg) frameSize() int {
	if m.Flags&BCM_CAN_FD_FRAME != 0 {
		return CANFD_MTU
	}
	return CAN_MTU
}

// EncodeBCM returns m as the bytes written to a CAN_BCM socket.
func EncodeBCM(m *BCMMsg) ([]byte, error) {
	fs := m.frameSize()
	for i, f := range m.Frames {
		if len(f) != fs {
			return nil, fmt.Errorf("BCM frame %d is %d bytes, want %d", i, len(f), fs)
		}
	}
	for _, d := range []time.Duration{m.Ival1, m.Ival2} {
		if d < 0 || d > bcmTimerSecMax*time.Second {
			return nil, fmt.Errorf("BCM interval %v out of range (0 to 400 days)", d)
		}
	}
	h := bcmMsgHead{
		Opcode: m.Opcode, Flags: m.Flags, Count: m.Count,
		Ival1Sec: int(m.Ival1 / time.Second), Ival1Usec: int(m.Ival1 % time.Second / time.Microsecond),
		Ival2Sec: int(m.Ival2 / time.Second), Ival2Usec: int(m.Ival2 % time.Second / time.Microsecond),
		CANID: m.CANID, Nframes: uint32(len(m.Frames)),
	}
	b := make([]byte, BCMHeadLen, BCMHeadLen+fs*len(m.Frames))
	copy(b, unsafe.Slice((*byte)(unsafe.Pointer(&h)), unsafe.Sizeof(h)))
	for _, f := range m.Frames {
		b = append(b, f...)
	}
	return b, nil
}

// DecodeBCM parses a message read from a CAN_BCM socket (RX_CHANGED,
// RX_TIMEOUT, TX_EXPIRED, the answers to TX_READ and RX_READ).
func DecodeBCM(b []byte) (BCMMsg, error) {
	var m BCMMsg
	if len(b) < BCMHeadLen {
		return m, fmt.Errorf("BCM message of %d bytes, the head alone is %d", len(b), BCMHeadLen)
	}
	var h bcmMsgHead
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&h)), unsafe.Sizeof(h)), b)
	for _, tv := range [][2]int{{h.Ival1Sec, h.Ival1Usec}, {h.Ival2Sec, h.Ival2Usec}} {
		if tv[0] < 0 || tv[0] > bcmTimerSecMax || tv[1] < 0 || tv[1] >= 1000000 {
			return m, fmt.Errorf("BCM interval {%d s, %d µs} out of range", tv[0], tv[1])
		}
	}
	m = BCMMsg{
		Opcode: h.Opcode, Flags: h.Flags, Count: h.Count,
		Ival1: time.Duration(h.Ival1Sec)*time.Second + time.Duration(h.Ival1Usec)*time.Microsecond,
		Ival2: time.Duration(h.Ival2Sec)*time.Second + time.Duration(h.Ival2Usec)*time.Microsecond,
		CANID: h.CANID,
	}
	fs := m.frameSize()
	rest := b[BCMHeadLen:]
	if uint64(h.Nframes)*uint64(fs) != uint64(len(rest)) {
		return m, fmt.Errorf("BCM message announces %d frames of %d bytes in %d bytes", h.Nframes, fs, len(rest))
	}
	for len(rest) > 0 {
		m.Frames = append(m.Frames, append([]byte(nil), rest[:fs]...))
		rest = rest[fs:]
	}
	return m, nil
}

// ISOTPOptions is struct can_isotp_options.
type ISOTPOptions struct {
	Flags        uint32 // CAN_ISOTP_* flags
	FrameTxTime  uint32 // nanoseconds between frames
	ExtAddress   uint8
	TxPadContent uint8 // with CAN_ISOTP_TX_PADDING
	RxPadContent uint8 // with CAN_ISOTP_RX_PADDING|CAN_ISOTP_CHK_PAD_DATA
	RxExtAddress uint8
}

// SetISOTPOptions sets CAN_ISOTP_OPTS (before Bind).
func (s *Socket) SetISOTPOptions(o ISOTPOptions) error {
	b := binary.NativeEndian.AppendUint32(nil, o.Flags)
	b = binary.NativeEndian.AppendUint32(b, o.FrameTxTime)
	b = append(b, o.ExtAddress, o.TxPadContent, o.RxPadContent, o.RxExtAddress)
	return s.SetsockoptBytes(SOL_CAN_ISOTP, CAN_ISOTP_OPTS, b)
}

// ISOTPFlowControl is struct can_isotp_fc_options: what the receiver asks of
// the sender in its flow control frames.
type ISOTPFlowControl struct {
	BlockSize uint8 // frames between flow control frames, 0 = no limit
	STmin     uint8 // separation time: 0-127 ms, 0xf1-0xf9 = 100-900 µs
	WFTmax    uint8 // wait frames before giving up, 0 = off
}

// SetISOTPFlowControl sets CAN_ISOTP_RECV_FC (before Bind).
func (s *Socket) SetISOTPFlowControl(fc ISOTPFlowControl) error {
	return s.SetsockoptBytes(SOL_CAN_ISOTP, CAN_ISOTP_RECV_FC, []byte{fc.BlockSize, fc.STmin, fc.WFTmax})
}

// ISOTPLinkLayer is struct can_isotp_ll_options: MTU CAN_MTU or CANFD_MTU,
// TxDL the CAN FD payload length of each frame (8, 12, …, 64), TxFlags the
// CAN FD flags of sent frames.
type ISOTPLinkLayer struct {
	MTU     uint8
	TxDL    uint8
	TxFlags uint8
}

// SetISOTPLinkLayer sets CAN_ISOTP_LL_OPTS (before Bind).
func (s *Socket) SetISOTPLinkLayer(ll ISOTPLinkLayer) error {
	return s.SetsockoptBytes(SOL_CAN_ISOTP, CAN_ISOTP_LL_OPTS, []byte{ll.MTU, ll.TxDL, ll.TxFlags})
}

// SetJ1939Promisc sets SO_J1939_PROMISC: receive every J1939 message on the
// bus, not only those addressed to this socket.
func (s *Socket) SetJ1939Promisc(on bool) error {
	return s.SetsockoptInt(SOL_CAN_J1939, SO_J1939_PROMISC, boolInt(on))
}

// SetJ1939SendPrio sets SO_J1939_SEND_PRIO, the priority (0 highest - 7) of
// sent messages.
func (s *Socket) SetJ1939SendPrio(prio int) error {
	if prio < 0 || prio > 7 {
		return fmt.Errorf("J1939 priority must be 0-7, not %d", prio)
	}
	return s.SetsockoptInt(SOL_CAN_J1939, SO_J1939_SEND_PRIO, prio)
}

// SetBroadcast sets SO_BROADCAST; a J1939 socket needs it to send to
// J1939NoAddr.
func (s *Socket) SetBroadcast(on bool) error {
	return s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_BROADCAST, boolInt(on))
}

// J1939Info is what a received J1939 message's control messages say.
type J1939Info struct {
	DestAddr    uint8 // SCM_J1939_DEST_ADDR
	DestName    uint64
	Prio        uint8
	HasDestAddr bool
	HasDestName bool
	HasPrio     bool
}

// ParseJ1939Control reads SCM_J1939_DEST_ADDR, SCM_J1939_DEST_NAME and
// SCM_J1939_PRIO from a received message's control messages.
func ParseJ1939Control(anc []ControlMessage) J1939Info {
	var info J1939Info
	for _, m := range anc {
		if m.Level != SOL_CAN_J1939 {
			continue
		}
		switch {
		case m.Type == SCM_J1939_DEST_ADDR && len(m.Data) >= 1:
			info.DestAddr, info.HasDestAddr = m.Data[0], true
		case m.Type == SCM_J1939_DEST_NAME && len(m.Data) >= 8:
			info.DestName, info.HasDestName = binary.NativeEndian.Uint64(m.Data), true
		case m.Type == SCM_J1939_PRIO && len(m.Data) >= 1:
			info.Prio, info.HasPrio = m.Data[0], true
		}
	}
	return info
}

// ParseTimestamp returns the receive time carried by SCM_TIMESTAMP (struct
// timeval, after SO_TIMESTAMP), SCM_TIMESTAMPNS (struct timespec, after
// SO_TIMESTAMPNS) or their 64-bit _NEW forms. ok is false when none is there.
func ParseTimestamp(anc []ControlMessage) (t time.Time, ok bool) {
	for _, m := range anc {
		if m.Level != unix.SOL_SOCKET {
			continue
		}
		switch m.Type {
		case unix.SO_TIMESTAMP_OLD, unix.SO_TIMESTAMP_NEW:
			if sec, sub, ok := twoLongs(m); ok {
				return time.Unix(sec, sub*1000), true
			}
		case unix.SO_TIMESTAMPNS_OLD, unix.SO_TIMESTAMPNS_NEW:
			if sec, sub, ok := twoLongs(m); ok {
				return time.Unix(sec, sub), true
			}
		}
	}
	return time.Time{}, false
}

// twoLongs reads {tv_sec, tv_usec|tv_nsec}: C longs in the old forms, 64-bit
// integers in the _NEW forms.
func twoLongs(m ControlMessage) (int64, int64, bool) {
	w := int(unsafe.Sizeof(int(0)))
	if m.Type == unix.SO_TIMESTAMP_NEW || m.Type == unix.SO_TIMESTAMPNS_NEW {
		w = 8
	}
	if len(m.Data) < 2*w {
		return 0, 0, false
	}
	if w == 8 {
		return int64(binary.NativeEndian.Uint64(m.Data)), int64(binary.NativeEndian.Uint64(m.Data[8:])), true
	}
	return int64(int32(binary.NativeEndian.Uint32(m.Data))), int64(int32(binary.NativeEndian.Uint32(m.Data[4:]))), true
}
