package main

import (
	"bytes"
	"fmt"
	"net"
)

// ISAKMP/IKE on UDP ports 500, 7500 and 8500, and RFC 3948's NAT
// traversal on 4500 (tcpdump 4.99's print-isakmp.c): the header's
// version, phase, initiator or responder, exchange type and flags; with
// -v the message ID and, for an encrypted message, the next payload.
// The payloads -v prints after the header are not decoded yet. gopacket
// has no IKE layer.

var ikeExchanges = map[uint32]string{0: "none", 1: "base", 2: "ident", 3: "auth", 4: "agg", 5: "inf",
	32: "oakley-quick", 33: "oakley-newgroup", 34: "ikev2_init", 35: "ikev2_auth", 36: "child_sa", 37: "inf2"}

var ikePayloads = []string{"none", "sa", "p", "t", "ke", "id", "cert", "cr", "hash",
	"sig", "nonce", "n", "d", "vid", "pay14", "pay15", "pay16", "pay17", "pay18",
	"pay19", "pay20", "pay21", "pay22", "pay23", "pay24", "pay25", "pay26", "pay27", "pay28",
	"pay29", "pay30", "pay31", "pay32", "v2sa", "v2ke", "v2IDi", "v2IDr", "v2cert",
	"v2cr", "v2auth", "v2nonce", "v2n", "v2d", "v2vid", "v2TSi", "v2TSr", "v2e", "v2cp", "v2eap"}

func ikePayloadName(np uint32) string {
	if int(np) < len(ikePayloads) {
		return ikePayloads[np]
	}
	return fmt.Sprintf("#%d", np)
}

// ikeCookie is an IKEv1 exchange tcpdump has seen start: the initiator's
// cookie and the two ends (its cookiecache, 20 entries reused in turn).
type ikeCookie struct {
	cookie       [8]byte
	iaddr, raddr net.IP
}

type ikeCookies struct {
	c    [20]ikeCookie
	next int
}

// find searches every entry, unused ones too: as in tcpdump, an all-zero
// cookie is found in an entry never filled, whose ends match nothing.
func (k *ikeCookies) find(ck []byte) int {
	for i := range k.c {
		if bytes.Equal(k.c[i].cookie[:], ck) {
			return i
		}
	}
	return -1
}

func (k *ikeCookies) record(ck []byte, src, dst net.IP) {
	if i := k.find(ck); i >= 0 {
		k.next = (i + 1) % len(k.c)
		return
	}
	e := &k.c[k.next]
	copy(e.cookie[:], ck)
	e.iaddr, e.raddr = append(net.IP(nil), src...), append(net.IP(nil), dst...)
	k.next = (k.next + 1) % len(k.c)
}

func printISAKMP(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "ISAKMP"
	proto := "isakmp"
	defer ndCatch(c, &proto)
	f := ndBuf(p)
	if len(p) < 28 {
		panic(ndTrunc{})
	}
	b.WriteString("isakmp")
	major, minor := f.u8(17)>>4, f.u8(17)&0xf
	if c.verbose {
		fmt.Fprintf(b, " %d.%d msgid %08x", major, minor, f.u32(20))
	}
	if c.d.vv {
		fmt.Fprintf(b, " cookie %x->%x", f.bytes(0, 8), f.bytes(8, 8))
	}
	b.WriteByte(':')
	if major != 1 && major != 2 {
		return
	}
	phase1 := f.u32(20) == 0
	flags := f.u8(19)
	if major == 1 {
		if phase1 {
			b.WriteString(" phase 1")
		} else {
			b.WriteString(" phase 2/others")
		}
		if c.d.ike == nil {
			c.d.ike = &ikeCookies{}
		}
		k := c.d.ike
		switch i := k.find(f.bytes(0, 8)); {
		case i < 0 && bytes.Equal(f.bytes(8, 8), make([]byte, 8)):
			b.WriteString(" I")
			k.record(f.bytes(0, 8), c.src, c.dst)
		case i < 0:
			b.WriteString(" ?")
		case k.c[i].iaddr.Equal(c.src) && len(k.c[i].iaddr) == len(c.src):
			b.WriteString(" I")
		case k.c[i].raddr.Equal(c.src) && len(k.c[i].raddr) == len(c.src):
			b.WriteString(" R")
		default:
			b.WriteString(" ?")
		}
		fmt.Fprintf(b, " %s", tok(ikeExchanges, f.u8(18), "#%d"))
		if flags != 0 {
			b.WriteByte('[')
			if flags&1 != 0 {
				b.WriteByte('E')
			}
			if flags&2 != 0 {
				b.WriteByte('C')
			}
			b.WriteByte(']')
		}
	} else {
		if phase1 {
			b.WriteString(" parent_sa")
		} else {
			b.WriteString(" child_sa ")
		}
		fmt.Fprintf(b, " %s", tok(ikeExchanges, f.u8(18), "#%d"))
		if flags != 0 {
			b.WriteByte('[')
			for _, fl := range []struct {
				bit  uint32
				name byte
			}{{8, 'I'}, {16, 'V'}, {32, 'R'}} {
				if flags&fl.bit != 0 {
					b.WriteByte(fl.name)
				}
			}
			b.WriteByte(']')
		}
	}
	if !c.verbose {
		return
	}
	b.WriteByte(':')
	if flags&1 != 0 {
		fmt.Fprintf(b, " [encrypted %s]", ikePayloadName(f.u8(16)))
	}
	if n := int(f.u32(24)); n != c.length {
		fmt.Fprintf(b, " (len mismatch: isakmp %d/ip %d)", n, c.length)
	}
}

// printISAKMPNATT is UDP port 4500 (tcpdump's isakmp_rfc3948_print): a
// NAT keep-alive, IKE after four zero bytes, or ESP.
func printISAKMPNATT(c *pctx, p []byte) {
	b := c.b
	proto := "isakmp_rfc3948"
	defer ndCatch(c, &proto)
	f := ndBuf(p)
	if c.length == 1 && f.u8(0) == 0xff {
		b.WriteString("isakmp-nat-keep-alive")
		return
	}
	if c.length < 4 {
		b.WriteString(" [|isakmp_rfc3948]")
		return
	}
	if f.u32(0) == 0 {
		b.WriteString("NONESP-encap: ")
		c.length -= 4
		printISAKMP(c, p[4:])
		return
	}
	b.WriteString("UDP-encap: ")
	addrs := c.addrs
	c.addrs = true // the ports are printed: ESP prints no addresses
	printESP(c, p)
	c.addrs = addrs
}
