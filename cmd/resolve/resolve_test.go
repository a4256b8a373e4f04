package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/cli"
)

// runResolve runs the tool as main does and returns its exit code and
// output.
func runResolve(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"resolve"}, args...), strings.NewReader(stdin), &out, &errb)
	if err != nil {
		if !strings.HasPrefix(err.Error(), "exit status ") {
			cli.Report(&errb, "resolve", err)
		}
	}
	return cli.ExitCode(err), out.String(), errb.String()
}

func TestBadInput(t *testing.T) {
	long := strings.Repeat("a.", 127) + "ab"
	label := strings.Repeat("x", 64) + ".example"
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"empty name", []string{"addrinfo", ""}, cli.ExitUsage, "resolve: empty host name (give a name or an address)\n"},
		{"name over 253 bytes", []string{"addrinfo", long}, cli.ExitUsage, "resolve: host name of 256 bytes: a DNS name has at most 253\n"},
		{"label over 63 bytes", []string{"host", label}, cli.ExitUsage, "resolve: label \"xxxxxxxxxxxxxxxxxxxx...\" of 64 bytes: a DNS label has at most 63\n"},
		{"port 65536", []string{"addrinfo", "127.0.0.1", "65536"}, cli.ExitUsage, "resolve: port 65536 is out of range (0-65535)\n"},
		{"unknown service in addrinfo", []string{"addrinfo", "127.0.0.1", "nosuchservice"}, cli.ExitResolve, "resolve: 127.0.0.1: Servname not supported for ai_socktype (EAI_SERVICE)\n"},
		{"unknown service", []string{"service", "nosuchservice", "tcp"}, cli.ExitResolve, "resolve: service nosuchservice/tcp: not found in /etc/services\n"},
		{"unknown protocol", []string{"proto", "nosuchproto"}, cli.ExitResolve, "resolve: protocol nosuchproto: not found in /etc/protocols\n"},
		{"unknown protocol flag", []string{"addrinfo", "--proto", "nosuchproto", "127.0.0.1"}, cli.ExitUsage, "resolve: --proto \"nosuchproto\": unknown protocol (not in /etc/protocols, and not a number 0-255)\n"},
		{"unknown interface", []string{"iface", "nosuchif0"}, cli.ExitNoSuchThing, "resolve: interface \"nosuchif0\": no such interface (see resolve iface)\n"},
		{"invalid flag", []string{"addrinfo", "--flags", "passive,bogus", "127.0.0.1"}, cli.ExitUsage, "resolve: --flags: unknown AI_* flag \"bogus\" (known: addrconfig, all, canonname, numerichost, numericserv, passive, v4mapped)\n"},
		{"invalid nameinfo flag", []string{"nameinfo", "--flags", "nope", "127.0.0.1", "80"}, cli.ExitUsage, "resolve: --flags: unknown NI_* flag \"nope\" (known: dgram, namereqd, nofqdn, numerichost, numericserv)\n"},
		{"numeric host required", []string{"addrinfo", "--flags", "numerichost", "not-an-address"}, cli.ExitResolve, "resolve: not-an-address: Name or service not known (EAI_NONAME)\n"},
		{"wrong family", []string{"addrinfo", "-4", "::1"}, cli.ExitResolve, "resolve: ::1: Address family for hostname not supported (EAI_ADDRFAMILY)\n"},
		{"bad type", []string{"addrinfo", "--type", "sideways", "127.0.0.1"}, cli.ExitUsage, "resolve: --type \"sideways\": use stream, dgram, raw, seqpacket or a number\n"},
		{"getent: usage is 1", []string{"addrinfo", "--format", "getent", "--type", "sideways", "127.0.0.1"}, 1, "resolve: --type \"sideways\": use stream, dgram, raw, seqpacket or a number\n"},
		{"getent: empty name is not found", []string{"addrinfo", "--format", "getent", ""}, 2, ""},
		{"getent: label over 63 bytes is not found", []string{"host", "--format", "getent", label}, 2, ""},
		{"getent: port 65536 is not found", []string{"service", "--format", "getent", "65536"}, 2, ""},
		{"getent: empty protocol is not found", []string{"proto", "--format", "getent", ""}, 2, ""},
		{"service NAME/ is not found", []string{"service", "http/"}, cli.ExitResolve, "resolve: service http/: not found in /etc/services\n"},
		{"getent: not found is 2, silently", []string{"service", "--format", "getent", "nosuchservice"}, 2, ""},
		{"getent: no such database", []string{"iface", "--format", "getent"}, 1, "resolve: getent has no database for interfaces: use the text or json format\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runResolve(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
			if diff := cmp.Diff(tt.stderr, stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOutput(t *testing.T) {
	tests := []struct {
		name   string
		stdin  string
		args   []string
		stdout string
	}{
		{"addrinfo text", "", []string{"addrinfo", "--type", "stream", "127.0.0.1", "80"}, "inet   stream    tcp     127.0.0.1:80\n"},
		{"addrinfo ipv6 scope", "", []string{"addrinfo", "--type", "dgram", "fe80::1%1", "53"}, "inet6  dgram     udp     [fe80::1%1]:53\n"},
		{"getent ahosts", "", []string{"addrinfo", "--format", "getent", "127.0.0.1"}, "127.0.0.1       STREAM 127.0.0.1\n127.0.0.1       DGRAM  \n127.0.0.1       RAW    \n"},
		{"getent ahostsv6 mapped", "", []string{"addrinfo", "-6", "--format", "getent", "127.0.0.1"}, "::ffff:127.0.0.1 STREAM 127.0.0.1\n::ffff:127.0.0.1 DGRAM  \n::ffff:127.0.0.1 RAW    \n"},
		{"getent ahosts scope", "", []string{"addrinfo", "--format=getent", "fe80::1%1"}, "fe80::1%1     STREAM fe80::1%1\nfe80::1%1     DGRAM  \nfe80::1%1     RAW    \n"},
		{"batch keeps input order", "10.0.0.3\n10.0.0.1 80\n\n10.0.0.2 53\n", []string{"addrinfo", "-j", "3", "--type", "dgram", "-"},
			"inet   dgram     udp     10.0.0.3:0\ninet   dgram     udp     10.0.0.1:80\ninet   dgram     udp     10.0.0.2:53\n"},
		{"nameinfo numeric", "", []string{"nameinfo", "--flags", "numerichost,numericserv", "fe80::1%1", "80"}, "fe80::1%lo 80\n"},
		{"explain numeric", "", []string{"addrinfo", "--explain", "--type", "stream", "192.0.2.1"}, "inet   stream    tcp     192.0.2.1:0\n;; 192.0.2.1 is a numeric address: no lookup\n;; answered by numeric in "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runResolve(t, tt.stdin, tt.args...)
			if code != 0 {
				t.Fatalf("exit code %d: %s", code, stderr)
			}
			if strings.HasSuffix(tt.stdout, " in ") {
				stdout = stdout[:min(len(stdout), len(tt.stdout))]
			}
			if diff := cmp.Diff(tt.stdout, stdout); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	code, stdout, _ := runResolve(t, "", "addrinfo", "--json", "--explain", "--type", "stream", "--flags", "canonname", "::1", "443")
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	var doc struct {
		OK      bool            `json:"ok"`
		Query   json.RawMessage `json:"query"`
		Results []addrinfoJSON  `json:"results"`
		Explain explanation     `json:"explain"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	want := []addrinfoJSON{{Family: "AF_INET6", Type: "SOCK_STREAM", Proto: 6, CanonName: "::1", Addr: addrJSON{Family: "AF_INET6", RdataAAA: "::1", Port: 443}}}
	if diff := cmp.Diff(want, doc.Results); diff != "" || !doc.OK || string(doc.Query) != `{"args":["::1","443"],"command":"addrinfo"}` {
		t.Errorf("ok=%v query=%s (-want +got):\n%s", doc.OK, doc.Query, diff)
	}
	if doc.Explain.Source != "numeric" {
		t.Errorf("explain source %q, want numeric", doc.Explain.Source)
	}

	code, stdout, _ = runResolve(t, "", "service", "--json", "nosuchservice")
	var fail struct {
		OK    bool `json:"ok"`
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(stdout), &fail); err != nil || fail.OK || code != cli.ExitResolve || fail.Error.Message == "" {
		t.Errorf("failed lookup as JSON: code %d, %s (%v)", code, stdout, err)
	}
}

func TestBatchErrors(t *testing.T) {
	code, stdout, stderr := runResolve(t, "127.0.0.1 80\n127.0.0.1 nosuchservice\n10.0.0.1 53\n", "addrinfo", "--type", "stream", "-")
	if code != cli.ExitResolve {
		t.Errorf("exit code %d, want %d", code, cli.ExitResolve)
	}
	if diff := cmp.Diff("inet   stream    tcp     127.0.0.1:80\ninet   stream    tcp     10.0.0.1:53\n", stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("resolve: 127.0.0.1: Servname not supported for ai_socktype (EAI_SERVICE)\n", stderr); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	code, stdout, stderr = runResolve(t, "http\nnosuchservice\n", "service", "--format", "getent", "-")
	if code != 2 || stdout != "http                  80/tcp www\n" || stderr != "" {
		t.Errorf("getent batch: code %d, stdout %q, stderr %q; want 2, the http line, nothing", code, stdout, stderr)
	}
}
