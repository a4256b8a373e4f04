package canframe

import (
	"fmt"
	"strconv"
	"strings"
)

const hexDigits = "0123456789ABCDEF"

// Parse reads the compact frame text of can-utils' cansend and candump -L:
//
//	123#DEADBEEF       standard id (3 hex digits), up to 8 data bytes
//	12345678#1122      extended id (8 hex digits)
//	123#DE.AD.BE.EF    dots between bytes are allowed
//	123#R  123#R5      remote request, optionally with its length 0-8
//	123##1DEADBEEF     CAN FD: one hex digit of flags (BRS=1, ESI=2; other bits dropped), up to 64 bytes
//	20000004#00040000  an 8-digit id with the CAN_ERR_FLAG bit is an error frame
func Parse(s string) (Frame, error) {
	var f Frame
	idText, rest, ok := strings.Cut(s, "#")
	if !ok {
		return f, fmt.Errorf("%w %q: no '#' after the id", ErrSyntax, s)
	}
	v, err := strconv.ParseUint(idText, 16, 32)
	if err != nil || strings.ContainsAny(idText, "+-xX_") {
		return f, fmt.Errorf("%w %q: id %q is not hexadecimal", ErrSyntax, s, idText)
	}
	switch len(idText) {
	case 3:
		if v > SFFMask {
			return f, fmt.Errorf("%w: standard id %s exceeds 7FF (use 8 hex digits for an extended id)", ErrBadID, idText)
		}
		f.ID = uint32(v)
	case 8:
		switch {
		case v&ErrFlag != 0:
			f.Err = true
			f.ID = uint32(v) & ErrMask
		case v > EFFMask:
			return f, fmt.Errorf("%w: extended id %s exceeds 1FFFFFFF", ErrBadID, idText)
		default:
			f.Extended = true
			f.ID = uint32(v)
		}
	default:
		return f, fmt.Errorf("%w %q: the id has 3 (standard) or 8 (extended) hex digits, not %d", ErrSyntax, s, len(idText))
	}
	switch {
	case strings.HasPrefix(rest, "#"):
		f.FD = true
		if len(rest) < 2 {
			return f, fmt.Errorf("%w %q: CAN FD needs a flags digit after ##", ErrSyntax, s)
		}
		fl := strings.IndexByte(hexDigits, upper(rest[1]))
		if fl < 0 {
			return f, fmt.Errorf("%w %q: CAN FD flags %q are not a hex digit", ErrSyntax, s, rest[1])
		}
		f.Flags = uint8(fl) & fdFlagsKept // FDF (4) is implied by ##
		rest = rest[2:]
	case strings.HasPrefix(rest, "R") || strings.HasPrefix(rest, "r"):
		if f.Err {
			return f, fmt.Errorf("%w %q: an error frame is not a remote request", ErrSyntax, s)
		}
		f.RTR = true
		switch len(rest) {
		case 1:
		case 2:
			if rest[1] < '0' || rest[1] > '8' {
				return f, fmt.Errorf("%w %q: remote request length must be 0-8", ErrSyntax, s)
			}
			f.RTRLen = rest[1] - '0'
		default:
			return f, fmt.Errorf("%w %q: a remote request carries no data", ErrSyntax, s)
		}
		return f, nil
	}
	data, err := parseHexBytes(rest)
	if err != nil {
		return f, fmt.Errorf("%w %q: %w", ErrSyntax, s, err)
	}
	f.Data = data
	if err := f.Validate(); err != nil {
		return f, err
	}
	return f, nil
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func hexVal(c byte) int { return strings.IndexByte(hexDigits, upper(c)) }

// parseHexBytes reads pairs of hex digits with optional dots between bytes.
func parseHexBytes(s string) ([]byte, error) {
	out := []byte{}
	for i := 0; i < len(s); {
		if s[i] == '.' {
			i++
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("odd number of hex digits in the data")
		}
		hi, lo := hexVal(s[i]), hexVal(s[i+1])
		if hi < 0 || lo < 0 {
			return nil, fmt.Errorf("data %q is not hex bytes", s[i:i+2])
		}
		out = append(out, byte(hi<<4|lo))
		i += 2
	}
	return out, nil
}

// AppendText appends the compact text of f (what Parse reads, and what
// candump -L writes).
func AppendText(b []byte, f *Frame) []byte {
	b = appendID(b, f)
	b = append(b, '#')
	switch {
	case f.RTR:
		b = append(b, 'R')
		if f.RTRLen > 0 {
			b = append(b, '0'+f.RTRLen)
		}
		return b
	case f.FD:
		b = append(b, '#', hexDigits[f.Flags&0xf])
	}
	for _, c := range f.Data {
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return b
}

// Text returns the compact text of f.
func (f *Frame) Text() string { return string(AppendText(nil, f)) }

// String is the compact text.
func (f Frame) String() string { return f.Text() }

func appendID(b []byte, f *Frame) []byte {
	if f.Err || f.Extended {
		return appendHex(b, uint64(f.CANID()&(EFFMask|ErrFlag)), 8)
	}
	return appendHex(b, uint64(f.ID&SFFMask), 3)
}

func appendHex(b []byte, v uint64, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		b = append(b, hexDigits[(v>>(4*uint(i)))&0xf])
	}
	return b
}

// AppendLong appends f in candump's default columns, without the interface:
// "123   [4]  DE AD BE EF", "123  [04]  ..." for CAN FD, "123   [4]  remote
// request" for a remote frame; an error frame ends in "ERRORFRAME" followed by
// its decoding (DescribeError).
func AppendLong(b []byte, f *Frame) []byte {
	b = appendID(b, f)
	if f.FD {
		b = append(b, "  ["...)
		b = append(b, byte('0'+f.Len()/10), byte('0'+f.Len()%10))
	} else {
		b = append(b, "   ["...)
		b = strconv.AppendInt(b, int64(f.Len()), 10)
	}
	b = append(b, "] "...)
	if f.RTR {
		return append(b, " remote request"...)
	}
	for _, c := range f.Data {
		b = append(b, ' ', hexDigits[c>>4], hexDigits[c&0xf])
	}
	if f.Err {
		b = append(b, "   ERRORFRAME "...)
		b = append(b, DescribeError(f)...)
	}
	return b
}
