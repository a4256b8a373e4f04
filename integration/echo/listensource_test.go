package echo

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestListenSourceAgainstNc: `-l -s ADDR -p PORT` listens on ADDR only,
// as OpenBSD nc's does: a connection to another local address (127.0.0.2)
// is refused, one to ADDR is served. echocat ignored -s with -l and
// listened on every address (*:PORT), exposing what the user meant to
// keep on loopback; ncat refuses -l with -s.
func TestListenSourceAgainstNc(t *testing.T) {
	ns := testenv.NewNetNS(t)
	nc := testenv.RequireProgram(t, "nc.openbsd", "netcat-openbsd")
	for i, prog := range []string{nc, testenv.Bin(t, "echocat")} {
		port := 51090 + i
		p := testenv.Start(t, ns.Command(prog, "-v", "-l", "-s", "127.0.0.1", "-p", fmt.Sprint(port)))
		if line, _ := p.Stderr.WaitFor(0, "istening on"); line == "" {
			t.Fatalf("%s -l -s -p: no listening line: %s", prog, p.Stderr)
		}
		dial := func(host string) (c net.Conn, err error) {
			err = ns.Do(func() error {
				c, err = net.DialTimeout("tcp", net.JoinHostPort(host, fmt.Sprint(port)), 10*time.Second)
				return err
			})
			return c, err
		}
		if c, err := dial("127.0.0.2"); !errors.Is(err, syscall.ECONNREFUSED) {
			if c != nil {
				c.Close()
			}
			t.Errorf("%s -l -s 127.0.0.1 -p %d: connecting to 127.0.0.2: %v, want connection refused", prog, port, err)
			p.Kill()
			continue
		}
		c, err := dial("127.0.0.1")
		if err != nil {
			t.Fatalf("%s -l -s 127.0.0.1 -p %d: connecting to 127.0.0.1: %v", prog, port, err)
		}
		io.WriteString(c, "to the address asked\n")
		c.(*net.TCPConn).CloseWrite()
		if line, _ := p.Stdout.WaitFor(0, "to the address asked"); line == "" {
			t.Errorf("%s: the connection to 127.0.0.1 was not served: stdout %q, stderr %s", prog, p.Stdout, p.Stderr)
		}
		c.Close()
		p.Kill()
	}
}
