package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
)

// VRRP v2 and v3 (tcpdump's print-vrrp.c). gopacket's VRRPv2 layer has
// no v3 and stops at a bad version, so the header is read here.

func printVRRP(c *pctx, p []byte) {
	b := c.b
	c.addrPair()
	c.f["proto"] = "VRRP"
	if len(p) < 1 {
		b.WriteString("[|vrrp]")
		return
	}
	ver, typ := p[0]>>4, p[0]&0xf
	fmt.Fprintf(b, "VRRPv%d, ", ver)
	if typ == 1 {
		b.WriteString("Advertisement")
	} else {
		fmt.Fprintf(b, "unknown type %d", typ)
	}
	if c.ttl != 255 {
		fmt.Fprintf(b, ", (ttl %d)", c.ttl)
	}
	if ver < 2 || ver > 3 || typ != 1 {
		return
	}
	if len(p) < 8 {
		b.WriteString(" [|vrrp]")
		return
	}
	fmt.Fprintf(b, ", vrid %d, prio %d", p[1], p[2])
	auth := p[4]
	if ver == 2 {
		names := []string{"none", "simple", "ah"}
		name := ""
		if int(auth) < len(names) {
			name = names[auth]
		}
		fmt.Fprintf(b, ", authtype %s, intvl %ds, length %d", name, p[5], c.length)
	} else {
		fmt.Fprintf(b, ", intvl %dcs, length %d", binary.BigEndian.Uint16(p[4:])&0xfff, c.length)
	}
	if !c.verbose {
		return
	}
	naddrs := int(p[3])
	if ver == 2 && len(p) >= c.length {
		if sum := checksum(p[:c.length]); sum != 0 {
			fmt.Fprintf(b, ", (bad vrrp cksum %x)", binary.BigEndian.Uint16(p[6:]))
		}
	}
	b.WriteString(", addrs")
	if naddrs > 1 {
		fmt.Fprintf(b, "(%d)", naddrs)
	}
	b.WriteByte(':')
	alen := 4
	if ver == 3 && c.ipv6 {
		alen = 16
	}
	q := p[8:]
	for i := range naddrs {
		if len(q) < alen {
			b.WriteString(" [|vrrp]")
			return
		}
		sep := byte(',')
		if i == 0 {
			sep = ' '
		}
		b.WriteByte(sep)
		b.WriteString(net.IP(q[:alen]).String())
		q = q[alen:]
	}
	if ver == 2 && auth == 1 {
		if len(q) < 8 {
			b.WriteString(" [|vrrp]")
			return
		}
		pw := q[:8]
		if i := bytes.IndexByte(pw, 0); i >= 0 {
			pw = pw[:i]
		}
		b.WriteString(" auth \"")
		fnPrint(b, pw)
		b.WriteByte('"')
	}
}

// checksum is the Internet checksum of p: 0 when p holds its right
// checksum.
func checksum(p []byte) uint16 {
	var sum uint32
	for ; len(p) >= 2; p = p[2:] {
		sum += uint32(p[0])<<8 | uint32(p[1])
	}
	if len(p) == 1 {
		sum += uint32(p[0]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
