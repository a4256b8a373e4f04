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
// --idle-timeout, until idle).
func (srv *server) dgramLoop(l *listener) error {
	s := l.s
	if srv.cfg.idleTimeout > 0 && l.idleExit {
		s.SetTimeout(srv.cfg.idleTimeout) // inetd wait mode: exit when idle
	} else {
		s.SetTimeout(sockcore.Forever)
	}
	// One byte more than the limit, so that a longer datagram shows as
	// too long rather than cut to size.
	b := sockcore.NewMMsgBatch(batchSize, srv.cfg.maxDatagram+1)
	idx := make([]int, 0, batchSize)
	for {
		n, err := s.RecvMMsg(b, 0)
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
		idx = idx[:0]
		now := time.Now()
		for i := range n {
			srv.st.dgramsIn.Add(1)
			srv.st.bytesIn.Add(uint64(b.N[i]))
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
			if src.IsValid() && !srv.limiter.allow(src, now) {
				srv.st.drop(dropRate)
				continue
			}
			idx = append(idx, i)
		}
		for len(idx) > 0 {
			m, err := s.SendMMsg(b, idx, 0)
			for _, i := range idx[:m] {
				srv.st.dgramsOut.Add(1)
				srv.st.bytesOut.Add(uint64(b.N[i]))
			}
			idx = idx[m:]
			if err != nil {
				if errors.Is(err, unix.EBADF) {
					return nil
				}
				// The kernel refuses to send to a (subnet) broadcast
				// address without SO_BROADCAST: that source was one.
				if errors.Is(err, unix.EACCES) {
					srv.st.drop(dropBroadcast)
				} else {
					srv.st.drop(dropSendError)
				}
				idx = idx[1:]
			}
		}
	}
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
