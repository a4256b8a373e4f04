package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// errCorrupt marks a capture file that cannot be read on: a bad header,
// a record cut short. The packets before it have been printed.
var errCorrupt = errors.New("corrupt capture file")

// pcapReader reads a pcap file (pcap-savefile(5)) record by record as
// libpcap's sf-pcap.c does, which tcpdump -r prints: records whose
// captured length exceeds the original length, or the file's snapshot
// length, are read and printed (cut to the snapshot length), where
// gopacket's pcapgo.Reader stops with an error.
type pcapReader struct {
	r       *bufio.Reader
	bo      binary.ByteOrder
	nanos   bool
	extra   int // bytes after each record header (Kuznetzov's modified format)
	snaplen uint32
	lt      layers.LinkType
	hdr     [24]byte
	buf     []byte
}

// maxSnaplen is libpcap's MAXIMUM_SNAPLEN: a record header claiming more
// is corrupt.
const maxSnaplen = 262144

func newPcapReader(r *bufio.Reader) (*pcapReader, error) {
	p := &pcapReader{r: r}
	h := p.hdr[:24]
	if n, err := io.ReadFull(r, h); err != nil {
		return nil, fmt.Errorf("%w: file header: %d of 24 bytes", errCorrupt, n)
	}
	switch m := binary.LittleEndian.Uint32(h); m {
	case 0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34:
		p.bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1, 0x34cdb2a1:
		p.bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("%w: unknown magic number 0x%08x", errCorrupt, m)
	}
	switch p.bo.Uint32(h) {
	case 0xa1b23c4d:
		p.nanos = true
	case 0xa1b2cd34:
		p.extra = 8
	}
	if major := p.bo.Uint16(h[4:]); major != 2 {
		return nil, fmt.Errorf("%w: pcap version %d.%d", errCorrupt, major, p.bo.Uint16(h[6:]))
	}
	p.snaplen = p.bo.Uint32(h[16:])
	if p.snaplen == 0 || p.snaplen > maxSnaplen {
		p.snaplen = maxSnaplen
	}
	// The upper bits carry the FCS length (LT_FCS_DATAWITHLEN).
	p.lt = layers.LinkType(p.bo.Uint32(h[20:]) & 0x03ffffff)
	return p, nil
}

func (p *pcapReader) LinkType() layers.LinkType { return p.lt }

// Resolution is the time stamps' resolution: micro- or nanoseconds.
func (p *pcapReader) Resolution() gopacket.TimestampResolution {
	if p.nanos {
		return gopacket.TimestampResolution{Base: 10, Exponent: -9}
	}
	return gopacket.TimestampResolution{Base: 10, Exponent: -6}
}

// ReadPacketData returns the next record, io.EOF at the end of the file,
// or an error wrapping errCorrupt. The data is valid until the next call.
func (p *pcapReader) ReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	var ci gopacket.CaptureInfo
	h := p.hdr[:16+p.extra]
	n, err := io.ReadFull(p.r, h)
	if err == io.EOF {
		return nil, ci, io.EOF
	}
	if err != nil {
		return nil, ci, fmt.Errorf("%w: truncated dump file; tried to read %d header bytes, only got %d", errCorrupt, len(h), n)
	}
	sec, frac := p.bo.Uint32(h), p.bo.Uint32(h[4:])
	caplen, wire := p.bo.Uint32(h[8:]), p.bo.Uint32(h[12:])
	if caplen > maxSnaplen && caplen > p.snaplen {
		return nil, ci, fmt.Errorf("%w: invalid packet capture length %d, bigger than maximum of %d", errCorrupt, caplen, maxSnaplen)
	}
	keep := min(caplen, p.snaplen)
	if cap(p.buf) < int(keep) {
		p.buf = make([]byte, keep, max(keep, 64<<10))
	}
	p.buf = p.buf[:keep]
	if n, err := io.ReadFull(p.r, p.buf); err != nil {
		return nil, ci, fmt.Errorf("%w: truncated dump file; tried to read %d captured bytes, only got %d", errCorrupt, caplen, n)
	}
	if skip := int(caplen - keep); skip > 0 {
		if n, err := p.r.Discard(skip); err != nil {
			return nil, ci, fmt.Errorf("%w: truncated dump file; tried to read %d captured bytes, only got %d", errCorrupt, caplen, int(keep)+n)
		}
	}
	ns := int64(frac)
	if !p.nanos {
		ns *= 1000
	}
	ci.Timestamp = time.Unix(int64(sec), ns)
	ci.CaptureLength, ci.Length = int(keep), int(wire)
	return p.buf, ci, nil
}
