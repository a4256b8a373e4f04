package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Certs are PEM files a TLS test made in its temporary directory: a CA and
// what it signed, and an untrusted CA with a certificate of its own.
type Certs struct {
	Dir        string
	CA         string // the trusted CA's certificate
	Server     string // localhost, 127.0.0.1, ::1; signed by CA
	ServerKey  string
	Expired    string // as Server, expired yesterday
	ExpiredKey string
	WrongName  string // other.example only; signed by CA
	WrongKey   string
	Untrusted  string // localhost, 127.0.0.1; signed by an untrusted CA
	UntrustKey string
	Client     string // a client certificate signed by CA
	ClientKey  string
	OtherKey   string // a key that matches none of the certificates
}

type keyCert struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
}

// MakeCerts writes the certificates of Certs into a new temporary directory.
func MakeCerts(t testing.TB) *Certs {
	t.Helper()
	dir := t.TempDir()
	c := &Certs{Dir: dir}
	serial := int64(1)
	mk := func(name string, tmpl *x509.Certificate, parent *keyCert) *keyCert {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		serial++
		tmpl.SerialNumber = big.NewInt(serial)
		if tmpl.NotBefore.IsZero() {
			tmpl.NotBefore = time.Now().Add(-time.Hour)
			tmpl.NotAfter = time.Now().Add(24 * time.Hour)
		}
		signer, signKey := tmpl, key
		if parent != nil {
			signer, signKey = parent.cert, parent.key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := x509.ParseCertificate(der)
		write := func(file, typ string, b []byte) {
			if err := os.WriteFile(filepath.Join(dir, file), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(name+".pem", "CERTIFICATE", der)
		kb, _ := x509.MarshalECPrivateKey(key)
		write(name+".key", "EC PRIVATE KEY", kb)
		return &keyCert{key, cert}
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	caTmpl := func(cn string) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	}
	leaf := func(cn string, names []string, ips []net.IP, usage x509.ExtKeyUsage) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, DNSNames: names, IPAddresses: ips,
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
	}
	local := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	ca := mk("ca", caTmpl("sockcore test CA"), nil)
	mk("server", leaf("localhost", []string{"localhost"}, local, x509.ExtKeyUsageServerAuth), ca)
	exp := leaf("localhost", []string{"localhost"}, local, x509.ExtKeyUsageServerAuth)
	exp.NotBefore, exp.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	mk("expired", exp, ca)
	mk("wrongname", leaf("other.example", []string{"other.example"}, nil, x509.ExtKeyUsageServerAuth), ca)
	bad := mk("badca", caTmpl("untrusted CA"), nil)
	mk("untrusted", leaf("localhost", []string{"localhost"}, local, x509.ExtKeyUsageServerAuth), bad)
	mk("client", leaf("client", nil, nil, x509.ExtKeyUsageClientAuth), ca)
	mk("other", leaf("other", nil, nil, x509.ExtKeyUsageServerAuth), nil)
	c.CA = p("ca.pem")
	c.Server, c.ServerKey = p("server.pem"), p("server.key")
	c.Expired, c.ExpiredKey = p("expired.pem"), p("expired.key")
	c.WrongName, c.WrongKey = p("wrongname.pem"), p("wrongname.key")
	c.Untrusted, c.UntrustKey = p("untrusted.pem"), p("untrusted.key")
	c.Client, c.ClientKey = p("client.pem"), p("client.key")
	c.OtherKey = p("other.key")
	return c
}
