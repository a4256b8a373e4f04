package main

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// nestedICMPErrors builds an Ethernet frame of up to 64 KiB holding an
// ICMP "host unreachable" that quotes an ICMP error that quotes another…
// down to a UDP datagram: 2,339 levels, as an attacker would send it.
func nestedICMPErrors() (frame []byte, levels int) {
	csum := func(b []byte) uint16 {
		var s uint32
		for i := 0; i+1 < len(b); i += 2 {
			s += uint32(binary.BigEndian.Uint16(b[i:]))
		}
		if len(b)%2 == 1 {
			s += uint32(b[len(b)-1]) << 8
		}
		for s>>16 != 0 {
			s = s&0xffff + s>>16
		}
		return ^uint16(s)
	}
	ip := func(proto byte, payload []byte) []byte {
		h := make([]byte, 20, 20+len(payload))
		h[0], h[8], h[9] = 0x45, 64, proto
		binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
		copy(h[12:], []byte{10, 0, 0, 2})
		copy(h[16:], []byte{10, 0, 0, 1})
		binary.BigEndian.PutUint16(h[10:], csum(h))
		return append(h, payload...)
	}
	p := ip(17, []byte{4, 210, 0, 53, 0, 8, 0, 0})
	for len(p)+28 <= 65535-14 {
		icmp := append([]byte{3, 1, 0, 0, 0, 0, 0, 0}, p...)
		binary.BigEndian.PutUint16(icmp[2:], csum(icmp))
		p = ip(1, icmp)
		levels++
	}
	eth := []byte{2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 8, 0}
	return append(eth, p...), levels
}

// TestNestedICMPErrorsOneLevel: sniff -v decodes the datagram an ICMP
// error quotes, one level deep: a 64 KiB packet of nested ICMP errors
// prints the error and its quote (four lines), not every level (2,339
// levels, 355 KB of text at quadratic cost before).
func TestNestedICMPErrorsOneLevel(t *testing.T) {
	frame, levels := nestedICMPErrors()
	if levels < 2000 {
		t.Fatalf("only %d levels in %d bytes", levels, len(frame))
	}
	d := newDecoder()
	s := d.decode(&pkt{data: frame, len: len(frame), lt: layers.LinkTypeEthernet}, true)
	want := "IP (tos 0x0, ttl 64, id 0, offset 0, flags [none], proto ICMP (1), length 65520)\n" +
		"    10.0.0.2 > 10.0.0.1: ICMP host 10.0.0.1 unreachable, length 65500\n" +
		"\tIP (tos 0x0, ttl 64, id 0, offset 0, flags [none], proto ICMP (1), length 65492)\n" +
		"    10.0.0.2 > 10.0.0.1: ICMP host 10.0.0.1 unreachable, length 65472"
	if s.text != want {
		t.Errorf("%d lines, %d bytes of text; want the error and one quoted level:\n%s", strings.Count(s.text, "\n")+1, len(s.text), want)
		if len(s.text) < 2000 {
			t.Errorf("got:\n%s", s.text)
		}
	}
	// The same decoder goes on with the next packet as before.
	s = d.decode(&pkt{data: frame, len: len(frame), lt: layers.LinkTypeEthernet}, true)
	if got := strings.Count(s.text, "\n\t"); got != 1 {
		t.Errorf("second packet: %d quoted levels, want 1", got)
	}
}
