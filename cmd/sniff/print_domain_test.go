package main

import (
	"encoding/hex"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// TestDNSOverTCPAndIPIP: four frames read in order by one decoder print
// as tcpdump 4.99.3 -n prints a file of them: DNS over TCP port 53 after
// its length prefix, a segment too short for the prefix, IPv4 in IPv4
// (protocol 4) with the outer addresses before the inner packet, and a UDP
// DNS datagram shorter than a DNS header.
func TestDNSOverTCPAndIPIP(t *testing.T) {
	frames := []struct{ hex, want string }{
		{"02000000000202000000000108004500004700010000400666ae0a0000010a000002a0280035000003e8000007d0501801f600000000001d123401000001000000000000076578616d706c6503636f6d0000010001",
			"IP 10.0.0.1.41000 > 10.0.0.2.53: Flags [P.], seq 1000:1031, ack 2000, win 502, length 31 4660+ A? example.com. (29)"},
		{"02000000000202000000000108004500002900010000400666cc0a0000010a000002a0280035000003e8000007d0501801f60000000000",
			"IP 10.0.0.1.41000 > 10.0.0.2.53: Flags [P.], seq 0:1, ack 1, win 502, length 1 [DNS over TCP: length 1 < 2] (invalid)"},
		{"02000000000202000000000108004500003400010000400466c30a0000010a0000024500002000010000401164ca0a0001010a00010213882328000c000061626364",
			"IP 10.0.0.1 > 10.0.0.2: IP 10.0.1.1.5000 > 10.0.1.2.9000: UDP, length 4"},
		{"02000000000202000000000108004500002000010000401166ca0a0000010a00000213880035000c000061626364",
			"IP 10.0.0.1.5000 > 10.0.0.2.53: domain [length 4 < 12] (invalid)"},
	}
	d := newDecoder()
	for i, f := range frames {
		data, err := hex.DecodeString(f.hex)
		if err != nil {
			t.Fatal(err)
		}
		if s := d.decode(&pkt{data: data, len: len(data), lt: layers.LinkTypeEthernet}, false); s.text != f.want {
			t.Errorf("frame %d: %q, want %q", i+1, s.text, f.want)
		}
	}
}
