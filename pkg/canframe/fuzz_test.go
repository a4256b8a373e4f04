package canframe

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every parser must not panic, and what it accepts must survive a round trip.

func FuzzParse(f *testing.F) {
	for _, s := range []string{"123#DEADBEEF", "12345678##1AA", "123#R5", "20000004#00", "7FF#de.ad"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fr, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(fr.Text())
		if err != nil {
			t.Fatalf("Parse(%q) of its own text %q: %v", s, fr.Text(), err)
		}
		if diff := cmp.Diff(fr, again); diff != "" {
			t.Fatalf("text round trip (-want +got):\n%s", diff)
		}
		w, err := EncodeWire(&fr)
		if err != nil {
			t.Fatalf("EncodeWire of parsed %q: %v", s, err)
		}
		back, err := DecodeWire(w)
		if err != nil {
			t.Fatalf("DecodeWire: %v", err)
		}
		if diff := cmp.Diff(fr, back); diff != "" {
			t.Fatalf("wire round trip (-want +got):\n%s", diff)
		}
		_ = AppendLong(nil, &fr)
	})
}

func FuzzDecodeWire(f *testing.F) {
	f.Add(make([]byte, MTU))
	f.Add(make([]byte, FDMTU))
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := DecodeWire(b)
		if err != nil {
			return
		}
		w, err := EncodeWire(&fr)
		if err != nil {
			t.Fatalf("EncodeWire of decoded frame %+v: %v", fr, err)
		}
		back, err := DecodeWire(w)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(fr, back); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	})
}

func FuzzParseLogLine(f *testing.F) {
	f.Add("(1700000000.123456) vcan0 123#DEADBEEF")
	f.Add("(1.5) can1 12345678##3AA T")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLogLine(s)
		if err != nil {
			return
		}
		out := string(AppendLogLine(nil, &l))
		again, err := ParseLogLine(out)
		if err != nil {
			t.Fatalf("ParseLogLine of its own output %q: %v", out, err)
		}
		if l.Iface != again.Iface || !l.Time.Truncate(1000).Equal(again.Time) {
			t.Fatalf("log round trip: %+v then %+v", l, again)
		}
	})
}

func FuzzDecodeDatagram(f *testing.F) {
	f.Add([]byte{2, 0, 7, 0, 1, 0, 0, 1, 0x23, 2, 0xde, 0xad})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeDatagram(b)
		if err != nil {
			return
		}
		out, err := EncodeDatagram(&d)
		if err != nil {
			t.Fatalf("EncodeDatagram of decoded %+v: %v", d, err)
		}
		again, err := DecodeDatagram(out)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(d, again); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	})
}

// FuzzOpenDatagram: Open never panics; what it opens was sealed with the
// key (a forged tag verifies only by chance, which the fuzzer cannot
// find), and re-sealing what it opened gives the same bytes.
func FuzzOpenDatagram(f *testing.F) {
	key := []byte("fuzzing key, 16 bytes or more")
	seal, _ := NewTunnelAuth(key, 0x0102030405060708, 1700000000)
	inner := []byte{2, 0, 7, 0, 1, 0, 0, 1, 0x23, 2, 0xde, 0xad}
	f.Add(seal.Seal(nil, inner))
	f.Add(seal.Seal(nil, []byte{2, 0, 8, 0, 0}))
	f.Add(inner)
	f.Add([]byte{TunnelAuthVersion, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		open, _ := NewTunnelAuth(key, 1, 1)
		o, err := open.Open(b)
		if err != nil {
			return
		}
		again, _ := NewTunnelAuth(key, o.Sender, uint32(o.Seq>>32))
		again.next = o.Seq
		if out := again.Seal(nil, o.Datagram); !bytes.Equal(out, b) {
			t.Fatalf("re-sealed %x, want %x", out, b)
		}
		var w ReplayWindow
		if !w.Check(o.Seq) {
			t.Fatal("a fresh window refuses a number")
		}
		w.Accept(o.Seq)
		if w.Check(o.Seq) {
			t.Fatal("a number accepted twice")
		}
	})
}
