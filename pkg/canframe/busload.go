package canframe

// Stuffing says how FrameBits counts stuff bits, as canbusload's modes.
type Stuffing int

const (
	StuffWorstCase Stuffing = iota // canbusload's default: the most stuff bits a frame of this length can have (one every four bits)
	StuffNone                      // -i: no stuff bits
	StuffExact                     // -e: the stuff bits of this frame's bit stream, CRC included
)

// FrameBits is the number of bits a classic CAN frame occupies on the bus
// as canbusload (can-utils 2020.11) counts them: start of frame to the end
// of the interframe space, stuff bits as s says. As in canbusload, a remote
// frame counts its length field's worth of (zero) data bytes. CAN FD frames
// are not counted (0).
func FrameBits(f *Frame, s Stuffing) int {
	if f.FD {
		return 0
	}
	n := f.Len()
	eff := f.Extended
	switch s {
	case StuffNone:
		if eff {
			return 67 + 8*n
		}
		return 47 + 8*n
	case StuffExact:
		return exactBits(f, eff)
	}
	// One stuff bit for every four bits after the first of the stuffed
	// part (SOF to the end of the CRC: 34 bits and the data, 54 with an
	// extended id).
	if eff {
		return 67 + 8*n + (54+8*n-1)/4
	}
	return 47 + 8*n + (34+8*n-1)/4
}

// exactBits lays the frame out bit by bit from SOF to the last CRC bit,
// counts the stuff bits the transmitter inserts (a complementary bit after
// five equal ones, the stuff bit starting the next run), and adds the fixed
// tail: CRC delimiter, ACK slot, ACK delimiter, 7 bits of end of frame and 3
// of interframe space.
func exactBits(f *Frame, eff bool) int {
	bits := make([]byte, 0, 160)
	put := func(v uint64, n int) {
		for i := n - 1; i >= 0; i-- {
			bits = append(bits, byte(v>>uint(i)&1))
		}
	}
	id := uint64(f.CANID())
	rtr := uint64(0)
	if f.RTR {
		rtr = 1
	}
	n := f.Len()
	put(0, 1) // SOF
	if eff {
		put(id>>18&0x7ff, 11)
		put(3, 2) // SRR, IDE: recessive
		put(id&0x3ffff, 18)
		put(rtr, 1)
		put(0, 2) // r1, r0
	} else {
		put(id&SFFMask, 11)
		put(rtr, 1)
		put(0, 2) // IDE, r0
	}
	put(uint64(n), 4)
	for i := 0; i < n; i++ {
		var c byte
		if i < len(f.Data) {
			c = f.Data[i]
		}
		put(uint64(c), 8)
	}
	put(uint64(crc15(bits)), 15)
	stuffed, run := 0, 0
	var last byte = 2
	for _, b := range bits {
		if b == last {
			run++
		} else {
			last, run = b, 1
		}
		if run == 5 {
			stuffed++
			last, run = 1-b, 1 // the stuff bit begins the next run
		}
	}
	return len(bits) + stuffed + 3 + 7 + 3
}

// crc15 is CAN's CRC (polynomial 0x4599, initial value 0) over bits.
func crc15(bits []byte) uint16 {
	var crc uint16
	for _, b := range bits {
		next := b ^ byte(crc>>14&1)
		crc = crc << 1 & 0x7fff
		if next != 0 {
			crc ^= 0x4599
		}
	}
	return crc
}
