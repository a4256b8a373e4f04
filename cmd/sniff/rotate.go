package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/sockcore/sockcore/internal/cli"
)

// rotator is -w with -C (size), -G (seconds) and -W (file count), named as
// tcpdump names its files: FILE, FILE1, FILE2 … with -C; FILE0 … FILE(N-1),
// reused in turn, with -C and -W; strftime(3) patterns in FILE with -G,
// stopping after N files with -G and -W.
type rotator struct {
	o      *options
	names  []string
	lts    []layers.LinkType
	stdout io.Writer
	cur    *fileSink
	n      int // files opened so far
	opened time.Time
}

// errRotationDone ends a -G -W capture after its last file.
var errRotationDone = fmt.Errorf("-G with -W: the last file is written")

func newRotator(o *options, names []string, lts []layers.LinkType, stdout io.Writer, now time.Time) (*rotator, error) {
	r := &rotator{o: o, names: names, lts: lts, stdout: stdout}
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
	if r.cur != nil {
		if err := r.cur.close(); err != nil {
			return err
		}
		r.cur = nil
	}
	name := r.filename(t)
	fs, err := newFileSink(name, r.o.format, r.names, r.lts, r.o.snaplen, r.o.writeNano, r.stdout)
	if err != nil && r.n > 0 {
		// The directory became read-only or full mid-capture: the files
		// before this one are complete (closed above).
		return cli.Exitf(cli.ExitCode(err), "rotating to the next file: %w (the files before it are complete)", err)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	r.cur, r.opened = fs, t
	r.n++
	return nil
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
