package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/netip"
	"strings"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// tlsFlags are the --ssl flags, new for each run: a flag keeps the state of the
// run that parsed it.
func tlsFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.BoolFlag{Name: "ssl", Usage: "TLS over the connection (with -l: serve TLS; an ephemeral self-signed certificate without --ssl-cert)"},
		&ucli.StringFlag{Name: "ssl-servername", Usage: "--ssl: the server `NAME` sent (SNI) and verified (default: the host)"},
		&ucli.StringFlag{Name: "ssl-alpn", Usage: "--ssl: ALPN protocol `LIST`, comma-separated (h2,http/1.1)"},
		&ucli.BoolFlag{Name: "ssl-verify", Usage: "--ssl: verify the server's chain and name (with -l: require a client certificate that verifies)"},
		&ucli.StringFlag{Name: "ssl-trustfile", Usage: "--ssl: trust the CA certificates in PEM `FILE` instead of the system's (implies --ssl-verify)"},
		&ucli.StringFlag{Name: "ssl-cert", Usage: "--ssl: certificate chain in PEM `FILE` (client certificate; with -l the server's)"},
		&ucli.StringFlag{Name: "ssl-key", Usage: "--ssl: private key in PEM `FILE` for --ssl-cert"},
	}
}

// setupTLS reads the --ssl flags for a connection to (or, with listen, a
// server on) e. A tls:// URL is --ssl.
func (o *options) setupTLS(c *ucli.Command, e *cli.Endpoint, listen bool) error {
	on := c.Bool("ssl") || e.Scheme == "tls"
	if !on {
		for _, f := range []string{"ssl-servername", "ssl-alpn", "ssl-verify", "ssl-trustfile", "ssl-cert", "ssl-key"} {
			if c.IsSet(f) {
				return cli.Usagef("--%s needs --ssl", f)
			}
		}
		return nil
	}
	if e.Type != 0 && e.Type != unix.SOCK_STREAM {
		return cli.Usagef("--ssl needs a stream transport (TCP, MPTCP, SCTP, UNIX stream, vsock), not %s", e.Scheme)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if v := c.String("ssl-alpn"); v != "" {
		cfg.NextProtos = strings.Split(v, ",")
	}
	certFile, keyFile := c.String("ssl-cert"), c.String("ssl-key")
	if (certFile == "") != (keyFile == "") {
		return cli.Usagef("--ssl-cert and --ssl-key go together")
	}
	var cert *tls.Certificate
	if certFile != "" {
		kp, err := cli.LoadKeyPair("--ssl-cert", certFile, "--ssl-key", keyFile)
		if err != nil {
			return err
		}
		cert = &kp
	}
	verify := c.Bool("ssl-verify") || c.IsSet("ssl-trustfile")
	var pool *x509.CertPool
	if f := c.String("ssl-trustfile"); f != "" {
		p, err := cli.LoadPool("--ssl-trustfile", f)
		if err != nil {
			return err
		}
		pool = p
	}
	if listen {
		if cert == nil {
			hosts := []string{"localhost"}
			if e.Host != "" {
				hosts = append(hosts, e.Host)
			}
			kp, err := cli.SelfSigned(hosts...)
			if err != nil {
				return err
			}
			cert = &kp
			if o.verbose {
				fmt.Fprintf(o.stderr, "echocat: TLS: ephemeral self-signed certificate, SHA-256 fingerprint %s\n", cli.Fingerprint(kp.Certificate[0]))
			}
		}
		cfg.Certificates = []tls.Certificate{*cert}
		if verify {
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
			cfg.ClientCAs = pool
		}
		o.tlsServer = cfg
		return nil
	}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	cfg.ServerName = c.String("ssl-servername")
	if cfg.ServerName == "" {
		cfg.ServerName = e.Host
	}
	if verify {
		cfg.RootCAs = pool
		if cfg.ServerName == "" {
			return cli.Usagef("--ssl-verify over %s has no host name to check: give --ssl-servername NAME", e.Scheme)
		}
	} else {
		cfg.InsecureSkipVerify = true // as ncat without --ssl-verify
	}
	if _, err := netip.ParseAddr(cfg.ServerName); err == nil && !verify {
		cfg.ServerName = "" // no SNI for an address
	}
	o.tlsClient = cfg
	return nil
}

// tlsClientLink runs the client handshake over s.
func tlsClientLink(ctx context.Context, o *options, s *sockcore.Socket, peer string) (*link, error) {
	t := tls.Client(s.Conn(), o.tlsClient)
	hctx := ctx
	if o.wait > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, o.wait)
		defer cancel()
	}
	if err := t.HandshakeContext(hctx); err != nil {
		s.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, cli.TLSError(peer, err)
	}
	if o.verbose {
		st := t.ConnectionState()
		fmt.Fprintf(o.stderr, "echocat: TLS %s %s%s\n", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), alpnText(st.NegotiatedProtocol))
	}
	return &link{s: s, tls: t}, nil
}

func alpnText(p string) string {
	if p == "" {
		return ""
	}
	return ", ALPN " + p
}

// tlsServerLink runs the server handshake with the client from.
func tlsServerLink(ctx context.Context, o *options, c *sockcore.Socket, from string) (*link, error) {
	t := tls.Server(c.Conn(), o.tlsServer)
	if err := t.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, cli.TLSError(from, err)
	}
	return &link{s: c, tls: t}, nil
}
