package canframe

import (
	"strconv"
	"time"
)

// View selects what candump adds to its default columns (AppendCandump).
type View struct {
	IndentSFF bool // indent standard ids by five columns (candump does so once it has seen an extended id)
	ASCII     bool // -a: the payload as ASCII after the hex bytes (frames of up to 8 bytes)
	Errors    bool // -e: error frames decoded in words, one class a line ("\n\t" before each)
}

// AppendCandump appends f as candump (can-utils 2020.11) prints it after the
// interface column: "123   [4]  DE AD BE EF", CAN FD lengths as "[04]", a
// remote frame as "remote request", an error frame followed by
// "ERRORFRAME", and with v.Errors the error classes in words on following
// lines that start with a tab (AppendErrorText with separator "\n\t").
func AppendCandump(b []byte, f *Frame, v View) []byte {
	start := len(b)
	switch {
	case f.Err || f.Extended:
		b = appendID(b, f)
		b = append(b, "  "...)
	case v.IndentSFF:
		b = append(b, "     "...)
		b = appendID(b, f)
		b = append(b, "  "...)
	default:
		b = appendID(b, f)
		b = append(b, "  "...)
	}
	n := f.Len()
	if f.FD {
		b = append(b, '[', byte('0'+n/10), byte('0'+n%10), ']', ' ')
	} else {
		b = append(b, ' ', '[')
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, ']', ' ')
	}
	if f.RTR {
		return append(b, " remote request"...)
	}
	for _, c := range f.Data {
		b = append(b, ' ', hexDigits[c>>4], hexDigits[c&0xf])
	}
	if len(f.Data) <= MaxLen {
		pad := 3 * (MaxLen - len(f.Data))
		switch {
		case f.Err:
			b = appendPadded(b, "ERRORFRAME", pad+13)
		case v.ASCII:
			b = appendPadded(b, "'", pad+4)
			for _, c := range f.Data {
				if c > 0x1f && c < 0x7f {
					b = append(b, c)
				} else {
					b = append(b, '.')
				}
			}
			b = append(b, '\'')
		}
	}
	if v.Errors && f.Err {
		line := len(b)
		b = append(b, "\n\t"...)
		if errClass(f) > 1<<(len(errClassNames)-1) {
			// candump says the class is invalid on stderr and
			// prints its buffer again, which still holds the line.
			b = append(b, b[start:line]...)
		} else {
			b = AppendErrorText(b, f, "\n\t")
		}
	}
	return b
}

func appendPadded(b []byte, s string, width int) []byte {
	for i := len(s); i < width; i++ {
		b = append(b, ' ')
	}
	return append(b, s...)
}

func errClass(f *Frame) uint32 { return f.ID & EFFMask }

// protLocations names the protocol-violation location in data[3] (the
// CAN_ERR_PROT_LOC_* values), as candump -e prints them.
var protLocations = [...]string{
	"unspecified", "unspecified", "id.28-to-id.28", "start-of-frame", "bit-srtr", "bit-ide",
	"id.20-to-id.18", "id.17-to-id.13", "crc-sequence", "reserved-bit-0", "data-field",
	"data-length-code", "bit-rtr", "reserved-bit-1", "id.4-to-id.0", "id.12-to-id.5",
	"unspecified", "active-error-flag", "intermission", "tolerate-dominant-bits", "unspecified",
	"unspecified", "passive-error-flag", "error-delimiter", "crc-delimiter", "acknowledge-slot",
	"end-of-frame", "acknowledge-delimiter", "overload-flag", "unspecified", "unspecified", "unspecified",
}

// candumpProtNames are the protocol-violation types of data[2] as candump
// -e names them (bits 3 and 4 differ from the kernel header's wording).
var candumpProtNames = [...]string{
	"single-bit-error", "frame-format-error", "bit-stuffing-error", "tx-dominant-bit-error",
	"tx-recessive-bit-error", "bus-overload", "active-error", "error-on-tx",
}

// AppendErrorText appends the classes of error frame f in candump -e's words,
// joined by sep: "controller-problem{rx-error-warning}",
// "protocol-violation{{bit-stuffing-error}{data-field}}", "lost-arbitration{at
// bit 3}", and "error-counter-tx-rx{{tx}{rx}}" when data[6] or data[7] is not
// zero. Nothing is appended for a frame that is not an error frame or whose
// class has bits above restarted-after-bus-off only.
func AppendErrorText(b []byte, f *Frame, sep string) []byte {
	if !f.Err {
		return b
	}
	class := errClass(f)
	if class > 1<<(len(errClassNames)-1) {
		return b
	}
	data := func(i int) byte {
		if i < len(f.Data) {
			return f.Data[i]
		}
		return 0
	}
	classes := 0
	// candump knows nine classes: error-counter (0x200) is printed from
	// data[6] and data[7] instead.
	for _, c := range errClassNames[:len(errClassNames)-1] {
		if class&c.bit == 0 {
			continue
		}
		if classes > 0 {
			b = append(b, sep...)
		}
		classes++
		b = append(b, c.name...)
		switch c.bit {
		case ErrClassLostArb:
			b = append(b, "{at bit "...)
			b = strconv.AppendInt(b, int64(data(0)), 10)
			b = append(b, '}')
		case ErrClassCtrl:
			b = append(b, '{')
			b = appendBits(b, data(1), ctrlNames[:])
			b = append(b, '}')
		case ErrClassProt:
			b = append(b, "{{"...)
			for i, first := 0, true; i < len(candumpProtNames); i++ {
				if data(2)&(1<<i) != 0 {
					if !first {
						b = append(b, ',')
					}
					first = false
					b = append(b, candumpProtNames[i]...)
				}
			}
			b = append(b, "}{"...)
			if l := data(3); l > 0 && int(l) < len(protLocations) {
				b = append(b, protLocations[l]...)
			}
			b = append(b, "}}"...)
		}
	}
	if data(6) != 0 || data(7) != 0 {
		b = append(b, sep...)
		b = append(b, "error-counter-tx-rx{{"...)
		b = strconv.AppendInt(b, int64(data(6)), 10)
		b = append(b, "}{"...)
		b = strconv.AppendInt(b, int64(data(7)), 10)
		b = append(b, "}}"...)
	}
	return b
}

func appendBits(b []byte, v byte, names []struct {
	bit  byte
	name string
}) []byte {
	first := true
	for _, n := range names {
		if v&n.bit != 0 {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, n.name...)
		}
	}
	return b
}

// AppendTextFlags is AppendText with the CAN FD flags digit taken from
// wireFlags, the flags byte as the kernel delivered it: candump -L and -l
// print it as it is, with CANFD_FDF (4) where the kernel sets it.
func AppendTextFlags(b []byte, f *Frame, wireFlags byte) []byte {
	if !f.FD {
		return AppendText(b, f)
	}
	n := len(b)
	b = AppendText(b, f)
	i := n + len(appendID(nil, f)) + 2 // after "ID##"
	b[i] = hexDigits[wireFlags&0xf]
	return b
}

// ExtraInfo is candump -x's column: "RX" or "TX" (tx: the frame was sent
// from this host, MSG_DONTROUTE), then "B" for bit rate switch and "E" for
// error state indicator, "-" where the flag is clear: "RX B -".
func ExtraInfo(tx bool, wireFlags byte) string {
	dir := "RX "
	if tx {
		dir = "TX "
	}
	return dir + [4]string{"- -", "B -", "- E", "B E"}[wireFlags&3]
}

// AppendDateTimestamp appends candump -t A's "(2006-11-20 20:20:26.123456)"
// in t's location.
func AppendDateTimestamp(b []byte, t time.Time) []byte {
	b = append(b, '(')
	b = t.AppendFormat(b, "2006-01-02 15:04:05")
	b = append(b, '.')
	u := strconv.Itoa(t.Nanosecond() / 1000)
	for i := len(u); i < 6; i++ {
		b = append(b, '0')
	}
	b = append(b, u...)
	return append(b, ')')
}

// CandumpLogName is the name candump -l gives its log file for a start at
// t, in t's location: "candump-2006-11-20_202026.log".
func CandumpLogName(t time.Time) string {
	return t.Format("candump-2006-01-02_150405.log")
}
