package main

import (
	"encoding/binary"
	"strings"
)

// tcpdump's printers read fields with its GET_ macros, which end the
// packet's text with " [|proto]" when the capture ends before the field.
// fields is the same for the printers written in that style: a read past
// the captured bytes panics with truncated, which guard turns into the
// mark.

// truncated is the panic of a read past the capture: the name of the
// protocol tcpdump names in its mark.
type truncated string

// fields reads big-endian fields of a captured span, by offset.
type fields struct {
	p     []byte
	proto string
}

// need panics with truncated unless n bytes from o were captured.
func (f fields) need(o, n int) {
	if o < 0 || n < 0 || o+n > len(f.p) {
		panic(truncated(f.proto))
	}
}

func (f fields) u8(o int) byte {
	f.need(o, 1)
	return f.p[o]
}

func (f fields) u16(o int) uint16 {
	f.need(o, 2)
	return binary.BigEndian.Uint16(f.p[o:])
}

func (f fields) u24(o int) uint32 {
	f.need(o, 3)
	return uint32(f.p[o])<<16 | uint32(f.p[o+1])<<8 | uint32(f.p[o+2])
}

func (f fields) u32(o int) uint32 {
	f.need(o, 4)
	return binary.BigEndian.Uint32(f.p[o:])
}

func (f fields) u64(o int) uint64 {
	f.need(o, 8)
	return binary.BigEndian.Uint64(f.p[o:])
}

// bytes is n bytes from o.
func (f fields) bytes(o, n int) []byte {
	f.need(o, n)
	return f.p[o : o+n]
}

// guard runs print, and ends the text with " [|proto]" when it reads past
// the capture.
func (c *pctx) guard(print func()) {
	defer func() {
		if r := recover(); r != nil {
			t, ok := r.(truncated)
			if !ok {
				panic(r)
			}
			c.b.WriteString(" [|" + string(t) + "]")
		}
	}()
	print()
}

// jnp writes the NUL-padded string of n bytes from o as tcpdump's
// nd_printjnp: each byte as fn_print_char does up to the first NUL,
// reading as far as the capture goes.
func (f fields) jnp(b *strings.Builder, o, n int) {
	for i := range n {
		ch := f.u8(o + i)
		if ch == 0 {
			return
		}
		fnPrint(b, []byte{ch})
	}
}

// guardJmp is guard for the printers tcpdump 4.99.3 reads only with GET_
// macros, whose read past the capture longjmps out of every printer: -x
// then shows the whole packet, link layer included.
func (c *pctx) guardJmp(print func()) {
	c.guard(func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(truncated); ok && c.depth == 0 {
					c.s.payload = c.data
				}
				panic(r)
			}
		}()
		print()
	})
}

// defaultPrint is the dump of bytes a printer cannot decode which
// tcpdump's Ethernet printer leaves to -x and -X when they are given
// (its ND_DEFAULTPRINT unless ndo_suppress_default_print).
func (c *pctx) defaultPrint(p []byte) {
	if !c.d.hexOut {
		hexASCIILines(c.b, p, "\n\t")
	}
}
