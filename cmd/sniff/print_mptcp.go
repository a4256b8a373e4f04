package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
)

// MPTCP options (tcpdump's print-mptcp.c). o is the whole option, kind
// and length included; false when its length does not fit its subtype.
// gopacket's MPTCP layer decodes the options of a packet but not as
// tcpdump lays them out, so they are read here.
func mptcpOption(b *strings.Builder, o []byte, flags byte) bool {
	const syn, ack = 0x02, 0x10
	l := len(o)
	if l < 3 {
		return false
	}
	sub := min(int(o[2]>>4), 8)
	names := [...]string{"capable", "join", "dss", "add-addr", "rem-addr", "prio", "fail", "fast-close", "unknown"}
	fmt.Fprintf(b, " %d %s", l, names[sub])
	switch sub {
	case 0: // capable
		if !((l == 12 || l == 4) && flags&syn != 0) && !((l == 20 || l == 22) && flags&(syn|ack) == ack) {
			return false
		}
		v := o[2] & 0xf
		if v > 1 {
			fmt.Fprintf(b, " Unknown Version (%d)", v)
			return true
		}
		fmt.Fprintf(b, " v%d", v)
		if o[3]&0x80 != 0 {
			b.WriteString(" csum")
		}
		if l == 12 || l >= 20 {
			fmt.Fprintf(b, " {0x%x", binary.BigEndian.Uint64(o[4:]))
			if l >= 20 {
				fmt.Fprintf(b, ",0x%x", binary.BigEndian.Uint64(o[12:]))
			}
			b.WriteByte('}')
		}
	case 1: // join
		if !(l == 12 && flags&syn != 0) && !(l == 16 && flags&(syn|ack) == syn|ack) && !(l == 24 && flags&ack != 0) {
			return false
		}
		if l != 24 {
			if o[2]&1 != 0 {
				b.WriteString(" backup")
			}
			fmt.Fprintf(b, " id %d", o[3])
		}
		switch l {
		case 12:
			fmt.Fprintf(b, " token 0x%x nonce 0x%x", binary.BigEndian.Uint32(o[4:]), binary.BigEndian.Uint32(o[8:]))
		case 16:
			fmt.Fprintf(b, " hmac 0x%x nonce 0x%x", binary.BigEndian.Uint64(o[4:]), binary.BigEndian.Uint32(o[12:]))
		case 24:
			fmt.Fprintf(b, " hmac 0x%x", o[4:24])
		}
	case 2: // dss
		if l < 4 || flags&syn != 0 {
			return false
		}
		f := o[3]
		if f&0x10 != 0 {
			b.WriteString(" fin")
		}
		p := o[4:]
		if f&0x01 != 0 { // ack present, 8 bytes with 'a'
			n := 4
			if f&0x02 != 0 {
				n = 8
			}
			if len(p) < n {
				return false
			}
			fmt.Fprintf(b, " ack %d", beUint(p[:n]))
			p = p[n:]
		}
		if f&0x04 != 0 { // DSN, 8 bytes with 'm'
			n := 4
			if f&0x08 != 0 {
				n = 8
			}
			if len(p) < n+6 {
				return false
			}
			fmt.Fprintf(b, " seq %d subseq %d len %d", beUint(p[:n]), binary.BigEndian.Uint32(p[n:]), binary.BigEndian.Uint16(p[n+4:]))
			p = p[n+6:]
			if len(p) >= 2 {
				fmt.Fprintf(b, " csum 0x%x", binary.BigEndian.Uint16(p))
				p = p[2:]
			}
		}
		if len(p) != 0 {
			return false
		}
	case 3: // add-addr
		switch l {
		case 8, 10, 16, 18, 20, 22, 28, 30:
		default:
			return false
		}
		echo := map[byte]string{6: "v0-ip6", 4: "v0-ip4", 1: "v1-echo", 0: "v1"}[o[2]&0xf]
		if echo == "" {
			echo = "[bad version/echo]"
		}
		fmt.Fprintf(b, " %s id %d", echo, o[3])
		if l <= 18 {
			fmt.Fprintf(b, " %s", net.IP(o[4:8]))
			if l == 10 || l == 18 {
				fmt.Fprintf(b, ":%d", binary.BigEndian.Uint16(o[8:]))
			}
			if l == 16 {
				fmt.Fprintf(b, " hmac 0x%x", binary.BigEndian.Uint64(o[8:]))
			}
			if l == 18 {
				fmt.Fprintf(b, " hmac 0x%x", binary.BigEndian.Uint64(o[10:]))
			}
		} else {
			fmt.Fprintf(b, " %s", net.IP(o[4:20]))
			if l == 22 || l == 30 {
				fmt.Fprintf(b, ":%d", binary.BigEndian.Uint16(o[20:]))
			}
			if l == 28 {
				fmt.Fprintf(b, " hmac 0x%x", binary.BigEndian.Uint64(o[20:]))
			}
			if l == 30 {
				fmt.Fprintf(b, " hmac 0x%x", binary.BigEndian.Uint64(o[22:]))
			}
		}
	case 4: // rem-addr
		if l < 4 {
			return false
		}
		b.WriteString(" id")
		for _, id := range o[3:] {
			fmt.Fprintf(b, " %d", id)
		}
	case 5: // prio
		if l != 3 && l != 4 {
			return false
		}
		if o[2]&1 != 0 {
			b.WriteString(" backup")
		} else {
			b.WriteString(" non-backup")
		}
		if l == 4 {
			fmt.Fprintf(b, " id %d", o[3])
		}
	case 6, 7: // fail, fast-close
		if l != 12 {
			return false
		}
		if sub == 6 {
			fmt.Fprintf(b, " seq %d", binary.BigEndian.Uint64(o[4:]))
		} else {
			fmt.Fprintf(b, " key 0x%x", binary.BigEndian.Uint64(o[4:]))
		}
	}
	return true
}

// beUint reads a 4- or 8-byte big-endian number.
func beUint(p []byte) uint64 {
	if len(p) == 8 {
		return binary.BigEndian.Uint64(p)
	}
	return uint64(binary.BigEndian.Uint32(p))
}
