package resolve_test

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
)

// startLLMNR answers LLMNR (RFC 4795) queries over IPv4 in ns on ifname:
// it listens on UDP 5355 in the group 224.0.0.252 and answers an A query
// for a name of names with its address, an AAAA query for it with no
// answer (the name is its, the type is not), and stays silent on other
// names, as a responder must. Replies are unicast to the querier with
// the C and T bits clear (no conflict, not tentative).
func startLLMNR(t *testing.T, ns *testenv.NetNS, ifname string, names map[string]netip.Addr) {
	t.Helper()
	startResponder(t, ns, "0.0.0.0:5355", ifname, names)
}

// startDNSOn answers DNS over UDP on addr in ns like startLLMNR, but
// with NXDOMAIN for the names it does not know, as an authoritative DNS
// server.
func startDNSOn(t *testing.T, ns *testenv.NetNS, addr string, names map[string]netip.Addr) {
	t.Helper()
	startResponder(t, ns, addr, "", names)
}

// startResponder is startLLMNR (ifname set: LLMNR on that interface) or
// startDNSOn (ifname "").
func startResponder(t *testing.T, ns *testenv.NetNS, addr, ifname string, names map[string]netip.Addr) {
	t.Helper()
	var pc net.PacketConn
	err := ns.Do(func() error {
		lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_IP, unix.IP_TTL, 255)
			})
			if err != nil {
				return err
			}
			return serr
		}}
		var err error
		pc, err = lc.ListenPacket(context.Background(), "udp4", addr)
		if err != nil || ifname == "" {
			return err
		}
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return err
		}
		return ipv4.NewPacketConn(pc).JoinGroup(ifi, &net.UDPAddr{IP: net.IPv4(224, 0, 0, 252)})
	})
	if err != nil {
		if pc != nil {
			pc.Close()
		}
		t.Fatalf("responder on %s: %v", addr, err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var q dnsmessage.Message
			if q.Unpack(buf[:n]) != nil || q.Response || len(q.Questions) != 1 {
				continue
			}
			qq := q.Questions[0]
			addr, ok := names[strings.ToLower(strings.TrimSuffix(qq.Name.String(), "."))]
			if ifname != "" && (!ok || qq.Class != dnsmessage.ClassINET) {
				continue
			}
			r := dnsmessage.Message{Header: dnsmessage.Header{ID: q.ID, Response: true}, Questions: q.Questions}
			if ifname == "" {
				r.Authoritative, r.RecursionDesired = true, q.RecursionDesired
				if !ok {
					r.RCode = dnsmessage.RCodeNameError
				}
			}
			if qq.Type == dnsmessage.TypeA && addr.Is4() {
				r.Answers = append(r.Answers, dnsmessage.Resource{
					Header: dnsmessage.ResourceHeader{Name: qq.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 30},
					Body:   &dnsmessage.AResource{A: addr.As4()},
				})
			}
			b, err := r.Pack()
			if err != nil {
				continue
			}
			pc.WriteTo(b, from)
		}
	}()
}

// linkIndex is the ifindex of ifname in ns.
func linkIndex(t *testing.T, ns *testenv.NetNS, ifname string) int {
	t.Helper()
	var ifindex int
	if err := ns.Do(func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err == nil {
			ifindex = ifi.Index
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ifindex
}

// TestResolvedLLMNRGetent compares resolve with glibc loading Debian's
// libnss_resolve.so.2 on a name only systemd-resolved knows: resolved runs
// with LLMNR=yes and finds llpeer on veth0 through LLMNR over IPv4, where
// the peer namespace answers it (startLLMNR). On Fedora's line and on
// "resolve" alone, getent and resolve must agree byte for byte and in exit
// code (also on a single-label name nobody answers, and on www, found
// through DNS and the search domain while LLMNR is on), and --explain must
// name the protocol and the link (ifindex) resolved reported.
func TestResolvedLLMNRGetent(t *testing.T) {
	e := setupNSS(t, "libnss-myhostname", "libnss-resolve", "systemd-resolved")
	startLLMNR(t, e.peer, "veth1", map[string]netip.Addr{"llpeer": netip.MustParseAddr("10.99.0.254")})
	startResolved(t, e, "yes", nil)
	ifindex := linkIndex(t, e.ns, "veth0")
	e.write(t, "nsswitch.conf", "hosts: resolve\n")
	// Proof that resolved asked LLMNR and glibc took its answer.
	if out, code := e.runUTS(t, "getent", "ahostsv4", "llpeer"); code != 0 || !strings.HasPrefix(out, "10.99.0.254 ") {
		t.Fatalf("getent ahostsv4 llpeer on \"hosts: resolve\": exit %d:\n%s", code, out)
	}
	out, code := e.runUTS(t, e.resolve, "addrinfo", "--explain", "-4", "llpeer")
	want := ";; resolve (systemd-resolved @/run/systemd/resolve/io.systemd.Resolve): llpeer found, 1 answers via llmnr-ipv4 on veth0 (ifindex " + strconv.Itoa(ifindex) + ") "
	if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, ";; answered by resolve") {
		t.Errorf("resolve addrinfo --explain -4 llpeer: exit %d, lacks %q:\n%s", code, want, out)
	}
	for _, c := range []struct {
		line  string
		names []string
	}{
		// llnobody: nobody answers on LLMNR, resolved gives up after its
		// retries (about 6 s a query), so once.
		{"hosts: files myhostname resolve [!UNAVAIL=return] dns", []string{"llpeer", "www", "llnobody"}}, // Fedora
		{"hosts: resolve", []string{"llpeer"}},
	} {
		t.Run(c.line, func(t *testing.T) {
			e.write(t, "nsswitch.conf", c.line+"\n")
			e.compare(t, c.names, nil)
		})
	}
}

// TestResolvedLinkDNSGetent gives systemd-resolved a DNS server and a
// routing domain on veth0 alone, through the state file systemd-networkd
// would write (resolved's D-Bus SetLinkDNS needs a bus, its Varlink
// interface has no such method): lan.example names go to the peer's
// server (10.99.0.254) only, which the global dnsmasq does not know, and
// resolve must agree with getent through nss-resolve, byte for byte and
// in exit code, on Fedora's line, and --explain must name dns on veth0.
func TestResolvedLinkDNSGetent(t *testing.T) {
	e := setupNSS(t, "libnss-myhostname", "libnss-resolve", "systemd-resolved")
	startDNSOn(t, e.peer, "10.99.0.254:53", map[string]netip.Addr{"host.lan.example": netip.MustParseAddr("10.99.0.77")})
	ifindex := linkIndex(t, e.ns, "veth0")
	startResolved(t, e, "no", map[int]string{ifindex: "# This is private data. Do not parse.\nADMIN_STATE=configured\nOPER_STATE=routable\n" +
		"REQUIRED_FOR_ONLINE=yes\nDNS=10.99.0.254\nDOMAINS=\nROUTE_DOMAINS=lan.example\nLLMNR=no\nMDNS=no\n"})
	e.write(t, "nsswitch.conf", "hosts: resolve\n")
	if out, code := e.runUTS(t, "getent", "ahostsv4", "host.lan.example"); code != 0 || !strings.HasPrefix(out, "10.99.0.77 ") {
		t.Fatalf("getent ahostsv4 host.lan.example on \"hosts: resolve\": exit %d:\n%s", code, out)
	}
	out, code := e.runUTS(t, e.resolve, "addrinfo", "--explain", "-4", "host.lan.example")
	want := ";; resolve (systemd-resolved @/run/systemd/resolve/io.systemd.Resolve): host.lan.example found, 1 answers via dns on veth0 (ifindex " + strconv.Itoa(ifindex) + ") "
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("resolve addrinfo --explain -4 host.lan.example: exit %d, lacks %q:\n%s", code, want, out)
	}
	e.write(t, "nsswitch.conf", "hosts: files myhostname resolve [!UNAVAIL=return] dns\n")
	e.compare(t, []string{"host.lan.example", "nobody.lan.example", "www.test"}, nil)
}
