package sockcore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrIllegalAddress is what InetAton and InetPton return for a string that is
// not an address of the family (Python's "illegal IP address string").
var ErrIllegalAddress = errors.New("illegal IP address string")

// InetAton converts an IPv4 address in any form glibc's inet_aton(3) accepts
// ("1", "1.2", "1.2.3", "1.2.3.4", each part decimal, 0x-hex or 0-octal,
// trailing whitespace and anything after it ignored) to 4 bytes.
func InetAton(s string) ([]byte, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, fmt.Errorf("inet_aton: argument contains an embedded NUL")
	}
	var parts [4]uint32
	np := 0
	i := 0
	var val uint64
	for {
		if i >= len(s) || !isDigit(s[i]) {
			return nil, fmt.Errorf("inet_aton: %w", ErrIllegalAddress)
		}
		var n int
		var ok bool
		val, n, ok = strtoul(s[i:])
		if !ok || val > 0xffffffff {
			return nil, fmt.Errorf("inet_aton: %w", ErrIllegalAddress)
		}
		i += n
		if i < len(s) && s[i] == '.' {
			if np > 2 || val > 0xff {
				return nil, fmt.Errorf("inet_aton: %w", ErrIllegalAddress)
			}
			parts[np] = uint32(val)
			np++
			i++
			continue
		}
		break
	}
	if i < len(s) && !isSpace(s[i]) {
		return nil, fmt.Errorf("inet_aton: %w", ErrIllegalAddress)
	}
	limits := [4]uint64{0xffffffff, 0xffffff, 0xffff, 0xff}
	if val > limits[np] {
		return nil, fmt.Errorf("inet_aton: %w", ErrIllegalAddress)
	}
	word := uint32(val)
	for k := 0; k < np; k++ {
		word |= parts[k] << (24 - 8*k)
	}
	out := make([]byte, 4)
	binary.BigEndian.PutUint32(out, word)
	return out, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// strtoul parses an unsigned number with C's base-0 rules starting at a
// digit: it returns the value, the bytes consumed and false on overflow.
func strtoul(s string) (uint64, int, bool) {
	base := uint64(10)
	i := 0
	if s[0] == '0' {
		base = 8
		i = 1
		if len(s) > 2 && (s[1] == 'x' || s[1] == 'X') && isHex(s[2]) {
			base = 16
			i = 2
		}
	}
	var v uint64
	overflow := false
	for ; i < len(s); i++ {
		d, ok := digitVal(s[i])
		if !ok || d >= base {
			break
		}
		hi, lo := bits.Mul64(v, base)
		lo, carry := bits.Add64(lo, d, 0)
		if hi != 0 || carry != 0 {
			overflow = true
		}
		v = lo
	}
	return v, i, !overflow
}

func isHex(c byte) bool { _, ok := digitVal(c); return ok }

func digitVal(c byte) (uint64, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return uint64(c-'A') + 10, true
	}
	return 0, false
}

// InetNtoa converts exactly 4 bytes to dotted-quad text.
func InetNtoa(packed []byte) (string, error) {
	if len(packed) != 4 {
		return "", fmt.Errorf("packed IP wrong length for inet_ntoa: %d bytes", len(packed))
	}
	return netip.AddrFrom4([4]byte(packed)).String(), nil
}

// InetPton converts text to packed bytes with inet_pton(3)'s strict rules:
// dotted-quad without leading zeros for AF_INET, RFC 4291 text without a zone
// for AF_INET6.
func InetPton(family int, s string) ([]byte, error) {
	switch family {
	case unix.AF_INET:
		if !validPton4(s) {
			return nil, fmt.Errorf("inet_pton: %w", ErrIllegalAddress)
		}
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return nil, fmt.Errorf("inet_pton: %w", ErrIllegalAddress)
		}
		b := a.As4()
		return b[:], nil
	case unix.AF_INET6:
		b, ok := pton6(s)
		if !ok {
			return nil, fmt.Errorf("inet_pton: %w", ErrIllegalAddress)
		}
		return b[:], nil
	}
	return nil, fmt.Errorf("inet_pton: %w", unix.EAFNOSUPPORT)
}

// validPton4 is glibc's inet_pton4.
func validPton4(s string) bool {
	octets, sawDigit, cur := 0, false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			if sawDigit && cur == 0 {
				return false
			}
			cur = cur*10 + int(c-'0')
			if cur > 255 {
				return false
			}
			if !sawDigit {
				octets++
				if octets > 4 {
					return false
				}
				sawDigit = true
			}
		case c == '.' && sawDigit:
			if octets == 4 {
				return false
			}
			cur, sawDigit = 0, false
		default:
			return false
		}
	}
	return octets == 4
}

// pton6 is glibc's inet_pton6.
func pton6(s string) ([16]byte, bool) {
	var out [16]byte
	tp := 0
	colonp := -1
	i := 0
	if strings.HasPrefix(s, ":") {
		if !strings.HasPrefix(s, "::") {
			return out, false
		}
		i = 1
	}
	curtok := i
	sawXdigit := false
	val := 0
	ndigits := 0
	for i < len(s) {
		c := s[i]
		i++
		if d, ok := digitVal(c); ok {
			if ndigits == 4 {
				return out, false
			}
			val = val<<4 | int(d)
			ndigits++
			sawXdigit = true
			continue
		}
		if c == ':' {
			curtok = i
			if !sawXdigit {
				if colonp >= 0 {
					return out, false
				}
				colonp = tp
				continue
			} else if i >= len(s) {
				return out, false
			}
			if tp+2 > 16 {
				return out, false
			}
			out[tp], out[tp+1] = byte(val>>8), byte(val)
			tp += 2
			sawXdigit, val, ndigits = false, 0, 0
			continue
		}
		if c == '.' && tp+4 <= 16 {
			if !validPton4(s[curtok:]) {
				return out, false
			}
			a, err := netip.ParseAddr(s[curtok:])
			if err != nil {
				return out, false
			}
			v4 := a.As4()
			copy(out[tp:], v4[:])
			tp += 4
			sawXdigit = false
			ndigits = 0
			goto done
		}
		return out, false
	}
	if sawXdigit {
		if tp+2 > 16 {
			return out, false
		}
		out[tp], out[tp+1] = byte(val>>8), byte(val)
		tp += 2
	}
done:
	if colonp >= 0 {
		if tp == 16 {
			return out, false
		}
		n := tp - colonp
		copy(out[16-n:], out[colonp:tp])
		for k := colonp; k < 16-n; k++ {
			out[k] = 0
		}
		tp = 16
	}
	return out, tp == 16
}

// InetNtop converts packed bytes to text exactly as glibc's inet_ntop(3):
// for AF_INET6 the longest run of two or more zero groups becomes "::", and
// IPv4-compatible and IPv4-mapped addresses end in dotted-quad form.
func InetNtop(family int, packed []byte) (string, error) {
	switch family {
	case unix.AF_INET:
		if len(packed) != 4 {
			return "", fmt.Errorf("invalid length of packed IP address string: %d bytes", len(packed))
		}
		return netip.AddrFrom4([4]byte(packed)).String(), nil
	case unix.AF_INET6:
		if len(packed) != 16 {
			return "", fmt.Errorf("invalid length of packed IP address string: %d bytes", len(packed))
		}
		return ntop6([16]byte(packed)), nil
	}
	return "", fmt.Errorf("inet_ntop: %w", unix.EAFNOSUPPORT)
}

func ntop6(b [16]byte) string {
	var w [8]int
	for i := range w {
		w[i] = int(b[2*i])<<8 | int(b[2*i+1])
	}
	bestBase, bestLen, curBase, curLen := -1, 0, -1, 0
	for i := 0; i < 8; i++ {
		if w[i] == 0 {
			if curBase == -1 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
			continue
		}
		if curBase != -1 {
			if bestBase == -1 || curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
			curBase = -1
		}
	}
	if curBase != -1 && (bestBase == -1 || curLen > bestLen) {
		bestBase, bestLen = curBase, curLen
	}
	if bestBase != -1 && bestLen < 2 {
		bestBase = -1
	}
	var sb strings.Builder
	for i := 0; i < 8; i++ {
		if bestBase != -1 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				sb.WriteByte(':')
			}
			continue
		}
		if i != 0 {
			sb.WriteByte(':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff)) {
			sb.WriteString(netip.AddrFrom4([4]byte(b[12:16])).String())
			break
		}
		sb.WriteString(strconv.FormatInt(int64(w[i]), 16))
	}
	if bestBase != -1 && bestBase+bestLen == 8 {
		sb.WriteByte(':')
	}
	return sb.String()
}

// Htons, Ntohs, Htonl and Ntohl convert between host and network byte order.
func Htons(v uint16) uint16 { return toBE16(v) }

// Ntohs converts a 16-bit value from network to host order.
func Ntohs(v uint16) uint16 { return toBE16(v) }

// Htonl converts a 32-bit value from host to network order.
func Htonl(v uint32) uint32 { return toBE32(v) }

// Ntohl converts a 32-bit value from network to host order.
func Ntohl(v uint32) uint32 { return toBE32(v) }

func toBE16(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

func toBE32(v uint32) uint32 {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return binary.NativeEndian.Uint32(b[:])
}
