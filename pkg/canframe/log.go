package canframe

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// LogLine is one line of a candump log file (candump -l, candump -L):
// "(1700000000.123456) vcan0 123#DEADBEEF".
type LogLine struct {
	Time  time.Time
	Iface string
	Frame Frame
}

// ParseLogLine reads one candump log line. A trailing direction marker
// (" R" or " T", written by newer candump with -x) is accepted and ignored.
func ParseLogLine(s string) (LogLine, error) {
	var l LogLine
	fields := strings.Fields(s)
	if len(fields) < 3 || len(fields) > 4 {
		return l, fmt.Errorf("%w: log line %q is not \"(sec.usec) iface frame\"", ErrSyntax, s)
	}
	if len(fields) == 4 && fields[3] != "R" && fields[3] != "T" {
		return l, fmt.Errorf("%w: log line %q ends in %q", ErrSyntax, s, fields[3])
	}
	ts := fields[0]
	if len(ts) < 3 || ts[0] != '(' || ts[len(ts)-1] != ')' {
		return l, fmt.Errorf("%w: log line %q has no (sec.usec) timestamp", ErrSyntax, s)
	}
	t, err := parseTimestamp(ts[1 : len(ts)-1])
	if err != nil {
		return l, fmt.Errorf("%w: log line %q: %w", ErrSyntax, s, err)
	}
	l.Time = t
	l.Iface = fields[1]
	l.Frame, err = Parse(fields[2])
	if err != nil {
		return l, err
	}
	return l, nil
}

func parseTimestamp(s string) (time.Time, error) {
	secText, fracText, ok := strings.Cut(s, ".")
	if !ok || secText == "" || fracText == "" || len(fracText) > 9 {
		return time.Time{}, fmt.Errorf("timestamp %q is not sec.usec", s)
	}
	sec, err := strconv.ParseUint(secText, 10, 63)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q is not sec.usec", s)
	}
	frac, err := strconv.ParseUint(fracText, 10, 32)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q is not sec.usec", s)
	}
	for i := len(fracText); i < 9; i++ {
		frac *= 10
	}
	return time.Unix(int64(sec), int64(frac)).UTC(), nil
}

// AppendLogLine appends l in candump's log format, without a newline.
func AppendLogLine(b []byte, l *LogLine) []byte {
	b = AppendTimestamp(b, l.Time)
	b = append(b, ' ')
	b = append(b, l.Iface...)
	b = append(b, ' ')
	return AppendText(b, &l.Frame)
}

// AppendTimestamp appends "(sec.usec)" for t, as candump writes it.
func AppendTimestamp(b []byte, t time.Time) []byte {
	return appendSecUsec(b, t.Unix(), t.Nanosecond()/1000, 10)
}

// AppendDuration appends "(sss.uuuuuu)", candump's relative timestamps (-t d,
// -t z).
func AppendDuration(b []byte, d time.Duration) []byte {
	if d < 0 {
		d = 0
	}
	return appendSecUsec(b, int64(d/time.Second), int(d%time.Second/time.Microsecond), 3)
}

func appendSecUsec(b []byte, sec int64, usec, secWidth int) []byte {
	b = append(b, '(')
	s := strconv.FormatInt(sec, 10)
	for i := len(s); i < secWidth; i++ {
		b = append(b, '0')
	}
	b = append(b, s...)
	b = append(b, '.')
	u := strconv.Itoa(usec)
	for i := len(u); i < 6; i++ {
		b = append(b, '0')
	}
	b = append(b, u...)
	return append(b, ')')
}
