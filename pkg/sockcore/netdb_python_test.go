package sockcore

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/netip"
	"os/exec"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
)

// pyCall is one answer of testdata/netdb_ref.py: a value or an exception.
type pyCall struct {
	OK    json.RawMessage `json:"ok,omitempty"`
	Error string          `json:"error,omitempty"`
	Code  int             `json:"code,omitempty"`
}

type gaiCase struct {
	Host   *string `json:"host"`
	Port   *string `json:"port"`
	Family int     `json:"family"`
	Type   int     `json:"type"`
	Proto  int     `json:"proto"`
	Flags  int     `json:"flags"`
}

type gniCase struct {
	SA    []any `json:"sa"`
	Flags int   `json:"flags"`
}

// runPythonNetdb runs the reference script on cases and decodes its answers.
func runPythonNetdb(t *testing.T, cases any) map[string][]pyCall {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		testenv.Skip(t, "python3 not found: apt-get install python3 (make deps does it)")
	}
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/netdb_ref.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 testdata/netdb_ref.py: %v: %s", err, stderr.Bytes())
	}
	var res map[string][]pyCall
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// goCall encodes a Go answer the way the reference script does.
func goCall(v any, err error) pyCall {
	var gai *GAIError
	var he *HError
	switch {
	case errors.As(err, &gai):
		return pyCall{Error: "gaierror", Code: gai.Code}
	case errors.As(err, &he):
		return pyCall{Error: "herror", Code: he.Code}
	case err != nil:
		return pyCall{Error: "OSError"}
	}
	b, _ := json.Marshal(v)
	return pyCall{OK: b}
}

// normalize re-encodes JSON so that both sides compare as values.
func normalize(c pyCall) pyCall {
	if c.Error == "OSError" || c.Error == "OverflowError" {
		return pyCall{Error: "OSError"}
	}
	if c.OK != nil {
		var v any
		json.Unmarshal(c.OK, &v)
		c.OK, _ = json.Marshal(v)
	}
	return c
}

func sockaddrList(a Addr) []any {
	switch a := a.(type) {
	case *InetAddr:
		return []any{a.IP.String(), a.Port}
	case *Inet6Addr:
		return []any{ntop6(a.IP.As16()), a.Port, a.FlowInfo, a.ScopeID}
	}
	return nil
}

func strp(s string) *string { return &s }

// hostsNames returns the names of the hosts file with the families they
// have lines for: only those resolve without DNS.
func hostsNames(t *testing.T) map[string][2]bool {
	out := map[string][2]bool{}
	for _, e := range parseHosts(readFile("/etc/hosts")) {
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			f := out[n]
			if e.Addr.Is4() {
				f[0] = true
			} else {
				f[1] = true
			}
			out[n] = f
		}
	}
	if len(out) == 0 {
		t.Log("no /etc/hosts names: only numeric hosts are compared")
	}
	return out
}

func TestPythonNetdbDifferential(t *testing.T) {
	var gais []gaiCase
	numeric := []string{"127.0.0.1", "::1", "0x7f.1", "1", "127.1", "0177.0.0.1", "::ffff:127.0.0.1", "fe80::1%1",
		"fe80::1%lo", "ff02::1%lo", "::1%5", "fe80::1%nosuchif", "1.2.3.4", "0.0.0.0", "::", "2001:db8::1"}
	ports := []*string{nil, strp("80"), strp("http"), strp("domain"), strp("0"), strp("65535"), strp("65536"),
		strp("-1"), strp(" 80"), strp("+53"), strp("ssh"), strp("nosuchservice"), strp("")}
	types := []int{0, unix.SOCK_STREAM, unix.SOCK_DGRAM, unix.SOCK_RAW, unix.SOCK_SEQPACKET}
	flagSets := []int{0, AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV, AI_V4MAPPED, AI_V4MAPPED | AI_ALL,
		AI_ADDRCONFIG, AI_PASSIVE | AI_CANONNAME, 0x10000}
	add := func(h *string, fams []int) {
		for _, p := range ports {
			for _, f := range fams {
				for _, ty := range types {
					for _, fl := range flagSets {
						gais = append(gais, gaiCase{Host: h, Port: p, Family: f, Type: ty, Flags: fl})
					}
				}
			}
		}
	}
	all := []int{0, unix.AF_INET, unix.AF_INET6}
	add(nil, all)
	for _, h := range numeric {
		add(strp(h), all)
	}
	for name, fams := range hostsNames(t) {
		// A family the file has no line for would ask DNS: leave it out.
		fl := []int{0}
		if fams[0] {
			fl = append(fl, unix.AF_INET)
		}
		if fams[1] {
			fl = append(fl, unix.AF_INET6)
		}
		add(strp(name), fl)
	}
	for _, p := range []int{0, unix.IPPROTO_TCP, unix.IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_UDPLITE, 99} {
		for _, ty := range types {
			gais = append(gais, gaiCase{Host: strp("127.0.0.1"), Port: strp("80"), Type: ty, Proto: p})
			gais = append(gais, gaiCase{Host: strp("127.0.0.1"), Port: strp("domain"), Type: ty, Proto: p})
		}
	}
	gais = append(gais, gaiCase{Host: strp("127.0.0.1"), Port: strp("80"), Family: unix.AF_UNIX})

	var gnis []gniCase
	gniAddrs := [][]any{{"127.0.0.1", 80}, {"127.0.0.1", 53}, {"127.0.0.1", 0}, {"127.0.0.1", 65000}, {"::1", 22, 0, 0},
		{"fe80::1", 80, 0, 1}, {"fe80::1", 80, 0, 0}, {"2001:db8::1", 443, 0, 7}, {"::ffff:127.0.0.1", 80, 0, 0}}
	for _, e := range parseHosts(readFile("/etc/hosts")) {
		if e.Addr.Is4() {
			gniAddrs = append(gniAddrs, []any{e.Addr.String(), 25})
		} else {
			gniAddrs = append(gniAddrs, []any{e.Addr.String(), 25, 0, 0})
		}
	}
	for _, sa := range gniAddrs {
		for _, fl := range []int{NI_NUMERICHOST, NI_NUMERICHOST | NI_NUMERICSERV, NI_NUMERICHOST | NI_DGRAM} {
			gnis = append(gnis, gniCase{SA: sa, Flags: fl})
		}
	}
	for _, e := range parseHosts(readFile("/etc/hosts")) {
		sa := []any{e.Addr.String(), 80}
		if e.Addr.Is6() {
			sa = []any{e.Addr.String(), 80, 0, 0}
		}
		for _, fl := range []int{0, NI_NOFQDN, NI_NAMEREQD, NI_DGRAM, NI_NUMERICSERV} {
			gnis = append(gnis, gniCase{SA: sa, Flags: fl})
		}
	}

	var sbn, sbp [][]any
	services := parseServices(readFile("/etc/services"))
	for _, s := range services {
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			sbn = append(sbn, []any{n}, []any{n, s.Proto}, []any{n, "tcp"}, []any{n, "udp"})
		}
		sbp = append(sbp, []any{s.Port}, []any{s.Port, s.Proto}, []any{s.Port, "udp"})
	}
	sbn = append(sbn, []any{"nosuchservice"}, []any{"http", "sctp"})
	sbp = append(sbp, []any{1}, []any{65535, "tcp"})
	var pbn []string
	for _, p := range parseProtocols(readFile("/etc/protocols")) {
		pbn = append(pbn, p.Name)
		pbn = append(pbn, p.Aliases...)
	}
	pbn = append(pbn, "nosuchproto", "TCP")
	hbx := []string{"localhost", "127.0.0.1", "1", "", "0x7f.1", "0X7F.0.0.1", "127.0x0.0.1", "0177.0.0.1", "127.1"}
	hbn := []string{"localhost", "127.0.0.1", "", "<broadcast>", "0x7f.1"}
	for n, f := range hostsNames(t) {
		if f[0] {
			hbx = append(hbx, n)
			hbn = append(hbn, n)
		}
	}

	fqdn := []string{"", "0.0.0.0", "127.0.0.1", " localhost "}
	for _, e := range parseHosts(readFile("/etc/hosts")) {
		fqdn = append(fqdn, e.Addr.String(), e.Name)
	}
	var hba []string
	for _, e := range parseHosts(readFile("/etc/hosts")) {
		hba = append(hba, e.Addr.String())
	}
	want := runPythonNetdb(t, map[string]any{"gai": gais, "gni": gnis, "sbn": sbn, "sbp": sbp, "pbn": pbn, "hbx": hbx, "hbn": hbn, "fqdn": fqdn, "hba": hba})

	check := func(kind string, i int, input any, got pyCall) {
		t.Helper()
		if diff := cmp.Diff(normalize(want[kind][i]), normalize(got)); diff != "" {
			in, _ := json.Marshal(input)
			t.Errorf("%s %s (-python +sockcore):\n%s", kind, in, diff)
		}
	}
	for i, c := range gais {
		infos, err := GetAddrInfo(c.Host, c.Port, c.Family, c.Type, c.Proto, c.Flags)
		var rows [][]any
		for _, ai := range infos {
			rows = append(rows, []any{ai.Family, ai.Type, ai.Proto, ai.CanonName, sockaddrList(ai.Addr)})
		}
		check("gai", i, c, goCall(rows, err))
	}
	for i, c := range gnis {
		a, _ := netip.ParseAddr(c.SA[0].(string))
		var sa Addr = &InetAddr{IP: a, Port: c.SA[1].(int)}
		if len(c.SA) == 4 {
			sa = &Inet6Addr{IP: a, Port: c.SA[1].(int), ScopeID: uint32(c.SA[3].(int))}
		}
		h, p, err := GetNameInfo(sa, c.Flags)
		check("gni", i, c, goCall([]string{h, p}, err))
	}
	for i, c := range sbn {
		proto := ""
		if len(c) == 2 {
			proto = c[1].(string)
		}
		port, err := GetServByName(c[0].(string), proto)
		check("sbn", i, c, goCall(port, err))
	}
	for i, c := range sbp {
		proto := ""
		if len(c) == 2 {
			proto = c[1].(string)
		}
		name, err := GetServByPort(c[0].(int), proto)
		check("sbp", i, c, goCall(name, err))
	}
	for i, c := range pbn {
		n, err := GetProtoByName(c)
		check("pbn", i, c, goCall(n, err))
	}
	for i, c := range hbx {
		h, err := GetHostByNameEx(c)
		check("hbx", i, c, goCall([]any{h.Name, h.Aliases, h.Addrs}, err))
	}
	for i, c := range hbn {
		a, err := GetHostByName(c)
		check("hbn", i, c, goCall(a, err))
	}
	for i, c := range fqdn {
		check("fqdn", i, c, goCall(GetFQDN(c), nil))
	}
	for i, c := range hba {
		h, err := GetHostByAddr(c)
		check("hba", i, c, goCall([]any{h.Name, h.Aliases, h.Addrs}, err))
	}
	l, err := IfNameIndex()
	var ifs [][]any
	for _, e := range l {
		ifs = append(ifs, []any{e.Index, e.Name})
	}
	check("ifs", 0, "if_nameindex", goCall(ifs, err))
	t.Logf("compared %d getaddrinfo, %d getnameinfo, %d getservbyname, %d getservbyport, %d getprotobyname, %d gethostbyname_ex, %d gethostbyname calls",
		len(gais), len(gnis), len(sbn), len(sbp), len(pbn), len(hbx), len(hbn))
}
