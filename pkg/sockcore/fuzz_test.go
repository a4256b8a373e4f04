package sockcore

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sys/unix"
)

// FuzzDecodeSockaddr: decoding never panics, and a decoded INET, INET6 or
// UNIX address encodes to bytes that decode to the same address. Unknown
// families round-trip byte for byte.
func FuzzDecodeSockaddr(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := DecodeSockaddr(b)
		if err != nil || a == nil {
			return
		}
		enc, err := EncodeSockaddr(a)
		if err != nil {
			switch v := a.(type) {
			case *UnixAddr:
				if !v.IsAbstract() && len(v.Name) >= UnixPathMax {
					return // a 108-byte path without NUL: Python refuses it too
				}
			case *Inet6Addr:
				if v.FlowInfo > 0xfffff {
					return // flowinfo beyond 20 bits: Python refuses it too
				}
			case *TIPCAddr:
				if v.AddrType < unix.TIPC_ADDR_NAMESEQ || v.AddrType > unix.TIPC_ADDR_ID {
					return // an unknown TIPC address type: Python refuses it too
				}
			}
			t.Fatalf("EncodeSockaddr(%#v) from %x: %v", a, b, err)
		}
		if raw, ok := a.(*RawAddr); ok {
			if !bytes.Equal(enc, b) {
				t.Fatalf("RawAddr %v: encoded %x; decoded from %x", raw, enc, b)
			}
			return
		}
		a2, err := DecodeSockaddr(enc)
		if err != nil {
			t.Fatalf("DecodeSockaddr(%x) (encoded %#v): %v", enc, a, err)
		}
		if diff := cmp.Diff(a, a2, cmpAddr); diff != "" {
			t.Fatalf("round trip of %x (-first +second)\n%s", b, diff)
		}
		if a.Family() != int(b[0])|int(b[1])<<8 {
			t.Fatalf("family %d from %x", a.Family(), b)
		}
	})
}

// guarded returns b copied to the end of a page followed by an inaccessible
// page: reading one byte past it faults.
func guarded(t *testing.T, b []byte) []byte {
	t.Helper()
	page := unix.Getpagesize()
	if len(b) > page {
		b = b[:page]
	}
	mem, err := unix.Mmap(-1, 0, 2*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	if err := unix.Mprotect(mem[page:], unix.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	g := mem[page-len(b) : page : page]
	copy(g, b)
	return g
}

// FuzzParseControl: ParseControl never panics, never reads past the buffer
// (a guard page follows it), every item's data lies within the buffer, and
// what it parses survives BuildControl and ParseControl unchanged.
func FuzzParseControl(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		g := guarded(t, b)
		msgs, _ := ParseControl(g)
		total := 0
		for _, m := range msgs {
			total += len(m.Data)
		}
		if total > len(g) {
			t.Fatalf("%d bytes of data from a %d-byte buffer", total, len(g))
		}
		built, err := BuildControl(msgs)
		if err != nil {
			t.Fatalf("BuildControl(%v): %v", msgs, err)
		}
		again, trunc := ParseControl(built)
		if trunc {
			t.Fatalf("ParseControl(BuildControl(%v)) is truncated", msgs)
		}
		if diff := cmp.Diff(msgs, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip (-parsed +rebuilt)\n%s", diff)
		}
		FDsOf(msgs) // never panics on any data length
		// ControlSeq and FindControl see the same items, in place.
		seq := slices.Collect(ControlSeq(g))
		if diff := cmp.Diff(msgs, seq, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("ControlSeq against ParseControl (-parsed +seq)\n%s", diff)
		}
		for i, m := range msgs {
			first := slices.IndexFunc(msgs, func(o ControlMessage) bool { return o.Level == m.Level && o.Type == m.Type })
			d, ok := FindControl(g, m.Level, m.Type)
			if !ok || (first == i && !slices.Equal(d, m.Data)) {
				t.Fatalf("FindControl(%d, %d) = %v, %v; want item %d's %v", m.Level, m.Type, d, ok, first, msgs[first].Data)
			}
		}
	})
}

var (
	atonHex   = regexp.MustCompile(`^0[xX][0-9a-fA-F]+$`)
	atonOctal = regexp.MustCompile(`^0[0-7]*$`)
	atonDec   = regexp.MustCompile(`^[1-9][0-9]*$`)
)

// refAton is a reference model of glibc's inet_aton written differently
// from InetAton: cut at the first space, split at dots, and require every
// part to be one whole C number.
func refAton(s string) ([]byte, bool) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, false // Python: embedded NUL
	}
	if i := strings.IndexAny(s, " \t\n\v\f\r"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return nil, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		var v uint64
		var err error
		switch {
		case atonHex.MatchString(p):
			v, err = strconv.ParseUint(p[2:], 16, 32)
		case atonOctal.MatchString(p):
			v, err = strconv.ParseUint(p, 8, 32)
		case atonDec.MatchString(p):
			v, err = strconv.ParseUint(p, 10, 32)
		default:
			return nil, false
		}
		if err != nil {
			return nil, false
		}
		vals[i] = v
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*(5-len(vals))) && len(vals) > 1 {
		return nil, false
	}
	out := make([]byte, 4)
	for i, v := range vals[:len(vals)-1] {
		if v > 0xff {
			return nil, false
		}
		out[i] = byte(v)
	}
	for i := 3; last > 0; i-- {
		out[i] |= byte(last)
		last >>= 8
	}
	return out, true
}

// FuzzInetAton: InetAton never panics and agrees with refAton.
func FuzzInetAton(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		got, err := InetAton(s)
		want, ok := refAton(s)
		if ok != (err == nil) || ok && !bytes.Equal(got, want) {
			t.Fatalf("InetAton(%q) = %v, %v; the reference model says %v, %v", s, got, err, want, ok)
		}
		if err == nil && len(got) != 4 {
			t.Fatalf("InetAton(%q) returned %d bytes", s, len(got))
		}
	})
}
