package sockcore

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ifaceAddr is glibc's in6addrinfo: one interface address (IPv4 as
// v4-mapped) with its prefix length, flags and interface index.
type ifaceAddr struct {
	addr       [16]byte
	prefixlen  int
	deprecated bool // IFA_F_DEPRECATED or IFA_F_OPTIMISTIC
	home       bool // IFA_F_HOMEADDRESS
	index      uint32
}

// ifaceAddrs is what glibc's __check_pf learns from netlink RTM_GETADDR.
type ifaceAddrs struct {
	seen4, seen6 bool // a non-loopback address of the family exists
	addrs        []ifaceAddr
	linkTypes    map[uint32]uint16 // ifindex -> ARPHRD_*, read lazily
}

// loadIfaceAddrs dumps the addresses of the current network namespace
// with netlink RTM_GETADDR, as __check_pf does.
func loadIfaceAddrs() *ifaceAddrs {
	out := &ifaceAddrs{}
	netlinkDump(unix.RTM_GETADDR, unix.RTM_NEWADDR, unix.SizeofIfAddrmsg, func(body []byte) {
		ifa := (*unix.IfAddrmsg)(unsafe.Pointer(&body[0]))
		var local, address []byte
		flags := uint32(ifa.Flags)
		rtAttrs(body[unix.SizeofIfAddrmsg:], func(typ uint16, val []byte) {
			switch typ {
			case unix.IFA_LOCAL:
				local = val
			case unix.IFA_ADDRESS:
				address = val
			case unix.IFA_FLAGS:
				if len(val) >= 4 {
					flags = binary.NativeEndian.Uint32(val)
				}
			}
		})
		if local != nil {
			address = local
		}
		e := ifaceAddr{prefixlen: int(ifa.Prefixlen), index: ifa.Index,
			deprecated: flags&(unix.IFA_F_DEPRECATED|unix.IFA_F_OPTIMISTIC) != 0,
			home:       flags&unix.IFA_F_HOMEADDRESS != 0}
		switch {
		case ifa.Family == unix.AF_INET && len(address) == 4:
			if [4]byte(address) != [4]byte{127, 0, 0, 1} {
				out.seen4 = true
			}
			e.addr = netip.AddrFrom4([4]byte(address)).As16()
			e.addr[10], e.addr[11] = 0xff, 0xff
		case ifa.Family == unix.AF_INET6 && len(address) == 16:
			if netip.AddrFrom16([16]byte(address)) != netip.IPv6Loopback() {
				out.seen6 = true
			}
			e.addr = [16]byte(address)
		default:
			return
		}
		out.addrs = append(out.addrs, e)
	})
	return out
}

func (s *ifaceAddrs) find(a [16]byte) (ifaceAddr, bool) {
	for _, e := range s.addrs {
		if e.addr == a {
			return e, true
		}
	}
	return ifaceAddr{}, false
}

// native reports whether the interface is not a tunnel (__check_native:
// ARPHRD_TUNNEL, ARPHRD_TUNNEL6 and ARPHRD_SIT are not native).
func (s *ifaceAddrs) native(index uint32) bool {
	if s.linkTypes == nil {
		s.linkTypes = map[uint32]uint16{}
		netlinkDump(unix.RTM_GETLINK, unix.RTM_NEWLINK, unix.SizeofIfInfomsg, func(body []byte) {
			ifi := (*unix.IfInfomsg)(unsafe.Pointer(&body[0]))
			s.linkTypes[uint32(ifi.Index)] = ifi.Type
		})
	}
	t, ok := s.linkTypes[index]
	if !ok {
		return false
	}
	return t != unix.ARPHRD_TUNNEL && t != unix.ARPHRD_TUNNEL6 && t != unix.ARPHRD_SIT
}

// sortResult is glibc's struct sort_result.
type sortResult struct {
	dst       netip.Addr // 16-byte form; IPv4 as v4-mapped
	dstFamily int
	src       netip.Addr // 16-byte form; IPv4 as v4-mapped
	srcFamily int
	gotSrc    bool
	deprec    bool
	home      bool
	prefixlen int
	index     uint32
}

// sourceFor finds the source address the kernel picks for dst: connect a
// UDP socket and read its name, as glibc does.
func sourceFor(fd int, a Addr) (Addr, bool) {
	raw, err := EncodeSockaddr(a)
	if err != nil {
		return nil, false
	}
	p, n := sockaddrPtr(raw)
	if _, _, e := unix.Syscall(unix.SYS_CONNECT, uintptr(fd), uintptr(p), n); e != 0 {
		return nil, false
	}
	var buf rawBuf
	l := uint32(len(buf))
	if _, _, e := unix.Syscall(unix.SYS_GETSOCKNAME, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&l))); e != 0 {
		return nil, false
	}
	src, err := DecodeSockaddr(buf[:l])
	if err != nil || src == nil {
		return nil, false
	}
	return src, true
}

func addr16(a Addr) (netip.Addr, int) {
	switch a := a.(type) {
	case *InetAddr:
		return netip.AddrFrom16(a.IP.Unmap().As16()), unix.AF_INET
	case *Inet6Addr:
		return netip.AddrFrom16(a.IP.As16()), unix.AF_INET6
	}
	return netip.Addr{}, 0
}

// rfc3484Sort orders results as glibc's getaddrinfo does: the source
// address of each destination from a connected UDP socket, the interface
// data from netlink, then rfc3484_sort's rules 1-10 applied with glibc's
// merge sort (msort), so that even its non-transitive cases come out the
// same.
func rfc3484Sort(in []AddrInfo, ifs *ifaceAddrs, conf gaiConf) []AddrInfo {
	results := make([]sortResult, len(in))
	fd, af := -1, 0
	defer func() {
		if fd >= 0 {
			unix.Close(fd)
		}
	}()
	for i, ai := range in {
		r := &results[i]
		r.dst, r.dstFamily = addr16(ai.Addr)
		r.index = 0xffffffff
		if i > 0 && sameSockaddr(in[i-1].Addr, ai.Addr) {
			prev := results[i-1]
			r.src, r.srcFamily, r.gotSrc = prev.src, prev.srcFamily, prev.gotSrc
			r.deprec, r.home, r.prefixlen, r.index = prev.deprec, prev.home, prev.prefixlen, prev.index
			continue
		}
		if fd == -1 || af == unix.AF_INET && ai.Family == unix.AF_INET6 {
			if fd != -1 {
				unix.Close(fd)
			}
			af = ai.Family
			fd, _ = unix.Socket(af, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.IPPROTO_IP)
		} else {
			// Reset the association (connect to AF_UNSPEC).
			unspec := [16]byte{}
			unix.Syscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&unspec[0])), 16)
		}
		if fd == -1 {
			continue
		}
		// An IPv4 destination on glibc's IPv6 socket is connected as the
		// sockaddr_in it is; Linux treats that as an IPv4 connect.
		dst := ai.Addr
		src, ok := sourceFor(fd, dst)
		if !ok && af == unix.AF_INET6 && ai.Family == unix.AF_INET {
			// An IPv6-only socket: retry with an IPv4 one.
			unix.Close(fd)
			af = unix.AF_INET
			fd, _ = unix.Socket(af, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.IPPROTO_IP)
			if fd == -1 {
				continue
			}
			src, ok = sourceFor(fd, dst)
		}
		if !ok {
			continue
		}
		r.gotSrc = true
		s16, _ := addr16(src)
		key := s16.As16()
		r.src, r.srcFamily = s16, ai.Family
		if ai.Family == unix.AF_INET {
			// glibc takes the last four bytes of whatever the socket
			// reports (an IPv6 socket reports v4-mapped; a kernel that
			// ignores the IPv4 connect reports its IPv6 source).
			v4 := [16]byte{10: 0xff, 11: 0xff}
			copy(v4[12:], key[12:])
			r.src = netip.AddrFrom16(v4)
			if af == unix.AF_INET {
				key = v4
				if key[12] == 127 {
					key[13], key[14], key[15] = 0, 0, 1
				}
			}
		}
		if f, ok := ifs.find(key); ok {
			r.deprec, r.home, r.prefixlen, r.index = f.deprecated, f.home, f.prefixlen, f.index
		}
	}
	order := make([]int, len(in))
	for i := range order {
		order[i] = i
	}
	natives := map[uint32]bool{}
	native := func(idx uint32) bool {
		v, ok := natives[idx]
		if !ok {
			v = ifs.native(idx)
			natives[idx] = v
		}
		return v
	}
	cmp := func(i1, i2 int) int { return rfc3484Compare(&results[i1], &results[i2], i1, i2, conf, native) }
	msort(order, cmp)
	out := make([]AddrInfo, len(in))
	canon := in[0].CanonName
	for i, k := range order {
		out[i] = in[k]
		out[i].CanonName = ""
	}
	out[0].CanonName = canon
	return out
}

func sameSockaddr(a, b Addr) bool {
	ra, err1 := EncodeSockaddr(a)
	rb, err2 := EncodeSockaddr(b)
	return err1 == nil && err2 == nil && string(ra) == string(rb)
}

// msort is glibc's msort_with_tmp: a top-down merge sort that takes from
// the left run when cmp <= 0.
func msort(b []int, cmp func(a, b int) int) {
	if len(b) <= 1 {
		return
	}
	n1 := len(b) / 2
	left := append([]int{}, b[:n1]...)
	right := b[n1:]
	msort(left, cmp)
	msort(right, cmp)
	tmp := make([]int, 0, len(b))
	i, j := 0, 0
	for i < len(left) && j < len(right) {
		if cmp(left[i], right[j]) <= 0 {
			tmp = append(tmp, left[i])
			i++
		} else {
			tmp = append(tmp, right[j])
			j++
		}
	}
	tmp = append(tmp, left[i:]...)
	tmp = append(tmp, right[j:]...)
	copy(b, tmp)
}

// scopeOf is glibc's get_scope.
func scopeOf(a netip.Addr, family int, conf gaiConf) int {
	if family == unix.AF_INET {
		b := a.Unmap().As4()
		v := binary.BigEndian.Uint32(b[:])
		for _, s := range conf.Scopes {
			if v&s.Mask == s.Addr {
				return s.Scope
			}
		}
		return 14
	}
	b := a.As16()
	switch {
	case b[0] == 0xff:
		return int(b[1] & 0xf)
	case b[0] == 0xfe && b[1]&0xc0 == 0x80, a == netip.IPv6Loopback():
		return 2
	case b[0] == 0xfe && b[1]&0xc0 == 0xc0:
		return 5
	}
	return 14
}

// matchPrefix is glibc's match_prefix: the first entry containing a (IPv4
// as v4-mapped).
func matchPrefix(a netip.Addr, list []prefixEntry, def int) int {
	a = netip.AddrFrom16(a.As16())
	for _, e := range list {
		if e.Prefix.Masked().Contains(a) {
			return e.Val
		}
	}
	return def
}

// rfc3484Compare is glibc's rfc3484_sort comparator.
func rfc3484Compare(a1, a2 *sortResult, idx1, idx2 int, conf gaiConf, native func(uint32) bool) int {
	// Rule 1: avoid unusable destinations.
	if a1.gotSrc != a2.gotSrc {
		if a1.gotSrc {
			return -1
		}
		return 1
	}
	// Rule 2: prefer matching scope.
	d1 := scopeOf(a1.dst, a1.dstFamily, conf)
	d2 := scopeOf(a2.dst, a2.dstFamily, conf)
	if a1.gotSrc {
		s1 := scopeOf(a1.src, a1.srcFamily, conf)
		s2 := scopeOf(a2.src, a2.srcFamily, conf)
		if d1 == s1 && d2 != s2 {
			return -1
		}
		if d1 != s1 && d2 == s2 {
			return 1
		}
		// Rule 3: avoid deprecated addresses.
		if !a1.deprec && a2.deprec {
			return -1
		}
		if a1.deprec && !a2.deprec {
			return 1
		}
		// Rule 4: prefer home addresses.
		if !a1.home && a2.home {
			return 1
		}
		if a1.home && !a2.home {
			return -1
		}
		// Rule 5: prefer matching label.
		l1d, l1s := matchPrefix(a1.dst, conf.Labels, 1<<31-1), matchPrefix(a1.src, conf.Labels, 1<<31-1)
		l2d, l2s := matchPrefix(a2.dst, conf.Labels, 1<<31-1), matchPrefix(a2.src, conf.Labels, 1<<31-1)
		if l1d == l1s && l2d != l2s {
			return -1
		}
		if l1d != l1s && l2d == l2s {
			return 1
		}
	}
	// Rule 6: prefer higher precedence.
	p1, p2 := matchPrefix(a1.dst, conf.Precedence, 0), matchPrefix(a2.dst, conf.Precedence, 0)
	if p1 > p2 {
		return -1
	}
	if p1 < p2 {
		return 1
	}
	// Rule 7: prefer native transport.
	if a1.gotSrc && a1.index != a2.index {
		n1, n2 := native(a1.index), native(a2.index)
		if n1 && !n2 {
			return -1
		}
		if !n1 && n2 {
			return 1
		}
	}
	// Rule 8: prefer smaller scope.
	if d1 < d2 {
		return -1
	}
	if d1 > d2 {
		return 1
	}
	// Rule 9: longest matching prefix.
	if a1.gotSrc && a1.dstFamily == a2.dstFamily {
		bit1, bit2 := 0, 0
		if a1.dstFamily == unix.AF_INET {
			bit1 = v4CommonBits(a1)
			bit2 = v4CommonBits(a2)
		} else {
			x1d, x1s, x2d, x2s := a1.dst.As16(), a1.src.As16(), a2.dst.As16(), a2.src.As16()
			for i := 0; i < 16; i += 4 {
				w1d, w1s := binary.BigEndian.Uint32(x1d[i:]), binary.BigEndian.Uint32(x1s[i:])
				w2d, w2s := binary.BigEndian.Uint32(x2d[i:]), binary.BigEndian.Uint32(x2s[i:])
				if w1d != w1s || w2d != w2s {
					bit1 = bits.LeadingZeros32(w1d ^ w1s)
					bit2 = bits.LeadingZeros32(w2d ^ w2s)
					break
				}
			}
		}
		if bit1 > bit2 {
			return -1
		}
		if bit1 < bit2 {
			return 1
		}
	}
	// Rule 10: keep the order.
	if idx1 < idx2 {
		return -1
	}
	return 1
}

// v4CommonBits is rule 9 for IPv4: the common prefix of source and
// destination, counted only when both are in the source's subnet. A
// prefix length of 0 makes glibc's shift by 32 a shift by 0 on x86-64:
// the mask is then all ones.
func v4CommonBits(r *sortResult) int {
	d4, s4 := r.dst.Unmap().As4(), r.src.Unmap().As4()
	d, s := binary.BigEndian.Uint32(d4[:]), binary.BigEndian.Uint32(s4[:])
	mask := ^uint32(0) << ((32 - r.prefixlen) & 31)
	if s&mask == d&mask {
		return bits.LeadingZeros32(d ^ s)
	}
	return 0
}
