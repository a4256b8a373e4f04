package main

import (
	"context"
	"crypto/tls"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

func tlsServerLink(ctx context.Context, o *options, c *sockcore.Socket) (*link, error) {
	t := tls.Server(c.Conn(), o.tlsServer)
	if err := t.HandshakeContext(ctx); err != nil {
		t.Close()
		return nil, err
	}
	return &link{s: c, tls: t}, nil
}
