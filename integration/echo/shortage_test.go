package echo

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// TestEchocatOutOfDescriptors (issue 16): an echocat -l -k server at an
// exhausted open-files limit keeps its clients, closes the ones beyond the
// limit at once (a reserve descriptor) instead of ending the server, says
// so in one line when the shortage starts and one when it ends (counting
// the clients it closed), and serves new clients again by itself.
func TestEchocatOutOfDescriptors(t *testing.T) {
	srv, cl := testenv.NewNetNS(t), testenv.NewNetNS(t)
	testenv.Veth(t, srv, cl, []string{"10.0.0.1/24"}, []string{"10.0.0.2/24"})
	cmd := srv.Command("sh", "-c", `ulimit -n 32 && exec "$0" "$@"`, testenv.Bin(t, "echocat"),
		"-l", "-k", "-v", "10.0.0.1", "7")
	// Standard input stays open: at its end a -k server half-closes its
	// clients, which would look like being closed at once.
	in, keep, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = in
	t.Cleanup(func() { keep.Close() })
	p := startCmd(t, cmd, 0)
	in.Close()
	if line, _ := p.stderr.waitFor(0, "listening on"); line == "" {
		t.Fatalf("echocat did not start: %s", p.stderr)
	}
	// gaveUp is a line of echocat ending its accept loop for the shortage
	// (as it did before it had a reserve): clients then wait in the
	// backlog, and served would wait with them.
	gaveUp := make(chan string, 1)
	go func() {
		line, _ := p.stderr.WaitMatch(0, func(l string) bool {
			return strings.Contains(l, "accept on") && !strings.Contains(l, "closing new connections at once")
		})
		gaveUp <- line
	}()
	// served sends a line on s and reports whether echocat took it (the
	// line comes out on its standard output) or closed s at once.
	served := func(s *sockcore.Socket, msg string) bool {
		t.Helper()
		if err := s.SendAll([]byte(msg+"\n"), 0); err != nil && !errors.Is(err, unix.EPIPE) && !errors.Is(err, unix.ECONNRESET) {
			t.Fatalf("send %s: %v", msg, err)
		}
		got := make(chan bool, 2)
		go func() {
			line, _ := p.Stdout.WaitMatch(0, func(l string) bool { return l == msg })
			got <- line != ""
		}()
		stuck := make(chan error, 1)
		go func() {
			// dialFrom's 30 s timeout bounds a client left waiting in
			// the backlog (what echocat did before it had a reserve).
			b, err := s.Recv(1, 0)
			if (err == nil && len(b) == 0) || errors.Is(err, unix.ECONNRESET) {
				got <- false
			} else if errors.Is(err, os.ErrDeadlineExceeded) {
				stuck <- err
			}
		}()
		select {
		case ok := <-got:
			return ok
		case err := <-stuck:
			t.Fatalf("%s: neither served nor closed (%v): left waiting in the backlog\n%s", msg, err, p.stderr)
			return false
		case line := <-gaveUp:
			t.Fatalf("echocat stopped accepting: %q\n%s", line, p.stderr)
			return false
		}
	}
	var kept []*sockcore.Socket
	closed := 0
	for i := range 60 {
		s := dialFrom(t, cl, "10.0.0.2", "10.0.0.1", 7)
		if served(s, "m"+strconv.Itoa(i)) {
			kept = append(kept, s)
		} else {
			closed++
			s.Close()
		}
	}
	if len(kept) == 0 || closed == 0 {
		t.Fatalf("%d served, %d closed: the limit of 32 was not reached: %s", len(kept), closed, p.stderr)
	}
	for i, s := range kept {
		if !served(s, fmt.Sprintf("again%d", i)) {
			t.Fatalf("client %d was dropped at the limit", i)
		}
	}
	for _, s := range kept {
		s.Close()
	}
	from := 0
	for range kept {
		var line string
		if line, from = p.stderr.waitFor(from, " closed"); line == "" {
			t.Fatalf("echocat did not see its clients go: %s", p.stderr)
		}
	}
	if !served(dialFrom(t, cl, "10.0.0.2", "10.0.0.1", 7), "after") {
		t.Fatalf("no recovery: a new client was closed after descriptors freed up: %s", p.stderr)
	}
	if line, _ := p.stderr.waitFor(0, "descriptors available again"); line == "" {
		t.Fatalf("no recovery line: %s", p.stderr)
	}
	starts, counted := 0, 0
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		if strings.Contains(line, "closing new connections at once") {
			starts++
			if !strings.Contains(line, "accept on tcp://10.0.0.1:7: too many open files") {
				t.Errorf("start line %q does not name the listener and the error", line)
			}
		}
		if _, rest, ok := strings.Cut(line, "descriptors"); ok && strings.Contains(rest, "closed at once") {
			var n int
			if _, err := fmt.Sscanf(rest[strings.Index(rest, ":")+2:], "%d", &n); err != nil {
				t.Fatalf("count in %q: %v", line, err)
			}
			counted += n
		}
	}
	if starts != 1 {
		t.Errorf("%d start lines, want 1:\n%s", starts, p.stderr)
	}
	if counted != closed {
		t.Errorf("the lines count %d clients closed at once, the clients saw %d:\n%s", counted, closed, p.stderr)
	}
}
