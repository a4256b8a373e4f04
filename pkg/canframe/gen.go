package canframe

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// GenMode is how cangen makes one field of the frames: random values, an
// incrementing counter, or a fixed value.
type GenMode struct {
	Kind  byte   // 'r' random, 'i' increment, 'f' fixed
	Value uint64 // the fixed id or length
	Data  []byte // the fixed payload
}

// ParseGenMode reads cangen's mode argument for field ("id", "length" or
// "data"): "r" (random), "i" (increment) or a hexadecimal value (a
// decimal length, an even number of hex digits for data).
func ParseGenMode(field, s string) (GenMode, error) {
	switch s {
	case "r":
		return GenMode{Kind: 'r'}, nil
	case "i":
		return GenMode{Kind: 'i'}, nil
	}
	bad := func(want string) error {
		return fmt.Errorf("%w: %s mode %q: want r (random), i (increment) or %s", ErrSyntax, field, s, want)
	}
	switch field {
	case "data":
		b, err := parseHexBytes(s)
		if err != nil || len(b) == 0 || strings.Contains(s, ".") {
			return GenMode{}, bad("hex bytes")
		}
		if len(b) > MaxFDLen {
			return GenMode{}, fmt.Errorf("%w: data mode %q: %d bytes, at most %d", ErrTooLong, s, len(b), MaxFDLen)
		}
		return GenMode{Kind: 'f', Data: b}, nil
	case "length":
		v, err := strconv.ParseUint(s, 10, 8)
		if err != nil {
			return GenMode{}, bad("a length 0-64")
		}
		return GenMode{Kind: 'f', Value: v}, nil
	default:
		v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 32)
		if err != nil {
			return GenMode{}, bad("a hex id")
		}
		return GenMode{Kind: 'f', Value: v}, nil
	}
}

// Generator makes frames as cangen does: ids, lengths and payloads random,
// incrementing or fixed.
type Generator struct {
	ID, Len, Data GenMode
	Extended      bool  // 29-bit ids
	FD            bool  // CAN FD frames
	Flags         uint8 // CAN FD flags (BRS, ESI)
	RTR           bool  // remote requests (classic CAN only)

	Rand *rand.Rand // nil: a generator seeded from the runtime

	id, dlc uint64
	data    uint64
	buf     [MaxFDLen]byte
}

// Validate reports a combination that makes no frames: a fixed id too wide
// for its format, a length a frame cannot carry, remote CAN FD frames.
func (g *Generator) Validate() error {
	switch {
	case g.RTR && g.FD:
		return fmt.Errorf("%w: CAN FD has no remote frames", ErrBadFrame)
	case g.ID.Kind == 'f' && !g.Extended && g.ID.Value > SFFMask:
		return fmt.Errorf("%w: id %X exceeds 7FF (use extended ids)", ErrBadID, g.ID.Value)
	case g.ID.Kind == 'f' && g.ID.Value > EFFMask:
		return fmt.Errorf("%w: id %X exceeds 1FFFFFFF", ErrBadID, g.ID.Value)
	case g.Len.Kind == 'f' && !g.FD && g.Len.Value > MaxLen:
		return fmt.Errorf("%w: length %d, classic CAN carries at most %d", ErrTooLong, g.Len.Value, MaxLen)
	case g.Len.Kind == 'f' && g.FD && g.Len.Value > MaxFDLen:
		return fmt.Errorf("%w: length %d, CAN FD carries at most %d", ErrTooLong, g.Len.Value, MaxFDLen)
	}
	return nil
}

func (g *Generator) rand64() uint64 {
	if g.Rand == nil {
		g.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return g.Rand.Uint64()
}

// Next fills f with the next frame. f.Data reuses the generator's buffer:
// it is valid until the next call.
func (g *Generator) Next(f *Frame) {
	*f = Frame{Extended: g.Extended, FD: g.FD, RTR: g.RTR}
	if g.FD {
		f.Flags = g.Flags
	}
	mask := uint64(SFFMask)
	if g.Extended {
		mask = EFFMask
	}
	switch g.ID.Kind {
	case 'r':
		f.ID = uint32(g.rand64() & mask)
	case 'i':
		f.ID = uint32(g.id & mask)
		g.id++
	default:
		f.ID = uint32(g.ID.Value & mask)
	}
	var n int
	switch g.Len.Kind {
	case 'r':
		if g.FD {
			n = fdLens[g.rand64()&0xf]
		} else if n = int(g.rand64() & 0xf); n&8 != 0 {
			n = 8 // as cangen: about half of the frames carry 8 bytes
		}
	case 'i':
		if g.FD {
			n = fdLens[g.dlc&0xf]
		} else {
			n = int(g.dlc % 9)
		}
		g.dlc++
	default:
		n = int(g.Len.Value)
		if g.FD {
			n = FDPaddedLen(n)
		}
	}
	if g.Data.Kind == 'i' && n == 0 && !g.RTR {
		n = 1 // cangen: incrementing data needs at least one byte
	}
	if g.RTR {
		f.RTRLen = uint8(min(n, MaxLen))
		return
	}
	d := g.buf[:n]
	switch g.Data.Kind {
	case 'r':
		for i := 0; i < n; i += 8 {
			var w [8]byte
			binary.LittleEndian.PutUint64(w[:], g.rand64())
			copy(d[i:], w[:])
		}
	case 'i':
		clear(d)
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], g.data)
		copy(d, w[:])
		g.data++
	default:
		clear(d)
		copy(d, g.Data.Data)
	}
	f.Data = d
}

// AppendTextSep is the compact text with cangen -v's dots: "123#11.22.33",
// "123##1.11.22" (a dot after the flags digit when there is data).
func AppendTextSep(b []byte, f *Frame) []byte {
	if f.RTR || len(f.Data) == 0 {
		return AppendText(b, f)
	}
	b = appendID(b, f)
	b = append(b, '#')
	if f.FD {
		b = append(b, '#', hexDigits[f.Flags&0xf], '.')
	}
	for i, c := range f.Data {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return b
}
