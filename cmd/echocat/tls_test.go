package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/testenv"
)

func TestTLSVerify(t *testing.T) {
	certs := testenv.MakeCerts(t)
	good := startServer(t, nil, "-k", "--ssl", "--ssl-cert", certs.Server, "--ssl-key", certs.ServerKey, "-e", "/bin/cat", "tcp://127.0.0.1:0")
	port := strings.TrimPrefix(good.url, "tcp://127.0.0.1:")
	for _, tc := range []struct {
		name string
		cert string
		key  string
		args []string
		want result
	}{
		{"trusted by name", certs.Server, certs.ServerKey, []string{"--ssl-trustfile", certs.CA, "localhost"}, result{Stdout: "secret\n"}},
		{"trusted by address", certs.Server, certs.ServerKey, []string{"--ssl-trustfile", certs.CA, "127.0.0.1"}, result{Stdout: "secret\n"}},
		{"tls:// URL", certs.Server, certs.ServerKey, []string{"--ssl-trustfile", certs.CA, "tls://localhost:PORT"}, result{Stdout: "secret\n"}},
		{"no --ssl-verify: anything goes", certs.Untrusted, certs.UntrustKey, []string{"localhost"}, result{Stdout: "secret\n"}},
		{"unknown authority", certs.Untrusted, certs.UntrustKey, []string{"--ssl-trustfile", certs.CA, "localhost"}, result{Code: cli.ExitTLSVerify,
			Stderr: "echocat: TLS with tcp://localhost:PORT: certificate verification failed: unknown authority (the issuer is not trusted; give its CA with --ssl-trustfile)\n"}},
		{"system roots", certs.Server, certs.ServerKey, []string{"--ssl-verify", "localhost"}, result{Code: cli.ExitTLSVerify,
			Stderr: "echocat: TLS with tcp://localhost:PORT: certificate verification failed: unknown authority (the issuer is not trusted; give its CA with --ssl-trustfile)\n"}},
		{"name mismatch", certs.WrongName, certs.WrongKey, []string{"--ssl-trustfile", certs.CA, "localhost"}, result{Code: cli.ExitTLSVerify,
			Stderr: "echocat: TLS with tcp://localhost:PORT: certificate verification failed: name mismatch (x509: certificate is valid for other.example, not localhost)\n"}},
		{"--ssl-servername", certs.WrongName, certs.WrongKey, []string{"--ssl-trustfile", certs.CA, "--ssl-servername", "other.example", "localhost"}, result{Stdout: "secret\n"}},
		{"expired", certs.Expired, certs.ExpiredKey, []string{"--ssl-trustfile", certs.CA, "localhost"}, result{Code: cli.ExitTLSVerify}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := good
			if tc.cert != certs.Server {
				s = startServer(t, nil, "-k", "--ssl", "--ssl-cert", tc.cert, "--ssl-key", tc.key, "-e", "/bin/cat", "tcp://127.0.0.1:0")
			}
			p := strings.TrimPrefix(s.url, "tcp://127.0.0.1:")
			args := []string{"--ssl"}
			for _, a := range tc.args {
				args = append(args, strings.ReplaceAll(a, "PORT", p))
			}
			if !strings.Contains(args[len(args)-1], "://") {
				args = append(args, p)
			}
			got := echocat(t, "secret\n", args...)
			want := tc.want
			want.Stderr = strings.ReplaceAll(want.Stderr, "PORT", p)
			if tc.name == "expired" {
				if got.Code != cli.ExitTLSVerify || !strings.Contains(got.Stderr, "certificate verification failed: expired or not yet valid (certificate has expired") {
					t.Errorf("got %+v", got)
				}
				return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	got := echocat(t, "", "--verify", "--count", "50", "--size", "3000", "--ssl-trustfile", certs.CA, "tls://localhost:"+port)
	if got.Code != 0 || !strings.Contains(got.Stdout, "sent 50, received 50, lost 0 (0.00%), corrupted 0") {
		t.Errorf("--verify over TLS: %+v", got)
	}
}

func TestTLSClientCertAndALPN(t *testing.T) {
	certs := testenv.MakeCerts(t)
	s := startServer(t, nil, "-k", "--ssl", "--ssl-verify", "--ssl-trustfile", certs.CA, "--ssl-alpn", "echo/1",
		"-c", `echo "hello $NCAT_PROTO"`, "tcp://127.0.0.1:0")
	got := echocat(t, "", "-v", "-d", "--ssl", "--ssl-alpn", "other,echo/1", "--ssl-cert", certs.Client, "--ssl-key", certs.ClientKey, s.url)
	if got.Code != 0 || got.Stdout != "hello TCP\n" || !strings.Contains(got.Stderr, "ALPN echo/1") {
		t.Errorf("with a client certificate: %+v", got)
	}
	got = echocat(t, "", "-d", "--ssl", s.url)
	if got.Code == 0 || got.Stdout != "" {
		t.Errorf("without a client certificate: %+v", got)
	}
	if text := s.stderr.waitFor("TLS handshake with tcp://127.0.0.1:", 1); !strings.Contains(text, "certificate") {
		t.Errorf("server: %s", text)
	}
}

func TestTLSOverUnixEphemeral(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s")
	s := startServer(t, nil, "-k", "--ssl", "-e", "/bin/cat", "unix://"+sock)
	if !strings.Contains(s.stderr.String(), "ephemeral self-signed certificate, SHA-256 fingerprint ") {
		t.Errorf("no fingerprint line: %s", s.stderr)
	}
	got := echocat(t, "over unix\n", "--ssl", s.url)
	if diff := cmp.Diff(result{Stdout: "over unix\n"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got = echocat(t, "x", "--ssl-verify", "--ssl", s.url)
	if got.Code != cli.ExitUsage || !strings.Contains(got.Stderr, "give --ssl-servername NAME") {
		t.Errorf("--ssl-verify over unix: %+v", got)
	}
}

func TestTLSBadInput(t *testing.T) {
	certs := testenv.MakeCerts(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing cert", []string{"-l", "--ssl", "--ssl-cert", "/no/such.pem", "--ssl-key", certs.ServerKey, "0"}, cli.ExitNoSuchThing, "--ssl-cert: open /no/such.pem: no such file or directory"},
		{"missing key", []string{"-l", "--ssl", "--ssl-cert", certs.Server, "--ssl-key", "/no/such.key", "0"}, cli.ExitNoSuchThing, "--ssl-key: open /no/such.key: no such file or directory"},
		{"key does not match", []string{"-l", "--ssl", "--ssl-cert", certs.Server, "--ssl-key", certs.OtherKey, "0"}, cli.ExitUsage, "--ssl-key " + certs.OtherKey + " does not match the certificate in --ssl-cert " + certs.Server},
		{"key as cert", []string{"-l", "--ssl", "--ssl-cert", certs.ServerKey, "--ssl-key", certs.ServerKey, "0"}, cli.ExitUsage, "no PEM certificate in it"},
		{"cert without key", []string{"-l", "--ssl", "--ssl-cert", certs.Server, "0"}, cli.ExitUsage, "--ssl-cert and --ssl-key go together"},
		{"--ssl-verify without --ssl", []string{"--ssl-verify", "127.0.0.1", "1"}, cli.ExitUsage, "--ssl-verify needs --ssl"},
		{"trustfile missing", []string{"--ssl", "--ssl-trustfile", "/no/ca.pem", "127.0.0.1", "1"}, cli.ExitNoSuchThing, "--ssl-trustfile: open /no/ca.pem"},
		{"--ssl over udp", []string{"--ssl", "udp://127.0.0.1:1"}, cli.ExitUsage, "--ssl needs a stream transport"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := echocat(t, "", tc.args...)
			if got.Code != tc.code || !strings.Contains(got.Stderr, tc.msg) || strings.Count(got.Stderr, "\n") != 1 {
				t.Errorf("got %+v, want code %d and %q in one line", got, tc.code, tc.msg)
			}
		})
	}
}
