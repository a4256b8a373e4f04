package canframe

import "strconv"

// ISOTPView is what isotpdump adds to a line (AppendISOTP).
type ISOTPView struct {
	Extended bool // -x: extended addressing, the first data byte is the address ({55} after the id)
	ASCII    bool // -a: the payload bytes as ASCII after them
}

var fcStatus = [...]string{"CTS", "WT", "OVFL", "reserved"}

// AppendISOTP appends frame f as isotpdump (can-utils 2020.11) prints it
// after the timestamp: " vcan0  123  [8]  [FF] ln: 29   data: 01 02 ...",
// the protocol control information of single (SF), first (FF), consecutive
// (CF) and flow-control (FC) frames decoded, "[??]" for anything else.
func AppendISOTP(b []byte, iface string, f *Frame, v ISOTPView) []byte {
	data := func(i int) int {
		if i >= 0 && i < len(f.Data) {
			return int(f.Data[i])
		}
		return 0
	}
	b = append(b, ' ')
	b = append(b, iface...)
	b = append(b, "  "...)
	if f.Extended {
		b = appendPaddedHex(b, uint64(f.ID), 8)
	} else {
		b = appendPaddedHex(b, uint64(f.ID), 3)
	}
	ext := 0
	if v.Extended {
		ext = 1
		b = append(b, '{', hexDigits[data(0)>>4], hexDigits[data(0)&0xf], '}')
	}
	n := len(f.Data)
	if f.FD {
		b = append(b, " ["...)
		b = append(b, byte('0'+n/10), byte('0'+n%10))
		b = append(b, "]  "...)
	} else {
		b = append(b, "  ["...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, "]  "...)
	}
	pci := data(ext)
	datidx := 0
	switch pci & 0xf0 {
	case 0x00:
		ln := pci & 0xf
		datidx = ext + 1
		if ln == 0 { // CAN FD single frame: the length is in the next byte
			ln, datidx = data(ext+1), ext+2
		}
		b = append(b, "[SF] ln: "...)
		b = appendLeft(b, strconv.Itoa(ln), 4)
		b = append(b, " data:"...)
	case 0x10:
		ln := (pci&0xf)<<8 + data(ext+1)
		datidx = ext + 2
		if ln == 0 { // more than 4095 bytes: a 32-bit length follows
			ln = data(ext+2)<<24 | data(ext+3)<<16 | data(ext+4)<<8 | data(ext+5)
			datidx = ext + 6
		}
		b = append(b, "[FF] ln: "...)
		b = appendLeft(b, strconv.Itoa(ln), 4)
		b = append(b, " data:"...)
	case 0x20:
		b = append(b, "[CF] sn: "...)
		b = append(b, hexDigits[pci&0xf])
		b = append(b, "    data:"...)
		datidx = ext + 1
	case 0x30:
		st := pci & 0xf
		b = append(b, "[FC] FC: "...)
		b = strconv.AppendInt(b, int64(st), 10)
		b = append(b, " = "...)
		b = append(b, fcStatus[min(st, 3)]...)
		b = append(b, " # BS: "...)
		b = strconv.AppendInt(b, int64(data(ext+1)), 10)
		b = append(b, ' ')
		if data(ext+1) == 0 {
			b = append(b, "= off "...)
		}
		stmin := data(ext + 2)
		b = append(b, "# STmin: 0x"...)
		b = append(b, hexDigits[stmin>>4], hexDigits[stmin&0xf])
		b = append(b, " = "...)
		switch {
		case stmin < 0x80:
			b = strconv.AppendInt(b, int64(stmin), 10)
			b = append(b, " ms"...)
		case stmin > 0xf0 && stmin < 0xfa:
			b = strconv.AppendInt(b, int64(stmin&0xf)*100, 10)
			b = append(b, " us"...)
		default:
			b = append(b, "reserved"...)
		}
	default:
		b = append(b, "[??]"...)
	}
	if datidx > 0 && n > datidx {
		b = append(b, ' ')
		for _, c := range f.Data[datidx:] {
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf], ' ')
		}
		if v.ASCII {
			b = appendPadded(b, "-  '", ((7-ext)-(n-datidx))*3+5)
			for _, c := range f.Data[datidx:] {
				if c > 0x1f && c < 0x7f {
					b = append(b, c)
				} else {
					b = append(b, '.')
				}
			}
			b = append(b, '\'')
		}
	}
	return b
}

// appendPaddedHex appends v in upper-case hex, right-aligned in width
// columns with spaces (printf's %3X).
func appendPaddedHex(b []byte, v uint64, width int) []byte {
	s := strconv.FormatUint(v, 16)
	for i := len(s); i < width; i++ {
		b = append(b, ' ')
	}
	for i := 0; i < len(s); i++ {
		b = append(b, upper(s[i]))
	}
	return b
}

// appendLeft appends s left-aligned in width columns (printf's %-4d).
func appendLeft(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for i := len(s); i < width; i++ {
		b = append(b, ' ')
	}
	return b
}

// AppendISOTPTimestamp appends isotpdump's "(sec.usec) " for an absolute,
// delta or zero-based time: seconds without padding, unlike candump.
func AppendISOTPTimestamp(b []byte, sec int64, usec int) []byte {
	b = append(b, '(')
	b = strconv.AppendInt(b, sec, 10)
	b = append(b, '.')
	u := strconv.Itoa(usec)
	for i := len(u); i < 6; i++ {
		b = append(b, '0')
	}
	b = append(b, u...)
	return append(b, ") "...)
}
