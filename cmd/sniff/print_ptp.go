package main

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// IEEE 1588 Precision Time Protocol (tcpdump 4.99's print-ptp.c), over
// UDP ports 319 and 320 and over Ethernet (ethertype 0x88f7). gopacket
// has no PTP layer. tcpdump's quirks are kept: the management fields all
// show the first byte of the message body, "log message interval" is
// unsigned, the version is the whole versionPTP byte (2.1 is "PTPv18").

var ptpMsgTypes = map[byte]string{0x0: "sync msg", 0x1: "delay req msg", 0x2: "peer delay req msg",
	0x3: "peer delay resp msg", 0x8: "follow up msg", 0x9: "delay resp msg", 0xa: "pdelay resp fup msg",
	0xb: "announce msg", 0xc: "signalling msg", 0xd: "management msg"}

var ptpControls = map[byte]string{0: "Sync", 1: "Delay_Req", 2: "Follow_Up", 3: "Delay_Resp", 4: "Management", 5: "Other"}

// ptpFlags leaves out tcpdump's multi-bit "unknown" row, which its
// bittok2str never matches.
var ptpFlags = []bitName{{0x1, "l1 61"}, {0x2, "l1 59"}, {0x4, "utc reasonable"}, {0x8, "timescale"},
	{0x10, "time tracable"}, {0x20, "frequency tracable"}, {0x100, "alternate master"}, {0x200, "two step"},
	{0x400, "unicast"}, {0x1000, "profile specific 1"}, {0x2000, "profile specific 2"}, {0x4000, "security mask"}}

// ptpAnnounce: an announce message's fields after its time stamp, each
// its end offset, text, and whether it prints in hex; the value is the
// bytes from off to end.
var ptpAnnounce = [...]struct {
	end  int
	name string
	off  int
	hex  bool
}{
	{46, ", origin cur utc :", 44, false}, {47, ", rsvd : ", 46, false}, {48, ", gm priority_1 : ", 47, false},
	{49, ", gm clock class : ", 48, false}, {50, ", gm clock accuracy : ", 49, false},
	{52, ", gm clock variance : ", 50, false}, {53, ", gm priority_2 : ", 52, false},
	{61, ", gm clock id : ", 53, true}, {63, ", steps removed : ", 61, false}, {64, ", time source : ", 63, true},
}

func be48(p []byte) uint64 {
	return uint64(binary.BigEndian.Uint16(p))<<32 | uint64(binary.BigEndian.Uint32(p[2:]))
}

func printPTP(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "PTP"
	if c.length < 34 {
		fmt.Fprintf(b, " [length %d < 34] (invalid)", c.length)
		return
	}
	b.WriteString("PTP")
	if len(p) < 2 {
		b.WriteString(" [|ptp]")
		return
	}
	fmt.Fprintf(b, "v%d", p[1])
	switch p[1] {
	case 1:
		b.WriteString(" (not implemented)")
		return
	case 2:
	default:
		return
	}
	// Each field is printed once the capture holds it; tcpdump stops at
	// the first it lacks with [|ptp]. Written straight into the line:
	// PTP is chatty, and a packet's fields allocate nothing.
	cut := func(end int) bool {
		if len(p) < end {
			b.WriteString(" [|ptp]")
			return true
		}
		return false
	}
	dec := func(name string, v uint64) { b.WriteString(name); writeUint(b, v) }
	hex := func(name string, v uint64) {
		var buf [16]byte
		b.WriteString(name)
		b.WriteString("0x")
		b.Write(strconv.AppendUint(buf[:0], v, 16))
	}
	u16 := func(o int) uint64 { return uint64(binary.BigEndian.Uint16(p[o:])) }
	u32 := func(o int) uint64 { return uint64(binary.BigEndian.Uint32(p[o:])) }
	u64 := func(o int) uint64 { return binary.BigEndian.Uint64(p[o:]) }
	mt := p[0] & 0x0f
	if cut(1) {
		return
	}
	b.WriteString(", v1 compat : ")
	b.WriteString(pick(p[0]&0x10 != 0, "yes", "no"))
	b.WriteString(", msg type : ")
	b.WriteString(tokOr(ptpMsgTypes, mt, "Reserved"))
	if cut(4) {
		return
	}
	dec(", length : ", u16(2))
	if cut(6) {
		return
	}
	dec(", domain : ", uint64(p[4]))
	dec(", reserved1 : ", uint64(p[5]))
	if cut(8) {
		return
	}
	b.WriteString(", Flags [")
	b.WriteString(flagNames(uint32(u16(6)), ptpFlags))
	b.WriteByte(']')
	if cut(14) {
		return
	}
	dec(", NS correction : ", be48(p[8:]))
	if cut(16) {
		return
	}
	dec(", sub NS correction : ", u16(14))
	if cut(20) {
		return
	}
	dec(", reserved2 : ", u32(16))
	if cut(28) {
		return
	}
	hex(", clock identity : ", u64(20))
	if cut(30) {
		return
	}
	dec(", port id : ", u16(28))
	if cut(32) {
		return
	}
	dec(", seq id : ", u16(30))
	if cut(33) {
		return
	}
	dec(", control : ", uint64(p[32]))
	b.WriteString(" (")
	b.WriteString(tokOr(ptpControls, p[32], "Reserved"))
	b.WriteByte(')')
	if cut(34) {
		return
	}
	dec(", log message interval : ", uint64(p[33]))
	// ts prints a time stamp; false when the capture ends first.
	ts := func(name, sep string) bool {
		if cut(40) {
			return false
		}
		b.WriteString(", ")
		b.WriteString(name)
		dec(" : ", be48(p[34:]))
		b.WriteString(" seconds")
		b.WriteString(sep)
		if cut(44) {
			return false
		}
		dec(" ", u32(40))
		b.WriteString(" nanoseconds")
		return true
	}
	identity := func(o int) {
		if cut(o + 8) {
			return
		}
		hex(", port identity : ", u64(o))
		if cut(o + 10) {
			return
		}
		dec(", port id : ", u16(o+8))
	}
	switch mt {
	case 0x0, 0x1:
		ts("originTimeStamp", ",")
	case 0x2, 0xa:
		if ts("preciseOriginTimeStamp", ",") {
			identity(44)
		}
	case 0x3, 0x9:
		if ts("receiveTimeStamp", ",") {
			identity(44)
		}
	case 0x8:
		ts("preciseOriginTimeStamp", ",")
	case 0xb:
		if !ts("originTimeStamp", "") {
			return
		}
		for _, f := range ptpAnnounce {
			if cut(f.end) {
				return
			}
			var v uint64
			switch f.end - f.off {
			case 1:
				v = uint64(p[f.off])
			case 2:
				v = u16(f.off)
			default:
				v = u64(f.off)
			}
			if f.hex {
				hex(f.name, v)
			} else {
				dec(f.name, v)
			}
		}
	case 0xc:
		identity(34)
	case 0xd:
		identity(34)
		if len(p) < 44 || cut(35) {
			// identity printed [|ptp] already
			return
		}
		// tcpdump reads all four from the body's first byte.
		x := uint64(p[34])
		dec(", , start boundary hops  ", x)
		dec(", , boundary hops  ", x)
		hex(", , flags  ", x)
		hex(", , reserved  ", x)
	}
}
