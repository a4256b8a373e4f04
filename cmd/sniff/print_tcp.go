package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"github.com/gopacket/gopacket/layers"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// TCP (tcpdump's print-tcp.c).

func printTCP(c *pctx, data []byte) {
	t := &c.d.ly.tcp
	if t.DecodeFromBytes(data, nilDF) != nil {
		c.trunc("tcp")
		return
	}
	c.sport, c.dport = uint16(t.SrcPort), uint16(t.DstPort)
	c.f["proto"], c.f["sport"], c.f["dport"] = "TCP", int(t.SrcPort), int(t.DstPort)
	c.ends()
	seq, ack := t.Seq, t.Ack
	if !c.d.absSeq && t.ACK {
		seq, ack = c.d.relativeSeq(t, c.src, c.dst)
	}
	tcpText(c.b, t, seq, ack, c.tcpChecksum())
}

// ends writes "src.sport > dst.dport: " without allocating.
func (c *pctx) ends() {
	var buf [128]byte
	o := appendIP(buf[:0], c.src)
	o = append(o, '.')
	o = strconv.AppendUint(o, uint64(c.sport), 10)
	o = append(o, " > "...)
	o = appendIP(o, c.dst)
	o = append(o, '.')
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
// print the difference.
func (d *decoder) relativeSeq(t *layers.TCP, src, dst net.IP) (seq, ack uint32) {
	var k tcpConv
	s4, d4 := src.To4(), dst.To4()
	a, z := []byte(src.To16()), []byte(dst.To16())
	if s4 != nil && d4 != nil {
		a, z = s4, d4
	}
	c := bytes.Compare(a, z)
	rev := c > 0 || (c == 0 && t.SrcPort > t.DstPort)
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
			d.tcpSeq[k] = tcpBase{seq: t.Ack - 1, ack: t.Seq}
		} else {
			d.tcpSeq[k] = tcpBase{seq: t.Seq, ack: t.Ack - 1}
		}
		return t.Seq, t.Ack
	}
	if rev {
		return t.Seq - base.ack, t.Ack - base.seq
	}
	return t.Seq - base.seq, t.Ack - base.ack
}

func tcpText(b *strings.Builder, t *layers.TCP, seq, ack uint32, cksum string) {
	flags := ""
	for _, f := range []struct {
		on bool
		c  string
	}{{t.FIN, "F"}, {t.SYN, "S"}, {t.RST, "R"}, {t.PSH, "P"}, {t.URG, "U"}, {t.ECE, "E"}, {t.CWR, "W"}} {
		if f.on {
			flags += f.c
		}
	}
	if t.ACK {
		flags += "."
	}
	if flags == "" {
		flags = "none"
	}
	fmt.Fprintf(b, "Flags [%s]", flags)
	b.WriteString(cksum)
	n := len(t.Payload)
	if t.SYN || t.FIN || t.RST || n > 0 {
		if n > 0 {
			fmt.Fprintf(b, ", seq %d:%d", seq, seq+uint32(n))
		} else {
			fmt.Fprintf(b, ", seq %d", seq)
		}
	}
	if t.ACK {
		fmt.Fprintf(b, ", ack %d", ack)
	}
	fmt.Fprintf(b, ", win %d", t.Window)
	if t.URG {
		fmt.Fprintf(b, ", urg %d", t.Urgent)
	}
	if len(t.Options) > 0 {
		b.WriteString(", options [")
		for i, o := range t.Options {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(tcpOption(o))
		}
		b.WriteByte(']')
	}
	fmt.Fprintf(b, ", length %d", n)
}

func tcpOption(o layers.TCPOption) string {
	d := o.OptionData
	switch o.OptionType {
	case layers.TCPOptionKindNop:
		return "nop"
	case layers.TCPOptionKindEndList:
		return "eol"
	case layers.TCPOptionKindMSS:
		if len(d) == 2 {
			return "mss " + strconv.Itoa(int(binary.BigEndian.Uint16(d)))
		}
	case layers.TCPOptionKindWindowScale:
		if len(d) == 1 {
			return "wscale " + strconv.Itoa(int(d[0]))
		}
	case layers.TCPOptionKindSACKPermitted:
		return "sackOK"
	case layers.TCPOptionKindTimestamps:
		if len(d) == 8 {
			return fmt.Sprintf("TS val %d ecr %d", binary.BigEndian.Uint32(d), binary.BigEndian.Uint32(d[4:]))
		}
	case layers.TCPOptionKindSACK:
		var parts []string
		for i := 0; i+8 <= len(d); i += 8 {
			parts = append(parts, fmt.Sprintf("{%d:%d}", binary.BigEndian.Uint32(d[i:]), binary.BigEndian.Uint32(d[i+4:])))
		}
		return "sack " + strconv.Itoa(len(parts)) + " " + strings.Join(parts, "")
	}
	return fmt.Sprintf("opt-%d:%s", o.OptionType, hex.EncodeToString(d))
}
