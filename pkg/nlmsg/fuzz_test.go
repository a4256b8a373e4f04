package nlmsg

import (
	"bytes"
	"testing"
)

// FuzzParse decodes arbitrary datagrams: framing, attributes nested two
// deep, NLMSG_ERROR with extended ACK. Nothing may panic, and attributes
// re-encoded by Encoder parse back to the same list.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, _ := Parse(b)
		for _, m := range ms {
			if m.Header.Type == TypeErr {
				if e, err := ParseError(m); err == nil && e != nil {
					_ = e.Error()
				}
				continue
			}
			as, _ := ParseAttrs(m.Data)
			e := NewEncoder(m.Header.Type, m.Header.Flags, m.Header.Seq)
			for _, a := range as {
				e.Attr(a.Type, a.Data)
				if in, err := a.Nested(); err == nil {
					for _, n := range in {
						_, _ = n.Nested()
						_, _ = n.Uint32()
						_ = n.String()
					}
				}
			}
			out, err := e.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseAttrs(out[HeaderLen:])
			if err != nil {
				t.Fatalf("re-encoded attributes do not parse: %v", err)
			}
			if len(back) != len(as) {
				t.Fatalf("re-encoded %d attributes, parsed %d", len(as), len(back))
			}
			for i := range as {
				if back[i].Type != as[i].Type || !bytes.Equal(back[i].Data, as[i].Data) {
					t.Fatalf("attribute %d: %v became %v", i, as[i], back[i])
				}
			}
		}
	})
}
