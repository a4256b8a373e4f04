package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/netns"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// source is one interface's capture: a packet socket with a TPACKET_V3 ring.
type source struct {
	name    string
	idx     int // position in -i order: the pcapng interface id
	ifindex int // 0 for any
	lt      layers.LinkType
	cooked  bool // SOCK_DGRAM: sniff builds the LINUX_SLL2 header, as tcpdump -i any
	s       *sockcore.Socket
	ring    *sockcore.Ring
	vm      *bpf.VM // user-space filter of cooked captures
	loIndex int
	scratch []byte
	retire  time.Duration // the ring's block retire timeout
}

// inNetns runs fn on a thread inside the named network namespace (ip netns
// add NAME); the thread is never reused. Sockets fn opens stay there.
func inNetns(name string, fn func() error) error {
	if name == "" {
		return fn()
	}
	fd, err := unix.Open("/run/netns/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return cli.Exitf(cli.ExitNoSuchThing, "network namespace %s: %w (ip netns list shows them)", name, err)
	}
	defer unix.Close(fd)
	// back false: the thread dies in the namespace, never reused.
	return netns.Run(name, fd, false, fn)
}

func permErr(what string, err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return cli.Exitf(cli.ExitPermission, "%s: %w (capturing needs CAP_NET_RAW: run as root or setcap cap_net_raw+ep on sniff)", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// defaultInterface is tcpdump's choice: the first interface that is up and
// not a loopback.
func defaultInterface() (string, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return "", err
	}
	for _, i := range ifs {
		if i.Flags&net.FlagUp != 0 && i.Flags&net.FlagLoopback == 0 {
			return i.Name, nil
		}
	}
	for _, i := range ifs {
		if i.Flags&net.FlagUp != 0 {
			return i.Name, nil
		}
	}
	return "", cli.Exitf(cli.ExitNoSuchThing, "no interface is up (name one with -i)")
}

func listInterfaces(o *options) ([]string, error) {
	var lines []string
	err := inNetns(o.netns, func() error {
		ifs, err := net.Interfaces()
		if err != nil {
			return err
		}
		for n, i := range ifs {
			var st []string
			if i.Flags&net.FlagUp != 0 {
				st = append(st, "Up")
			}
			if i.Flags&net.FlagRunning != 0 {
				st = append(st, "Running")
			}
			if i.Flags&net.FlagLoopback != 0 {
				st = append(st, "Loopback")
			}
			lines = append(lines, fmt.Sprintf("%d.%s [%s]", n+1, i.Name, join(st)))
			if n == len(ifs)-1 {
				lines = append(lines, fmt.Sprintf("%d.any (Pseudo-device that captures on all interfaces) [Up, Running]", n+2))
				if hasBluetooth() {
					lines = append(lines, fmt.Sprintf("%d.%s (Bluetooth Linux Monitor) [Wireless]", n+3, btMonitorDevice))
				}
			}
		}
		return nil
	})
	return lines, err
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// compileLive compiles expr the way tcpdump does for a live interface: on a
// libpcap handle for it, so that vlan tests use the kernel's VLAN
// extensions. A dead handle of the same link type is the fallback.
func compileLive(expr, ifname string, lt layers.LinkType, snaplen int) ([]unix.SockFilter, error) {
	h, err := pcap.OpenLive(ifname, int32(snaplen), false, time.Millisecond)
	if err == nil {
		defer h.Close()
		return sockFilter(h.CompileBPFFilter(expr))(expr)
	}
	return compileFilter(expr, lt, snaplen)
}

// openSources opens every -i interface inside --netns.
func openSources(o *options) ([]*source, error) {
	var srcs []*source
	err := inNetns(o.netns, func() error {
		if len(o.ifaces) == 0 {
			name, err := defaultInterface()
			if err != nil {
				return err
			}
			o.ifaces = []string{name}
		}
		lo := 0
		if ifi, err := net.InterfaceByName("lo"); err == nil {
			lo = ifi.Index
		}
		for i, name := range o.ifaces {
			src, err := openSource(o, name, i)
			if err != nil {
				for _, s := range srcs {
					s.close()
				}
				return err
			}
			src.loIndex = lo
			srcs = append(srcs, src)
		}
		return nil
	})
	return srcs, err
}

func openSource(o *options, name string, idx int) (*source, error) {
	src := &source{name: name, idx: idx, lt: layers.LinkTypeEthernet}
	typ := unix.SOCK_RAW
	if name == "any" {
		src.cooked, src.lt, typ = true, layers.LinkTypeLinuxSLL2, unix.SOCK_DGRAM
	} else {
		ifi, err := net.InterfaceByName(name)
		if err != nil {
			return nil, cli.Exitf(cli.ExitNoSuchThing, "interface %s: no such interface (sniff -D lists them)", name)
		}
		src.ifindex = ifi.Index
		hatype, err := hardwareType(ifi.Index)
		if err != nil {
			return nil, permErr("opening a packet socket on "+name, err)
		}
		switch hatype {
		case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		case unix.ARPHRD_CAN:
			src.lt = linkTypeCAN
		default:
			src.cooked, src.lt, typ = true, layers.LinkTypeLinuxSLL2, unix.SOCK_DGRAM
		}
	}
	s, err := sockcore.New(unix.AF_PACKET, typ, 0)
	if err != nil {
		return nil, permErr("opening a packet socket on "+name, err)
	}
	src.s = s
	fail := func(what string, err error) (*source, error) {
		src.close()
		return nil, fmt.Errorf("%s on %s: %w", what, name, err)
	}
	prog := o.prog
	if prog == nil && o.filter != "" {
		if src.cooked {
			prog, err = compileFilter(o.filter, src.lt, o.snaplen)
		} else {
			prog, err = compileLive(o.filter, name, src.lt, o.snaplen)
		}
		if err != nil {
			src.close()
			return nil, err
		}
	}
	switch {
	case src.cooked && prog != nil:
		if src.vm, err = newVM(prog); err != nil {
			src.close()
			return nil, cli.Usagef("filter on %s: %w", name, err)
		}
	case prog != nil:
		if err := s.AttachFilter(prog); err != nil {
			return fail("attaching the filter", err)
		}
	default:
		// No filter: the kernel still cuts packets to the snaplen.
		if err := s.AttachFilter([]unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: uint32(o.snaplen)}}); err != nil {
			return fail("attaching the snaplen filter", err)
		}
	}
	if o.direction == "in" {
		if err := s.SetsockoptInt(unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1); err != nil {
			return fail("PACKET_IGNORE_OUTGOING", err)
		}
	}
	// The ring is -B in blocks that the kernel hands over whole, and
	// sniff wakes up once a block (two context switches: the runtime's
	// netpoller and its sysmon thread): under a flood of small packets the
	// wakeups are a fifth of the CPU with 512 KiB blocks, and 1 MiB blocks
	// halve them. Four blocks or more let the kernel fill some while sniff
	// writes out another, so the block is the largest of 1 MiB, 512 KiB
	// and 256 KiB (room for the largest packet) that fits four times; the
	// default -B (4 MiB) gives 1 MiB blocks.
	blockSize := 1 << 20
	for blockSize > 256<<10 && o.bufferKiB*1024 < 4*blockSize {
		blockSize >>= 1
	}
	blocks := max(4, o.bufferKiB*1024/blockSize)
	src.retire = ringRetireTimeout(o)
	src.ring, err = s.SetupRxRing(sockcore.RingConfig{BlockSize: blockSize, BlockCount: blocks, FrameSize: 2048, RetireTimeout: src.retire})
	if err != nil {
		return fail("setting up the receive ring", err)
	}
	if err := s.Bind(&sockcore.PacketAddr{Ifindex: src.ifindex, Proto: unix.ETH_P_ALL}); err != nil {
		return fail("binding", err)
	}
	if !o.noPromisc && src.ifindex != 0 {
		if err := s.AddPacketMembership(src.ifindex, unix.PACKET_MR_PROMISC, nil); err != nil {
			return fail("promiscuous mode", err)
		}
	}
	return src, nil
}

// hardwareType returns the interface's ARPHRD_* type from a packet socket
// bound to it with protocol 0, which receives nothing.
func hardwareType(ifindex int) (int, error) {
	s, err := sockcore.New(unix.AF_PACKET, unix.SOCK_RAW, 0)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	if err := s.Bind(&sockcore.PacketAddr{Ifindex: ifindex}); err != nil {
		return 0, err
	}
	a, err := s.SockName()
	if err != nil {
		return 0, err
	}
	return a.(*sockcore.PacketAddr).HAType, nil
}

func (src *source) close() {
	if src.ring != nil {
		src.ring.Close()
	}
	src.s.Close()
}

// capture is the shared state of every source's reader.
type capture struct {
	o     *options
	mu    sync.Mutex
	out   sink
	n     int
	err   error
	stop  context.CancelFunc
	srcs  []*source
	vlanT [4]byte
	p     pkt
	// pcap is out when it is a pcap file (not rotated): packets go
	// straight into its buffer as records.
	pcap *fileSink
	// dirty says packets wait in a file's buffer: it is written when it
	// fills, after a block the kernel retired on its timeout, and when no
	// block comes within fileFlush of a full one.
	dirty bool
	// stopping is set once the capture is interrupted.
	stopping atomic.Bool
}

// fileFlush bounds how long a captured packet stays in a file's buffer
// (unless -U writes each one), and is the ring's retire timeout then. Under
// a flood one write(2) covers several ring blocks: each write wakes the Go
// runtime's sysmon thread, which then polls every 20 µs until the reader
// waits again. A timer of the reader's own (a ticker, or a deadline armed
// before every wait) wakes threads too: it cost a third of the CPU per
// packet under a moderate flood. The kernel's retire timer does the work
// instead: a block retired on its timeout means the traffic is light, and
// the buffer is written after it. Only a full block followed by an empty
// ring (the traffic stopped right at a block's end) arms a deadline.
const fileFlush = 250 * time.Millisecond

// flush writes the output out; c.mu is held.
func (c *capture) flush() {
	if c.err != nil {
		return
	}
	if err := c.out.flush(); err != nil {
		c.err = writeErr(c.o, err)
	}
	c.dirty = false
}

// interrupt makes every reader stop waiting and drain its ring.
func (c *capture) interrupt() {
	c.stopping.Store(true)
	for _, src := range c.srcs {
		src.ring.Interrupt()
	}
}

// run reads src's ring until interrupted, handing packets to the sink under
// the capture's lock.
func (c *capture) run(src *source) {
	var f sockcore.RingFrame
	var drainEnd time.Time
	flushWait := false // the file buffer waits for a block that may not come
	for {
		if !drainEnd.IsZero() {
			// Draining: only what the kernel held at the signal, and not
			// for ever under traffic that goes on.
			left := time.Until(drainEnd)
			if left <= 0 || !src.ring.Pending() {
				return
			}
			src.s.SetTimeout(left)
		} else if flushWait {
			src.s.SetTimeout(fileFlush)
		}
		blk, err := src.ring.NextBlock()
		if flushWait && drainEnd.IsZero() {
			src.s.SetBlocking(true)
		}
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				c.fail(fmt.Errorf("reading %s: %w", src.name, err))
				return
			}
			if flushWait && drainEnd.IsZero() && !c.stopping.Load() {
				// No block within fileFlush: write the buffer out.
				flushWait = false
				c.mu.Lock()
				if c.dirty {
					c.flush()
				}
				failed := c.err != nil
				c.mu.Unlock()
				if failed {
					c.stop()
					return
				}
				continue
			}
			if !drainEnd.IsZero() || !c.interrupted() {
				return
			}
			// Interrupted by a signal: the kernel retires the block
			// being filled within the retire timeout (up to two on
			// kernels with the older block timer); read it too.
			drainEnd = time.Now().Add(2*src.retire + 50*time.Millisecond)
			continue
		}
		c.mu.Lock()
		for c.err == nil && blk.Next(&f) {
			c.frame(src, &f)
		}
		if c.dirty && (c.o.write == "" || blk.TimedOut()) {
			// Text goes out after every block; a file after a block the
			// kernel retired on its timeout (traffic is light).
			c.flush()
		}
		waiting := c.dirty && c.o.write != ""
		done := c.err != nil || (c.o.count > 0 && c.n >= c.o.count)
		c.mu.Unlock()
		blk.Release()
		// Packets wait in the buffer after a full block, and nothing is in
		// the next one yet: the traffic may have stopped, and no block may
		// come to write the buffer out.
		flushWait = waiting && !src.ring.Pending()
		if done {
			c.stop()
			return
		}
	}
}

// retireTimeout bounds how long a packet waits in a partly filled block
// when it is printed (or written with -U).
const retireTimeout = 50 * time.Millisecond

// ringRetireTimeout is the ring's block retire timeout: retireTimeout, or
// fileFlush when packets go to a file that is written after every block
// retired on its timeout. Below a few hundred thousand packets a second a
// block is retired on its timeout before it fills, and each retired block
// is a wakeup (the netpoller, then a second thread the runtime starts to
// look for work): 4 a second instead of 20 under a moderate flood. A full
// block is still handed over at once, so the ring holds as much as before.
func ringRetireTimeout(o *options) time.Duration {
	if o.write != "" && !o.flushEach {
		return fileFlush
	}
	return retireTimeout
}

// interrupted reports whether the capture stopped for a signal rather than
// for -c or an error.
func (c *capture) interrupted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err == nil && (c.o.count == 0 || c.n < c.o.count)
}

func (c *capture) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	c.stop()
}

func (c *capture) frame(src *source, f *sockcore.RingFrame) {
	if c.o.count > 0 && c.n >= c.o.count {
		return
	}
	dir := 1
	if f.PktType == unix.PACKET_OUTGOING {
		dir = 2
		// Loopback packets go out and come back in: show them once.
		if f.Ifindex == src.loIndex || c.o.direction == "in" {
			return
		}
		// The CAN core echoes every sent frame back in: show it once, as
		// libpcap does (unless only outgoing frames are asked for).
		if src.lt == linkTypeCAN && c.o.direction != "out" {
			return
		}
	} else if c.o.direction == "out" {
		return
	}
	data, length := f.Data, f.Len
	switch {
	case src.cooked:
		// struct sll2_header (pcap-linktype(7), LINKTYPE_LINUX_SLL2).
		var h [20]byte
		binary.BigEndian.PutUint16(h[0:], f.Proto)
		binary.BigEndian.PutUint32(h[4:], uint32(f.Ifindex))
		binary.BigEndian.PutUint16(h[8:], uint16(f.HAType))
		h[10] = byte(f.PktType)
		h[11] = byte(f.HALen)
		copy(h[12:], f.Addr[:f.HALen])
		src.scratch = append(append(src.scratch[:0], h[:]...), data...)
		data, length = src.scratch, length+20
	case f.Status&unix.TP_STATUS_VLAN_VALID != 0 && src.lt == layers.LinkTypeEthernet && len(data) >= 12:
		// Put back the tag the kernel stripped, as libpcap does.
		tpid := uint16(unix.ETH_P_8021Q)
		if f.Status&unix.TP_STATUS_VLAN_TPID_VALID != 0 && f.VLANTPID != 0 {
			tpid = f.VLANTPID
		}
		binary.BigEndian.PutUint16(c.vlanT[:], tpid)
		binary.BigEndian.PutUint16(c.vlanT[2:], f.VLANTCI)
		src.scratch = append(append(append(src.scratch[:0], data[:12]...), c.vlanT[:]...), data[12:]...)
		data, length = src.scratch, length+4
	case src.lt == linkTypeCAN && len(data) >= 4:
		// struct can_frame has the identifier in host order; pcap files
		// carry it in network order.
		src.scratch = append(src.scratch[:0], data...)
		binary.BigEndian.PutUint32(src.scratch, binary.NativeEndian.Uint32(data))
		data = src.scratch
	}
	if src.vm != nil {
		if keep, err := src.vm.Run(data); err != nil || keep == 0 {
			return
		}
	}
	if len(data) > c.o.snaplen {
		data = data[:c.o.snaplen]
	}
	var err error
	if c.pcap != nil {
		err = c.pcap.record(f.Sec, f.Nsec, data, length)
	} else {
		// c.p is reused under the lock: one allocation fewer per packet.
		// Its fields are set one by one: a composite literal is built on
		// the stack and then copied, a stall per packet.
		p := &c.p
		p.data, p.ts, p.len = data, time.Unix(int64(f.Sec), int64(f.Nsec)), length
		p.iface, p.dir, p.lt = src.idx, dir, src.lt
		err = c.out.write(p)
	}
	if err != nil {
		c.err = writeErr(c.o, err)
		return
	}
	c.n++
	c.dirty = true
	if c.o.flushEach {
		c.flush()
	}
}

// stats sums PACKET_STATISTICS over the sources.
func (c *capture) stats() (sockcore.PacketStats, error) {
	var sum sockcore.PacketStats
	for _, src := range c.srcs {
		st, err := src.s.PacketStatistics()
		if err != nil {
			return sum, err
		}
		sum.Packets += st.Packets
		sum.Drops += st.Drops
	}
	return sum, nil
}
