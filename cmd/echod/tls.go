package main

import (
	"crypto/tls"
	"errors"
	"io"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// tlsServerConfig is the TLS configuration of tls:// listeners: --tls-cert
// and --tls-key, or an ephemeral self-signed certificate for localhost and
// the listen host, whose SHA-256 fingerprint is logged.
func (srv *server) tlsServerConfig(e *cli.Endpoint) (*tls.Config, error) {
	if srv.tlsConfig != nil {
		return srv.tlsConfig, nil
	}
	var cert tls.Certificate
	var err error
	switch {
	case (srv.tlsCert == "") != (srv.tlsKey == ""):
		return nil, cli.Usagef("--tls-cert and --tls-key go together")
	case srv.tlsCert != "":
		cert, err = cli.LoadKeyPair("--tls-cert", srv.tlsCert, "--tls-key", srv.tlsKey)
	default:
		hosts := []string{"localhost"}
		if e.Host != "" {
			hosts = append(hosts, e.Host)
		}
		cert, err = cli.SelfSigned(hosts...)
		if err == nil {
			srv.log.Info("TLS: ephemeral self-signed certificate", "sha256", cli.Fingerprint(cert.Certificate[0]))
		}
	}
	if err != nil {
		return nil, err
	}
	srv.tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	return srv.tlsConfig, nil
}

// serveTLS echoes (or discards) one TLS connection in its goroutine: the
// handshake, then records through a buffer until the client's close_notify
// or end of stream, answered with close_notify and a half-close.
func (srv *server) serveTLS(s *sockcore.Socket, peer string, cfg *tls.Config) {
	c := &conn{s: s, peer: peer, start: time.Now()}
	if srv.cfg.verbose {
		srv.log.Info("connection", "peer", peer)
	}
	nc := s.Conn()
	t := tls.Server(nc, cfg)
	idle := func() {
		if srv.cfg.idleTimeout > 0 {
			nc.SetReadDeadline(time.Now().Add(srv.cfg.idleTimeout))
		}
	}
	idle()
	err := t.Handshake()
	if err == nil {
		buf := make([]byte, 64<<10)
		for {
			n, rerr := t.Read(buf)
			c.in += int64(n)
			srv.st.bytesIn.Add(uint64(n))
			if n > 0 && !srv.cfg.discard {
				m, werr := t.Write(buf[:n])
				c.out += int64(m)
				srv.st.bytesOut.Add(uint64(m))
				if werr != nil {
					err = werr
					break
				}
			}
			err = rerr
			if errors.Is(err, io.EOF) {
				err = t.CloseWrite()
				if err == nil {
					s.Shutdown(unix.SHUT_WR)
				}
				break
			}
			if err != nil {
				break
			}
			idle()
		}
	} else {
		err = cli.TLSError(peer, err)
	}
	o := closed
	if err != nil {
		o = failed
	}
	srv.finish(c, o, err)
}
