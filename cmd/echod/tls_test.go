package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/testenv"
)

// tlsDial connects to a tls:// URL, verifying against the CA in caFile
// ("" : no verification).
func tlsDial(t *testing.T, url, caFile string) *tls.Conn {
	t.Helper()
	s := dial(t, "tcp"+strings.TrimPrefix(url, "tls"))
	cfg := &tls.Config{ServerName: "localhost", InsecureSkipVerify: caFile == ""}
	if caFile != "" {
		pem, _ := os.ReadFile(caFile)
		cfg.RootCAs = x509.NewCertPool()
		cfg.RootCAs.AppendCertsFromPEM(pem)
	}
	c := tls.Client(s.Conn(), cfg)
	if err := c.HandshakeContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTLSEcho(t *testing.T) {
	certs := testenv.MakeCerts(t)
	d := start(t, "--listen", "tls://127.0.0.1:0", "--tls-cert", certs.Server, "--tls-key", certs.ServerKey)
	if !strings.HasPrefix(d.urls[0], "tls://127.0.0.1:") {
		t.Fatalf("listening %s", d.urls[0])
	}
	c := tlsDial(t, d.urls[0], certs.CA)
	payload := make([]byte, 1<<20)
	rand.Read(payload)
	go func() {
		c.Write(payload)
		c.CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(got, payload) {
		t.Errorf("echoed %d of %d bytes, %v", len(got), len(payload), err)
	}
}

func TestTLSEphemeralDiscard(t *testing.T) {
	d := start(t, "--listen", "tls://127.0.0.1:0", "--mode", "discard")
	if !strings.Contains(d.stderr.String(), `msg="TLS: ephemeral self-signed certificate" sha256=`) {
		t.Errorf("no fingerprint in the log: %s", d.stderr)
	}
	c := tlsDial(t, d.urls[0], "")
	c.Write([]byte("dropped"))
	c.CloseWrite()
	if got, err := io.ReadAll(c); len(got) != 0 || err != nil {
		t.Errorf("discard answered %q, %v", got, err)
	}
}

func TestTLSBadInput(t *testing.T) {
	certs := testenv.MakeCerts(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--listen", "tls://127.0.0.1:0", "--tls-cert", certs.Server}, cli.ExitUsage, "--tls-cert and --tls-key go together"},
		{[]string{"--listen", "tls://127.0.0.1:0", "--tls-cert", "/no/cert.pem", "--tls-key", certs.ServerKey}, cli.ExitNoSuchThing, "--tls-cert: open /no/cert.pem"},
		{[]string{"--listen", "tls://127.0.0.1:0", "--tls-cert", certs.Server, "--tls-key", certs.OtherKey}, cli.ExitUsage, "does not match the certificate"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"echod"}, tc.args...), strings.NewReader(""), &out, &errb)
		if cli.ExitCode(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v: %v (exit %d), want exit %d saying %q", tc.args, err, cli.ExitCode(err), tc.code, tc.msg)
		}
	}
}
