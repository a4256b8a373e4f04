package main

import (
	"fmt"
)

// SCTP (IP protocol 132; tcpdump 4.99's print-sctp.c): the ports, then
// each chunk by name with the fields tcpdump prints for DATA, INIT, INIT
// ACK and SACK; -vv puts each chunk on its own line and dumps DATA
// payloads. As tcpdump, chunks after the first are ", (N)" and no
// parenthesis is closed. gopacket's SCTP layers reject what tcpdump
// prints in part (bad chunk lengths, cut-short chunks), so the chunks are
// read here.

var sctpChunks = map[byte]string{0x00: "DATA", 0x01: "INIT", 0x02: "INIT ACK", 0x03: "SACK", 0x04: "HB REQ",
	0x05: "HB ACK", 0x06: "ABORT", 0x07: "SHUTDOWN", 0x08: "SHUTDOWN ACK", 0x09: "OP ERR", 0x0a: "COOKIE ECHO",
	0x0b: "COOKIE ACK", 0x0c: "ECN ECHO", 0x0d: "ECN CWR", 0x0e: "SHUTDOWN COMPLETE", 0xc0: "FOR CUM TSN",
	0xc1: "REL CTRL", 0xc2: "REL CTRL ACK"}

var sctpPPIDs = map[uint32]string{1: "ISDN Q.921", 2: "M2UA", 3: "M3UA", 4: "SUA", 5: "M2PA", 6: "V5.2", 7: "H.248",
	8: "BICC", 9: "TALI", 10: "DUA", 11: "ASAP", 12: "ENRP", 13: "H.323", 14: "Q.IPC", 15: "SIMCO", 16: "DDPSC",
	17: "DDPSSC", 18: "S1AP", 19: "RUA", 20: "HNBAP", 21: "ForCES HP", 22: "ForCES MP", 23: "ForCES LP",
	24: "SBc-AP", 25: "NBAP", 27: "X2AP"}

var sctpForCES = map[uint16]string{6704: "ForCES HP", 6705: "ForCES MP", 6706: "ForCES LP"}

func printSCTP(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "SCTP"
	l4 := c.l4
	if l4 < 12 {
		fmt.Fprintf(b, "truncated-sctp - %d bytes missing!", 12-l4)
		return
	}
	proto := "sctp"
	defer ndCatch(c, &proto)
	f := ndBuf(p)
	f.need(0, 12)
	c.sport, c.dport = uint16(f.u16(0)), uint16(f.u16(2))
	var buf [96]byte
	o := appendIP(buf[:0], c.src)
	o = fmt.Appendf(o, ".%d > ", c.sport)
	o = appendIP(o, c.dst)
	b.Write(fmt.Appendf(o, ".%d: sctp", c.dport))
	c.f["sport"], c.f["dport"] = int(c.sport), int(c.dport)
	forces := false
	for _, port := range []uint16{c.sport, c.dport} {
		if name, ok := sctpForCES[port]; ok {
			fmt.Fprintf(b, "[%s]", name)
			forces = true
		}
	}
	// tcpdump's count is unsigned: a chunk longer than the rest wraps it.
	off, remaining := 12, uint32(l4-12)
	sep := " ("
	if c.d.vv {
		sep = "\n\t"
	}
	for n := 1; remaining != 0; n++ {
		if remaining < 4 {
			fmt.Fprintf(b, "%s%d) [chunk descriptor cut off at end of packet]", sep, n)
			return
		}
		f.need(off, 4)
		clen := int(f.u16(off + 2))
		if clen < 4 {
			fmt.Fprintf(b, "%s%d) [Bad chunk length %d, < size of chunk descriptor]", sep, n, clen)
			return
		}
		align := (4 - clen%4) % 4
		if remaining < uint32(align) {
			fmt.Fprintf(b, "%s%d) [Bad chunk length %d, > remaining data in packet]", sep, n, clen)
			return
		}
		f.need(off, clen)
		id, flags := byte(f.u8(off)), f.u8(off+1)
		fmt.Fprintf(b, "%s%d) [%s] ", sep, n, tokOr(sctpChunks, id, fmt.Sprintf("Unknown chunk type: 0x%x", id)))
		body, blen := off+4, clen-4
		bogus := func(need int) bool {
			if blen < need {
				fmt.Fprintf(b, "bogus chunk length %d]", clen)
				return true
			}
			return false
		}
		switch id {
		case 0x00:
			if flags&4 != 0 {
				b.WriteString("(U)")
			}
			if flags&2 != 0 {
				b.WriteString("(B)")
			}
			if flags&1 != 0 {
				b.WriteString("(E)")
			}
			if flags&7 != 0 {
				b.WriteString(" ")
			}
			if bogus(12) {
				return
			}
			ppid := f.u32(body + 8)
			fmt.Fprintf(b, "[TSN: %d] [SID: %d] [SSEQ %d] [PPID %s] ", f.u32(body), f.u16(body+4), f.u16(body+6),
				tokOr(sctpPPIDs, ppid, fmt.Sprintf("0x%x", ppid)))
			forces = forces || ppid >= 21 && ppid <= 23
			if blen == 12 {
				fmt.Fprintf(b, "bogus chunk length %d]", clen)
				return
			}
			if !forces && c.d.vv && ppid != 3 {
				b.WriteString("[Payload:")
				hexASCIILines(b, f[body+12:off+clen], "\n\t")
				b.WriteString("]")
			}
		case 0x01, 0x02:
			if bogus(16) {
				return
			}
			fmt.Fprintf(b, "[init tag: %d] [rwnd: %d] [OS: %d] [MIS: %d] [init TSN: %d] ", f.u32(body), f.u32(body+4),
				f.u16(body+8), f.u16(body+10), f.u32(body+12))
		case 0x03:
			if bogus(12) {
				return
			}
			cum, gaps, dups := f.u32(body), int(f.u16(body+8)), int(f.u16(body+10))
			fmt.Fprintf(b, "[cum ack %d] [a_rwnd %d] [#gap acks %d] [#dup tsns %d] ", cum, f.u32(body+4), gaps, dups)
			o, left := body+12, blen-12
			for i := 0; left != 0 && i < gaps; i++ {
				if left < 4 {
					fmt.Fprintf(b, "bogus chunk length %d]", clen)
					return
				}
				fmt.Fprintf(b, "\n\t\t[gap ack block #%d: start = %d, end = %d] ", i+1, cum+f.u16(o), cum+f.u16(o+2))
				o, left = o+4, left-4
			}
			for i := 0; left != 0 && i < dups; i++ {
				if left < 4 {
					fmt.Fprintf(b, "bogus chunk length %d]", clen)
					return
				}
				fmt.Fprintf(b, "\n\t\t[dup TSN #%d: %d] ", i+1, f.u32(o))
				o, left = o+4, left-4
			}
		}
		off, remaining = off+clen, remaining-uint32(clen)
		if !c.d.vv {
			sep = ", ("
		}
		if align != 0 {
			f.need(off, align)
			off, remaining = off+align, remaining-uint32(align)
		}
	}
}
