package sockcore

import (
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Seeds live in testdata/fuzz/<FuzzName>/.

func FuzzParseHosts(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range parseHosts(data) {
			if !e.Addr.IsValid() || e.Addr.Zone() != "" || e.Name == "" || strings.ContainsAny(e.Name, " \t\n#") {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

func FuzzParseServices(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range parseServices(data) {
			if s.Port < 0 || s.Port > 65535 || s.Proto == "" || s.Name == "" {
				t.Fatalf("bad entry %+v", s)
			}
		}
		for _, p := range parseProtocols(data) {
			if p.Number < 0 || p.Name == "" {
				t.Fatalf("bad entry %+v", p)
			}
		}
	})
}

func FuzzParseResolvConf(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c := parseResolvConf(data, "host.example")
		if len(c.Servers) == 0 || len(c.Servers) > 3 || c.Ndots < 0 || c.Ndots > 15 || c.Attempts < 1 || c.Attempts > 5 || c.Timeout < 1e9 {
			t.Fatalf("out of range: %+v", c)
		}
		parseNSSwitch(data, "hosts")
		parseGAIConf(data)
	})
}

func FuzzParseDNSAnswer(f *testing.F) {
	f.Fuzz(func(t *testing.T, msg []byte) {
		if len(msg) < 2 {
			return
		}
		id := uint16(msg[0])<<8 | uint16(msg[1])
		for _, qt := range []dnsmessage.Type{dnsmessage.TypeA, dnsmessage.TypeAAAA, dnsmessage.TypePTR} {
			a, err := parseDNSAnswer(msg, id, "www.example.test.", qt)
			if err != nil {
				continue
			}
			for _, ad := range a.Addrs {
				if qt == dnsmessage.TypeA && !ad.Is4() || qt == dnsmessage.TypeAAAA && !ad.Is6() {
					t.Fatalf("%v answer with address %v", qt, ad)
				}
			}
			if len(a.Addrs)+len(a.PTRs)+len(a.Aliases) > a.AnCount {
				t.Fatalf("more records used (%d) than answered (%d)", len(a.Addrs)+len(a.PTRs)+len(a.Aliases), a.AnCount)
			}
		}
	})
}

func FuzzRtAttrs(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		total := 0
		rtAttrs(b, func(typ uint16, val []byte) { total += 4 + len(val) })
		if total > len(b) {
			t.Fatalf("attributes of %d bytes in %d", total, len(b))
		}
	})
}

// Names whose compression pointers loop are refused, not followed for
// ever (the seeds compression-loop-* in testdata/fuzz/FuzzParseDNSAnswer).
func TestParseDNSAnswerCompressionLoop(t *testing.T) {
	q := []byte("\x03www\x07example\x04test\x00\x00\x01\x00\x01")
	hdr := []byte{0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0}
	off := byte(len(hdr) + len(q))
	rr := []byte{0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1}
	tests := map[string][]byte{
		"self":     append(append(append(append([]byte{}, hdr...), q...), 0xc0, off), rr...),
		"mutual":   append(append(append(append([]byte{}, hdr...), q...), 0xc0, off+2, 0xc0, off), rr...),
		"question": append(append([]byte{}, hdr...), 0xc0, 12, 0, 1, 0, 1),
	}
	for name, msg := range tests {
		t.Run(name, func(t *testing.T) {
			if a, err := parseDNSAnswer(msg, 0x1234, "www.example.test.", dnsmessage.TypeA); err == nil {
				t.Errorf("parseDNSAnswer = %+v, want an error", a)
			}
		})
	}
}
