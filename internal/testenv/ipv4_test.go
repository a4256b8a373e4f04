package testenv

import (
	"encoding/hex"
	"testing"
)

func TestIPv4Checksum(t *testing.T) {
	// 192.168.0.1 -> 192.168.0.199, UDP, 115 bytes: the usual worked
	// example, checksum 0xb861.
	h, _ := hex.DecodeString("450000730000400040110000c0a80001c0a800c7")
	if got := IPv4Checksum(h); got != 0xb861 {
		t.Errorf("IPv4Checksum = %#04x, want 0xb861", got)
	}
	h[10], h[11] = 0xb8, 0x61
	if got := IPv4Checksum(h); got != 0 {
		t.Errorf("over a header with its checksum: %#04x, want 0", got)
	}
}
