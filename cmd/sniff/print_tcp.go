package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// TCP (tcpdump's print-tcp.c).

func printTCP(c *pctx, data []byte) {
	// The header is decoded here: gopacket rejects a segment whose
	// options are malformed, which tcpdump prints with "[bad opt]".
	t := &c.d.ly.tcp
	if len(data) < 4 {
		c.trunc("tcp")
		return
	}
	t.SrcPort, t.DstPort = layers.TCPPort(binary.BigEndian.Uint16(data)), layers.TCPPort(binary.BigEndian.Uint16(data[2:]))
	c.sport, c.dport = uint16(t.SrcPort), uint16(t.DstPort)
	c.f["proto"], c.f["sport"], c.f["dport"] = "TCP", int(t.SrcPort), int(t.DstPort)
	if len(data) < 20 {
		c.ends()
		c.b.WriteString(" [|tcp]")
		return
	}
	hlen := int(data[12]>>4) * 4
	if hlen < 20 {
		c.ends()
		fmt.Fprintf(c.b, " tcp %d [bad hdr length %d - too short, < 20]", c.l4-hlen, hlen)
		return
	}
	t.Seq, t.Ack = binary.BigEndian.Uint32(data[4:]), binary.BigEndian.Uint32(data[8:])
	f := data[13]
	t.FIN, t.SYN, t.RST, t.PSH = f&0x01 != 0, f&0x02 != 0, f&0x04 != 0, f&0x08 != 0
	t.ACK, t.URG, t.ECE, t.CWR = f&0x10 != 0, f&0x20 != 0, f&0x40 != 0, f&0x80 != 0
	t.Window, t.Checksum, t.Urgent = binary.BigEndian.Uint16(data[14:]), binary.BigEndian.Uint16(data[16:]), binary.BigEndian.Uint16(data[18:])
	if hlen > len(data) { // options cut short by the capture
		t.Contents, t.Payload = data, nil
	} else {
		t.Contents, t.Payload = data[:hlen], data[hlen:]
	}
	c.ends()
	var base tcpBase
	rev := false
	seq, ack := t.Seq, t.Ack
	if !c.d.absSeq && t.ACK {
		seq, ack, base, rev = c.d.relativeSeq(t, c.src, c.dst)
	}
	n := c.l4 - hlen // the payload's length on the wire
	if n < 0 {
		n = len(t.Payload)
	}
	if !c.tcpText(t, seq, ack, n, hlen) {
		return
	}
	if !c.tcpOptions(data[20:min(hlen, len(data))], hlen-20, f, base, rev) {
		return
	}
	c.b.WriteString(", length ")
	c.b.WriteString(strconv.Itoa(n))
	if n == 0 || c.d.quiet {
		return
	}
	c.length = n
	c.nextPort(tcpSpace, t.Payload)
}

// ends writes "src.sport > dst.dport: " without allocating.
// With IPv6 extension headers the addresses are printed already: the
// ports alone ("35083 > 9: ").
func (c *pctx) ends() {
	var buf [128]byte
	o := buf[:0]
	if !c.addrs {
		o = append(appendIP(o, c.src), '.')
	}
	o = strconv.AppendUint(o, uint64(c.sport), 10)
	o = append(o, " > "...)
	if !c.addrs {
		o = append(appendIP(o, c.dst), '.')
	}
	o = strconv.AppendUint(o, uint64(c.dport), 10)
	o = append(o, ": "...)
	c.b.Write(o)
}

// appendIP appends an address as net.IP.String does, without allocating.
func appendIP(dst []byte, ip net.IP) []byte {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return append(dst, ip.String()...)
	}
	return a.Unmap().AppendTo(dst)
}

// tcpConv names a TCP conversation in both directions: the lower address
// (then port) first, as tcpdump collates them.
type tcpConv struct {
	lo, hi [16]byte
	ports  uint32
}

// tcpBase is a conversation's first sequence numbers: seq of the lo side,
// ack that the lo side's packets carry minus one.
type tcpBase struct{ seq, ack uint32 }

// relativeSeq returns the current TCP segment's seq and ack relative to the
// conversation, as tcpdump prints them without -S: the first packet with
// ACK set (the SYN-ACK, or the first one seen mid-stream) and every SYN
// record the conversation's numbers and print them whole; later packets
// print the difference. base and rev are what SACK blocks count from.
func (d *decoder) relativeSeq(t *layers.TCP, src, dst net.IP) (seq, ack uint32, base tcpBase, rev bool) {
	var k tcpConv
	s4, d4 := src.To4(), dst.To4()
	a, z := []byte(src.To16()), []byte(dst.To16())
	if s4 != nil && d4 != nil {
		a, z = s4, d4
	}
	c := bytes.Compare(a, z)
	rev = c > 0 || (c == 0 && t.SrcPort > t.DstPort)
	if rev {
		copy(k.lo[:], z)
		copy(k.hi[:], a)
		k.ports = uint32(t.DstPort)<<16 | uint32(t.SrcPort)
	} else {
		copy(k.lo[:], a)
		copy(k.hi[:], z)
		k.ports = uint32(t.SrcPort)<<16 | uint32(t.DstPort)
	}
	if d.tcpSeq == nil {
		d.tcpSeq = map[tcpConv]tcpBase{}
	}
	base, ok := d.tcpSeq[k]
	if !ok || t.SYN {
		if rev {
			base = tcpBase{seq: t.Ack - 1, ack: t.Seq}
		} else {
			base = tcpBase{seq: t.Seq, ack: t.Ack - 1}
		}
		d.tcpSeq[k] = base
		return t.Seq, t.Ack, base, rev
	}
	if rev {
		return t.Seq - base.ack, t.Ack - base.seq, base, rev
	}
	return t.Seq - base.seq, t.Ack - base.ack, base, rev
}

// tcpText writes the flags, checksum, sequence numbers and window.
// It is false when the header length is longer than the segment: tcpdump
// stops after the flags.
func (c *pctx) tcpText(t *layers.TCP, seq, ack uint32, n, hlen int) bool {
	b := c.b
	var flags [9]byte
	fl := flags[:0]
	for _, f := range []struct {
		on bool
		c  byte
	}{{t.FIN, 'F'}, {t.SYN, 'S'}, {t.RST, 'R'}, {t.PSH, 'P'}, {t.ACK, '.'}, {t.URG, 'U'}, {t.ECE, 'E'}, {t.CWR, 'W'}} {
		if f.on {
			fl = append(fl, f.c)
		}
	}
	b.WriteString("Flags [")
	if len(fl) == 0 {
		b.WriteString("none")
	}
	b.Write(fl)
	b.WriteByte(']')
	if hlen > c.l4 {
		fmt.Fprintf(c.b, " [bad hdr length %d - too long, > %d]", hlen, c.l4)
		return false
	}
	b.WriteString(c.tcpChecksum())
	var buf [64]byte
	if c.d.vv || t.SYN || t.FIN || t.RST || n > 0 { // -vv: the seq of a bare ACK too
		o := strconv.AppendUint(append(buf[:0], ", seq "...), uint64(seq), 10)
		if n > 0 {
			o = strconv.AppendUint(append(o, ':'), uint64(seq+uint32(n)), 10)
		}
		b.Write(o)
	}
	if t.ACK {
		b.Write(strconv.AppendUint(append(buf[:0], ", ack "...), uint64(ack), 10))
	}
	b.Write(strconv.AppendUint(append(buf[:0], ", win "...), uint64(t.Window), 10))
	if t.URG {
		b.Write(strconv.AppendUint(append(buf[:0], ", urg "...), uint64(t.Urgent), 10))
	}
	return true
}

// tcpOptionNames is tcpdump's tcp_option_values.
var tcpOptionNames = map[byte]string{0: "eol", 1: "nop", 2: "mss", 3: "wscale", 4: "sackOK", 5: "sack",
	6: "echo", 7: "echoreply", 8: "TS", 11: "cc", 12: "ccnew", 13: "", 19: "md5", 20: "scps", 28: "uto",
	29: "tcp-ao", 30: "mptcp", 34: "tfo", 254: "exp"}

// tcpOptions writes the options as tcpdump does: each by name with its
// data, "[len N]" when its length is not the expected one, "[bad opt]"
// for one longer than the header, SACK blocks relative to the
// conversation as the sequence numbers are. o is what was captured of
// the hl bytes of options; false when the capture ends inside them
// (tcpdump's mark printed).
func (c *pctx) tcpOptions(o []byte, hl int, flags byte, base tcpBase, rev bool) bool {
	if hl == 0 {
		return true
	}
	b := c.b
	b.WriteString(", options [")
	for first := true; hl > 0; first = false {
		if !first {
			b.WriteByte(',')
		}
		if len(o) < 1 || len(o) < 2 && hl >= 2 && o[0] > 1 {
			// The kind or length byte is not captured: the mark alone.
			c.b.WriteString(" [|tcp]")
			return false
		}
		kind := o[0]
		l := 1
		if kind > 1 {
			if hl < 2 || o[1] < 2 || int(o[1]) > hl {
				c.badOpt(first)
				return false
			}
			l = int(o[1])
			if l > len(o) {
				if name, ok := tcpOptionNames[kind]; ok {
					b.WriteString(name)
				} else {
					fmt.Fprintf(b, "unknown-%d", kind)
				}
				c.optTrunc(first)
				return false
			}
		}
		if name, ok := tcpOptionNames[kind]; ok {
			b.WriteString(name)
		} else {
			b.WriteString("unknown-")
			b.WriteString(strconv.Itoa(int(kind)))
		}
		d := o[min(2, l):l]
		want := len(d) // the data the option's kind has
		bad := false
		switch kind {
		case 0, 1:
			want = 0
		case 4:
			want = 0
		case 2:
			want = 2
			if bad = len(d) < 2; !bad {
				fmt.Fprintf(b, " %d", binary.BigEndian.Uint16(d))
			}
		case 3:
			want = 1
			if bad = len(d) < 1; !bad {
				fmt.Fprintf(b, " %d", d[0])
			}
		case 5:
			if len(d)%8 != 0 {
				b.WriteString(" invalid sack")
				break
			}
			fmt.Fprintf(b, " %d ", len(d)/8)
			for i := 0; i+8 <= len(d); i += 8 {
				s, e := binary.BigEndian.Uint32(d[i:]), binary.BigEndian.Uint32(d[i+4:])
				if rev {
					s, e = s-base.seq, e-base.seq
				} else {
					s, e = s-base.ack, e-base.ack
				}
				fmt.Fprintf(b, "{%d:%d}", s, e)
			}
		case 6, 7, 11, 12, 13:
			want = 4
			if bad = len(d) < 4; !bad {
				fmt.Fprintf(b, " %d", binary.BigEndian.Uint32(d))
			}
		case 8:
			want = 8
			if bad = len(d) < 8; !bad {
				fmt.Fprintf(b, " val %d ecr %d", binary.BigEndian.Uint32(d), binary.BigEndian.Uint32(d[4:]))
			}
		case 19:
			want = 16
			if bad = len(d) < 16; !bad {
				b.WriteString(" " + hex.EncodeToString(d[:16]))
			}
		case 28:
			want = 2
			if bad = len(d) < 2; !bad {
				v := binary.BigEndian.Uint16(d)
				fmt.Fprintf(b, " 0x%x", v)
				if v&1 != 0 {
					fmt.Fprintf(b, " %d", (v>>1)*60)
				} else {
					fmt.Fprintf(b, " %d", v>>1)
				}
			}
		case 30:
			if !mptcpOption(b, o[:l], flags) {
				c.badOpt(first)
				return false
			}
		case 34:
			b.WriteByte(' ')
			tfoOption(b, d, false)
		case 254:
			if len(d) < 2 {
				c.badOpt(first)
				return false
			}
			b.WriteByte('-')
			if m := binary.BigEndian.Uint16(d); m == 0xf989 {
				tfoOption(b, d[2:], true)
			} else {
				fmt.Fprintf(b, "%04x", m)
			}
		default:
			if len(d) > 0 {
				b.WriteString(" 0x" + hex.EncodeToString(d))
			}
		}
		if bad {
			c.badOpt(first)
			return false
		}
		if kind > 1 && want+2 != l || kind <= 1 && l != 1 {
			fmt.Fprintf(b, "[len %d]", l)
		}
		o, hl = o[l:], hl-l
		if kind == 0 {
			break
		}
	}
	b.WriteByte(']')
	return true
}

// optTrunc ends the options where the capture does: tcpdump's mark, and
// ">" after a first option.
func (c *pctx) optTrunc(first bool) {
	c.b.WriteString(" [|tcp]")
	if !first {
		c.b.WriteByte('>')
	}
}

// badOpt ends the options where one is malformed, as tcpdump does: the
// bracket is closed only after a first good option.
func (c *pctx) badOpt(first bool) {
	c.b.WriteString("[bad opt]")
	if !first {
		c.b.WriteByte(']')
	}
}

// tfoOption is a TCP Fast Open cookie or cookie request.
func tfoOption(b *strings.Builder, d []byte, exp bool) {
	if exp {
		b.WriteString("tfo")
	}
	switch {
	case len(d) == 0:
		b.WriteString(" cookiereq")
	case len(d)%2 != 0 || len(d) < 4 || len(d) > 16:
		b.WriteString(" (invalid)")
	default:
		b.WriteString(" cookie " + hex.EncodeToString(d))
	}
}
