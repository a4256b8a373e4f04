package cli

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// TestSchemeTable: every row of schemes parses from each of its usage forms
// (filled in), prints back the same URL, says IsInet by its kind, is in
// SchemeNames and the usage paragraph, and SchemeOf names a socket of its
// family, type and protocol by it (or by the row it runs over), where this
// kernel has the family.
func TestSchemeTable(t *testing.T) {
	fill := strings.NewReplacer("HOST", "127.0.0.1", "PORT", "9", "/path", "/run/x.sock", "@abstract", "@x",
		"CID", "1", "TYPE", "2000", "INSTANCE", "5", "N", "3")
	usage := SchemeUsage()
	for _, line := range strings.Split(usage, "\n") {
		if len(line) >= 80 {
			t.Errorf("usage line of %d columns: %q", len(line), line)
		}
	}
	for _, sc := range schemes {
		t.Run(sc.name, func(t *testing.T) {
			if !strings.Contains(", "+SchemeNames+", ", ", "+sc.name+", ") {
				t.Errorf("SchemeNames %q lacks %s", SchemeNames, sc.name)
			}
			for _, form := range strings.Fields(sc.forms) {
				if !strings.Contains(usage, form) {
					t.Errorf("usage lacks %s", form)
				}
				url := fill.Replace(form)
				e, err := ParseURL(url)
				if err != nil {
					t.Fatalf("ParseURL(%q): %v", url, err)
				}
				if e.String() != url {
					t.Errorf("ParseURL(%q).String() = %q", url, e.String())
				}
				if e.IsInet() != (sc.kind == inetAddr) {
					t.Errorf("%s: IsInet() = %v", url, e.IsInet())
				}
			}
			if sc.kind == fdAddr {
				return
			}
			fam := sc.family
			if sc.kind == inetAddr {
				fam = unix.AF_INET
			}
			s, err := sockcore.New(fam, sc.typ, sc.proto)
			if err != nil {
				t.Logf("no %s socket here (%v): SchemeOf not checked", sc.name, err)
				return
			}
			defer s.Close()
			want := sc.name
			if sc.over != "" {
				want = sc.over
			}
			if got := SchemeOf(s); got != want {
				t.Errorf("SchemeOf(%s socket) = %q, want %q", sc.name, got, want)
			}
		})
	}
}

func TestSchemeOfOthers(t *testing.T) {
	for _, tc := range []struct {
		name               string
		family, typ, proto int
		want               string
	}{
		{"tcp by number", unix.AF_INET6, unix.SOCK_STREAM, unix.IPPROTO_TCP, "tcp"},
		{"udp by number", unix.AF_INET, unix.SOCK_DGRAM, unix.IPPROTO_UDP, "udp"},
		{"raw", unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP, ""},
		{"netlink", unix.AF_NETLINK, unix.SOCK_RAW, 0, ""},
		{"unix raw", unix.AF_UNIX, unix.SOCK_DGRAM, 0, "unix-dgram"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sockcore.New(tc.family, tc.typ, tc.proto)
			if err != nil {
				t.Skipf("no such socket here: %v", err)
			}
			defer s.Close()
			if got := SchemeOf(s); got != tc.want {
				t.Errorf("SchemeOf = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestListenFamily(t *testing.T) {
	for _, tc := range []struct {
		url       string
		cfgFamily int
		dualStack bool
		dual      bool
		host      string
		family    int
	}{
		{"tcp://:7", 0, true, true, "", unix.AF_INET},
		{"tcp://:7", 0, false, false, "", unix.AF_INET},
		{"tcp://:7", unix.AF_INET, true, false, "", unix.AF_INET},
		{"tcp://:7", unix.AF_INET6, true, false, "::", unix.AF_INET6},
		{"tcp://localhost:7", 0, true, false, "localhost", 0},
		{"tcp://localhost:7", unix.AF_INET6, true, false, "localhost", unix.AF_INET6},
		{"udp://127.0.0.1:7", unix.AF_INET6, true, false, "127.0.0.1", unix.AF_INET},
		{"udp://[::1]:7", 0, true, false, "::1", unix.AF_INET6},
		{"udp://[::]:7", unix.AF_INET, true, false, "::", unix.AF_INET6},
	} {
		e, err := ParseURL(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		dual, host, family := listenFamily(e, tc.cfgFamily, tc.dualStack)
		if dual != tc.dual || host != tc.host || family != tc.family {
			t.Errorf("listenFamily(%s, %d, %v) = %v, %q, %d; want %v, %q, %d", tc.url, tc.cfgFamily, tc.dualStack,
				dual, host, family, tc.dual, tc.host, tc.family)
		}
	}
}

// TestListenDualStackFallback: where the dual-stack socket fails with
// EAFNOSUPPORT or EADDRNOTAVAIL (a kernel without IPv6), an empty host
// listens on IPv4; any other failure is reported.
func TestListenDualStackFallback(t *testing.T) {
	if !sockcore.HasDualStackIPv6() {
		t.Skip("no IPv6 here: Listen never tries the dual-stack socket")
	}
	e, err := ParseURL("tcp://:0")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dualErr  error
		fallback bool
	}{
		{os.NewSyscallError("socket", unix.EAFNOSUPPORT), true},
		{os.NewSyscallError("bind", unix.EADDRNOTAVAIL), true},
		{os.NewSyscallError("bind", unix.EACCES), false},
	} {
		t.Run(tc.dualErr.Error(), func(t *testing.T) {
			var hosts []string
			cfg := ListenConfig{createServer: func(host, port string, opts ...sockcore.ServerOption) (*sockcore.Socket, error) {
				hosts = append(hosts, host)
				if host == "::" {
					return nil, tc.dualErr
				}
				return sockcore.CreateServer(host, port, opts...)
			}}
			s, err := e.Listen(cfg)
			if !tc.fallback {
				if !errors.Is(err, tc.dualErr.(*os.SyscallError).Err) {
					t.Errorf("Listen = %v, want the dual-stack error", err)
				}
				if s != nil {
					s.Close()
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Family() != unix.AF_INET {
				t.Errorf("fell back to %s, want AF_INET (hosts tried %q)", sockcore.FamilyName(s.Family()), hosts)
			}
		})
	}
}
