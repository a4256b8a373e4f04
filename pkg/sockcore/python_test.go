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

// pyConstants are the socket constants Python's socket module exposes on
// Linux that golang.org/x/sys/unix also defines.
var pyConstants = map[string]int{
	"AF_INET":                       unix.AF_INET,
	"AF_INET6":                      unix.AF_INET6,
	"AF_NETLINK":                    unix.AF_NETLINK,
	"AF_PACKET":                     unix.AF_PACKET,
	"AF_UNIX":                       unix.AF_UNIX,
	"AF_UNSPEC":                     unix.AF_UNSPEC,
	"IPPROTO_AH":                    unix.IPPROTO_AH,
	"IPPROTO_DSTOPTS":               unix.IPPROTO_DSTOPTS,
	"IPPROTO_EGP":                   unix.IPPROTO_EGP,
	"IPPROTO_ESP":                   unix.IPPROTO_ESP,
	"IPPROTO_FRAGMENT":              unix.IPPROTO_FRAGMENT,
	"IPPROTO_GRE":                   unix.IPPROTO_GRE,
	"IPPROTO_HOPOPTS":               unix.IPPROTO_HOPOPTS,
	"IPPROTO_ICMP":                  unix.IPPROTO_ICMP,
	"IPPROTO_ICMPV6":                unix.IPPROTO_ICMPV6,
	"IPPROTO_IDP":                   unix.IPPROTO_IDP,
	"IPPROTO_IGMP":                  unix.IPPROTO_IGMP,
	"IPPROTO_IP":                    unix.IPPROTO_IP,
	"IPPROTO_IPIP":                  unix.IPPROTO_IPIP,
	"IPPROTO_IPV6":                  unix.IPPROTO_IPV6,
	"IPPROTO_MPTCP":                 unix.IPPROTO_MPTCP,
	"IPPROTO_NONE":                  unix.IPPROTO_NONE,
	"IPPROTO_PIM":                   unix.IPPROTO_PIM,
	"IPPROTO_PUP":                   unix.IPPROTO_PUP,
	"IPPROTO_RAW":                   unix.IPPROTO_RAW,
	"IPPROTO_ROUTING":               unix.IPPROTO_ROUTING,
	"IPPROTO_RSVP":                  unix.IPPROTO_RSVP,
	"IPPROTO_SCTP":                  unix.IPPROTO_SCTP,
	"IPPROTO_TCP":                   unix.IPPROTO_TCP,
	"IPPROTO_TP":                    unix.IPPROTO_TP,
	"IPPROTO_UDP":                   unix.IPPROTO_UDP,
	"IPPROTO_UDPLITE":               unix.IPPROTO_UDPLITE,
	"IPV6_CHECKSUM":                 unix.IPV6_CHECKSUM,
	"IPV6_DONTFRAG":                 unix.IPV6_DONTFRAG,
	"IPV6_DSTOPTS":                  unix.IPV6_DSTOPTS,
	"IPV6_HOPLIMIT":                 unix.IPV6_HOPLIMIT,
	"IPV6_HOPOPTS":                  unix.IPV6_HOPOPTS,
	"IPV6_JOIN_GROUP":               unix.IPV6_JOIN_GROUP,
	"IPV6_LEAVE_GROUP":              unix.IPV6_LEAVE_GROUP,
	"IPV6_MULTICAST_HOPS":           unix.IPV6_MULTICAST_HOPS,
	"IPV6_MULTICAST_IF":             unix.IPV6_MULTICAST_IF,
	"IPV6_MULTICAST_LOOP":           unix.IPV6_MULTICAST_LOOP,
	"IPV6_NEXTHOP":                  unix.IPV6_NEXTHOP,
	"IPV6_PATHMTU":                  unix.IPV6_PATHMTU,
	"IPV6_PKTINFO":                  unix.IPV6_PKTINFO,
	"IPV6_RECVDSTOPTS":              unix.IPV6_RECVDSTOPTS,
	"IPV6_RECVHOPLIMIT":             unix.IPV6_RECVHOPLIMIT,
	"IPV6_RECVHOPOPTS":              unix.IPV6_RECVHOPOPTS,
	"IPV6_RECVPATHMTU":              unix.IPV6_RECVPATHMTU,
	"IPV6_RECVPKTINFO":              unix.IPV6_RECVPKTINFO,
	"IPV6_RECVRTHDR":                unix.IPV6_RECVRTHDR,
	"IPV6_RECVTCLASS":               unix.IPV6_RECVTCLASS,
	"IPV6_RTHDR":                    unix.IPV6_RTHDR,
	"IPV6_RTHDRDSTOPTS":             unix.IPV6_RTHDRDSTOPTS,
	"IPV6_RTHDR_TYPE_0":             unix.IPV6_RTHDR_TYPE_0,
	"IPV6_TCLASS":                   unix.IPV6_TCLASS,
	"IPV6_UNICAST_HOPS":             unix.IPV6_UNICAST_HOPS,
	"IPV6_V6ONLY":                   unix.IPV6_V6ONLY,
	"IP_ADD_MEMBERSHIP":             unix.IP_ADD_MEMBERSHIP,
	"IP_BIND_ADDRESS_NO_PORT":       unix.IP_BIND_ADDRESS_NO_PORT,
	"IP_DEFAULT_MULTICAST_LOOP":     unix.IP_DEFAULT_MULTICAST_LOOP,
	"IP_DEFAULT_MULTICAST_TTL":      unix.IP_DEFAULT_MULTICAST_TTL,
	"IP_DROP_MEMBERSHIP":            unix.IP_DROP_MEMBERSHIP,
	"IP_HDRINCL":                    unix.IP_HDRINCL,
	"IP_MAX_MEMBERSHIPS":            unix.IP_MAX_MEMBERSHIPS,
	"IP_MULTICAST_IF":               unix.IP_MULTICAST_IF,
	"IP_MULTICAST_LOOP":             unix.IP_MULTICAST_LOOP,
	"IP_MULTICAST_TTL":              unix.IP_MULTICAST_TTL,
	"IP_OPTIONS":                    unix.IP_OPTIONS,
	"IP_RECVOPTS":                   unix.IP_RECVOPTS,
	"IP_RECVRETOPTS":                unix.IP_RECVRETOPTS,
	"IP_RECVTOS":                    unix.IP_RECVTOS,
	"IP_RETOPTS":                    unix.IP_RETOPTS,
	"IP_TOS":                        unix.IP_TOS,
	"IP_TRANSPARENT":                unix.IP_TRANSPARENT,
	"IP_TTL":                        unix.IP_TTL,
	"MSG_CMSG_CLOEXEC":              unix.MSG_CMSG_CLOEXEC,
	"MSG_CONFIRM":                   unix.MSG_CONFIRM,
	"MSG_CTRUNC":                    unix.MSG_CTRUNC,
	"MSG_DONTROUTE":                 unix.MSG_DONTROUTE,
	"MSG_DONTWAIT":                  unix.MSG_DONTWAIT,
	"MSG_EOR":                       unix.MSG_EOR,
	"MSG_ERRQUEUE":                  unix.MSG_ERRQUEUE,
	"MSG_FASTOPEN":                  unix.MSG_FASTOPEN,
	"MSG_MORE":                      unix.MSG_MORE,
	"MSG_NOSIGNAL":                  unix.MSG_NOSIGNAL,
	"MSG_OOB":                       unix.MSG_OOB,
	"MSG_PEEK":                      unix.MSG_PEEK,
	"MSG_TRUNC":                     unix.MSG_TRUNC,
	"MSG_WAITALL":                   unix.MSG_WAITALL,
	"SCM_CREDENTIALS":               unix.SCM_CREDENTIALS,
	"SCM_RIGHTS":                    unix.SCM_RIGHTS,
	"SHUT_RD":                       unix.SHUT_RD,
	"SHUT_RDWR":                     unix.SHUT_RDWR,
	"SHUT_WR":                       unix.SHUT_WR,
	"SOCK_CLOEXEC":                  unix.SOCK_CLOEXEC,
	"SOCK_DGRAM":                    unix.SOCK_DGRAM,
	"SOCK_NONBLOCK":                 unix.SOCK_NONBLOCK,
	"SOCK_RAW":                      unix.SOCK_RAW,
	"SOCK_RDM":                      unix.SOCK_RDM,
	"SOCK_SEQPACKET":                unix.SOCK_SEQPACKET,
	"SOCK_STREAM":                   unix.SOCK_STREAM,
	"SOL_ALG":                       unix.SOL_ALG,
	"SOL_CAN_BASE":                  unix.SOL_CAN_BASE,
	"SOL_CAN_RAW":                   unix.SOL_CAN_RAW,
	"SOL_IP":                        unix.SOL_IP,
	"SOL_RDS":                       unix.SOL_RDS,
	"SOL_SOCKET":                    unix.SOL_SOCKET,
	"SOL_TCP":                       unix.SOL_TCP,
	"SOL_TIPC":                      unix.SOL_TIPC,
	"SOL_UDP":                       unix.SOL_UDP,
	"SOMAXCONN":                     unix.SOMAXCONN,
	"SO_ACCEPTCONN":                 unix.SO_ACCEPTCONN,
	"SO_BINDTODEVICE":               unix.SO_BINDTODEVICE,
	"SO_BROADCAST":                  unix.SO_BROADCAST,
	"SO_DEBUG":                      unix.SO_DEBUG,
	"SO_DOMAIN":                     unix.SO_DOMAIN,
	"SO_DONTROUTE":                  unix.SO_DONTROUTE,
	"SO_ERROR":                      unix.SO_ERROR,
	"SO_INCOMING_CPU":               unix.SO_INCOMING_CPU,
	"SO_KEEPALIVE":                  unix.SO_KEEPALIVE,
	"SO_LINGER":                     unix.SO_LINGER,
	"SO_MARK":                       unix.SO_MARK,
	"SO_OOBINLINE":                  unix.SO_OOBINLINE,
	"SO_PASSCRED":                   unix.SO_PASSCRED,
	"SO_PASSSEC":                    unix.SO_PASSSEC,
	"SO_PEERCRED":                   unix.SO_PEERCRED,
	"SO_PEERSEC":                    unix.SO_PEERSEC,
	"SO_PRIORITY":                   unix.SO_PRIORITY,
	"SO_PROTOCOL":                   unix.SO_PROTOCOL,
	"SO_RCVBUF":                     unix.SO_RCVBUF,
	"SO_RCVLOWAT":                   unix.SO_RCVLOWAT,
	"SO_RCVTIMEO":                   unix.SO_RCVTIMEO,
	"SO_REUSEADDR":                  unix.SO_REUSEADDR,
	"SO_REUSEPORT":                  unix.SO_REUSEPORT,
	"SO_SNDBUF":                     unix.SO_SNDBUF,
	"SO_SNDLOWAT":                   unix.SO_SNDLOWAT,
	"SO_SNDTIMEO":                   unix.SO_SNDTIMEO,
	"SO_TYPE":                       unix.SO_TYPE,
	"SO_VM_SOCKETS_BUFFER_MAX_SIZE": unix.SO_VM_SOCKETS_BUFFER_MAX_SIZE,
	"SO_VM_SOCKETS_BUFFER_MIN_SIZE": unix.SO_VM_SOCKETS_BUFFER_MIN_SIZE,
	"SO_VM_SOCKETS_BUFFER_SIZE":     unix.SO_VM_SOCKETS_BUFFER_SIZE,
	"TCP_CONGESTION":                unix.TCP_CONGESTION,
	"TCP_CORK":                      unix.TCP_CORK,
	"TCP_DEFER_ACCEPT":              unix.TCP_DEFER_ACCEPT,
	"TCP_FASTOPEN":                  unix.TCP_FASTOPEN,
	"TCP_INFO":                      unix.TCP_INFO,
	"TCP_KEEPCNT":                   unix.TCP_KEEPCNT,
	"TCP_KEEPIDLE":                  unix.TCP_KEEPIDLE,
	"TCP_KEEPINTVL":                 unix.TCP_KEEPINTVL,
	"TCP_LINGER2":                   unix.TCP_LINGER2,
	"TCP_MAXSEG":                    unix.TCP_MAXSEG,
	"TCP_NODELAY":                   unix.TCP_NODELAY,
	"TCP_NOTSENT_LOWAT":             unix.TCP_NOTSENT_LOWAT,
	"TCP_QUICKACK":                  unix.TCP_QUICKACK,
	"TCP_SYNCNT":                    unix.TCP_SYNCNT,
	"TCP_USER_TIMEOUT":              unix.TCP_USER_TIMEOUT,
	"TCP_WINDOW_CLAMP":              unix.TCP_WINDOW_CLAMP,
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
	for name := range pyConstants {
		req.Consts = append(req.Consts, name)
	}
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
	for name, v := range pyConstants {
		p := resp.Consts[name]
		if p == nil {
			t.Errorf("python3 has no socket.%s", name)
		} else if *p != v {
			t.Errorf("%s = %d in x/sys/unix, %d in python3", name, v, *p)
		}
	}
	if p := resp.Consts["SOMAXCONN"]; p != nil && DefaultBacklog != min(*p, 128) {
		t.Errorf("DefaultBacklog = %d; python3's min(SOMAXCONN, 128) = %d", DefaultBacklog, min(*p, 128))
	}
}
