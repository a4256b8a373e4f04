package echo

import (
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestSourcePortAgainstPeers: `-p PORT HOST PORT` (a source port, no
// source address) connects from that port, as nc's and ncat's do; the
// server sees the client at it and the echo comes back. echocat failed
// with "look up 127.0.0.1 port 50007: source address : Name or service
// not known" (exit 3): the any address was looked up as the name "".
func TestSourcePortAgainstPeers(t *testing.T) {
	ns := testenv.NewNetNS(t)
	nc := testenv.RequireProgram(t, "nc.openbsd", "netcat-openbsd")
	ncat := testenv.RequireProgram(t, "ncat", "ncat")
	var ln net.Listener
	if err := ns.Do(func() (err error) {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peers := make(chan string, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			peers <- c.RemoteAddr().String()
			io.Copy(c, c) // echo until the client's end
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	for i, prog := range []string{nc, ncat, testenv.Bin(t, "echocat")} {
		src := fmt.Sprint(41000 + i)
		args := []string{"-p", src, "127.0.0.1", port}
		if prog == nc {
			args = append([]string{"-N"}, args...)
		}
		got := run(t, ns, "from a source port\n", prog, args...)
		if got.Code != 0 || got.Stdout != "from a source port\n" {
			t.Errorf("%s %q: exit %d, stdout %q, stderr %q; want exit 0 and the echo", prog, args, got.Code, got.Stdout, got.Stderr)
			continue
		}
		if peer := <-peers; peer != "127.0.0.1:"+src {
			t.Errorf("%s %q: the server saw the client at %s, want 127.0.0.1:%s", prog, args, peer, src)
		}
	}
}
