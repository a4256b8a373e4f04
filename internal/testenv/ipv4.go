package testenv

import "encoding/binary"

// IPv4Checksum is the header checksum of the IPv4 header h (RFC 791: the
// ones' complement of the ones' complement sum of its 16-bit words), for
// tests that build frames by hand; h's checksum field must be zero.
func IPv4Checksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
