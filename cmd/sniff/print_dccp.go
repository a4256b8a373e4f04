package main

import (
	"fmt"
	"strings"
)

// DCCP, IP protocol 33 (tcpdump 4.99's print-dccp.c): ports, packet type
// and its fields, the acknowledgement number; with -v the CCVal, checksum
// coverage and checksum; with -vv the sequence number and options.
// gopacket has no DCCP layer.

var dccpTypes = []string{"DCCP-Request", "DCCP-Response", "DCCP-Data", "DCCP-Ack", "DCCP-DataAck",
	"DCCP-CloseReq", "DCCP-Close", "DCCP-Reset", "DCCP-Sync", "DCCP-SyncAck"}

var dccpResetCodes = []string{"unspecified", "closed", "aborted", "no_connection", "packet_error",
	"option_error", "mandatory_error", "connection_refused", "bad_service_code", "too_busy",
	"bad_init_cookie", "aggression_penalty"}

var dccpFeatures = []string{"reserved", "ccid", "allow_short_seqno", "sequence_window", "ecn_incapable",
	"ack_ratio", "send_ack_vector", "send_ndp_count", "minimum checksum coverage", "check data checksum"}

var dccpOptions = map[uint32]string{0: "nop", 1: "mandatory", 2: "slowreceiver", 32: "change_l",
	33: "confirm_l", 34: "change_r", 35: "confirm_r", 36: "initcookie", 37: "ndp_count",
	38: "ack_vector0", 39: "ack_vector1", 40: "data_dropped", 41: "timestamp", 42: "timestamp_echo",
	43: "elapsed_time", 44: "data_checksum"}

func printDCCP(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "DCCP"
	proto := "dccp"
	defer ndCatch(c, &proto)
	f := ndBuf(p)
	length := c.l4
	if len(p) < 12 {
		panic(ndTrunc{})
	}
	if length < 12 {
		fmt.Fprintf(b, "truncated-dccp - %d bytes missing!", 12-length)
		return
	}
	ext := f.u8(8)&1 != 0
	fixed := 12
	if ext {
		fixed = 16
	}
	if length < fixed {
		fmt.Fprintf(b, "truncated-dccp - %d bytes missing!", fixed-length)
		return
	}
	f.need(0, fixed)
	c.sport, c.dport = uint16(f.u16(0)), uint16(f.u16(2))
	c.f["sport"], c.f["dport"] = int(c.sport), int(c.dport)
	c.ends()
	hlen := int(f.u8(4)) * 4
	b.WriteString("DCCP")
	if c.d.quiet {
		fmt.Fprintf(b, " %d", length-hlen)
		if hlen > length {
			fmt.Fprintf(b, " [bad hdr length %d - too long, > %d]", hlen, length)
		}
		return
	}
	cscov := int(f.u8(5) & 0xf)
	if c.verbose {
		fmt.Fprintf(b, " (CCVal %d, CsCov %d", f.u8(5)>>4, cscov)
		if f.has(0, length) {
			stored := uint16(f.u16(6))
			cov := length
			if cscov != 0 {
				cov = min((int(f.u8(4))+cscov-1)*4, length)
			}
			fmt.Fprintf(b, ", cksum 0x%04x ", stored)
			if sum := pseudoChecksumLen(c.src, c.dst, 33, length, p[:cov]); sum != 0 {
				fmt.Fprintf(b, "(incorrect -> 0x%04x)", shouldBe(stored, sum))
			} else {
				b.WriteString("(correct)")
			}
		}
		b.WriteByte(')')
	}
	b.WriteByte(' ')
	typ := int(f.u8(8)>>1) & 0xf
	name := "unknown-type-" + fmt.Sprint(typ)
	if typ < len(dccpTypes) {
		name = dccpTypes[typ]
	}
	extra := map[int]int{0: 4, 1: 12, 3: 8, 4: 8, 5: 8, 6: 8, 7: 12, 8: 8, 9: 8}[typ]
	if typ < len(dccpTypes) && extra > 0 {
		if length < fixed+extra {
			fmt.Fprintf(b, "truncated-%s - %d bytes missing!", name, fixed+extra-length)
			return
		}
	}
	switch typ {
	case 0:
		f.need(fixed, 4)
		fmt.Fprintf(b, "%s (service=%d) ", name, f.u32(fixed))
	case 1:
		f.need(fixed, 12)
		fmt.Fprintf(b, "%s (service=%d) ", name, f.u32(fixed+8))
	case 7:
		f.need(fixed, 12)
		code := "invalid"
		if c := int(f.u8(fixed + 8)); c < len(dccpResetCodes) {
			code = dccpResetCodes[c]
		}
		fmt.Fprintf(b, "%s (code=%s) ", name, code)
	default:
		b.WriteString(name + " ")
	}
	fixed += extra
	if typ != 0 && typ != 2 {
		ack := fixed - extra // the acknowledgement follows the generic header
		if ext {
			fmt.Fprintf(b, "(ack=%d) ", f.u64(ack)&0xffffffffffff)
		} else {
			fmt.Fprintf(b, "(ack=%d) ", f.u32(ack)&0xffffff)
		}
	}
	if !c.d.vv {
		return
	}
	if ext {
		fmt.Fprintf(b, "seq %d", f.u64(8)&0xffffffffffff)
	} else {
		fmt.Fprintf(b, "seq %d", f.u32(8)&0xffffff)
	}
	if hlen <= fixed {
		return
	}
	b.WriteString(" <")
	o, n := fixed, hlen-fixed
	for {
		optlen := dccpOption(b, f, o, n)
		if optlen == 0 || n <= optlen {
			break
		}
		n -= optlen
		o += optlen
		b.WriteString(", ")
	}
	b.WriteByte('>')
}

// dccpOption prints the option at o, n bytes of header left; its length,
// or 0 when the options cannot go on.
func dccpOption(b *strings.Builder, f ndBuf, o, n int) int {
	kind := f.u8(o)
	name := tok(dccpOptions, kind, "Option %u")
	if kind >= 128 {
		name = fmt.Sprintf("CCID option %d", kind)
	}
	optlen := 1
	if kind >= 32 {
		optlen = int(f.u8(o + 1))
		if optlen < 2 {
			b.WriteString(name + " optlen too short")
			return 0
		}
	}
	if n < optlen {
		b.WriteString(name + " optlen goes past header length")
		return 0
	}
	if !f.has(o, optlen) {
		b.WriteString(" [|dccp]")
		return 0
	}
	b.WriteString(name)
	if kind >= 128 {
		switch optlen {
		case 4:
			fmt.Fprintf(b, " %d", f.u16(o+2))
		case 6:
			fmt.Fprintf(b, " %d", f.u32(o+2))
		}
		return optlen
	}
	hexData := func(prefix string) {
		if optlen > 2 {
			b.WriteString(prefix)
			for i := 2; i < optlen; i++ {
				fmt.Fprintf(b, "%02x", f.u8(o+i))
			}
		}
	}
	switch kind {
	case 32, 33, 34, 35:
		if optlen < 3 {
			b.WriteString(" optlen too short")
			return optlen
		}
		if feat := int(f.u8(o + 2)); feat < len(dccpFeatures) {
			b.WriteString(" " + dccpFeatures[feat])
			for i := 3; i < optlen; i++ {
				fmt.Fprintf(b, " %d", f.u8(o+i))
			}
		}
	case 36, 38, 39, 40:
		hexData(" 0x")
	case 37:
		for i := 2; i < optlen; i++ {
			fmt.Fprintf(b, " %d", f.u8(o+i))
		}
	case 41:
		if optlen == 6 {
			fmt.Fprintf(b, " %d", f.u32(o+2))
		} else {
			b.WriteString(" [optlen != 6]")
		}
	case 42:
		switch optlen {
		case 6:
			fmt.Fprintf(b, " %d", f.u32(o+2))
		case 8:
			fmt.Fprintf(b, " %d (elapsed time %d)", f.u32(o+2), f.u16(o+6))
		case 10:
			fmt.Fprintf(b, " %d (elapsed time %d)", f.u32(o+2), f.u32(o+6))
		default:
			b.WriteString(" [optlen != 6 or 8 or 10]")
		}
	case 43:
		switch optlen {
		case 6:
			fmt.Fprintf(b, " %d", f.u32(o+2))
		case 4:
			fmt.Fprintf(b, " %d", f.u16(o+2))
		default:
			b.WriteString(" [optlen != 4 or 6]")
		}
	case 44:
		hexData(" ")
	}
	return optlen
}
