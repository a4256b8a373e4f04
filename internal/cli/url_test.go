package cli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want Endpoint
	}{
		{"tcp://127.0.0.1:50007", Endpoint{Scheme: "tcp", Family: unix.AF_INET, Type: unix.SOCK_STREAM, Host: "127.0.0.1", Port: "50007"}},
		{"tcp://:7", Endpoint{Scheme: "tcp", Type: unix.SOCK_STREAM, Port: "7"}},
		{"tcp://localhost:echo", Endpoint{Scheme: "tcp", Type: unix.SOCK_STREAM, Host: "localhost", Port: "echo"}},
		{"tcp://localhost:+80", Endpoint{Scheme: "tcp", Type: unix.SOCK_STREAM, Host: "localhost", Port: "+80"}}, // strtoul's sign
		{"tcp://localhost:-0", Endpoint{Scheme: "tcp", Type: unix.SOCK_STREAM, Host: "localhost", Port: "-0"}},
		{"udp://[::1]:53", Endpoint{Scheme: "udp", Family: unix.AF_INET6, Type: unix.SOCK_DGRAM, Host: "::1", Port: "53"}},
		{"udp://[fe80::1%eth0]:53", Endpoint{Scheme: "udp", Family: unix.AF_INET6, Type: unix.SOCK_DGRAM, Host: "fe80::1%eth0", Port: "53"}},
		{"udplite://[::]:9", Endpoint{Scheme: "udplite", Family: unix.AF_INET6, Type: unix.SOCK_DGRAM, Proto: sockcore.IPPROTO_UDPLITE, Host: "::", Port: "9"}},
		{"tls://localhost:443", Endpoint{Scheme: "tls", Type: unix.SOCK_STREAM, Host: "localhost", Port: "443"}},
		{"mptcp://10.0.0.1:0", Endpoint{Scheme: "mptcp", Family: unix.AF_INET, Type: unix.SOCK_STREAM, Proto: sockcore.IPPROTO_MPTCP, Host: "10.0.0.1", Port: "0"}},
		{"unix:///run/echo.sock", Endpoint{Scheme: "unix", Family: unix.AF_UNIX, Type: unix.SOCK_STREAM, Path: "/run/echo.sock"}},
		{"unix://rel.sock", Endpoint{Scheme: "unix", Family: unix.AF_UNIX, Type: unix.SOCK_STREAM, Path: "rel.sock"}},
		{"unix://@echo", Endpoint{Scheme: "unix", Family: unix.AF_UNIX, Type: unix.SOCK_STREAM, Path: "\x00echo"}},
		{"unix-dgram:///tmp/d", Endpoint{Scheme: "unix-dgram", Family: unix.AF_UNIX, Type: unix.SOCK_DGRAM, Path: "/tmp/d"}},
		{"unix-seqpacket://@s", Endpoint{Scheme: "unix-seqpacket", Family: unix.AF_UNIX, Type: unix.SOCK_SEQPACKET, Path: "\x00s"}},
		{"vsock://1:5000", Endpoint{Scheme: "vsock", Family: unix.AF_VSOCK, Type: unix.SOCK_STREAM, CID: 1, VPort: 5000}},
		{"vsock://any:any", Endpoint{Scheme: "vsock", Family: unix.AF_VSOCK, Type: unix.SOCK_STREAM, CID: unix.VMADDR_CID_ANY, VPort: unix.VMADDR_PORT_ANY}},
		{"fd://3", Endpoint{Scheme: "fd", FD: 3}},
		{"sctp://127.0.0.1:9", Endpoint{Scheme: "sctp", Family: unix.AF_INET, Type: unix.SOCK_STREAM, Proto: unix.IPPROTO_SCTP, Host: "127.0.0.1", Port: "9"}},
		{"sctp://[::1]:5000", Endpoint{Scheme: "sctp", Family: unix.AF_INET6, Type: unix.SOCK_STREAM, Proto: unix.IPPROTO_SCTP, Host: "::1", Port: "5000"}},
		{"tipc://2000:205", Endpoint{Scheme: "tipc", Family: unix.AF_TIPC, Type: unix.SOCK_STREAM, TIPCType: 2000, TIPCInstance: 205}},
		{"tipc-seqpacket://64:4294967295", Endpoint{Scheme: "tipc-seqpacket", Family: unix.AF_TIPC, Type: unix.SOCK_SEQPACKET, TIPCType: 64, TIPCInstance: 4294967295}},
	} {
		t.Run(tc.url, func(t *testing.T) {
			got, err := ParseURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got); diff != "" {
				t.Errorf("ParseURL (-want +got):\n%s", diff)
			}
			if tc.url != "vsock://any:any" && got.String() != tc.url {
				t.Errorf("String() = %q, want %q", got.String(), tc.url)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, tc := range []struct {
		url, part string // part: what the message must name
	}{
		{"127.0.0.1:80", "no scheme"},
		{"http://x:80", `unknown scheme "http"`},
		{"tcp://host", "missing :PORT"},
		{"tcp://host:", "missing port"},
		{"tcp://host:99999", `port "99999"`},
		{"tcp://host:-1", `port "-1"`},
		{"tcp://host:+", `port "+"`},
		{"tcp://host:0x50", `port "0x50"`},
		{"tcp://host:65536", `port "65536" is not a number from 0 to 65535`},
		{"tcp://host:a b", `port "a b"`},
		{"tcp://::1:80", "must be in brackets"},
		{"tcp://[::1:80", "no closing bracket"},
		{"tcp://[::1]80", "missing :PORT after"},
		{"tcp://[1.2.3.4]:80", "not an IPv6 address"},
		{"unix://", "missing UNIX socket path"},
		{"unix://@", "missing UNIX socket path"},
		{"unix:///" + strings.Repeat("x", 120), "limit is 107"},
		{"vsock://x:1", `vsock CID "x"`},
		{"vsock://1", "want vsock://CID:PORT"},
		{"vsock://1:p", `vsock port "p"`},
		{"tipc://2000", "want tipc://TYPE:INSTANCE"},
		{"tipc://1:1", "below 64 are reserved"},
		{"tipc://x:1", `TIPC service type "x"`},
		{"tipc-seqpacket://2000:4294967296", `TIPC instance "4294967296"`},
		{"fd://-1", `descriptor "-1"`},
		{"fd://x", `descriptor "x"`},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := ParseURL(tc.url)
			if err == nil {
				t.Fatal("no error")
			}
			if ExitCode(err) != ExitUsage {
				t.Errorf("exit code %d, want %d", ExitCode(err), ExitUsage)
			}
			if !strings.Contains(err.Error(), tc.part) {
				t.Errorf("error %q does not name %q", err, tc.part)
			}
		})
	}
}

func FuzzParseURL(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseURL(s)
		if err != nil {
			if ExitCode(err) != ExitUsage {
				t.Fatalf("ParseURL(%q): exit code %d for %v", s, ExitCode(err), err)
			}
			return
		}
		// The canonical form parses to the same endpoint.
		e2, err := ParseURL(e.String())
		if err != nil {
			t.Fatalf("ParseURL(%q) = %v; its String %q does not parse: %v", s, e, e.String(), err)
		}
		if diff := cmp.Diff(e, e2); diff != "" && e.Family != unix.AF_VSOCK {
			t.Fatalf("round trip of %q (-first +second):\n%s", s, diff)
		}
	})
}
