package sockcore

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
	"golang.org/x/sys/unix"
)

// pythonScript answers a JSON batch with Python's socket module: each result
// is the value, or null where Python raises.
const pythonScript = `
import json, socket, sys
req = json.load(sys.stdin)
def attempt(f):
    try:
        return f()
    except (OSError, ValueError, OverflowError, TypeError):
        return None
out = {
    "aton": [attempt(lambda s=s: socket.inet_aton(s).hex()) for s in req["aton"]],
    "pton4": [attempt(lambda s=s: socket.inet_pton(socket.AF_INET, s).hex()) for s in req["pton4"]],
    "pton6": [attempt(lambda s=s: socket.inet_pton(socket.AF_INET6, s).hex()) for s in req["pton6"]],
    "ntoa": [attempt(lambda h=h: socket.inet_ntoa(bytes.fromhex(h))) for h in req["ntop4"]],
    "ntop4": [attempt(lambda h=h: socket.inet_ntop(socket.AF_INET, bytes.fromhex(h))) for h in req["ntop4"]],
    "ntop6": [attempt(lambda h=h: socket.inet_ntop(socket.AF_INET6, bytes.fromhex(h))) for h in req["ntop6"]],
    "cmsg_len": [attempt(lambda n=n: str(socket.CMSG_LEN(n))) for n in req["cmsg"]],
    "cmsg_space": [attempt(lambda n=n: str(socket.CMSG_SPACE(n))) for n in req["cmsg"]],
    "consts": {n: getattr(socket, n, None) for n in req["consts"]},
}
json.dump(out, sys.stdout)
`

// pyRequest and pyResponse are the batch and Python's answers.
type pyRequest struct {
	Aton   []string `json:"aton"`
	Pton4  []string `json:"pton4"`
	Pton6  []string `json:"pton6"`
	Ntop4  []string `json:"ntop4"`
	Ntop6  []string `json:"ntop6"`
	CMSG   []int    `json:"cmsg"`
	Consts []string `json:"consts"`
}

type pyResponse struct {
	Aton      []*string       `json:"aton"`
	Pton4     []*string       `json:"pton4"`
	Pton6     []*string       `json:"pton6"`
	Ntoa      []*string       `json:"ntoa"`
	Ntop4     []*string       `json:"ntop4"`
	Ntop6     []*string       `json:"ntop6"`
	CMSGLen   []*string       `json:"cmsg_len"`
	CMSGSpace []*string       `json:"cmsg_space"`
	Consts    map[string]*int `json:"consts"`
}

// aton corpus: every number form glibc's strtoul and inet_aton see, in one
// to five parts, with trailing text.
var (
	atonNumbers = []string{
		"0", "1", "7", "8", "9", "00", "01", "07", "08", "010", "0377", "0400", "255", "256",
		"65535", "65536", "16777215", "16777216", "4294967295", "4294967296", "0x0", "0xff",
		"0x100", "0xFFFF", "0xffffff", "0x1000000", "0xffffffff", "0x100000000", "0X7f", "0x",
		"0xg", "99999999999999999999", "037777777777", "040000000000", "18446744073709551615",
		"18446744073709551616", "-1", "+1", "a", "",
	}
	atonSuffixes = []string{"", " ", " junk", "\t1", "\n", "x", ".", "..", "\x00", "\v", "\f", "\r", " 1.2", "\x01"}
)

func atonCorpus(r *rand.Rand) []string {
	var out []string
	for _, suf := range atonSuffixes {
		for _, a := range atonNumbers {
			out = append(out, a+suf, " "+a+suf)
			for _, b := range atonNumbers {
				out = append(out, a+"."+b+suf)
			}
		}
	}
	for range 20000 {
		parts := make([]string, 3+r.IntN(3))
		for i := range parts {
			parts[i] = atonNumbers[r.IntN(len(atonNumbers))]
		}
		out = append(out, strings.Join(parts, ".")+atonSuffixes[r.IntN(len(atonSuffixes))])
	}
	return out
}

func pton4Corpus(r *rand.Rand) []string {
	octets := []string{"0", "00", "01", "1", "9", "10", "99", "100", "199", "255", "256", "300", "0255", "1000", "", "a", "0x1", " 1", "1 "}
	var out []string
	for range 20000 {
		n := 3 + r.IntN(3)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = octets[r.IntN(len(octets))]
		}
		out = append(out, strings.Join(parts, "."))
	}
	return append(out, "1.2.3.4", "255.255.255.255", "0.0.0.0", "1.2.3.4\x00")
}

func pton6Corpus(r *rand.Rand) []string {
	groups := []string{"0", "1", "00", "0000", "00000", "ffff", "FFFF", "fFfF", "12345", "abcd", "g", "1:2", ""}
	tails := []string{"", "", "", "1.2.3.4", "255.255.255.255", "01.2.3.4", "1.2.3", "1.2.3.4.5", "256.1.1.1"}
	var out []string
	for range 30000 {
		n := 1 + r.IntN(9)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = groups[r.IntN(len(groups))]
		}
		if r.IntN(2) == 0 {
			k := r.IntN(n + 1)
			parts = append(parts[:k], append([]string{""}, parts[k:]...)...)
		}
		s := strings.Join(parts, ":")
		if t := tails[r.IntN(len(tails))]; t != "" {
			s += ":" + t
		}
		out = append(out, s)
	}
	return append(out, "::", ":::", "::1", "1::", "::ffff:1.2.3.4", "fe80::1%eth0", "[::1]")
}

func ntop6Corpus(r *rand.Rand) []string {
	var out []string
	for range 20000 {
		var b [16]byte
		for g := range 8 {
			switch r.IntN(4) {
			case 0, 1:
			case 2:
				b[2*g], b[2*g+1] = 0xff, 0xff
			default:
				b[2*g], b[2*g+1] = byte(r.IntN(256)), byte(r.IntN(256))
			}
		}
		if r.IntN(8) == 0 { // IPv4-mapped and IPv4-compatible shapes
			clear(b[:10])
			if r.IntN(2) == 0 {
				b[10], b[11] = 0xff, 0xff
			} else {
				b[10], b[11] = 0, 0
			}
		}
		out = append(out, hex.EncodeToString(b[:]))
	}
	return append(out, "", "00", strings.Repeat("00", 15), strings.Repeat("00", 17))
}

func ntop4Corpus(r *rand.Rand) []string {
	out := []string{"", "01", "010203", "0102030405"}
	for range 2000 {
		out = append(out, fmt.Sprintf("%08x", r.Uint32()))
	}
	return out
}

func cmsgCorpus() []int {
	var out []int
	for n := -5; n < 600; n++ {
		out = append(out, n)
	}
	for _, edge := range []int{math.MaxInt32 - 16, math.MaxInt32 - 24} {
		for d := -40; d <= 40; d++ {
			out = append(out, edge+d)
		}
	}
	return append(out, math.MaxInt32, math.MaxInt32+1, 1<<32, math.MaxInt64)
}

// runPython runs python3 once on the batch.
func runPython(t *testing.T, req pyRequest) pyResponse {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		testenv.Skip(t, "python3 not found: apt-get install python3 (make deps does it)")
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", pythonScript)
	cmd.Stdin = strings.NewReader(string(in))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v: %s", err, stderr.String())
	}
	var resp pyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("python3 output: %v", err)
	}
	return resp
}

// mismatch is one input where sockcore and Python disagree.
type mismatch struct {
	In        string
	Want, Got string // "error" where the call failed
}

func show(p *string) string {
	if p == nil {
		return "error"
	}
	return *p
}

func compare[In any](t *testing.T, what string, ins []In, want []*string, got func(In) (string, error)) {
	t.Helper()
	if len(want) != len(ins) {
		t.Fatalf("%s: python3 answered %d of %d inputs", what, len(want), len(ins))
	}
	var bad []mismatch
	for i, in := range ins {
		var g *string
		if s, err := got(in); err == nil {
			g = &s
		}
		if show(g) != show(want[i]) {
			bad = append(bad, mismatch{fmt.Sprintf("%q", fmt.Sprint(in)), show(want[i]), show(g)})
		}
	}
	for i, m := range bad {
		if i == 20 {
			t.Errorf("%s: ... %d mismatches in all", what, len(bad))
			break
		}
		t.Errorf("%s(%s) = %s; python3 says %s", what, m.In, m.Got, m.Want)
	}
	t.Logf("%s: %d inputs compared", what, len(ins))
}

// TestPythonDifferential compares conversions, CMSG sizes and constants
// with python3's socket module on the same inputs.
func TestPythonDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	req := pyRequest{
		Aton:  atonCorpus(r),
		Pton4: pton4Corpus(r),
		Pton6: pton6Corpus(r),
		Ntop4: ntop4Corpus(r),
		Ntop6: ntop6Corpus(r),
		CMSG:  cmsgCorpus(),
	}
	// Constant values are compared in TestConstantsMatchPython, over the
	// whole generated table; here only SOMAXCONN, for DefaultBacklog.
	req.Consts = []string{"SOMAXCONN"}
	resp := runPython(t, req)
	hexOf := func(b []byte, err error) (string, error) { return hex.EncodeToString(b), err }
	unhex := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	compare(t, "InetAton", req.Aton, resp.Aton, func(s string) (string, error) { return hexOf(InetAton(s)) })
	compare(t, "InetPton(AF_INET)", req.Pton4, resp.Pton4, func(s string) (string, error) { return hexOf(InetPton(unix.AF_INET, s)) })
	compare(t, "InetPton(AF_INET6)", req.Pton6, resp.Pton6, func(s string) (string, error) { return hexOf(InetPton(unix.AF_INET6, s)) })
	compare(t, "InetNtoa", req.Ntop4, resp.Ntoa, func(h string) (string, error) { return InetNtoa(unhex(h)) })
	compare(t, "InetNtop(AF_INET)", req.Ntop4, resp.Ntop4, func(h string) (string, error) { return InetNtop(unix.AF_INET, unhex(h)) })
	compare(t, "InetNtop(AF_INET6)", req.Ntop6, resp.Ntop6, func(h string) (string, error) { return InetNtop(unix.AF_INET6, unhex(h)) })
	itoa := func(n int, err error) (string, error) { return fmt.Sprint(n), err }
	compare(t, "CMSGLen", req.CMSG, resp.CMSGLen, func(n int) (string, error) { return itoa(CMSGLen(n)) })
	compare(t, "CMSGSpace", req.CMSG, resp.CMSGSpace, func(n int) (string, error) { return itoa(CMSGSpace(n)) })
	if p := resp.Consts["SOMAXCONN"]; p == nil {
		t.Error("python3 has no socket.SOMAXCONN")
	} else if DefaultBacklog != min(*p, 128) {
		t.Errorf("DefaultBacklog = %d; python3's min(SOMAXCONN, 128) = %d", DefaultBacklog, min(*p, 128))
	}
}
