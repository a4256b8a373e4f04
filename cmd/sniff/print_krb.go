package main

import (
	"fmt"
	"strings"
)

// Kerberos on UDP ports 88 and 750 (tcpdump 4.99's print-krb.c): the
// protocol version, and Kerberos 4's messages; tcpdump decodes no v5
// ASN.1 (" v5" for AS-REQ and AS-REP, nothing for the rest).

var krb4Types = map[uint32]string{1 << 1: "KDC_REQUEST", 2 << 1: "KDC_REPLY", 3 << 1: "APPL_REQUEST",
	4 << 1: "APPL_REQUEST_MUTUAL", 5 << 1: "ERR_REPLY", 6 << 1: "PRIVATE", 7 << 1: "SAFE",
	8 << 1: "APPL_ERR", 63 << 1: "DIE"}

var krb4Errors = map[uint32]string{0: "OK", 1: "NAME_EXP", 2: "SERVICE_EXP", 3: "AUTH_EXP", 4: "PKT_VER",
	5: "NAME_MAST_KEY_VER", 6: "SERV_MAST_KEY_VER", 7: "BYTE_ORDER", 8: "PRINCIPAL_UNKNOWN",
	9: "PRINCIPAL_NOT_UNIQUE", 10: "NULL_KEY"}

func printKRB(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "KRB"
	proto := "krb"
	defer ndCatch(c, &proto)
	f := ndBuf(p)
	switch v := f.u8(0); v {
	case 1, 2, 3:
		fmt.Fprintf(b, " v%d", v)
	case 4:
		b.WriteString(" v4")
		krb4(b, f)
	case 106, 107:
		b.WriteString(" v5")
	}
}

func krb4(b *strings.Builder, f ndBuf) {
	le := f.u8(1)&1 != 0
	u16 := func(o int) uint32 {
		if le {
			return f.u8(o) | f.u8(o+1)<<8
		}
		return f.u16(o)
	}
	// str prints the NUL-terminated string at o (tcpdump's c_print); the
	// offset after it.
	str := func(o int) int {
		for {
			ch := byte(f.u8(o))
			o++
			if ch == 0 {
				return o
			}
			fnPrint(b, []byte{ch})
		}
	}
	hdr := func(o int) int {
		o = str(o + 2)
		b.WriteByte('.')
		o = str(o)
		b.WriteByte('@')
		return str(o)
	}
	typ := f.u8(1) & 0xfe
	order := "be"
	if le {
		order = "le"
	}
	fmt.Fprintf(b, " %s %s: ", order, tok(krb4Types, typ, "#%d"))
	switch typ {
	case 1 << 1:
		o := hdr(0) + 4
		fmt.Fprintf(b, " %dmin ", f.u8(o)*5)
		o = str(o + 1)
		b.WriteByte('.')
		str(o)
	case 3 << 1:
		fmt.Fprintf(b, "v%d ", f.u8(2))
		o := str(3)
		fmt.Fprintf(b, " (%d)", f.u8(o))
		fmt.Fprintf(b, " (%d)", f.u8(o+1))
	case 2 << 1:
		o := hdr(0) + 10
		fmt.Fprintf(b, " (%d)", u16(o))
	case 5 << 1:
		o := hdr(0) + 4
		fmt.Fprintf(b, " %s ", tok(krb4Errors, u16(o), "#%d"))
		str(o + 4)
	default:
		b.WriteString("(unknown)")
	}
}
