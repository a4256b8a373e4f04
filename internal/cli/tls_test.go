package cli

import (
	"crypto/x509"
	"strings"
	"testing"
)

func TestSelfSignedAndFingerprint(t *testing.T) {
	c, err := SelfSigned("localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.VerifyHostname("localhost"); err != nil {
		t.Error(err)
	}
	if err := cert.VerifyHostname("127.0.0.1"); err != nil {
		t.Error(err)
	}
	fp := Fingerprint(c.Certificate[0])
	if len(fp) != 32*3-1 || strings.Count(fp, ":") != 31 || strings.ToUpper(fp) != fp {
		t.Errorf("Fingerprint = %q, want 32 upper-case hex pairs joined by colons", fp)
	}
}
