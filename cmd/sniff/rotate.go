package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
)

// rotator is -w with -C (size), -G (seconds) and -W (file count), named as
// tcpdump names its files: FILE, FILE1, FILE2 … with -C; FILE0 … FILE(N-1),
// reused in turn, with -C and -W; strftime(3) patterns in FILE with -G,
// stopping after N files with -G and -W.
//
// The next file is opened before the current one is closed, so that a
// rotation that finds no descriptor (the open-files limit, EMFILE, or the
// system's, ENFILE) loses nothing: the current file stays open and takes
// the packets on, the rotation is tried again at each packet, and the
// complaint is one line when it starts, at most one per shortageEvery with
// the count of failed rotations, and one when a rotation succeeds again.
// tcpdump ends the capture there. Any other failure (read-only or full
// directory) ends it as before, the files before complete.
type rotator struct {
	o       *options
	names   []string
	lts     []layers.LinkType
	stdout  io.Writer
	stderr  io.Writer
	cur     *fileSink
	curName string
	bufs    sinkBufs // the closed file's, for the next
	n       int      // files opened so far
	opened  time.Time

	// The descriptor shortage: on while rotations fail for want of one.
	short     bool
	failed    uint64 // rotations failed since the last line
	total     uint64 // rotations failed since the shortage began
	lastLine  time.Time
	shortFrom time.Time
}

// shortageEvery is the most often a descriptor shortage is said again
// while it lasts (as echod's and echocat's accept shortages).
var shortageEvery = 10 * time.Second

// errRotationDone ends a -G -W capture after its last file.
var errRotationDone = fmt.Errorf("-G with -W: the last file is written")

func newRotator(o *options, names []string, lts []layers.LinkType, stdout, stderr io.Writer, now time.Time) (*rotator, error) {
	r := &rotator{o: o, names: names, lts: lts, stdout: stdout, stderr: stderr}
	if now.IsZero() && o.rotateSecs > 0 {
		// Reading a file: the first packet's time names the first file.
		return r, nil
	}
	return r, r.open(now)
}

// wflagChars is the number of digits of N-1 (tcpdump's getWflagChars).
func wflagChars(n int) int {
	return len(strconv.Itoa(max(n-1, 0)))
}

func (r *rotator) filename(t time.Time) string {
	name := r.o.write
	if r.o.rotateSecs > 0 {
		name = strftime(name, t)
	}
	switch {
	case r.o.fileSizeMB > 0 && r.o.fileCount > 0:
		return fmt.Sprintf("%s%0*d", name, wflagChars(r.o.fileCount), r.n%r.o.fileCount)
	case r.o.fileSizeMB > 0 && r.n > 0:
		return name + strconv.Itoa(r.n)
	}
	return name
}

func (r *rotator) open(t time.Time) error {
	name := r.filename(t)
	if r.cur != nil && name == r.curName {
		// A ring of one file (-W 1), or -G with no time in the name: the
		// same file again. Close it first: its descriptor is the one the
		// open takes.
		if err := r.closeCur(); err != nil {
			return err
		}
	}
	// The file is opened before the current one is closed, its buffer
	// made after: one buffer at a time.
	f, err := createFile(name)
	if err != nil && r.cur != nil && (errors.Is(err, unix.EMFILE) || errors.Is(err, unix.ENFILE)) {
		r.noDescriptor(name, err)
		return nil
	}
	if r.cur != nil {
		if cerr := r.closeCur(); cerr != nil {
			if f != nil {
				f.Close()
				os.Remove(name) // made empty for nothing
			}
			return cerr
		}
	}
	var fs *fileSink
	if err == nil {
		fs, err = newFileSinkOn(f, f, r.o.format, r.names, r.lts, r.o.snaplen, r.o.writeNano, &r.bufs)
		r.bufs = sinkBufs{}
	}
	if err != nil && r.n > 0 {
		// The directory became read-only or full mid-capture: the files
		// before this one are complete (closed above).
		return cli.Exitf(cli.ExitCode(err), "rotating to the next file: %w (the files before it are complete)", err)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if r.short {
		fmt.Fprintf(r.stderr, "sniff: rotated to %s after %d failed rotation%s in %s: descriptors are back\n",
			name, r.total, plural(int(r.total)), time.Since(r.shortFrom).Round(time.Millisecond))
		r.short, r.failed, r.total = false, 0, 0
	}
	r.cur, r.curName, r.opened = fs, name, t
	r.n++
	return nil
}

// closeCur closes the current file and keeps its buffers for the next.
func (r *rotator) closeCur() error {
	err := r.cur.close()
	r.bufs = sinkBufs{pcap: r.cur.buf, bw: r.cur.bw}
	r.cur = nil
	return err
}

// noDescriptor keeps the current file on when the next one cannot be
// opened for want of a descriptor, and says so at most once per
// shortageEvery.
func (r *rotator) noDescriptor(name string, err error) {
	now := time.Now()
	r.failed++
	r.total++
	switch {
	case !r.short:
		r.short, r.shortFrom, r.lastLine = true, now, now
		var lim unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
		fmt.Fprintf(r.stderr, "sniff: rotating to the next file: %v: writing on to %s, rotating when a descriptor frees up (open-files limit %d)\n",
			err, r.curName, lim.Cur)
		r.failed = 0
	case now.Sub(r.lastLine) >= shortageEvery:
		fmt.Fprintf(r.stderr, "sniff: still no descriptor for the next file: %d failed rotation%s in %s, writing on to %s\n",
			r.failed, plural(int(r.failed)), now.Sub(r.lastLine).Round(time.Second), r.curName)
		r.failed, r.lastLine = 0, now
	}
}

func (r *rotator) write(p *pkt) error {
	if r.cur == nil {
		if err := r.open(p.ts); err != nil {
			return err
		}
	}
	switch {
	case r.o.rotateSecs > 0 && p.ts.Sub(r.opened) >= time.Duration(r.o.rotateSecs)*time.Second:
		if r.o.fileCount > 0 && r.n >= r.o.fileCount && r.o.fileSizeMB == 0 {
			return errRotationDone
		}
		if err := r.open(p.ts); err != nil {
			return err
		}
	case r.o.fileSizeMB > 0 && r.cur.size() > int64(r.o.fileSizeMB)*1_000_000:
		if err := r.open(p.ts); err != nil {
			return err
		}
	}
	return r.cur.write(p)
}

func (r *rotator) flush() error {
	if r.cur == nil {
		return nil
	}
	return r.cur.flush()
}

func (r *rotator) close() error {
	if r.cur == nil {
		return nil
	}
	return r.cur.close()
}

// strftime expands the strftime(3) conversions tcpdump users put in -G
// file names: %Y %m %d %H %M %S %s %j %y %%.
func strftime(pat string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		if pat[i] != '%' || i+1 == len(pat) {
			b.WriteByte(pat[i])
			continue
		}
		i++
		switch pat[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(pat[i])
		}
	}
	return b.String()
}
