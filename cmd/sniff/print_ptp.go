package main

import (
	"encoding/binary"
	"fmt"
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
	// the first it lacks with [|ptp]. A field is its end offset and its
	// text.
	u16 := func(o int) uint16 { return binary.BigEndian.Uint16(p[o:]) }
	u32 := func(o int) uint32 { return binary.BigEndian.Uint32(p[o:]) }
	u64 := func(o int) uint64 { return binary.BigEndian.Uint64(p[o:]) }
	type field struct {
		end  int
		text func() string
	}
	mt := p[0] & 0x0f
	fields := []field{
		{1, func() string {
			return fmt.Sprintf(", v1 compat : %s, msg type : %s", map[bool]string{true: "yes", false: "no"}[p[0]&0x10 != 0],
				tokOr(ptpMsgTypes, mt, "Reserved"))
		}},
		{4, func() string { return fmt.Sprintf(", length : %d", u16(2)) }},
		{6, func() string { return fmt.Sprintf(", domain : %d, reserved1 : %d", p[4], p[5]) }},
		{8, func() string { return fmt.Sprintf(", Flags [%s]", flagNames(uint32(u16(6)), ptpFlags)) }},
		{14, func() string { return fmt.Sprintf(", NS correction : %d", be48(p[8:])) }},
		{16, func() string { return fmt.Sprintf(", sub NS correction : %d", u16(14)) }},
		{20, func() string { return fmt.Sprintf(", reserved2 : %d", u32(16)) }},
		{28, func() string { return fmt.Sprintf(", clock identity : 0x%x", u64(20)) }},
		{30, func() string { return fmt.Sprintf(", port id : %d", u16(28)) }},
		{32, func() string { return fmt.Sprintf(", seq id : %d", u16(30)) }},
		{33, func() string { return fmt.Sprintf(", control : %d (%s)", p[32], tokOr(ptpControls, p[32], "Reserved")) }},
		{34, func() string { return fmt.Sprintf(", log message interval : %d", p[33]) }},
	}
	ts := func(name, sep string) {
		fields = append(fields,
			field{40, func() string { return fmt.Sprintf(", %s : %d seconds%s", name, be48(p[34:]), sep) }},
			field{44, func() string { return fmt.Sprintf(" %d nanoseconds", u32(40)) }})
	}
	identity := func(o int) {
		fields = append(fields,
			field{o + 8, func() string { return fmt.Sprintf(", port identity : 0x%x", u64(o)) }},
			field{o + 10, func() string { return fmt.Sprintf(", port id : %d", u16(o+8)) }})
	}
	switch mt {
	case 0x0, 0x1:
		ts("originTimeStamp", ",")
	case 0x2, 0xa:
		ts("preciseOriginTimeStamp", ",")
		identity(44)
	case 0x3, 0x9:
		ts("receiveTimeStamp", ",")
		identity(44)
	case 0x8:
		ts("preciseOriginTimeStamp", ",")
	case 0xb:
		ts("originTimeStamp", "")
		fields = append(fields,
			field{46, func() string { return fmt.Sprintf(", origin cur utc :%d", u16(44)) }},
			field{47, func() string { return fmt.Sprintf(", rsvd : %d", p[46]) }},
			field{48, func() string { return fmt.Sprintf(", gm priority_1 : %d", p[47]) }},
			field{49, func() string { return fmt.Sprintf(", gm clock class : %d", p[48]) }},
			field{50, func() string { return fmt.Sprintf(", gm clock accuracy : %d", p[49]) }},
			field{52, func() string { return fmt.Sprintf(", gm clock variance : %d", u16(50)) }},
			field{53, func() string { return fmt.Sprintf(", gm priority_2 : %d", p[52]) }},
			field{61, func() string { return fmt.Sprintf(", gm clock id : 0x%x", u64(53)) }},
			field{63, func() string { return fmt.Sprintf(", steps removed : %d", u16(61)) }},
			field{64, func() string { return fmt.Sprintf(", time source : 0x%x", p[63]) }})
	case 0xc:
		identity(34)
	case 0xd:
		identity(34)
		// tcpdump reads all four from the body's first byte.
		fields = append(fields, field{35, func() string {
			x := p[34]
			return fmt.Sprintf(", , start boundary hops  %d, , boundary hops  %d, , flags  0x%x, , reserved  0x%x", x, x, x, x)
		}})
	}
	for _, f := range fields {
		if len(p) < f.end {
			b.WriteString(" [|ptp]")
			return
		}
		b.WriteString(f.text())
	}
}
