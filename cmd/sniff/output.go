package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/sys/unix"
)

// sink receives every packet that passed the filter, one goroutine at a time.
type sink interface {
	write(p *pkt) error
	flush() error
	close() error
}

// textSink prints tcpdump-style lines (or JSON objects with --json).
type textSink struct {
	o      *options
	w      *bufio.Writer
	d      *decoder
	first  time.Time
	prev   time.Time
	names  func(i int) string
	many   bool // several interfaces: lines name theirs
	line   []byte
	jsonEn *json.Encoder
}

func newTextSink(o *options, w io.Writer, names func(int) string, many bool) *textSink {
	bw := bufio.NewWriterSize(w, 64<<10)
	t := &textSink{o: o, w: bw, d: newDecoder(), names: names, many: many}
	t.d.quiet = o.quiet
	t.d.vv = o.verbose > 1
	t.d.hexOut = o.hex > 0 || o.hexASCII > 0
	t.d.absSeq = o.absSeq
	t.d.vv = o.verbose > 1
	t.d.hexOut = o.hex > 0 || o.hexASCII > 0
	if o.json {
		t.jsonEn = json.NewEncoder(bw)
	}
	return t
}

// appendStamp is stamp for the default format without allocating.
func (t *textSink) appendStamp(dst []byte, ts time.Time) []byte {
	if t.o.tstamp != 0 && t.o.tstamp != 2 {
		return append(dst, t.stamp(ts)...)
	}
	if t.o.tstamp == 2 {
		dst = strconv.AppendInt(dst, ts.Unix(), 10)
	} else {
		dst = ts.AppendFormat(dst, "15:04:05")
	}
	dst = append(dst, '.')
	v, digits := ts.Nanosecond()/1000, 6
	if t.o.nano {
		v, digits = ts.Nanosecond(), 9
	}
	var buf [9]byte
	for i := digits - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	dst = append(dst, buf[:digits]...)
	return append(dst, ' ')
}

func (t *textSink) stamp(ts time.Time) string {
	digits := 6
	if t.o.nano {
		digits = 9
	}
	frac := func(d time.Duration) string {
		if digits == 6 {
			return fmt.Sprintf("%06d", d.Microseconds()%1e6)
		}
		return fmt.Sprintf("%09d", d.Nanoseconds()%1e9)
	}
	delta := func(from time.Time) string {
		// tcpdump subtracts the time stamps at the printed precision.
		unit := time.Microsecond
		if t.o.nano {
			unit = time.Nanosecond
		}
		d := ts.Truncate(unit).Sub(from.Truncate(unit))
		if from.IsZero() || d < 0 {
			d = 0
		}
		h, m, s := int(d/time.Hour), int(d/time.Minute)%60, int(d/time.Second)%60
		return fmt.Sprintf(" %02d:%02d:%02d.%s ", h, m, s, frac(d))
	}
	ns := time.Duration(ts.Nanosecond())
	switch t.o.tstamp {
	case 1:
		return ""
	case 2:
		return fmt.Sprintf("%d.%s ", ts.Unix(), frac(ns))
	case 3:
		s := delta(t.prev)
		t.prev = ts
		return s
	case 4:
		return ts.Format("2006-01-02 15:04:05") + "." + frac(ns) + " "
	case 5:
		if t.first.IsZero() {
			t.first = ts
		}
		return delta(t.first)
	}
	return ts.Format("15:04:05") + "." + frac(ns) + " "
}

var dirNames = []string{"", "In", "Out"}

func (t *textSink) write(p *pkt) error {
	s := t.d.decodeWith(p, t.o.verbose > 0, t.o.link, t.jsonEn != nil)
	if t.jsonEn != nil {
		f := s.fields
		f["time"] = p.ts.UTC().Format(time.RFC3339Nano)
		f["length"], f["caplen"] = p.len, len(p.data)
		if n := t.names(p.iface); n != "" && f["interface"] == nil {
			f["interface"] = n
		}
		if p.dir != 0 {
			f["direction"] = strings.ToLower(dirNames[p.dir])
		}
		f["summary"] = s.text
		return t.jsonEn.Encode(f)
	}
	t.line = t.line[:0]
	t.line = t.appendStamp(t.line, p.ts)
	if t.many {
		t.line = append(t.line, t.names(p.iface)...)
		if p.dir != 0 {
			t.line = append(t.line, ' ')
			t.line = append(t.line, dirNames[p.dir]...)
		}
		t.line = append(t.line, ' ')
	}
	t.line = append(t.line, s.prefix...)
	if t.o.link {
		t.line = append(t.line, s.link...)
		t.line = append(t.line, s.vlan...)
	}
	text := s.text
	if t.o.link && s.link != "" {
		// The link header named the protocol already.
		for _, p := range []string{"IP ", "IP6 ", "ARP, "} {
			if strings.HasPrefix(text, p) {
				text = text[len(p):]
				break
			}
		}
	}
	if t.o.quiet {
		text = quietText(text)
	}
	t.line = append(t.line, text...)
	t.line = append(t.line, '\n')
	if t.o.hex > 0 || t.o.hexASCII > 0 {
		b := s.payload
		if t.o.hex > 1 || t.o.hexASCII > 1 {
			b = p.data
		}
		t.line = appendHex(t.line, b, t.o.hexASCII > 0)
	} else if t.o.ascii && len(s.payload) > 0 {
		// tcpdump's ascii_print, for a packet with bytes after its
		// headers: CR before LF is dropped, other non-printing bytes
		// but tab, space and LF are dots.
		for i, c := range s.payload {
			switch {
			case c == '\r':
				// A CR prints as a dot when two bytes or more follow
				// and the next is not LF (tcpdump's ascii_print).
				if len(s.payload)-i > 2 && s.payload[i+1] != '\n' {
					t.line = append(t.line, '.')
				}
			case c == '\t' || c == ' ' || c == '\n' || (c > 0x20 && c < 0x7f):
				t.line = append(t.line, c)
			default:
				t.line = append(t.line, '.')
			}
		}
		t.line = append(t.line, '\n')
	}
	_, err := t.w.Write(t.line)
	return err
}

// quietText shortens TCP lines the way -q does: "tcp 0".
func quietText(s string) string {
	if i := strings.Index(s, ": Flags ["); i >= 0 {
		n := "0"
		if j := strings.LastIndex(s, ", length "); j >= 0 {
			n = s[j+len(", length "):]
		}
		return s[:i] + ": tcp " + n
	}
	return s
}

// appendHex is tcpdump's -x / -X layout: 16 bytes a line, in groups of two.
func appendHex(dst, b []byte, ascii bool) []byte {
	for off := 0; off < len(b); off += 16 {
		row := b[off:min(off+16, len(b))]
		dst = fmt.Appendf(dst, "\t0x%04x:  ", off)
		for i := 0; i < 16; i += 2 {
			switch {
			case i+1 < len(row):
				dst = hex.AppendEncode(dst, row[i:i+2])
			case i < len(row):
				dst = hex.AppendEncode(dst, row[i:i+1])
				dst = append(dst, "  "...)
			default:
				if !ascii {
					continue
				}
				dst = append(dst, "    "...)
			}
			if i < 14 || ascii {
				dst = append(dst, ' ')
			}
		}
		if ascii {
			dst = append(dst, ' ')
			for _, c := range row {
				if c > 0x20 && c < 0x7f { // isgraph, as tcpdump
					dst = append(dst, c)
				} else {
					dst = append(dst, '.')
				}
			}
		}
		for len(dst) > 0 && dst[len(dst)-1] == ' ' {
			dst = dst[:len(dst)-1]
		}
		dst = append(dst, '\n')
	}
	return dst
}

func (t *textSink) flush() error { return t.w.Flush() }
func (t *textSink) close() error { return t.w.Flush() }

// fileSink writes pcap or pcapng.
type fileSink struct {
	f *os.File
	w io.Writer // the file, or stdout for -
	// pcap: records are laid out in buf, which goes to w when it is full
	// and on flush; written counts what went. A write error sticks, as
	// bufio's does.
	buf     []byte
	written int64
	err     error
	// pcapng: gopacket's writer, buffered.
	cw  countWriter
	bw  *bufio.Writer
	ng  *pcapgo.NgWriter
	lts []layers.LinkType
	// nano: pcap with nanosecond time stamps (magic a1b23c4d); else
	// microseconds (a1b2c3d4), tcpdump's default.
	nano bool
}

// pcapBufSize is the pcap write buffer of a file that can wait for its
// reader (a pipe, -w -): the records of several ring blocks go out in one
// write(2), each of which wakes the runtime's sysmon thread.
const pcapBufSize = 1 << 20

// rawBufSize is the buffer of a file written by raw write(2)s (rawFile),
// which cost no wakeup. 64 KiB cost 0.81-0.87x the CPU per packet of 1 MiB
// under the bench's flood (five interleaved rounds: a 1 MiB buffer's lines
// come from memory on each pass); 16 KiB, with four times the write(2)s,
// was no better.
const rawBufSize = 64 << 10

// sinkBufs are a file sink's buffers, handed from each rotated file to the
// next (rotator) so that a rotation allocates none. A new 64 KiB buffer a
// rotation (-C 1 under the soak's flood: one a second) was the only
// garbage sniff made, and the Go heap's first collection waits for about
// 8 MB (4 MB plus sniff's 5 MB of globals, GOGC=100): RSS climbed in steps
// for two minutes until it came, then stayed.
type sinkBufs struct {
	pcap []byte
	bw   *bufio.Writer // pcapng
}

// newFileSink creates path (or writes stdout for "-") as pcap or pcapng.
// pcap holds one link type; pcapng one interface block per interface. A
// pcap file has nanosecond time stamps when nano is set, microsecond ones
// otherwise.
func newFileSink(path, format string, names []string, lts []layers.LinkType, snaplen int, nano bool, stdout io.Writer) (*fileSink, error) {
	if path == "-" {
		return newFileSinkOn(nil, stdout, format, names, lts, snaplen, nano, nil)
	}
	f, err := createFile(path)
	if err != nil {
		return nil, err
	}
	return newFileSinkOn(f, f, format, names, lts, snaplen, nano, nil)
}

// createFile opens a -w file for writing, emptied.
func createFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
}

// newFileSinkOn writes to w, the file f (closed on error) or, f nil,
// standard output. It takes its buffers from spare when spare has them (a
// rotation: the file before is closed); spare may be nil.
func newFileSinkOn(f *os.File, w io.Writer, format string, names []string, lts []layers.LinkType, snaplen int, nano bool, spare *sinkBufs) (*fileSink, error) {
	fs := &fileSink{lts: lts, nano: nano, f: f, w: w}
	if f != nil && rawWritable(f) {
		fs.w = &rawFile{f: f, fd: f.Fd()}
	}
	if spare == nil {
		spare = &sinkBufs{}
	}
	if format == "pcapng" {
		if fs.bw = spare.bw; fs.bw != nil {
			fs.bw.Reset(fs.w)
		} else {
			fs.bw = bufio.NewWriterSize(fs.w, 256<<10)
		}
		fs.cw = countWriter{w: fs.bw}
		intf := func(i int) pcapgo.NgInterface {
			return pcapgo.NgInterface{Name: names[i], LinkType: lts[i], SnapLength: uint32(snaplen), TimestampResolution: 9, OS: "Linux"}
		}
		ng, err := pcapgo.NewNgWriterInterface(&fs.cw, intf(0), pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "sniff", OS: "Linux"}})
		if err != nil {
			fs.closeFile()
			return nil, err
		}
		for i := 1; i < len(names); i++ {
			if _, err := ng.AddInterface(intf(i)); err != nil {
				fs.closeFile()
				return nil, err
			}
		}
		fs.ng = ng
		return fs, nil
	}
	for _, lt := range lts[1:] {
		if lt != lts[0] {
			fs.closeFile()
			return nil, fmt.Errorf("the interfaces have different link types (%s, %s): a pcap file holds one; write pcapng (--format pcapng)", lts[0], lt)
		}
	}
	// The file header is gopacket's; the records are written here, in
	// the same layout, without a copy through a writer chain per packet.
	var hdr bytes.Buffer
	hw := pcapgo.NewWriter(&hdr)
	if nano {
		hw = pcapgo.NewWriterNanos(&hdr)
	}
	if err := hw.WriteFileHeader(uint32(snaplen), lts[0]); err != nil {
		fs.closeFile()
		return nil, err
	}
	size := pcapBufSize
	if _, ok := fs.w.(*rawFile); ok {
		size = rawBufSize
	}
	fs.buf = spare.pcap[:0]
	if cap(fs.buf) != size {
		fs.buf = make([]byte, 0, size)
	}
	fs.buf = append(fs.buf, hdr.Bytes()...)
	return fs, nil
}

// rawFile writes a file whose write(2) cannot wait for a reader (a regular
// file, /dev/null) as a raw system call: the goroutine keeps its P, as
// sockcore's RecvIntoNow does. Through os.File.Write every write of the
// buffer entered the scheduler's system-call state, which wakes the
// runtime's sysmon thread when all Ps were idle; sysmon then polled every
// 20 µs until the reader waited again: under the bench's flood a third of
// sniff's CPU (perf record, issue #17). Pipes, sockets and terminals can
// wait for their reader and go through os.File.Write.
type rawFile struct {
	f  *os.File
	fd uintptr
}

func (r *rawFile) Write(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		w, _, e := unix.RawSyscall(unix.SYS_WRITE, r.fd, uintptr(unsafe.Pointer(&b[n])), uintptr(len(b)-n))
		switch {
		case e == unix.EINTR:
			continue
		case e != 0:
			return n, &os.PathError{Op: "write", Path: r.f.Name(), Err: e}
		case w == 0:
			return n, &os.PathError{Op: "write", Path: r.f.Name(), Err: io.ErrShortWrite}
		}
		n += int(w)
	}
	runtime.KeepAlive(r.f)
	return n, nil
}

// rawWritable reports whether f is a regular file or /dev/null (character
// device 1:3), whose writes never wait for a reader.
func rawWritable(f *os.File) bool {
	var st unix.Stat_t
	if unix.Fstat(int(f.Fd()), &st) != nil {
		return false
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return true
	case unix.S_IFCHR:
		return unix.Major(st.Rdev) == 1 && unix.Minor(st.Rdev) == 3
	}
	return false
}

// countWriter counts the bytes written through it: the file's size for -C.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// size is the number of bytes written to the file so far, buffered ones
// included.
func (fs *fileSink) size() int64 {
	if fs.ng != nil {
		return fs.cw.n
	}
	return fs.written + int64(len(fs.buf))
}

func (fs *fileSink) closeFile() {
	if fs.f != nil {
		fs.f.Close()
	}
}

// pcapRecLen is the size of a pcap record header (pcap-savefile(5)).
const pcapRecLen = 16

func (fs *fileSink) write(p *pkt) error {
	if fs.ng != nil {
		ci := gopacket.CaptureInfo{Timestamp: p.ts, CaptureLength: len(p.data), Length: p.len, InterfaceIndex: p.iface}
		var opts pcapgo.NgPacketOptions
		if p.dir != 0 {
			opts.Flags = &pcapgo.NgEpbFlags{Direction: pcapgo.NgEpbFlag(p.dir)}
		}
		if err := fs.ng.WritePacketWithOptions(ci, p.data, opts); err != nil {
			fs.cutPartialNg()
			return err
		}
		return nil
	}
	ts := p.ts
	if ts.IsZero() {
		ts = time.Now()
	}
	return fs.record(uint32(ts.Unix()), uint32(ts.Nanosecond()), p.data, p.len)
}

// record appends a pcap record to the buffer: the header, little-endian
// as gopacket writes it (seconds, nano- or microseconds, captured length,
// length on the wire), then data. A live capture calls it for each packet,
// without a pkt.
func (fs *fileSink) record(sec, nsec uint32, data []byte, wireLen int) error {
	if !fs.nano {
		nsec /= 1000
	}
	if len(data) > wireLen {
		return fmt.Errorf("capture length %d > length %d", len(data), wireLen)
	}
	if len(fs.buf)+pcapRecLen+len(data) > cap(fs.buf) {
		if err := fs.writeBuf(); err != nil {
			return err
		}
	}
	n := len(fs.buf)
	b := fs.buf[:n+pcapRecLen]
	binary.LittleEndian.PutUint32(b[n:], sec)
	binary.LittleEndian.PutUint32(b[n+4:], nsec)
	binary.LittleEndian.PutUint32(b[n+8:], uint32(len(data)))
	binary.LittleEndian.PutUint32(b[n+12:], uint32(wireLen))
	fs.buf = append(b, data...)
	return nil
}

// writeBuf writes the buffered pcap records.
func (fs *fileSink) writeBuf() error {
	if fs.err != nil || len(fs.buf) == 0 {
		return fs.err
	}
	n, err := fs.w.Write(fs.buf)
	if err != nil {
		// A full disk leaves the file ending in part of a record, which
		// readers take for a damaged file: cut it back to the last whole
		// record.
		fs.cutPartial(n)
	}
	fs.written += int64(n)
	if err != nil {
		fs.buf = fs.buf[:copy(fs.buf, fs.buf[n:])]
		fs.err = err
		return err
	}
	fs.buf = fs.buf[:0]
	return nil
}

// pcapFileHdrLen is the size of a pcap file header (pcap-savefile(5)).
const pcapFileHdrLen = 24

// cutPartial truncates the file to the end of the last whole record among
// the n bytes of buf that a failed write put in it.
func (fs *fileSink) cutPartial(n int) {
	if fs.f == nil {
		return
	}
	good, i := 0, 0
	if fs.written == 0 { // buf starts with the file header
		i = pcapFileHdrLen
		if n >= i {
			good = i
		}
	}
	for i+pcapRecLen <= len(fs.buf) {
		l := pcapRecLen + int(binary.LittleEndian.Uint32(fs.buf[i+8:]))
		if i+l > n {
			break
		}
		i += l
		good = i
	}
	if good < n {
		fs.f.Truncate(fs.written + int64(good))
	}
}

func (fs *fileSink) flush() error {
	if fs.ng == nil {
		return fs.writeBuf()
	}
	err := fs.ng.Flush()
	if err == nil {
		err = fs.bw.Flush()
	}
	if err != nil {
		fs.cutPartialNg()
	}
	return err
}

// cutPartialNg truncates a pcapng file that a failed write (a full disk)
// left ending in part of a block to the end of its last whole block: it
// walks the blocks' lengths from the start of the file (the error path
// only; a few bytes read per block).
func (fs *fileSink) cutPartialNg() {
	if fs.f == nil {
		return
	}
	st, err := fs.f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return
	}
	// The file is open write-only: read it through /proc/self/fd, which
	// is the same file whatever its name has become.
	r, err := os.Open(fmt.Sprintf("/proc/self/fd/%d", fs.f.Fd()))
	if err != nil {
		return
	}
	defer r.Close()
	size := st.Size()
	var hdr [12]byte
	order := binary.ByteOrder(binary.LittleEndian)
	if n, _ := r.ReadAt(hdr[:], 0); n == len(hdr) && binary.BigEndian.Uint32(hdr[8:]) == 0x1A2B3C4D {
		order = binary.BigEndian // the section header's byte-order magic
	}
	off := int64(0)
	for off+12 <= size {
		if n, _ := r.ReadAt(hdr[:8], off); n != 8 {
			break
		}
		l := int64(order.Uint32(hdr[4:8]))
		if l < 12 || l%4 != 0 || off+l > size {
			break
		}
		off += l
	}
	if off < size {
		fs.f.Truncate(off)
	}
}

func (fs *fileSink) close() error {
	err := fs.flush()
	if fs.f != nil {
		if cerr := fs.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
