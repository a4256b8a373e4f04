package main

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Cisco Hot Standby Router Protocol on UDP port 1985, either end
// (tcpdump 4.99's print-hsrp.c): version 0 in full, other versions
// (HSRPv2's TLVs) by their number only. gopacket has no HSRP layer.

var hsrpOps = []string{"hello", "coup", "resign"}

var hsrpStates = map[byte]string{0: "initial", 1: "learn", 2: "listen", 4: "speak", 8: "standby", 16: "active"}

func printHSRP(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "HSRP"
	// tcpdump prints each field once the capture holds it, then [|hsrp].
	if len(p) < 1 {
		b.WriteString(" [|hsrp]")
		return
	}
	fmt.Fprintf(b, "HSRPv%d", p[0])
	if p[0] != 0 {
		return
	}
	if len(p) < 2 {
		b.WriteString("- [|hsrp]")
		return
	}
	op := "unknown (" + strconv.Itoa(int(p[1])) + ")"
	if int(p[1]) < len(hsrpOps) {
		op = hsrpOps[p[1]]
	}
	fmt.Fprintf(b, "-%s %d: ", op, c.length)
	if len(p) < 3 {
		b.WriteString(" [|hsrp]")
		return
	}
	fmt.Fprintf(b, "state=%s ", tokOr(hsrpStates, p[2], "Unknown ("+strconv.Itoa(int(p[2]))+")"))
	if len(p) < 7 {
		b.WriteString(" [|hsrp]")
		return
	}
	fmt.Fprintf(b, "group=%d ", p[6])
	if len(p) < 8 {
		b.WriteString(" [|hsrp]")
		return
	}
	if p[7] != 0 {
		fmt.Fprintf(b, "[reserved=%d!] ", p[7])
	}
	if len(p) < 20 {
		b.WriteString(" [|hsrp]")
		return
	}
	b.WriteString("addr=" + net.IP(p[16:20]).String())
	if !c.verbose {
		return
	}
	b.WriteString(" hellotime=" + relts(uint32(p[3])) + " holdtime=" + relts(uint32(p[4])))
	fmt.Fprintf(b, " priority=%d auth=\"", p[5])
	auth := p[8:16]
	if i := bytes.IndexByte(auth, 0); i >= 0 {
		auth = auth[:i]
	}
	fnPrint(b, auth)
	b.WriteByte('"')
}

// relts is a count of seconds as tcpdump's unsigned_relts_print writes
// it: 0s, 45s, 1m, 3m20s, 1d2h.
func relts(secs uint32) string {
	if secs == 0 {
		return "0s"
	}
	var s strings.Builder
	units := [...]struct {
		n    uint32
		name string
	}{{31536000, "y"}, {86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}}
	for _, u := range units {
		if secs >= u.n {
			s.WriteString(strconv.FormatUint(uint64(secs/u.n), 10) + u.name)
			secs %= u.n
		}
	}
	return s.String()
}
