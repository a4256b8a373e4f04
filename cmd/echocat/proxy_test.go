package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// TestHTTPProxy: echocat's HTTP proxy server (-l --proxy-type http) with
// --proxy-auth, reached by echocat's HTTP proxy client.
func TestHTTPProxy(t *testing.T) {
	banner := startServer(t, nil, "-k", "-c", "echo banner; cat", "tcp://127.0.0.1:0")
	bport := strings.TrimPrefix(banner.url, "tcp://127.0.0.1:")
	proxy := startServer(t, nil, "--proxy-type", "http", "--proxy-auth", "bob:pw", "tcp://127.0.0.1:0")
	paddr := strings.TrimPrefix(proxy.url, "tcp://")
	got := echocat(t, "through\n", "--proxy", paddr, "--proxy-auth", "bob:pw", "127.0.0.1", bport)
	if diff := cmp.Diff(result{Stdout: "banner\nthrough\n"}, got); diff != "" {
		t.Errorf("CONNECT (-want +got):\n%s", diff)
	}
	got = echocat(t, "x", "--proxy", paddr, "--proxy-auth", "bob:nope", "127.0.0.1", bport)
	want := "echocat: proxy tcp://" + paddr + " refused the credentials of --proxy-auth (HTTP/1.1 407 Proxy Authentication Required)\n"
	if diff := cmp.Diff(result{Stderr: want, Code: cli.ExitPermission}, got); diff != "" {
		t.Errorf("wrong password (-want +got):\n%s", diff)
	}
	got = echocat(t, "x", "--proxy", paddr, "127.0.0.1", bport)
	if got.Code != cli.ExitPermission || !strings.Contains(got.Stderr, "wants credentials") {
		t.Errorf("no password: %+v", got)
	}
	got = echocat(t, "x", "--proxy", paddr, "--proxy-auth", "bob:pw", "127.0.0.1", freePort(t))
	if got.Code != cli.ExitNetwork || !strings.Contains(got.Stderr, "could not connect to 127.0.0.1:") || !strings.Contains(got.Stderr, "502 Bad Gateway") {
		t.Errorf("target refused: %+v", got)
	}
	// A plain GET with an absolute URL is forwarded in origin form; the
	// server echoes the request line it got before its answer.
	web := startServer(t, nil, "-k", "-c", `head -n1; printf 'HTTP/1.0 200 OK\r\n\r\nhello'`, "tcp://127.0.0.1:0")
	wport := strings.TrimPrefix(web.url, "tcp://127.0.0.1:")
	got = echocat(t, "GET http://127.0.0.1:"+wport+"/x HTTP/1.1\r\nHost: 127.0.0.1:"+wport+"\r\nProxy-Authorization: Basic Ym9iOnB3\r\n\r\n", "--no-shutdown", "tcp://"+paddr)
	if diff := cmp.Diff(result{Stdout: "GET /x HTTP/1.1\r\nHTTP/1.0 200 OK\r\n\r\nhello"}, got); diff != "" {
		t.Errorf("GET (-want +got):\n%s", diff)
	}
	// SIGTERM with a tunnel open: the proxy ends it and exits.
	c, err := sockcore.CreateConnection(context.Background(), "127.0.0.1", strings.TrimPrefix(paddr, "127.0.0.1:"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetBlocking(true)
	c.SendAll([]byte("CONNECT 127.0.0.1:"+bport+" HTTP/1.1\r\nProxy-Authorization: Basic Ym9iOnB3\r\n\r\n"), 0)
	head := "HTTP/1.1 200 Connection established\r\n\r\nbanner\n"
	buf := make([]byte, len(head))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != head {
		t.Fatalf("tunnel: %q, %v", buf, err)
	}
	if r := proxy.stop(); r.Code != cli.ExitInterrupted {
		t.Errorf("proxy after SIGTERM: %+v", r)
	}
}

func TestProxyBadInput(t *testing.T) {
	unused := freePort(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"type", []string{"--proxy", "127.0.0.1:1", "--proxy-type", "socks6", "127.0.0.1", "1"}, cli.ExitUsage, `--proxy-type "socks6": want http, socks4 or socks5`},
		{"auth", []string{"--proxy", "127.0.0.1:1", "--proxy-auth", "bob", "127.0.0.1", "1"}, cli.ExitUsage, "--proxy-auth: want USER:PASS"},
		{"dns", []string{"--proxy", "127.0.0.1:1", "--proxy-dns", "maybe", "127.0.0.1", "1"}, cli.ExitUsage, `--proxy-dns "maybe"`},
		{"type without proxy", []string{"--proxy-type", "socks5", "127.0.0.1", "1"}, cli.ExitUsage, "need --proxy HOST:PORT"},
		{"unreachable", []string{"--proxy", "127.0.0.1:" + unused, "127.0.0.1", "1"}, cli.ExitNetwork, "proxy tcp://127.0.0.1:" + unused + ": connect to 127.0.0.1:" + unused + ": connect: connection refused"},
		{"dns none", []string{"--proxy", "127.0.0.1:1", "--proxy-dns", "none", "localhost", "1"}, cli.ExitUsage, `"localhost" is a name`},
		{"socks server", []string{"-l", "--proxy-type", "socks5", "0"}, cli.ExitUsage, "serves only HTTP proxies"},
		{"udp target", []string{"--proxy", "127.0.0.1:1", "udp://127.0.0.1:1"}, cli.ExitUsage, "--proxy reaches TCP targets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := echocat(t, "", tc.args...)
			if got.Code != tc.code || !strings.Contains(got.Stderr, tc.msg) || strings.Count(got.Stderr, "\n") != 1 {
				t.Errorf("got %+v, want code %d and %q in one line", got, tc.code, tc.msg)
			}
		})
	}
}
