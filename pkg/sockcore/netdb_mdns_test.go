package sockcore

import (
	"bufio"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sys/unix"
)

// fakeAvahi serves avahi-daemon's simple protocol on a UNIX socket: each
// connection gets one question line, answered with answer(question) (""
// closes the connection without a word). It returns the socket path and
// the questions asked so far.
func fakeAvahi(t *testing.T, answer func(q string) string) (string, func() []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "socket")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var mu sync.Mutex
	var asked []string
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			q, err := bufio.NewReader(c).ReadString('\n')
			if err == nil {
				q = strings.TrimSuffix(q, "\n")
				mu.Lock()
				asked = append(asked, q)
				mu.Unlock()
				c.Write([]byte(answer(q)))
			}
			c.Close()
		}
	}()
	return path, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), asked...)
	}
}

// avahiAnswers is what a daemon that publishes printer.local (IPv4 and
// IPv6 on interface 3) and only-v4.local answers.
func avahiAnswers(q string) string {
	switch q {
	case "RESOLVE-HOSTNAME-IPV4 printer.local":
		return "+ 3 0 printer.local 192.0.2.7\n"
	case "RESOLVE-HOSTNAME-IPV6 printer.local":
		return "+ 3 1 printer.local fe80::7\n"
	case "RESOLVE-HOSTNAME-IPV4 only-v4.local":
		return "+ 0x3 0 only-v4.local 192.0.2.8\r\n"
	case "RESOLVE-HOSTNAME-IPV4 broken.local":
		return "+ 3 0 broken.local not-an-address\n"
	case "RESOLVE-HOSTNAME-IPV4 silent.local":
		return ""
	case "RESOLVE-ADDRESS 169.254.1.2", "RESOLVE-ADDRESS 192.0.2.7", "RESOLVE-ADDRESS fe80::7":
		return "+ 3 0 printer.local\n"
	}
	return "-15 Timeout reached\n"
}

func TestMDNSByName(t *testing.T) {
	sock, asked := fakeAvahi(t, avahiAnswers)
	dir := t.TempDir()
	r := &Resolver{AvahiSocket: sock, MDNSAllowFile: filepath.Join(dir, "none"), ResolvConfFile: filepath.Join(dir, "none")}
	fe80 := []uint32{3}
	for _, tc := range []struct {
		src, name string
		family    int
		want      hostAnswer
		asked     []string
	}{
		{"mdns_minimal", "printer.local", 0, hostAnswer{status: nssSuccess, name: "printer.local", aliases: []string{},
			addrs: addrs("192.0.2.7", "fe80::7"), scopes: []uint32{3, 3}},
			[]string{"RESOLVE-HOSTNAME-IPV4 printer.local", "RESOLVE-HOSTNAME-IPV6 printer.local"}},
		{"mdns4_minimal", "printer.local", 0, hostAnswer{status: nssSuccess, name: "printer.local", aliases: []string{},
			addrs: addrs("192.0.2.7"), scopes: fe80}, []string{"RESOLVE-HOSTNAME-IPV4 printer.local"}},
		{"mdns6", "printer.local", unix.AF_INET6, hostAnswer{status: nssSuccess, name: "printer.local", aliases: []string{},
			addrs: addrs("fe80::7"), scopes: fe80}, []string{"RESOLVE-HOSTNAME-IPV6 printer.local"}},
		{"mdns4", "Only-V4.LOCAL", 0, hostAnswer{status: nssNotFound, herrno: HOST_NOT_FOUND}, []string{"RESOLVE-HOSTNAME-IPV4 Only-V4.LOCAL"}},
		{"mdns", "only-v4.local.", 0, hostAnswer{status: nssNotFound, herrno: HOST_NOT_FOUND},
			[]string{"RESOLVE-HOSTNAME-IPV4 only-v4.local.", "RESOLVE-HOSTNAME-IPV6 only-v4.local."}},
		{"mdns", "only-v4.local", 0, hostAnswer{status: nssSuccess, name: "only-v4.local", aliases: []string{},
			addrs: addrs("192.0.2.8"), scopes: fe80}, []string{"RESOLVE-HOSTNAME-IPV4 only-v4.local", "RESOLVE-HOSTNAME-IPV6 only-v4.local"}},
		// What nss-mdns does not ask about: UNAVAIL without a question.
		{"mdns4_minimal", "printer.local", unix.AF_INET6, mdnsUnavail, nil},
		{"mdns6", "printer.local", unix.AF_INET, mdnsUnavail, nil},
		{"mdns_minimal", "printer.example", 0, mdnsUnavail, nil},
		{"mdns", "a.printer.local", 0, mdnsUnavail, nil},
		{"mdns_minimal", "local", 0, mdnsUnavail, nil},
		// An answer nss-mdns cannot read: UNAVAIL.
		{"mdns4_minimal", "broken.local", 0, mdnsUnavail, []string{"RESOLVE-HOSTNAME-IPV4 broken.local"}},
		{"mdns_minimal", "silent.local", 0, mdnsUnavail, []string{"RESOLVE-HOSTNAME-IPV4 silent.local"}},
	} {
		t.Run(tc.src+"/"+tc.name, func(t *testing.T) {
			before := len(asked())
			got := r.mdnsByName(tc.src, mdnsVariants[tc.src], tc.name, tc.family)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(hostAnswer{}), addrCmp); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tc.asked, asked()[before:], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("questions (-want +got)\n%s", diff)
			}
		})
	}
}

func TestMDNSAllowFile(t *testing.T) {
	sock, _ := fakeAvahi(t, func(q string) string {
		return "+ 2 0 x " + map[bool]string{true: "192.0.2.1", false: "2001:db8::1"}[strings.Contains(q, "IPV4")] + "\n"
	})
	dir := t.TempDir()
	allow := filepath.Join(dir, "mdns.allow")
	if err := os.WriteFile(allow, []byte("# comment\n.example.org\nlan # home\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &Resolver{AvahiSocket: sock, MDNSAllowFile: allow}
	for name, want := range map[string]nssStatus{
		"a.b.example.org": nssSuccess, "host.lan": nssSuccess, "host.LAN": nssSuccess,
		"printer.local": nssUnavail, "example.org": nssUnavail, "xlan": nssUnavail,
	} {
		if got := r.mdnsByName("mdns4", mdnsVariants["mdns4"], name, 0).status; got != want {
			t.Errorf("mdns4 %s: status %v, want %v", name, got, want)
		}
	}
	// The _minimal variants never read the allow file.
	if got := r.mdnsByName("mdns4_minimal", mdnsVariants["mdns4_minimal"], "host.lan", 0).status; got != nssUnavail {
		t.Errorf("mdns4_minimal host.lan: status %v, want unavail", got)
	}
	// An allow file that opens but cannot be read allows nothing.
	rdir := &Resolver{AvahiSocket: sock, MDNSAllowFile: dir}
	if got := rdir.mdnsByName("mdns4", mdnsVariants["mdns4"], "printer.local", 0).status; got != nssUnavail {
		t.Errorf("mdns4 printer.local with a directory as allow file: status %v, want unavail", got)
	}
	if err := os.WriteFile(allow, []byte("*\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := r.mdnsByName("mdns", mdnsVariants["mdns"], "anything", 0); got.status != nssSuccess || len(got.addrs) != 2 {
		t.Errorf("mdns anything with *: %+v, want both addresses", got)
	}
}

func TestMDNSByAddr(t *testing.T) {
	sock, asked := fakeAvahi(t, avahiAnswers)
	r := &Resolver{AvahiSocket: sock}
	for _, tc := range []struct {
		src, addr string
		want      string // the name, or "unavail" / "notfound"
		asked     bool
	}{
		{"mdns_minimal", "169.254.1.2", "printer.local", true},
		{"mdns4_minimal", "169.254.1.2", "printer.local", true},
		{"mdns_minimal", "fe80::7", "printer.local", true},
		{"mdns_minimal", "192.0.2.7", "unavail", false},
		{"mdns4", "192.0.2.7", "printer.local", true},
		{"mdns4", "fe80::7", "unavail", false},
		{"mdns6_minimal", "169.254.1.2", "unavail", false},
		{"mdns6_minimal", "fe80::9", "notfound", true},
		{"mdns", "192.0.2.9", "notfound", true},
	} {
		t.Run(tc.src+"/"+tc.addr, func(t *testing.T) {
			before := len(asked())
			h, st := r.mdnsByAddr(tc.src, mdnsVariants[tc.src], mustAddr(tc.addr))
			got := h.Name
			switch st.status {
			case nssUnavail:
				got = "unavail"
			case nssNotFound:
				got = "notfound"
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if n := len(asked()) - before; (n == 1) != tc.asked {
				t.Errorf("%d questions, want asked=%v", n, tc.asked)
			}
		})
	}
}

// TestMDNSNoDaemon: no socket is UNAVAIL, so [NOTFOUND=return] does not
// stop the lookup and the next source answers, as with glibc.
func TestMDNSNoDaemon(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r := &Resolver{
		AvahiSocket:    filepath.Join(dir, "nothing"),
		NSSwitchFile:   write("nsswitch.conf", "hosts: mdns4_minimal [NOTFOUND=return] files\n"),
		HostsFile:      write("hosts", "192.0.2.9 printer.local\n169.254.3.3 ll.example\n"),
		ResolvConfFile: write("resolv.conf", ""),
	}
	h, err := r.HostByName("printer.local", unix.AF_INET)
	if err != nil || h.Addrs[0] != "192.0.2.9" {
		t.Errorf("HostByName: %v, %v; want files' 192.0.2.9", h, err)
	}
	if h, err := r.HostByAddr(mustAddr("169.254.3.3")); err != nil || h.Name != "ll.example" {
		t.Errorf("HostByAddr: %v, %v; want files' ll.example", h, err)
	}
	// With the daemon answering "not found", [NOTFOUND=return] stops there.
	sock, _ := fakeAvahi(t, avahiAnswers)
	r2 := &Resolver{AvahiSocket: sock, NSSwitchFile: r.NSSwitchFile, HostsFile: r.HostsFile, ResolvConfFile: r.ResolvConfFile}
	if _, err := r2.HostByName("nobody.local", unix.AF_INET); err == nil {
		t.Error("HostByName nobody.local: found, want HOST_NOT_FOUND from [NOTFOUND=return]")
	}
	if h, err := r2.HostByName("printer.local", unix.AF_INET); err != nil || h.Addrs[0] != "192.0.2.7" {
		t.Errorf("HostByName printer.local: %v, %v; want avahi's 192.0.2.7", h, err)
	}
}

func TestStrtol(t *testing.T) {
	for s, want := range map[string]int64{"3": 3, "0x1f": 31, "010": 8, "-1": -1, "12abc": 12, "": 0, "x": 0, "0x": 0, "09": 0} {
		if got := strtol(s); got != want {
			t.Errorf("strtol(%q) = %d, want %d", s, got, want)
		}
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, x := range s {
		out = append(out, mustAddr(x))
	}
	return out
}

var addrCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })
