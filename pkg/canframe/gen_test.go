package canframe

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseGenMode(t *testing.T) {
	for _, tt := range []struct {
		field, s string
		want     GenMode
		err      error
	}{
		{"id", "r", GenMode{Kind: 'r'}, nil},
		{"id", "i", GenMode{Kind: 'i'}, nil},
		{"id", "42A", GenMode{Kind: 'f', Value: 0x42a}, nil},
		{"length", "8", GenMode{Kind: 'f', Value: 8}, nil},
		{"data", "11223344DEADBEEF", GenMode{Kind: 'f', Data: []byte{0x11, 0x22, 0x33, 0x44, 0xde, 0xad, 0xbe, 0xef}}, nil},
		{"id", "q", GenMode{}, ErrSyntax},
		{"length", "z", GenMode{}, ErrSyntax},
		{"data", "12Z", GenMode{}, ErrSyntax},
	} {
		got, err := ParseGenMode(tt.field, tt.s)
		if !errors.Is(err, tt.err) || (err == nil && !cmp.Equal(tt.want, got)) {
			t.Errorf("ParseGenMode(%s, %q) = %+v, %v; want %+v, %v", tt.field, tt.s, got, err, tt.want, tt.err)
		}
	}
}

func TestGeneratorPatterns(t *testing.T) {
	g := &Generator{ID: GenMode{Kind: 'f', Value: 0x42a}, Len: GenMode{Kind: 'f', Value: 1}, Data: GenMode{Kind: 'i'}}
	var got []string
	var f Frame
	for range 3 {
		g.Next(&f)
		got = append(got, f.Text())
	}
	if diff := cmp.Diff([]string{"42A#00", "42A#01", "42A#02"}, got); diff != "" {
		t.Errorf("fixed id and length, incrementing data (-want +got):\n%s", diff)
	}
	g = &Generator{ID: GenMode{Kind: 'i'}, Len: GenMode{Kind: 'i'}, Data: GenMode{Kind: 'f', Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}}, Extended: true}
	got = nil
	for range 10 {
		g.Next(&f)
		got = append(got, f.Text())
	}
	want := []string{"00000000#", "00000001#01", "00000002#0102", "00000003#010203", "00000004#01020304",
		"00000005#0102030405", "00000006#010203040506", "00000007#01020304050607", "00000008#0102030405060708", "00000009#"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("incrementing extended ids and lengths (-want +got):\n%s", diff)
	}
	g = &Generator{ID: GenMode{Kind: 'r'}, Len: GenMode{Kind: 'i'}, Data: GenMode{Kind: 'r'}, FD: true, Flags: FDFlagBRS}
	for i := range 16 {
		g.Next(&f)
		if f.ID > SFFMask || !f.FD || f.Flags != FDFlagBRS || len(f.Data) != fdLens[i] {
			t.Errorf("frame %d: %s", i, f.Text())
		}
		if err := f.Validate(); err != nil {
			t.Error(err)
		}
	}
	g = &Generator{ID: GenMode{Kind: 'r'}, Len: GenMode{Kind: 'r'}, Data: GenMode{Kind: 'r'}, RTR: true}
	for range 50 {
		g.Next(&f)
		if !f.RTR || len(f.Data) != 0 || f.RTRLen > 8 {
			t.Errorf("remote frame %s", f.Text())
		}
	}
	if err := (&Generator{RTR: true, FD: true}).Validate(); !errors.Is(err, ErrBadFrame) {
		t.Errorf("RTR+FD: %v", err)
	}
	if err := (&Generator{ID: GenMode{Kind: 'f', Value: 0x800}}).Validate(); !errors.Is(err, ErrBadID) {
		t.Errorf("id 800 without -e: %v", err)
	}
}

// cangen -v's text, captured in the kernel VM.
func TestAppendTextSep(t *testing.T) {
	for s, want := range map[string]string{"75D##1": "75D##1", "6E0##15E": "6E0##1.5E", "2FD##1BCDA": "2FD##1.BC.DA", "123#112233": "123#11.22.33", "123#R5": "123#R5"} {
		f, _ := Parse(s)
		if got := string(AppendTextSep(nil, &f)); got != want {
			t.Errorf("%s: %q, want %q", s, got, want)
		}
	}
}
