package main

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"
)

// ndBuf is the captured bytes of a packet from some layer on, read the way
// tcpdump's GET_ macros read them: a read past the capture ends the
// printer at once (tcpdump's longjmp), through a panic with ndTrunc that
// ndCatch turns into " [|proto]". Printers whose text goes on after a
// field is found short (a length check, an ND_TCHECK) test has instead.
type ndBuf []byte

// ndTrunc is what a read past the capture panics with.
type ndTrunc struct{}

// ndCatch ends a printer that read past the capture with " [|proto]", as
// tcpdump's nd_trunc_longjmp does, *proto being the name at that moment
// (tcpdump's ndo_protocol); deferred by the printer itself, for recover.
func ndCatch(c *pctx, proto *string) {
	if r := recover(); r != nil {
		if _, ok := r.(ndTrunc); !ok {
			panic(r)
		}
		c.b.WriteString(" [|" + *proto + "]")
	}
}

// ndCatchJmp is ndCatch for the printers tcpdump 4.99.3 reads only with
// GET_ macros, whose read past the capture longjmps out of every printer:
// -x then shows the whole packet, link layer included.
func ndCatchJmp(c *pctx, proto *string) {
	if r := recover(); r != nil {
		if _, ok := r.(ndTrunc); !ok {
			panic(r)
		}
		if c.depth == 0 {
			c.s.payload = c.data
		}
		c.b.WriteString(" [|" + *proto + "]")
	}
}

// has reports whether n bytes at o are captured (ND_TTEST_LEN).
func (p ndBuf) has(o, n int) bool { return o >= 0 && n >= 0 && o <= len(p) && n <= len(p)-o }

// need panics unless n bytes at o are captured.
func (p ndBuf) need(o, n int) {
	if !p.has(o, n) {
		panic(ndTrunc{})
	}
}

// avail is how many captured bytes there are from o on (ND_BYTES_AVAILABLE_AFTER).
func (p ndBuf) avail(o int) int {
	if o < 0 || o >= len(p) {
		return 0
	}
	return len(p) - o
}

func (p ndBuf) u8(o int) uint32 { p.need(o, 1); return uint32(p[o]) }

func (p ndBuf) u16(o int) uint32 { p.need(o, 2); return uint32(binary.BigEndian.Uint16(p[o:])) }

func (p ndBuf) u24(o int) uint32 {
	p.need(o, 3)
	return uint32(p[o])<<16 | uint32(binary.BigEndian.Uint16(p[o+1:]))
}

func (p ndBuf) u32(o int) uint32 { p.need(o, 4); return binary.BigEndian.Uint32(p[o:]) }

func (p ndBuf) u64(o int) uint64 { p.need(o, 8); return binary.BigEndian.Uint64(p[o:]) }

func (p ndBuf) bytes(o, n int) []byte { p.need(o, n); return p[o : o+n] }

// ip4 is GET_IPADDR_STRING with -n.
func (p ndBuf) ip4(o int) string {
	p.need(o, 4)
	return netip.AddrFrom4([4]byte(p[o : o+4])).String()
}

// ip6 is GET_IP6ADDR_STRING with -n.
func (p ndBuf) ip6(o int) string {
	p.need(o, 16)
	return netip.AddrFrom16([16]byte(p[o : o+16])).String()
}

// defaultPrint is the dump of bytes a printer cannot decode which
// tcpdump's Ethernet printer leaves to -x and -X when they are given
// (its ND_DEFAULTPRINT unless ndo_suppress_default_print).
func (c *pctx) defaultPrint(p []byte) {
	if !c.d.hexOut {
		hexASCIILines(c.b, p, "\n\t")
	}
}

// jnp writes the NUL-padded string of n bytes from o as tcpdump's
// nd_printjnp: each byte as fn_print_char does up to the first NUL,
// reading as far as the capture goes.
func (p ndBuf) jnp(b *strings.Builder, o, n int) {
	for i := range n {
		ch := byte(p.u8(o + i))
		if ch == 0 {
			return
		}
		fnPrint(b, []byte{ch})
	}
}

// tok is tcpdump's tok2str: the name of v, or def (which may hold one %d,
// %u or %x-style verb for v: "unknown (%u)").
func tok[K ~uint8 | ~uint16 | ~uint32 | ~int](m map[K]string, v K, def string) string {
	if s, ok := m[v]; ok {
		return s
	}
	return tokDefault(def, uint64(v))
}

func tokDefault(def string, v uint64) string {
	for i := 0; i+1 < len(def); i++ {
		if def[i] != '%' {
			continue
		}
		j := i + 1
		width, pad := 0, false
		if def[j] == '0' {
			pad = true
			j++
		}
		for j < len(def) && def[j] >= '0' && def[j] <= '9' {
			width = width*10 + int(def[j]-'0')
			j++
		}
		if j >= len(def) {
			break
		}
		var s string
		switch def[j] {
		case 'u', 'd':
			s = strconv.FormatUint(v, 10)
		case 'x':
			s = strconv.FormatUint(v, 16)
		default:
			continue
		}
		for len(s) < width {
			if pad {
				s = "0" + s
			} else {
				s = " " + s
			}
		}
		return def[:i] + s + def[j+1:]
	}
	return def
}
