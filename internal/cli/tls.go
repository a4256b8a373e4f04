package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"strings"
	"time"
)

// ExitTLSVerify is the exit code of a peer certificate that failed
// verification (unknown authority, name mismatch, expired).
const ExitTLSVerify = 9

// LoadKeyPair reads a PEM certificate chain and its private key, with
// errors that name the flag and the file: a missing file exits 8, an
// unreadable one 5, a key that does not match the certificate or a file
// that holds no PEM block 2.
func LoadKeyPair(certFlag, certFile, keyFlag, keyFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s: %w", certFlag, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s: %w", keyFlag, err)
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "tls: ")
		switch {
		case strings.Contains(msg, "does not match"):
			return tls.Certificate{}, Usagef("%s %s does not match the certificate in %s %s", keyFlag, keyFile, certFlag, certFile)
		case strings.Contains(msg, "certificate PEM data"), strings.Contains(msg, "CERTIFICATE"):
			return tls.Certificate{}, Usagef("%s %s: no PEM certificate in it (%s)", certFlag, certFile, msg)
		}
		return tls.Certificate{}, Usagef("%s %s / %s %s: %s", certFlag, certFile, keyFlag, keyFile, msg)
	}
	return c, nil
}

// LoadPool reads PEM CA certificates (--ssl-trustfile).
func LoadPool(flag, file string) (*x509.CertPool, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(b) {
		return nil, Usagef("%s %s: no PEM certificate in it", flag, file)
	}
	return p, nil
}

// SelfSigned makes an ephemeral self-signed ECDSA P-256 certificate for
// the hosts (names or addresses), valid from an hour ago for a year.
func SelfSigned(hosts ...string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "sockcore ephemeral"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// Fingerprint is the SHA-256 of a DER certificate as colon-separated hex
// pairs, as openssl x509 -fingerprint -sha256 prints it.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	var sb strings.Builder
	for i, b := range sum {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02X", b)
	}
	return sb.String()
}

// TLSError explains a failed handshake with peer: a certificate that did
// not verify exits ExitTLSVerify and says why (unknown authority, name
// mismatch, expired); anything else keeps its own code.
func TLSError(peer string, err error) error {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua):
		return Exitf(ExitTLSVerify, "TLS with %s: certificate verification failed: unknown authority (the issuer is not trusted; give its CA with --ssl-trustfile)", peer)
	case errors.As(err, &he):
		return Exitf(ExitTLSVerify, "TLS with %s: certificate verification failed: name mismatch (%v)", peer, he.Error())
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		return Exitf(ExitTLSVerify, "TLS with %s: certificate verification failed: expired or not yet valid (%s)", peer, strings.TrimPrefix(ci.Error(), "x509: "))
	case errors.As(err, &ci):
		return Exitf(ExitTLSVerify, "TLS with %s: certificate verification failed: %s", peer, strings.TrimPrefix(ci.Error(), "x509: "))
	}
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		return Exitf(ExitTLSVerify, "TLS with %s: certificate verification failed: %v", peer, cv.Err)
	}
	return fmt.Errorf("TLS handshake with %s: %w", peer, err)
}
