package sockcore

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

func TestParseHosts(t *testing.T) {
	in := "127.0.0.1 localhost loopback # comment\n" +
		"::1\tip6-localhost ip6-loopback\n" +
		"# whole line\n" +
		"127.1 short.form\n" + // inet_pton rejects it: skipped
		"fe80::1%eth0 scoped\n" + // no zones in hosts lines
		"10.0.0.1\n" + // no name
		"192.0.2.7 web.example.test web\n"
	want := []hostEntry{
		{Addr: netip.MustParseAddr("127.0.0.1"), Name: "localhost", Aliases: []string{"loopback"}},
		{Addr: netip.MustParseAddr("::1"), Name: "ip6-localhost", Aliases: []string{"ip6-loopback"}},
		{Addr: netip.MustParseAddr("192.0.2.7"), Name: "web.example.test", Aliases: []string{"web"}},
	}
	if diff := cmp.Diff(want, parseHosts([]byte(in)), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("parseHosts (-want +got):\n%s", diff)
	}
}

func TestParseServicesProtocols(t *testing.T) {
	svc := "http 80/tcp www # WorldWideWeb\nbad 80\nx abc/tcp\nbig 65617/udp\ndomain 53/udp\n"
	wantS := []ServEnt{{"http", 80, "tcp", []string{"www"}}, {"big", 81, "udp", []string{}}, {"domain", 53, "udp", []string{}}}
	if diff := cmp.Diff(wantS, parseServices([]byte(svc))); diff != "" {
		t.Errorf("parseServices (-want +got):\n%s", diff)
	}
	prot := "ip 0 IP\ntcp 6 TCP # comment\nbroken x\n"
	wantP := []ProtoEnt{{"ip", 0, []string{"IP"}}, {"tcp", 6, []string{"TCP"}}}
	if diff := cmp.Diff(wantP, parseProtocols([]byte(prot))); diff != "" {
		t.Errorf("parseProtocols (-want +got):\n%s", diff)
	}
}

func TestParseResolvConf(t *testing.T) {
	tests := []struct {
		name, in, host string
		want           resolvConf
	}{
		{"defaults", "", "box", resolvConf{Servers: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:53")}, Ndots: 1, Timeout: 5 * time.Second, Attempts: 2}},
		{"domain from hostname", "nameserver 10.0.0.1\n", "box.lan.example", resolvConf{Servers: []netip.AddrPort{netip.MustParseAddrPort("10.0.0.1:53")}, Search: []string{"lan.example"}, Ndots: 1, Timeout: 5 * time.Second, Attempts: 2}},
		{"everything", "# c\nnameserver 10.0.0.1\nnameserver ::1\nnameserver 10.0.0.3\nnameserver 10.0.0.4\nsearch a.test b.test\ndomain c.test\nsearch d.test e.test\noptions ndots:3 timeout:2 attempts:9 rotate\n", "x",
			resolvConf{Servers: []netip.AddrPort{netip.MustParseAddrPort("10.0.0.1:53"), netip.MustParseAddrPort("[::1]:53"), netip.MustParseAddrPort("10.0.0.3:53")}, Search: []string{"d.test", "e.test"}, Ndots: 3, Timeout: 2 * time.Second, Attempts: 5, Rotate: true}},
		{"bad lines", "nameserver\nnameserver nonsense\noptions ndots:-1 timeout:0\n", "x", resolvConf{Servers: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:53")}, Ndots: 0, Timeout: time.Second, Attempts: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseResolvConf([]byte(tt.in), tt.host)
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNSSwitch(t *testing.T) {
	in := "passwd: files\nhosts:  files mdns4_minimal [NOTFOUND=return] dns [!UNAVAIL=return] # c\n"
	got := parseNSSwitch([]byte(in), "hosts")
	want := []nssSource{
		{"files", map[string]bool{"success": true, "notfound": false, "unavail": false, "tryagain": false}, nil},
		{"mdns4_minimal", map[string]bool{"success": true, "notfound": true, "unavail": false, "tryagain": false}, nil},
		{"dns", map[string]bool{"success": true, "notfound": true, "unavail": false, "tryagain": true}, nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// merge (glibc 2.24+) neither returns nor continues; ! sets the others.
	got = parseNSSwitch([]byte("hosts: files [SUCCESS=merge] dns [!NOTFOUND=merge NOTFOUND=return] sss\n"), "hosts")
	want = []nssSource{
		{"files", map[string]bool{"success": false, "notfound": false, "unavail": false, "tryagain": false},
			map[string]bool{"success": true}},
		{"dns", map[string]bool{"success": false, "notfound": true, "unavail": false, "tryagain": false},
			map[string]bool{"success": true, "notfound": false, "unavail": true, "tryagain": true}},
		{"sss", defaultActions(), nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merge (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(defaultNSSHosts, parseNSSwitch([]byte("passwd: files\n"), "hosts")); diff != "" {
		t.Errorf("no hosts line (-want +got):\n%s", diff)
	}
}

func TestParseGAIConf(t *testing.T) {
	c := parseGAIConf([]byte("# comment\nprecedence ::ffff:0:0/96 100\nlabel 2001:db8::/32 9\nscopev4 ::ffff:10.0.0.0/104 5\nscopev4 192.168.0.0/16 5\nprecedence bogus 1\n"))
	wantPrec := []prefixEntry{{p6("::ffff:0:0/96"), 100}, {p6("::/0"), 40}}
	wantLabel := []prefixEntry{{p6("2001:db8::/32"), 9}, {p6("::/0"), 1}}
	wantScope := []scopeEntry{{0xc0a80000, 0xffff0000, 5}, {0x0a000000, 0xff000000, 5}, {0, 0, 14}}
	opt := cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })
	if diff := cmp.Diff(wantPrec, c.Precedence, opt); diff != "" {
		t.Errorf("precedence (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantLabel, c.Labels, opt); diff != "" {
		t.Errorf("label (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantScope, c.Scopes); diff != "" {
		t.Errorf("scopev4 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(defaultGAIConf, parseGAIConf([]byte("# all commented out\n")), opt, cmp.AllowUnexported()); diff != "" {
		t.Errorf("empty file (-want +got):\n%s", diff)
	}
}

func TestRFC3484Compare(t *testing.T) {
	v4 := func(s string) netip.Addr { return netip.AddrFrom16(netip.MustParseAddr(s).As16()) }
	v6 := netip.MustParseAddr
	conf := defaultGAIConf
	native := func(idx uint32) bool { return idx != 9 }
	tests := []struct {
		name   string
		a1, a2 sortResult
		want   int
	}{
		{"rule 1 reachable first", sortResult{dst: v6("2001:db8::1"), dstFamily: unix.AF_INET6},
			sortResult{dst: v4("192.0.2.1"), dstFamily: unix.AF_INET, gotSrc: true, src: v4("192.0.2.2"), srcFamily: unix.AF_INET}, 1},
		{"rule 2 matching scope", sortResult{dst: v6("fe80::1"), dstFamily: unix.AF_INET6, gotSrc: true, src: v6("2001:db8::2"), srcFamily: unix.AF_INET6},
			sortResult{dst: v6("2001:db8::1"), dstFamily: unix.AF_INET6, gotSrc: true, src: v6("2001:db8::2"), srcFamily: unix.AF_INET6}, 1},
		{"rule 3 deprecated last", sortResult{dst: v6("2001:db8::1"), dstFamily: unix.AF_INET6, gotSrc: true, src: v6("2001:db8::2"), srcFamily: unix.AF_INET6, deprec: true},
			sortResult{dst: v6("2001:db8::3"), dstFamily: unix.AF_INET6, gotSrc: true, src: v6("2001:db8::4"), srcFamily: unix.AF_INET6}, 1},
		{"rule 5 matching label", sortResult{dst: v6("2002::1"), dstFamily: unix.AF_INET6, gotSrc: true, src: v6("2001:db8::2"), srcFamily: unix.AF_INET6},
			sortResult{dst: v4("198.51.100.1"), dstFamily: unix.AF_INET, gotSrc: true, src: v4("192.0.2.2"), srcFamily: unix.AF_INET}, 1},
		{"rule 6 precedence", sortResult{dst: v4("198.51.100.1"), dstFamily: unix.AF_INET, gotSrc: true, src: v4("192.0.2.2"), srcFamily: unix.AF_INET},
			sortResult{dst: v6("2001:db9::1"), dstFamily: unix.AF_INET6, gotSrc: true, src: v6("2001:db8::2"), srcFamily: unix.AF_INET6}, 1},
		{"rule 7 native", sortResult{dst: v6("2001:db8::1"), dstFamily: unix.AF_INET6, gotSrc: true, src: v6("2001:db8::2"), srcFamily: unix.AF_INET6, index: 9},
			sortResult{dst: v6("2001:db8::3"), dstFamily: unix.AF_INET6, gotSrc: true, src: v6("2001:db8::4"), srcFamily: unix.AF_INET6, index: 2}, 1},
		{"rule 8 smaller scope", sortResult{dst: v6("2001:db8::1"), dstFamily: unix.AF_INET6},
			sortResult{dst: v6("fec0::1"), dstFamily: unix.AF_INET6}, 1},
		{"rule 9 ipv4 same subnet", sortResult{dst: v4("198.51.100.1"), dstFamily: unix.AF_INET, gotSrc: true, src: v4("192.0.2.2"), srcFamily: unix.AF_INET, prefixlen: 24},
			sortResult{dst: v4("192.0.2.200"), dstFamily: unix.AF_INET, gotSrc: true, src: v4("192.0.2.2"), srcFamily: unix.AF_INET, prefixlen: 24}, 1},
		{"rule 9 ipv4 outside subnet counts nothing", sortResult{dst: v4("192.0.3.1"), dstFamily: unix.AF_INET, gotSrc: true, src: v4("192.0.2.2"), srcFamily: unix.AF_INET, prefixlen: 24},
			sortResult{dst: v4("10.0.0.1"), dstFamily: unix.AF_INET, gotSrc: true, src: v4("192.0.2.2"), srcFamily: unix.AF_INET, prefixlen: 24}, -1},
		{"rule 9 ipv6", sortResult{dst: v6("2001:db8:ffff::1"), dstFamily: unix.AF_INET6, gotSrc: true, src: v6("2001:db8::2"), srcFamily: unix.AF_INET6},
			sortResult{dst: v6("2001:db8::1:1"), dstFamily: unix.AF_INET6, gotSrc: true, src: v6("2001:db8::2"), srcFamily: unix.AF_INET6}, 1},
		{"rule 10 input order", sortResult{dst: v4("198.51.100.1"), dstFamily: unix.AF_INET}, sortResult{dst: v4("198.51.100.2"), dstFamily: unix.AF_INET}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rfc3484Compare(&tt.a1, &tt.a2, 0, 1, conf, native); got != tt.want {
				t.Errorf("compare = %d, want %d", got, tt.want)
			}
			if got := rfc3484Compare(&tt.a2, &tt.a1, 1, 0, conf, native); got != -tt.want && !strings.HasPrefix(tt.name, "rule 10") {
				t.Errorf("reversed compare = %d, want %d", got, -tt.want)
			}
		})
	}
}

func TestMsortStable(t *testing.T) {
	keys := []int{3, 1, 3, 2, 1, 3, 0}
	order := []int{0, 1, 2, 3, 4, 5, 6}
	msort(order, func(a, b int) int {
		if keys[a] != keys[b] {
			return keys[a] - keys[b]
		}
		if a < b {
			return -1
		}
		return 1
	})
	if diff := cmp.Diff([]int{6, 1, 4, 3, 0, 2, 5}, order); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// zone is the fake DNS server's data: name (lower case, with the trailing
// dot) and type to records.
type zone map[string][]dnsmessage.Resource

// fakeDNS answers queries from z on 127.0.0.1 over UDP and TCP. Names in
// truncate get a truncated UDP answer; servfail names get SERVFAIL; names
// in drop are never answered; names in late get the answer to their first
// UDP query only when the second comes, which is not answered.
type fakeDNS struct {
	z        zone
	truncate map[string]bool
	servfail map[string]bool
	drop     map[string]bool
	late     map[string]bool
	port     uint16
	mu       sync.Mutex
	tcpSeen  int
	held     map[string]heldQuery
}

type heldQuery struct {
	q    []byte
	from net.Addr
}

// hold returns the query to answer now for a late name: none the first
// time (q is kept), the kept one the second time.
func (f *fakeDNS) hold(q []byte, from net.Addr) (heldQuery, bool) {
	var p dnsmessage.Parser
	if _, err := p.Start(q); err != nil {
		return heldQuery{}, false
	}
	qq, err := p.Question()
	if err != nil || !f.late[strings.ToLower(qq.Name.String())] {
		return heldQuery{q, from}, true
	}
	key := strings.ToLower(qq.Name.String()) + " " + qq.Type.String()
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.held[key]; ok {
		delete(f.held, key)
		return h, true
	}
	if f.held == nil {
		f.held = map[string]heldQuery{}
	}
	f.held[key] = heldQuery{append([]byte(nil), q...), from}
	return heldQuery{}, false
}

func rr(name string, body dnsmessage.ResourceBody) dnsmessage.Resource {
	return dnsmessage.Resource{Header: dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName(name), Class: dnsmessage.ClassINET, TTL: 60}, Body: body}
}

func startFakeDNS(t testing.TB, f *fakeDNS) {
	t.Helper()
	var pc net.PacketConn
	var ln net.Listener
	for range 20 {
		var err error
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		pc.Close()
	}
	if ln == nil {
		t.Fatal("no port free for both UDP and TCP")
	}
	f.port = uint16(pc.LocalAddr().(*net.UDPAddr).Port)
	t.Cleanup(func() { pc.Close(); ln.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			h, ok := f.hold(buf[:n], from)
			if !ok {
				continue
			}
			if resp := f.answer(h.q, false); resp != nil {
				pc.WriteTo(resp, h.from)
			}
		}
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.tcpSeen++
			f.mu.Unlock()
			var l [2]byte
			if _, err := c.Read(l[:]); err == nil {
				q := make([]byte, int(l[0])<<8|int(l[1]))
				if _, err := c.Read(q); err == nil {
					resp := f.answer(q, true)
					c.Write(append([]byte{byte(len(resp) >> 8), byte(len(resp))}, resp...))
				}
			}
			c.Close()
		}
	}()
}

func (f *fakeDNS) answer(q []byte, tcp bool) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(q)
	if err != nil {
		return nil
	}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 {
		return nil
	}
	name := strings.ToLower(qs[0].Name.String())
	if f.drop[name] {
		return nil
	}
	rh := dnsmessage.Header{ID: h.ID, Response: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	var ans []dnsmessage.Resource
	switch {
	case f.servfail[name]:
		rh.RCode = dnsmessage.RCodeServerFailure
	case f.truncate[name] && !tcp:
		rh.Truncated = true
	default:
		cur := name
		exists := false
		for range 8 {
			next := ""
			for _, r := range f.z[cur] {
				exists = true
				switch b := r.Body.(type) {
				case *dnsmessage.CNAMEResource:
					ans = append(ans, r)
					next = b.CNAME.String()
				case *dnsmessage.AResource:
					if qs[0].Type == dnsmessage.TypeA {
						ans = append(ans, r)
					}
				case *dnsmessage.AAAAResource:
					if qs[0].Type == dnsmessage.TypeAAAA {
						ans = append(ans, r)
					}
				case *dnsmessage.PTRResource:
					if qs[0].Type == dnsmessage.TypePTR {
						ans = append(ans, r)
					}
				}
			}
			if next == "" {
				break
			}
			cur = next
		}
		if !exists {
			rh.RCode = dnsmessage.RCodeNameError
		}
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	b.StartQuestions()
	b.Question(qs[0])
	b.StartAnswers()
	for _, r := range ans {
		switch body := r.Body.(type) {
		case *dnsmessage.AResource:
			b.AResource(r.Header, *body)
		case *dnsmessage.AAAAResource:
			b.AAAAResource(r.Header, *body)
		case *dnsmessage.CNAMEResource:
			b.CNAMEResource(r.Header, *body)
		case *dnsmessage.PTRResource:
			b.PTRResource(r.Header, *body)
		}
	}
	out, _ := b.Finish()
	return out
}

// testResolver returns a Resolver over files written to a temporary
// directory, with DNS at port.
func testResolver(t testing.TB, hosts, resolv, nss string, port uint16) *Resolver {
	t.Helper()
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return &Resolver{
		HostsFile: write("hosts", hosts), ResolvConfFile: write("resolv.conf", resolv), NSSwitchFile: write("nsswitch.conf", nss),
		ServicesFile: write("services", "http 80/tcp www\ndomain 53/tcp\ndomain 53/udp\n"), ProtocolsFile: write("protocols", "tcp 6 TCP\n"),
		GAIConfFile: write("gai.conf", ""), HostConfFile: write("host.conf", "multi on\n"), dnsPort: port,
	}
}

func a4(s string) *dnsmessage.AResource {
	return &dnsmessage.AResource{A: netip.MustParseAddr(s).As4()}
}
func a6(s string) *dnsmessage.AAAAResource {
	return &dnsmessage.AAAAResource{AAAA: netip.MustParseAddr(s).As16()}
}
func cname(s string) *dnsmessage.CNAMEResource {
	return &dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName(s)}
}

// TestResolverLateAnswer: the answer to the first try comes while the
// second try waits (the server answers nothing else). glibc keeps its UDP
// socket from one try to the next and takes it; a new socket per try had a
// new port, the answer met a closed one, and the lookup failed (#16).
func TestResolverLateAnswer(t *testing.T) {
	f := &fakeDNS{
		z:    zone{"late.example.test.": {rr("late.example.test.", a4("198.51.100.40"))}},
		late: map[string]bool{"late.example.test.": true},
	}
	startFakeDNS(t, f)
	r := testResolver(t, "", "nameserver 127.0.0.1\noptions timeout:1 attempts:2\n", "hosts: dns\n", f.port)
	name := "late.example.test."
	infos, err := r.GetAddrInfo(&name, nil, unix.AF_INET, unix.SOCK_STREAM, 0, 0)
	if err != nil {
		t.Fatalf("GetAddrInfo: %v, want the late answer", err)
	}
	if len(infos) != 1 || infos[0].Addr.String() != "198.51.100.40:0" {
		t.Errorf("GetAddrInfo: %v, want 198.51.100.40:0", infos)
	}
}

func TestResolverDNS(t *testing.T) {
	f := &fakeDNS{
		z: zone{
			"www.example.test.":          {rr("www.example.test.", a4("198.51.100.10"))},
			"many.example.test.":         {rr("many.example.test.", a4("198.51.100.1")), rr("many.example.test.", a4("198.51.100.2")), rr("many.example.test.", a4("198.51.100.3")), rr("many.example.test.", a4("198.51.100.4"))},
			"alias.example.test.":        {rr("alias.example.test.", cname("mid.example.test."))},
			"mid.example.test.":          {rr("mid.example.test.", cname("real.example.test."))},
			"real.example.test.":         {rr("real.example.test.", a4("198.51.100.20"))},
			"v6only.example.test.":       {rr("v6only.example.test.", a6("2001:db8::20"))},
			"big.example.test.":          {rr("big.example.test.", a4("198.51.100.30"))},
			"7.100.51.198.in-addr.arpa.": {rr("7.100.51.198.in-addr.arpa.", &dnsmessage.PTRResource{PTR: dnsmessage.MustNewName("ptr.example.test.")})},
		},
		truncate: map[string]bool{"big.example.test.": true},
		servfail: map[string]bool{"fail.example.test.": true},
		drop:     map[string]bool{"slow.example.test.": true},
	}
	startFakeDNS(t, f)
	r := testResolver(t, "203.0.113.9 filehost.example.test filehost\n203.0.113.10 filehost.example.test\n",
		"nameserver 127.0.0.1\nsearch example.test\noptions timeout:1 attempts:1\n", "hosts: files dns\n", f.port)
	type result struct {
		Canon string
		Addrs []string
		Err   string
	}
	gai := func(name string, family, flags int) result {
		infos, err := r.GetAddrInfo(&name, nil, family, unix.SOCK_STREAM, 0, flags)
		var res result
		if err != nil {
			var ge *GAIError
			errors.As(err, &ge)
			res.Err = ge.Name()
		}
		for _, ai := range infos {
			if ai.CanonName != "" {
				res.Canon = ai.CanonName
			}
			res.Addrs = append(res.Addrs, ai.Addr.String())
		}
		return res
	}
	tests := []struct {
		name   string
		host   string
		family int
		flags  int
		want   result
	}{
		{"A record", "www.example.test", unix.AF_INET, AI_CANONNAME, result{Canon: "www.example.test", Addrs: []string{"198.51.100.10:0"}}},
		{"search list", "www", unix.AF_INET, AI_CANONNAME, result{Canon: "www.example.test", Addrs: []string{"198.51.100.10:0"}}},
		{"many addresses in order", "many.example.test", unix.AF_INET, 0, result{Addrs: []string{"198.51.100.1:0", "198.51.100.2:0", "198.51.100.3:0", "198.51.100.4:0"}}},
		{"CNAME chain", "alias.example.test", unix.AF_INET, AI_CANONNAME, result{Canon: "real.example.test", Addrs: []string{"198.51.100.20:0"}}},
		{"AAAA only, AF_INET6", "v6only.example.test", unix.AF_INET6, 0, result{Addrs: []string{"[2001:db8::20]:0"}}},
		{"AAAA only, AF_INET", "v6only.example.test", unix.AF_INET, 0, result{Err: "EAI_NODATA"}},
		{"v4 mapped", "www.example.test", unix.AF_INET6, AI_V4MAPPED, result{Addrs: []string{"[::ffff:198.51.100.10]:0"}}},
		{"truncated answer retried over TCP", "big.example.test", unix.AF_INET, 0, result{Addrs: []string{"198.51.100.30:0"}}},
		{"NXDOMAIN", "nosuch.example.test", 0, 0, result{Err: "EAI_NONAME"}},
		{"SERVFAIL", "fail.example.test.", unix.AF_INET, 0, result{Err: "EAI_AGAIN"}},
		{"timeout", "slow.example.test.", unix.AF_INET, 0, result{Err: "EAI_AGAIN"}},
		{"hosts file first, every line", "FileHost.example.test", unix.AF_INET, AI_CANONNAME, result{Canon: "filehost.example.test", Addrs: []string{"203.0.113.9:0", "203.0.113.10:0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, gai(tt.host, tt.family, tt.flags)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	f.mu.Lock()
	tcpSeen := f.tcpSeen
	f.mu.Unlock()
	if tcpSeen == 0 {
		t.Error("the truncated answer was not retried over TCP")
	}

	// A server that refuses (nothing listens on 127.0.0.2) is skipped.
	r2 := testResolver(t, "", "nameserver 127.0.0.2\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n", "hosts: dns\n", f.port)
	if got := gai2(r2, "www.example.test"); got != "198.51.100.10:0" {
		t.Errorf("second nameserver: got %q, want 198.51.100.10:0", got)
	}

	h, err := r.GetHostByNameEx("alias.example.test")
	if diff := cmp.Diff(HostEnt{Name: "real.example.test", Aliases: []string{"alias.example.test", "mid.example.test"}, Addrs: []string{"198.51.100.20"}}, h); diff != "" || err != nil {
		t.Errorf("GetHostByNameEx: %v (-want +got):\n%s", err, diff)
	}
	h, err = r.GetHostByAddr("198.51.100.7")
	if diff := cmp.Diff(HostEnt{Name: "ptr.example.test", Aliases: []string{}, Addrs: []string{"198.51.100.7"}}, h); diff != "" || err != nil {
		t.Errorf("GetHostByAddr: %v (-want +got):\n%s", err, diff)
	}
	_, err = r.HostByAddr(netip.MustParseAddr("198.51.100.8"))
	var he *HError
	if !errors.As(err, &he) || he.Code != HOST_NOT_FOUND {
		t.Errorf("GetHostByAddr of an address without PTR: %v, want HOST_NOT_FOUND", err)
	}
	host, port, err := r.GetNameInfo(&InetAddr{IP: netip.MustParseAddr("198.51.100.7"), Port: 80}, 0)
	if host != "ptr.example.test" || port != "http" || err != nil {
		t.Errorf("GetNameInfo = %q, %q, %v; want ptr.example.test, http", host, port, err)
	}
	_, _, err = r.GetNameInfo(&InetAddr{IP: netip.MustParseAddr("198.51.100.8"), Port: 80}, NI_NAMEREQD)
	var ge *GAIError
	if !errors.As(err, &ge) || ge.Code != EAI_NONAME {
		t.Errorf("GetNameInfo NI_NAMEREQD without a name: %v, want EAI_NONAME", err)
	}
}

func gai2(r *Resolver, name string) string {
	infos, err := r.GetAddrInfo(&name, nil, unix.AF_INET, unix.SOCK_STREAM, 0, 0)
	if err != nil {
		return err.Error()
	}
	return infos[0].Addr.String()
}

func TestResolverTrace(t *testing.T) {
	f := &fakeDNS{z: zone{"www.example.test.": {rr("www.example.test.", a4("198.51.100.10"))}}}
	startFakeDNS(t, f)
	r := testResolver(t, "", "nameserver 127.0.0.1\nsearch example.test\n", "hosts: files mymachines dns\n", f.port)
	var mu sync.Mutex
	var kinds []string
	r.Trace = func(e TraceEvent) {
		mu.Lock()
		defer mu.Unlock()
		k := e.Kind + ":" + e.Name
		if e.Kind == "dns" {
			k += ":" + e.Type + ":" + e.RCode
		}
		kinds = append(kinds, k)
	}
	h := "www"
	if _, err := r.GetAddrInfo(&h, nil, unix.AF_INET, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	want := []string{"files:www", "skip:mymachines", "search:www.example.test", "dns:www.example.test:A:Success"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestServicesProtocols(t *testing.T) {
	r := testResolver(t, "", "", "", 0)
	if s, ok := r.ServByName("www", "tcp"); !ok || s.Port != 80 || s.Name != "http" {
		t.Errorf("ServByName(www, tcp) = %+v, %v", s, ok)
	}
	if _, ok := r.ServByName("http", "udp"); ok {
		t.Error("ServByName(http, udp) found an entry")
	}
	if s, ok := r.ServByPort(53, "udp"); !ok || s.Proto != "udp" {
		t.Errorf("ServByPort(53, udp) = %+v, %v", s, ok)
	}
	if p, ok := r.ProtoByName("TCP"); !ok || p.Number != 6 {
		t.Errorf("ProtoByName(TCP) = %+v, %v", p, ok)
	}
	if _, ok := r.ProtoByNumber(17); ok {
		t.Error("ProtoByNumber(17) found an entry")
	}
	if _, err := GetServByPort(65536, "tcp"); err == nil {
		t.Error("GetServByPort(65536) did not fail")
	}
}

func TestInterfaces(t *testing.T) {
	l, err := IfNameIndex()
	if err != nil {
		t.Fatal(err)
	}
	if len(l) == 0 {
		t.Fatal("IfNameIndex returned nothing")
	}
	for _, e := range l {
		i, err := IfNameToIndex(e.Name)
		if err != nil || i != e.Index {
			t.Errorf("IfNameToIndex(%q) = %d, %v; want %d", e.Name, i, err, e.Index)
		}
		n, err := IfIndexToName(e.Index)
		if err != nil || n != e.Name {
			t.Errorf("IfIndexToName(%d) = %q, %v; want %q", e.Index, n, err, e.Name)
		}
	}
	if _, err := IfNameToIndex("nosuchif0"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("IfNameToIndex(nosuchif0) = %v, want ENODEV", err)
	}
}

func TestGetFQDN(t *testing.T) {
	r := testResolver(t, "192.0.2.5 box box.example.test\n192.0.2.6 plain\n", "", "hosts: files\n", 0)
	for _, tt := range []struct{ in, want string }{{"192.0.2.5", "box.example.test"}, {"192.0.2.6", "plain"}, {" 192.0.2.6 ", "plain"}, {"192.0.2.99", "192.0.2.99"}} {
		if got := r.GetFQDN(tt.in); got != tt.want {
			t.Errorf("GetFQDN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFilesReloadWhenChanged(t *testing.T) {
	r := testResolver(t, "192.0.2.1 one\n", "", "hosts: files\n", 0)
	for i, want := range []string{"192.0.2.1", "192.0.2.22"} {
		if i == 1 {
			if err := os.WriteFile(r.HostsFile, []byte("192.0.2.22 one\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		h, err := r.GetHostByName("one")
		if err != nil || h != want {
			t.Errorf("lookup %d: %q, %v; want %s", i, h, err, want)
		}
	}
}

func TestResolverRotate(t *testing.T) {
	f := &fakeDNS{z: zone{"www.example.test.": {rr("www.example.test.", a4("198.51.100.10"))}}}
	startFakeDNS(t, f)
	for _, tt := range []struct {
		opts string
		same bool
	}{{"options timeout:1 attempts:1", true}, {"options rotate timeout:1 attempts:1", false}} {
		// Nothing listens on 127.0.0.2: that server refuses at once.
		r := testResolver(t, "", "nameserver 127.0.0.2\nnameserver 127.0.0.1\n"+tt.opts+"\n", "hosts: dns\n", f.port)
		var firsts []string
		for range 2 {
			var mu sync.Mutex
			first := ""
			r.Trace = func(e TraceEvent) {
				mu.Lock()
				defer mu.Unlock()
				if e.Kind == "dns" && first == "" {
					first = e.Server
				}
			}
			if got := gai2(r, "www.example.test"); got != "198.51.100.10:0" {
				t.Fatalf("%s: %s", tt.opts, got)
			}
			firsts = append(firsts, first)
		}
		if (firsts[0] == firsts[1]) != tt.same {
			t.Errorf("%s: first servers asked %v", tt.opts, firsts)
		}
	}
}

// TestNSSMergeServicesProtocols: services and protocols have no merge
// functions in glibc, so a files SUCCESS whose action is merge fails
// (getent services ssh exits 2 on "services: files [SUCCESS=merge] files"),
// measured with glibc 2.36.
func TestNSSMergeServicesProtocols(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r := &Resolver{ServicesFile: write("services", "ssh 22/tcp\n"), ProtocolsFile: write("protocols", "tcp 6 TCP\n")}
	for i, c := range []struct {
		line string
		ok   bool
	}{
		{"", true}, // no line: files
		{"services: db files\nprotocols: db files\n", true},
		{"services: files [SUCCESS=merge] files\nprotocols: files [SUCCESS=merge] files\n", false},
		{"services: files [SUCCESS=merge]\nprotocols: files [SUCCESS=merge]\n", false},
		{"services: files [SUCCESS=continue] files\nprotocols: files [SUCCESS=continue] files\n", true},
		{"services: files [NOTFOUND=merge] files\nprotocols: files [NOTFOUND=merge] files\n", true},
	} {
		r.NSSwitchFile = write("nsswitch-"+strconv.Itoa(i), c.line)
		_, ok1 := r.ServByName("ssh", "")
		_, ok2 := r.ServByPort(22, "tcp")
		_, ok3 := r.ProtoByName("TCP")
		_, ok4 := r.ProtoByNumber(6)
		if ok1 != c.ok || ok2 != c.ok || ok3 != c.ok || ok4 != c.ok {
			t.Errorf("%q: found %v %v %v %v, want %v", c.line, ok1, ok2, ok3, ok4, c.ok)
		}
	}
}
