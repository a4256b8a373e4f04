package main

import (
	"encoding/binary"
	"fmt"
)

// Bidirectional Forwarding Detection (tcpdump 4.99's print-bfd.c): control
// packets to UDP port 3784 (4784 multihop), echo packets to 3785; tcpdump
// looks at the destination port only. gopacket's BFD layer rejects
// versions and lengths tcpdump prints, so the header is read here.

var bfdPorts = map[uint16]string{3784: "Control", 3785: "Echo", 4784: "Multihop"}

var bfdDiags = map[byte]string{0: "No Diagnostic", 1: "Control Detection Time Expired", 2: "Echo Function Failed",
	3: "Neighbor Signaled Session Down", 4: "Forwarding Plane Reset", 5: "Path Down", 6: "Concatenated Path Down",
	7: "Administratively Down", 8: "Reverse Concatenated Path Down"}

var bfdV0Flags = []bitName{{0x80, "I Hear You"}, {0x40, "Demand"}, {0x20, "Poll"}, {0x10, "Final"},
	{0x08, "Reserved"}, {0x04, "Reserved"}, {0x02, "Reserved"}, {0x01, "Reserved"}}

var bfdV1Flags = []bitName{{0x20, "Poll"}, {0x10, "Final"}, {0x08, "Control Plane Independent"},
	{0x04, "Authentication Present"}, {0x02, "Demand"}, {0x01, "Multipoint"}}

func printBFD(c *pctx, p []byte) {
	port := c.dport
	name, ok := bfdPorts[port]
	if !ok { // the source port matched: tcpdump prints plain UDP
		c.udpLength()
		return
	}
	c.f["proto"] = "BFD"
	b := c.b
	version := byte(1) // echo is BFD v1 only
	if port != 3785 {
		if len(p) < 24 {
			b.WriteString(" [|bfd]")
			return
		}
		version = p[0] >> 5
	}
	if port == 3785 || version > 1 {
		b.WriteString("BFD")
		if port != 3785 {
			fmt.Fprintf(b, "v%d", version)
		}
		fmt.Fprintf(b, ", %s, length: %d", name, c.length)
		if c.verbose {
			hexLines(b, p[:min(len(p), c.length)], "\n\t")
		}
		return
	}
	flags := p[1]
	state := ""
	flagText := flagNames(uint32(flags), bfdV0Flags)
	if version == 1 {
		state = ", State " + [...]string{"AdminDown", "Down", "Init", "Up"}[flags>>6]
		flagText = flagNames(uint32(flags&0x3f), bfdV1Flags)
	}
	if !c.verbose {
		fmt.Fprintf(b, "BFDv%d, %s%s, Flags: [%s], length: %d", version, name, state, flagText, c.length)
		return
	}
	diag := p[0] & 0x1f
	fmt.Fprintf(b, "BFDv%d, length: %d\n\t%s%s, Flags: [%s], Diagnostic: %s (0x%02x)", version, c.length, name, state,
		flagText, tokOr(bfdDiags, diag, "unknown"), diag)
	u32 := func(o int) uint32 { return binary.BigEndian.Uint32(p[o:]) }
	fmt.Fprintf(b, "\n\tDetection Timer Multiplier: %d (%d ms Detection time), BFD Length: %d", p[2], uint32(p[2])*u32(12)/1000, p[3])
	fmt.Fprintf(b, "\n\tMy Discriminator: 0x%08x, Your Discriminator: 0x%08x", u32(4), u32(8))
	fmt.Fprintf(b, "\n\t  Desired min Tx Interval:    %4d ms", u32(12)/1000)
	fmt.Fprintf(b, "\n\t  Required min Rx Interval:   %4d ms", u32(16)/1000)
	fmt.Fprintf(b, "\n\t  Required min Echo Interval: %4d ms", u32(20)/1000)
	if version == 1 && flags&0x04 != 0 {
		bfdAuth(c, p[24:])
	}
}

// bfdAuth prints a BFD v1 authentication section.
func bfdAuth(c *pctx, a []byte) {
	b := c.b
	if len(a) < 4 {
		b.WriteString("[|BFD]")
		return
	}
	names := map[byte]string{1: "Simple Password", 2: "Keyed MD5", 3: "Meticulous Keyed MD5", 4: "Keyed SHA1", 5: "Meticulous Keyed SHA1"}
	typ, n := a[0], int(a[1])
	fmt.Fprintf(b, "\n\tAuthentication: %s (%d), length: %d\n\t  Auth Key ID: %d", tokOr(names, typ, "Unknown"), typ, n, a[2])
	switch typ {
	case 1:
		if n < 4 || n > 19 {
			fmt.Fprintf(b, "[invalid length %d]", n)
			return
		}
		b.WriteString(", Password: ")
		pw := a[3:]
		if len(pw) < n-3 {
			fnPrint(b, pw)
			b.WriteString("[|BFD]")
			return
		}
		fnPrint(b, pw[:n-3])
	case 2, 3, 4, 5:
		want, hash, label := 24, 16, "Digest"
		if typ >= 4 {
			want, hash, label = 28, 20, "Hash"
		}
		if n != want {
			fmt.Fprintf(b, "[invalid length %d]", n)
			return
		}
		if len(a) < 8 {
			b.WriteString("[|BFD]")
			return
		}
		fmt.Fprintf(b, ", Sequence Number: 0x%08x", binary.BigEndian.Uint32(a[4:]))
		if len(a) < 8+hash {
			b.WriteString("[|BFD]")
			return
		}
		fmt.Fprintf(b, "\n\t  %s: %x", label, a[8:8+hash])
	}
}
