package main

import (
	"container/list"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// batchSize is how many datagrams one recvmmsg/sendmmsg call moves.
const batchSize = 32

// dgramLoop echoes datagrams on one socket, many peers demultiplexed by
// their source address, until the socket is closed (or, with --inetd and
// --idle-timeout, until idle). shared says other loops (--workers) receive
// on the same socket.
//
// Alone on its socket, the loop echoes each batch inside RecvMMsgLoop, with
// a sendmmsg that does not wait, and the next batch is waited for in the
// runtime poller without a recvmmsg that finds nothing first: a 64-byte
// UDP ping-pong costs one recvmmsg and one sendmmsg per round trip, the
// rest is the runtime's epoll_pwait (perf stat on a shared 2-CPU machine,
// medians: 4.0 system calls per round trip, 1.65 of them epoll_pwait,
// against 4.7 for a ReadFrom/WriteTo loop on Go's net package, at about
// its CPU per round trip: the poller's wait costs what the recvmmsg that
// found nothing did). Only an echo the socket cannot take at once (a full
// send buffer) is sent after RecvMMsgLoop returns, waiting in the poller.
// Loops sharing a socket receive one batch each and send outside, so that
// one's send does not hold up the others' receives.
func (srv *server) dgramLoop(l *listener, shared bool) error {
	s := l.s
	if srv.cfg.idleTimeout > 0 && l.idleExit {
		s.SetTimeout(srv.cfg.idleTimeout) // inetd wait mode: exit when idle
	} else {
		s.SetTimeout(sockcore.Forever)
	}
	// One byte more than the limit, so that a longer datagram shows as
	// too long rather than cut to size.
	b := sockcore.NewMMsgBatch(batchSize, srv.cfg.maxDatagram+1)
	// SO_RXQ_OVFL: each datagram carries how many the kernel dropped
	// before it on this socket (a full receive buffer), counted in the
	// stats as drop_rcvbuf. Not on UNIX sockets: a control buffer there
	// would take in the descriptors any client cares to pass.
	if s.Family() != unix.AF_UNIX {
		s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1)
		b.SetControlSize(32)
	}
	// On a wildcard address the reply leaves from the address the
	// datagram came to (IP_PKTINFO, IPV6_PKTINFO), not from the one
	// routing would pick: a client that sent to a second address of the
	// host, connected to it, takes only replies from it.
	pktinfo := wildcardBound(s)
	if pktinfo {
		// IP_PKTINFO on an IPv6 socket too: for the IPv4 datagrams of a
		// dual-stack socket it gives the kernel's local address for the
		// datagram (an interface's own for a broadcast), where
		// IPV6_PKTINFO gives the header's destination, broadcast or not.
		s.SetsockoptInt(unix.SOL_IP, unix.IP_PKTINFO, 1)
		if s.Family() == unix.AF_INET6 {
			s.SetsockoptInt(unix.SOL_IPV6, unix.IPV6_RECVPKTINFO, 1)
		}
		b.SetControlSize(unix.CmsgSpace(4) + unix.CmsgSpace(unix.SizeofInet4Pktinfo) + unix.CmsgSpace(unix.SizeofInet6Pktinfo))
		b.SetSendControlSize(unix.CmsgSpace(unix.SizeofInet6Pktinfo))
	}
	var kernelDrops uint32 // the socket's count when last seen
	idxs := make([]int, 0, batchSize)
	var idx []int // the echoes of the batch not yet sent: a tail of idxs
	closed := false
	// send sends the echoes in idx with flags, counting them, until all
	// are sent or (MSG_DONTWAIT) the socket would wait; it reports
	// whether that happened.
	send := func(flags int) (wouldWait bool) {
		var dgrams, bytes uint64
		defer func() {
			srv.st.dgramsOut.Add(dgrams)
			srv.st.bytesOut.Add(bytes)
		}()
		for len(idx) > 0 {
			m, err := s.SendMMsg(b, idx, flags)
			for _, i := range idx[:m] {
				dgrams++
				bytes += uint64(b.N[i])
			}
			idx = idx[m:]
			if err != nil {
				switch {
				case errors.Is(err, unix.EAGAIN) && flags&unix.MSG_DONTWAIT != 0:
					return true
				case errors.Is(err, unix.EBADF):
					closed = true
					return false
				case errors.Is(err, unix.EACCES):
					// The kernel refuses to send to a (subnet) broadcast
					// address without SO_BROADCAST: that source was one.
					srv.st.drop(dropBroadcast)
				default:
					srv.st.drop(dropSendError)
				}
				idx = idx[1:]
			}
		}
		return false
	}
	echo := func(n int) bool {
		idx = srv.admitDgrams(b, n, &kernelDrops, idxs[:0])
		if pktinfo {
			for _, i := range idx {
				b.SendControl[i] = replySource(b.SendControl[i][:0], b.Control[i][:b.ControlN[i]])
			}
		}
		if shared {
			return false // send outside: the next loop may receive meanwhile
		}
		return !send(unix.MSG_DONTWAIT) && !closed
	}
	for {
		err := s.RecvMMsgLoop(b, 0, echo)
		if len(idx) > 0 && !closed {
			send(0)
		}
		if closed {
			return nil
		}
		if err != nil {
			switch {
			case errors.Is(err, unix.EBADF):
				return nil
			case errors.Is(err, os.ErrDeadlineExceeded):
				return nil
			case errors.Is(err, unix.EINTR), errors.Is(err, unix.ECONNREFUSED), errors.Is(err, unix.ENOBUFS), errors.Is(err, unix.ENOMEM):
				continue
			}
			return err
		}
	}
}

// admitDgrams counts the n datagrams received in b and appends to idx
// those to echo: not too long, from a source the guard and the rate limit
// allow. kernelDrops is the socket's SO_RXQ_OVFL count when last seen.
func (srv *server) admitDgrams(b *sockcore.MMsgBatch, n int, kernelDrops *uint32, idx []int) []int {
	var bytes uint64
	var now time.Time // read once a batch, when the rate limit needs it
	for i := range n {
		if b.Control != nil {
			if d, ok := sockcore.FindControl(b.Control[i][:b.ControlN[i]], unix.SOL_SOCKET, unix.SO_RXQ_OVFL); ok && len(d) >= 4 {
				if v := binary.NativeEndian.Uint32(d); v != *kernelDrops {
					srv.st.drops[dropRcvbuf].Add(uint64(v - *kernelDrops))
					*kernelDrops = v
				}
			}
		}
		bytes += uint64(b.N[i])
		if b.N[i] > srv.cfg.maxDatagram || b.Flags[i]&unix.MSG_TRUNC != 0 {
			srv.st.drop(dropOversize)
			continue
		}
		if srv.cfg.discard {
			continue
		}
		src, reason := guard(b.Name(i))
		if reason != dropNone {
			srv.st.drop(reason)
			continue
		}
		if src.IsValid() && srv.limiter.rate > 0 {
			if now.IsZero() {
				now = time.Now()
			}
			if !srv.limiter.allow(src, now) {
				srv.st.drop(dropRate)
				continue
			}
		}
		idx = append(idx, i)
	}
	srv.st.dgramsIn.Add(uint64(n))
	srv.st.bytesIn.Add(bytes)
	return idx
}

// guard applies the inetd echo rules to a raw source sockaddr: no replies
// to ports below 1024 (another service, an echo loop with chargen or
// echo itself) and none to broadcast, multicast or unspecified sources
// (reflection). It returns the source IP for the rate limit.
func guard(raw []byte) (netip.Addr, dropReason) {
	if len(raw) < 2 {
		return netip.Addr{}, dropNoAddress
	}
	var ip netip.Addr
	var port uint16
	switch binary.NativeEndian.Uint16(raw) {
	case unix.AF_INET:
		if len(raw) < 8 {
			return ip, dropNoAddress
		}
		port = binary.BigEndian.Uint16(raw[2:])
		ip = netip.AddrFrom4([4]byte(raw[4:8]))
	case unix.AF_INET6:
		if len(raw) < 24 {
			return ip, dropNoAddress
		}
		port = binary.BigEndian.Uint16(raw[2:])
		ip = netip.AddrFrom16([16]byte(raw[8:24])).Unmap()
	case unix.AF_UNIX:
		if len(raw) <= 2 {
			return ip, dropNoAddress // an unbound client cannot be answered
		}
		return ip, dropNone
	default:
		return ip, dropNone
	}
	switch {
	case ip.IsMulticast():
		return ip, dropMulticast
	case ip.IsUnspecified() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return ip, dropBroadcast
	case port < 1024:
		return ip, dropLowPort
	}
	return ip, dropNone
}

// rateLimiter is a token bucket per source (sourceKey: an IPv4 address or
// an IPv6 /64, so that a host cannot rotate through its /64 around it):
// rate datagrams per second with a burst of one second's worth (at least
// one datagram). The table holds at most max sources; a new source beyond
// them evicts the one heard from longest ago, so that a flood of new
// sources costs the sources that are active nothing (clearing the whole
// table handed every limited source a fresh burst).
type rateLimiter struct {
	rate    float64
	max     int
	mu      sync.Mutex
	buckets map[netip.Addr]*list.Element // of *bucket
	lru     list.List                    // front: heard from last
}

type bucket struct {
	src    netip.Addr
	tokens float64
	last   time.Time
}

// maxSources bounds the table.
const maxSources = 65536

func newRateLimiter(rate float64) *rateLimiter {
	return &rateLimiter{rate: rate, max: maxSources, buckets: map[netip.Addr]*list.Element{}}
}

func (r *rateLimiter) allow(ip netip.Addr, now time.Time) bool {
	if r.rate <= 0 {
		return true
	}
	src := sourceKey(ip)
	burst := max(r.rate, 1)
	r.mu.Lock()
	defer r.mu.Unlock()
	var b *bucket
	if e := r.buckets[src]; e != nil {
		r.lru.MoveToFront(e)
		b = e.Value.(*bucket)
	} else {
		if len(r.buckets) >= r.max {
			oldest := r.lru.Back()
			delete(r.buckets, oldest.Value.(*bucket).src)
			r.lru.Remove(oldest)
		}
		b = &bucket{src: src, tokens: burst, last: now}
		r.buckets[src] = r.lru.PushFront(b)
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*r.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// wildcardBound says whether s is an IPv4 or IPv6 socket bound to the
// unspecified address.
func wildcardBound(s *sockcore.Socket) bool {
	a, err := s.SockName()
	if err != nil {
		return false
	}
	raw, err := sockcore.EncodeSockaddr(a)
	if err != nil {
		return false
	}
	var ip []byte
	switch {
	case s.Family() == unix.AF_INET && len(raw) >= 8:
		ip = raw[4:8]
	case s.Family() == unix.AF_INET6 && len(raw) >= 24:
		ip = raw[8:24]
	default:
		return false
	}
	for _, c := range ip {
		if c != 0 {
			return false
		}
	}
	return true
}

// replySource appends to dst (empty, with room for an IPv6 packet-info
// message) the control message that makes a reply leave from the address
// the datagram whose control messages are ctl came to: IP_PKTINFO with the
// kernel's local address for it (ipi_spec_dst: the destination, or an
// interface's own address for a broadcast), else IPV6_PKTINFO with the
// destination and, for a link-local one, its interface. Nothing when ctl
// has neither or the destination was multicast.
func replySource(dst, ctl []byte) []byte {
	var v4, v6 []byte
	for m := range sockcore.ControlSeq(ctl) {
		switch {
		case m.Level == unix.SOL_IP && m.Type == unix.IP_PKTINFO && len(m.Data) >= unix.SizeofInet4Pktinfo:
			v4 = m.Data // struct in_pktinfo: ifindex, spec_dst, addr
		case m.Level == unix.SOL_IPV6 && m.Type == unix.IPV6_PKTINFO && len(m.Data) >= unix.SizeofInet6Pktinfo:
			v6 = m.Data // struct in6_pktinfo: addr, ifindex
		}
	}
	switch {
	case v4 != nil:
		return cmsg(dst, unix.SOL_IP, unix.IP_PKTINFO, unix.SizeofInet4Pktinfo, func(out []byte) {
			copy(out[4:8], v4[4:8])
		})
	case v6 != nil:
		addr := netip.AddrFrom16([16]byte(v6[:16]))
		if addr.Unmap().IsMulticast() {
			return dst
		}
		return cmsg(dst, unix.SOL_IPV6, unix.IPV6_PKTINFO, unix.SizeofInet6Pktinfo, func(out []byte) {
			copy(out[:16], v6[:16])
			if addr.IsLinkLocalUnicast() {
				copy(out[16:20], v6[16:20])
			}
		})
	}
	return dst
}

// cmsg appends to dst a control message of n data bytes, zeroed, then
// filled by fill.
func cmsg(dst []byte, level, typ int32, n int, fill func(data []byte)) []byte {
	space := unix.CmsgSpace(n)
	if cap(dst)-len(dst) < space {
		return dst
	}
	m := dst[len(dst) : len(dst)+space]
	clear(m)
	binary.NativeEndian.PutUint64(m, uint64(unix.CmsgLen(n)))
	binary.NativeEndian.PutUint32(m[8:], uint32(level))
	binary.NativeEndian.PutUint32(m[12:], uint32(typ))
	fill(m[16 : 16+n])
	return dst[:len(dst)+space]
}
