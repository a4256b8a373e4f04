package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// freePort returns a loopback TCP port nobody listens on.
func freePort(t *testing.T) string {
	tmp, err := sockcore.CreateServer("127.0.0.1", "0")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := tmp.SockName()
	tmp.Close()
	return strings.TrimPrefix(a.String(), "127.0.0.1:")
}

func TestWaitForNothing(t *testing.T) {
	port := freePort(t)
	got := echocat(t, "", "--wait-for", "300ms", "127.0.0.1", port)
	want := "echocat: --wait-for 300ms: tcp://127.0.0.1:" + port + " did not come up: connect to 127.0.0.1:" + port + ": connect: connection refused\n"
	if diff := cmp.Diff(result{Stderr: want, Code: cli.ExitTimeout}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got = echocat(t, "", "-z", "--wait-for", "300ms", "127.0.0.1", port)
	want2 := result{Stdout: "tcp://127.0.0.1:" + port + " closed: connection refused\n", Stderr: "echocat: --wait-for 300ms: 1 of 1 ports did not open\n", Code: cli.ExitTimeout}
	if diff := cmp.Diff(want2, got); diff != "" {
		t.Errorf("-z (-want +got):\n%s", diff)
	}
}

// TestWaitForLateServer: the server comes up half a second after the
// client starts trying (the scenario's delay, not an assertion on time).
func TestWaitForLateServer(t *testing.T) {
	port := freePort(t)
	up := make(chan *sockcore.Socket, 1)
	time.AfterFunc(500*time.Millisecond, func() {
		ln, err := sockcore.CreateServer("127.0.0.1", port)
		if err != nil {
			up <- nil
			return
		}
		up <- ln
		c, _, err := ln.Accept()
		if err == nil {
			c.SetBlocking(true)
			echo(c)
			c.Close()
		}
	})
	got := echocat(t, "late\n", "--wait-for", "30s", "127.0.0.1", port)
	if ln := <-up; ln != nil {
		defer ln.Close()
	} else {
		t.Fatal("the late server could not bind its port")
	}
	if diff := cmp.Diff(result{Stdout: "late\n"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
