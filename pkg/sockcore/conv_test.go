package sockcore

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// The vectors of CPython's Lib/test/test_socket.py (testIPv4toString,
// testIPv6toString, testStringToIPv4, testStringToIPv6, CmsgMacroTests),
// then glibc's inet_aton forms.

func TestInetAtonPtonIPv4(t *testing.T) {
	good := []struct {
		in   string
		want []byte
	}{
		{"0.0.0.0", []byte{0, 0, 0, 0}},
		{"255.0.255.0", []byte{0xff, 0, 0xff, 0}},
		{"170.170.170.170", []byte{0xaa, 0xaa, 0xaa, 0xaa}},
		{"1.2.3.4", []byte{1, 2, 3, 4}},
		{"255.255.255.255", []byte{0xff, 0xff, 0xff, 0xff}},
	}
	bad := []string{"0.0.0.", "300.0.0.0", "a.0.0.0", "1.2.3.4.5", "::1"}
	for _, tt := range good {
		for name, f := range map[string]func(string) ([]byte, error){
			"inet_aton": InetAton,
			"inet_pton": func(s string) ([]byte, error) { return InetPton(unix.AF_INET, s) },
		} {
			got, err := f(tt.in)
			if err != nil {
				t.Errorf("%s(%q): %v", name, tt.in, err)
			} else if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s(%q) (-want +got)\n%s", name, tt.in, diff)
			}
		}
	}
	for _, in := range bad {
		if got, err := InetAton(in); !errors.Is(err, ErrIllegalAddress) {
			t.Errorf("InetAton(%q) = %x, %v; want ErrIllegalAddress", in, got, err)
		}
		if got, err := InetPton(unix.AF_INET, in); !errors.Is(err, ErrIllegalAddress) {
			t.Errorf("InetPton(AF_INET, %q) = %x, %v; want ErrIllegalAddress", in, got, err)
		}
	}
}

// glibc's inet_aton forms beyond the dotted quad.
func TestInetAtonGlibcForms(t *testing.T) {
	tests := []struct {
		in   string
		want []byte // nil: invalid
	}{
		{"1", []byte{0, 0, 0, 1}},
		{"1.2", []byte{1, 0, 0, 2}},
		{"1.2.3", []byte{1, 2, 0, 3}},
		{"127.1", []byte{127, 0, 0, 1}},
		{"0x7f.1", []byte{127, 0, 0, 1}},
		{"0X7F.0X1", []byte{127, 0, 0, 1}},
		{"017.1", []byte{15, 0, 0, 1}},
		{"4294967295", []byte{255, 255, 255, 255}},
		{"0xffffffff", []byte{255, 255, 255, 255}},
		{"037777777777", []byte{255, 255, 255, 255}},
		{"4294967296", nil},
		{"1.16777215", []byte{1, 255, 255, 255}},
		{"1.16777216", nil},
		{"1.2.65535", []byte{1, 2, 255, 255}},
		{"1.2.65536", nil},
		{"1.2.3.256", nil},
		{"256.1", nil},
		{"1.2.3.4 junk", []byte{1, 2, 3, 4}},
		{"1.2.3.4\tx", []byte{1, 2, 3, 4}},
		{"1.2.3.4\n", []byte{1, 2, 3, 4}},
		{"1.2.3.4x", nil},
		{"08", nil},
		{"0x", nil}, // strtoul reads "0"; "x" is neither ".", space nor the end
		{"", nil},
		{" 1.2.3.4", nil},
		{"1..2", nil},
		{"1.2.3.4.", nil},
		{"99999999999999999999999", nil},
		{"0x100000000", nil},
		{"1.2.3.4\x00", nil},
	}
	for _, tt := range tests {
		got, err := InetAton(tt.in)
		if tt.want == nil {
			if err == nil {
				t.Errorf("InetAton(%q) = %x; want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("InetAton(%q): %v", tt.in, err)
		} else if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("InetAton(%q) (-want +got)\n%s", tt.in, diff)
		}
	}
}

func TestInetPtonIPv6(t *testing.T) {
	z := func(n int) []byte { return make([]byte, n) }
	cat := func(bs ...[]byte) []byte {
		var out []byte
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	good := []struct {
		in   string
		want []byte
	}{
		{"::", z(16)},
		{"0::0", z(16)},
		{"1::", cat([]byte{0, 1}, z(14))},
		{"45ef:76cb:1a:56ef:afeb:bac:1924:aeae", []byte{0x45, 0xef, 0x76, 0xcb, 0x00, 0x1a, 0x56, 0xef, 0xaf, 0xeb, 0x0b, 0xac, 0x19, 0x24, 0xae, 0xae}},
		{"ad42:abc::127:0:254:2", cat([]byte{0xad, 0x42, 0x0a, 0xbc}, z(4), []byte{0x01, 0x27, 0, 0, 0x02, 0x54, 0, 0x02})},
		{"12:a::", cat([]byte{0, 0x12, 0, 0x0a}, z(12))},
		{"::254.42.23.64", cat(z(12), []byte{0xfe, 0x2a, 0x17, 0x40})},
		{"42::a29b:254.42.23.64", cat([]byte{0, 0x42}, z(8), []byte{0xa2, 0x9b, 0xfe, 0x2a, 0x17, 0x40})},
		{"42:a8b9:0:2:ffff:a29b:254.42.23.64", []byte{0, 0x42, 0xa8, 0xb9, 0, 0, 0, 2, 0xff, 0xff, 0xa2, 0x9b, 0xfe, 0x2a, 0x17, 0x40}},
	}
	bad := []string{
		"0x20::", ":::", "::0::", "1::abc::", "1::abc::def", "1:2:3:4:5:6", "1:2:3:4:5:6:",
		"1:2:3:4:5:6:7:8:0", "1:2:3:4:5:6:7:8:", "255.254.253.252", "1::260.2.3.0",
		"1::0.be.e.0", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:0", "0.100.200.0:3:4:5:6:7:8",
		"fe80::1%lo", "", ":1::",
	}
	for _, tt := range good {
		got, err := InetPton(unix.AF_INET6, tt.in)
		if err != nil {
			t.Errorf("InetPton(AF_INET6, %q): %v", tt.in, err)
		} else if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("InetPton(AF_INET6, %q) (-want +got)\n%s", tt.in, diff)
		}
	}
	for _, in := range bad {
		if got, err := InetPton(unix.AF_INET6, in); !errors.Is(err, ErrIllegalAddress) {
			t.Errorf("InetPton(AF_INET6, %q) = %x, %v; want ErrIllegalAddress", in, got, err)
		}
	}
	if _, err := InetPton(unix.AF_UNIX, "1.2.3.4"); !isErrno(err, unix.EAFNOSUPPORT) {
		t.Errorf("InetPton(AF_UNIX) = %v; want EAFNOSUPPORT", err)
	}
}

func TestInetNtoaNtop(t *testing.T) {
	v4 := []struct {
		in   []byte
		want string
	}{
		{[]byte{1, 0, 1, 0}, "1.0.1.0"},
		{[]byte{0xaa, 0x55, 0xaa, 0x55}, "170.85.170.85"},
		{[]byte{0xff, 0xff, 0xff, 0xff}, "255.255.255.255"},
		{[]byte{1, 2, 3, 4}, "1.2.3.4"},
	}
	for _, tt := range v4 {
		if got, err := InetNtoa(tt.in); err != nil || got != tt.want {
			t.Errorf("InetNtoa(%x) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if got, err := InetNtop(unix.AF_INET, tt.in); err != nil || got != tt.want {
			t.Errorf("InetNtop(AF_INET, %x) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, n := range []int{0, 3, 5, 16} {
		if _, err := InetNtoa(make([]byte, n)); err == nil {
			t.Errorf("InetNtoa(%d bytes) succeeded", n)
		}
		if _, err := InetNtop(unix.AF_INET, make([]byte, n)); err == nil {
			t.Errorf("InetNtop(AF_INET, %d bytes) succeeded", n)
		}
	}
	v6 := []struct {
		in   []byte
		want string
	}{
		{make([]byte, 16), "::"},
		{append(make([]byte, 15), 1), "::1"},
		{[]byte{0x0a, 0xef, 0x0b, 0x01, 0x05, 0x06, 0x10, 0x01, 0xff, 0xff, 0x99, 0x97, 0x00, 0x55, 0x01, 0x70}, "aef:b01:506:1001:ffff:9997:55:170"},
		{append(make([]byte, 12), 1, 2, 3, 4), "::1.2.3.4"},
		{append(append(make([]byte, 10), 0xff, 0xff), 1, 2, 3, 4), "::ffff:1.2.3.4"},
		{[]byte{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, "1:0:1::1:0:0"},
		{[]byte{0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1}, "1::1:0:0:1:1"},
		{[]byte{0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, "1:0:1:1:1:1:1:1"},
	}
	for _, tt := range v6 {
		if got, err := InetNtop(unix.AF_INET6, tt.in); err != nil || got != tt.want {
			t.Errorf("InetNtop(AF_INET6, %x) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, n := range []int{4, 15, 17} {
		if _, err := InetNtop(unix.AF_INET6, make([]byte, n)); err == nil {
			t.Errorf("InetNtop(AF_INET6, %d bytes) succeeded", n)
		}
	}
}

func TestByteOrder(t *testing.T) {
	if Htons(0x1234) != 0x3412 || Ntohs(0x3412) != 0x1234 || Htonl(0x12345678) != 0x78563412 || Ntohl(0x78563412) != 0x12345678 {
		t.Errorf("Htons/Ntohs/Htonl/Ntohl on a little-endian host: %#x %#x %#x %#x",
			Htons(0x1234), Ntohs(0x3412), Htonl(0x12345678), Ntohl(0x78563412))
	}
}

// socklenTLimit is Python's SOCKLEN_T_LIMIT.
const socklenTLimit = 0x7fffffff

func TestCMSGLen(t *testing.T) {
	l0, err := CMSGLen(0)
	if err != nil || l0 <= 8 {
		t.Fatalf("CMSGLen(0) = %d, %v", l0, err)
	}
	toobig := socklenTLimit - l0 + 1
	var values []int
	for n := range 257 {
		values = append(values, n, toobig-257+n)
	}
	for _, n := range values {
		ret, err := CMSGLen(n)
		if err != nil || ret-l0 != n || ret > socklenTLimit {
			t.Errorf("CMSGLen(%d) = %d, %v", n, ret, err)
		}
	}
	for _, n := range []int{-1, toobig, math.MaxInt} {
		if ret, err := CMSGLen(n); !errors.Is(err, ErrCMSGRange) {
			t.Errorf("CMSGLen(%d) = %d, %v; want ErrCMSGRange", n, ret, err)
		}
	}
}

func TestCMSGSpace(t *testing.T) {
	last, err := CMSGSpace(0)
	if err != nil || last <= 8 {
		t.Fatalf("CMSGSpace(0) = %d, %v", last, err)
	}
	s1, _ := CMSGSpace(1)
	l0, _ := CMSGLen(0)
	toobig := socklenTLimit - s1 + 1
	var values []int
	for n := range 257 {
		values = append(values, n)
	}
	for n := range 257 {
		values = append(values, toobig-257+n)
	}
	for _, n := range values {
		ret, err := CMSGSpace(n)
		ln, _ := CMSGLen(n)
		if err != nil || ret < last || ret < ln || ret < n+l0 || ret > socklenTLimit {
			t.Errorf("CMSGSpace(%d) = %d, %v (previous %d)", n, ret, err, last)
		}
		last = ret
	}
	for _, n := range []int{-1, toobig, math.MaxInt} {
		if ret, err := CMSGSpace(n); !errors.Is(err, ErrCMSGRange) {
			t.Errorf("CMSGSpace(%d) = %d, %v; want ErrCMSGRange", n, ret, err)
		}
	}
}
