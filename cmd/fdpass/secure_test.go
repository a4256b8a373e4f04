package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// A complaint repeated a thousand times within the interval is one line,
// then one line with the count when the interval ends.
func TestComplainerRateLimits(t *testing.T) {
	var buf testenv.SyncBuffer
	c := newComplainer(&buf, "fdpass: x: ", time.Hour)
	for i := range 1000 {
		c.say("accept", "accept: too many open files (%d)", i)
	}
	c.say("busy", "busy")
	if got, want := buf.String(), "fdpass: x: accept: too many open files (0)\nfdpass: x: busy\n"; got != want {
		t.Errorf("within the interval (-want +got):\n%s", cmp.Diff(want, got))
	}
	c.flush("accept")
	c.flush("busy")
	want := "fdpass: x: accept: too many open files (0)\nfdpass: x: busy\nfdpass: x: accept: too many open files (999) (999 more like it in the last 0s)\n"
	if d := cmp.Diff(want, buf.String()); d != "" {
		t.Errorf("after the interval (-want +got):\n%s", d)
	}
	c.stop()
}

// LIST gives names in the order they were stored (TAKE and expiry remove
// them from it), the order README promises.
// TestShedCount: the note of connections shed while descriptors ran out
// agrees in number.
func TestShedCount(t *testing.T) {
	for n, want := range map[int]string{1: "1 connection was", 2: "2 connections were", 40: "40 connections were"} {
		if got := shedCount(n); got != want {
			t.Errorf("shedCount(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestHoldListStoredOrder(t *testing.T) {
	sock := startHolder(t, newHolder(10, nil, nil, nil))
	hc := dial(t, sock)
	p := pipes(t, 1)
	for _, name := range []string{"zebra", "alpha", "mid", "beta"} {
		if err := hc.store(name, 0, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := hc.delete("mid"); err != nil {
		t.Fatal(err)
	}
	fds, err := hc.retrieve("alpha", true)
	if err != nil {
		t.Fatal(err)
	}
	closeFDs(fds)
	if err := hc.store("alpha", 0, p); err != nil {
		t.Fatal(err)
	}
	r := runFdpass(context.Background(), "list", "--from", sock)
	if want := "zebra 1 never\nbeta 1 never\nalpha 1 never\n"; r.code != 0 || r.stdout != want {
		t.Errorf("list: exit %d, %q, want %q; %s", r.code, r.stdout, want, r.stderr)
	}
}

// Beyond --max-conns and --max-conns-per-uid a peer gets ERR busy at once
// and the connection is closed; one that leaves frees its place.
func TestHoldConnectionLimits(t *testing.T) {
	for _, tt := range []struct {
		name          string
		global, perID int
	}{{"global", 2, 10}, {"per uid", 10, 2}} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHolder(10, nil, nil, nil)
			h.maxConns, h.maxPerUID = tt.global, tt.perID
			sock := startHolder(t, h)
			a, b := dial(t, sock), dial(t, sock)
			// a and b are served: a LIST on each proves they were accepted
			// and counted before the third comes.
			for _, hc := range []*holdClient{a, b} {
				if _, err := hc.list(); err != nil {
					t.Fatal(err)
				}
			}
			r := runFdpass(context.Background(), "list", "--from", sock)
			if r.code != cli.ExitFailure || !strings.Contains(r.stderr, "list at "+sock+": busy: the holder serves") {
				t.Errorf("third connection: exit %d, %q; want exit 1 and busy", r.code, r.stderr)
			}
			b.Close()
			for { // the holder sees b's end when it reads; no timing
				r = runFdpass(context.Background(), "list", "--from", sock)
				if r.code == 0 {
					break
				}
				if !strings.Contains(r.stderr, "busy") {
					t.Fatalf("after one left: exit %d, %q", r.code, r.stderr)
				}
			}
		})
	}
}

// A client that sends requests and never reads the replies stalls only its
// own connection: the holder keeps serving everyone else, and cuts the
// stalled one off after --client-timeout. On the old holder the reply to a
// STORE was sent under the holder's lock and everyone waited.
func TestHoldClientThatNeverReads(t *testing.T) {
	h := newHolder(10, nil, nil, nil)
	h.clientTimeout = time.Hour // it is not the timeout that saves the others
	var logb testenv.SyncBuffer
	h.logw = &logb
	sock := startHolder(t, h)
	stuck := dial(t, sock)
	p := pipes(t, 1)
	if err := stuck.store("x", 0, p); err != nil {
		t.Fatal(err)
	}
	// STORE x again and again without reading the ERR exists replies, until
	// the holder's replies fill stuck's queue and its sends block and then
	// stuck's own requests back up: EAGAIN on a non-blocking send.
	stuck.s.SetBlocking(false)
	sent := 0
	for {
		_, err := sockcore.SendFDs(stuck.s, [][]byte{[]byte("STORE x 0\n")}, p)
		if err != nil {
			if !isAgain(err) {
				t.Fatal(err)
			}
			break
		}
		sent++
	}
	t.Logf("%d requests queued before the holder stopped reading", sent)
	done := make(chan runResult, 1)
	go func() {
		done <- runFdpass(context.Background(), "store", "--to", sock, "--name", "y", "--timeout", "30s", "0")
	}()
	if r := <-done; r.code != 0 {
		t.Fatalf("store by another client while one never reads: exit %d: %s", r.code, r.stderr)
	}
	r := runFdpass(context.Background(), "list", "--from", sock)
	if want := "x 1 never\ny 1 never\n"; r.code != 0 || r.stdout != want {
		t.Errorf("list: exit %d, %q, want %q; %s", r.code, r.stdout, want, r.stderr)
	}
}

func isAgain(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "resource temporarily unavailable") || os.IsTimeout(err))
}

// A stalled client is cut off after --client-timeout.
func TestHoldClientTimeout(t *testing.T) {
	h := newHolder(10, nil, nil, nil)
	h.clientTimeout = 50 * time.Millisecond
	sock := startHolder(t, h)
	hc := dial(t, sock)
	hc.s.SetBlocking(true)
	// It sends nothing: the holder closes the connection, which this
	// receive sees as the end.
	b, err := recvBatch(hc.s, 0)
	if err == nil {
		b.Close()
		t.Fatalf("an idle client got %q, want the connection closed", b.Data)
	}
	if !strings.Contains(err.Error(), "closed the connection") {
		t.Errorf("idle client: %v, want the holder to close", err)
	}
}

func TestParseExpectUID(t *testing.T) {
	own := uint32(os.Geteuid())
	tests := []struct {
		in   string
		want serverPolicy
		code int
	}{
		{"", serverPolicy{uid: own}, 0},
		{"any", serverPolicy{any: true}, 0},
		{"1000", serverPolicy{uid: 1000}, 0},
		{"-1", serverPolicy{}, cli.ExitUsage},
		{"4294967295", serverPolicy{}, cli.ExitUsage},
		{"root", serverPolicy{}, cli.ExitUsage},
	}
	for _, tt := range tests {
		got, err := parseExpectUID(tt.in)
		if cli.ExitCode(err) != tt.code || (err == nil && got != tt.want) {
			t.Errorf("parseExpectUID(%q) = %+v, %v; want %+v, exit %d", tt.in, got, err, tt.want, tt.code)
		}
	}
}

// fdpass send to a holder stores nothing: it must say so and fail, not exit
// 0 (the holder answers ERR bad to a batch that is no request).
func TestSendToHolderFails(t *testing.T) {
	sock := startHolder(t, newHolder(10, nil, nil, nil))
	r := runFdpass(context.Background(), "send", "--to", sock, "0")
	if r.code != cli.ExitFailure || !strings.Contains(r.stderr, "use fdpass store") {
		t.Errorf("send to a holder: exit %d, %q; want exit 1 and the store hint", r.code, r.stderr)
	}
	list := runFdpass(context.Background(), "list", "--from", sock)
	if list.code != 0 || list.stdout != "" {
		t.Errorf("the holder holds %q after a send", list.stdout)
	}
}

// A batch recv refuses (more than --max) fails the sender too.
func TestSendRefusedBatchFails(t *testing.T) {
	for _, typ := range []string{"seqpacket", "stream"} {
		t.Run(typ, func(t *testing.T) {
			sock := sockPath(t)
			recv := startFdpass(t, "recv", "-v", "--type", typ, "--max", "1", "--on", sock, "--print")
			recv.waitLine(t, "listening on")
			r := runFdpass(context.Background(), "send", "--to", sock, "0", "1")
			if r.code != cli.ExitFailure || !strings.Contains(r.stderr, "full: the receiver takes at most 1 descriptors") {
				t.Errorf("send of 2 to recv --max 1: exit %d, %q; want exit 1 and full", r.code, r.stderr)
			}
			if res := recv.finish(t); res.code != cli.ExitFailure {
				t.Errorf("recv: exit %d: %s", res.code, res.stderr)
			}
		})
	}
}

// fdpass info describes only what the process inherited: never the Go
// runtime's own descriptors (epoll, eventfd, cgroup files), which sit at 3
// and up in a process started with nothing there.
func TestInfoIgnoresRuntimeDescriptors(t *testing.T) {
	runChild := func(files []*os.File, args ...string) (int, string, string) {
		cmd := exec.Command(self(t), args...)
		cmd.Env = append(os.Environ(), "FDPASS_TEST_CHILD=fdpass")
		cmd.ExtraFiles = files
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), errb.String()
	}
	// What this test process inherited without close-on-exec its children
	// inherit too (a shell may leave some open): those are expected.
	want := []string{"0", "1", "2"}
	for fd := 3; fd < 1024; fd++ {
		if inherited[fd] {
			want = append(want, fmt.Sprint(fd))
		}
	}
	if inherited[3] {
		t.Skip("this test process inherited descriptor 3 itself")
	}
	code, out, stderr := runChild(nil, "info", "3")
	if code != cli.ExitNoSuchThing || out != "" || !strings.Contains(stderr, "descriptor 3: not open") {
		t.Errorf("info 3 with nothing at 3: exit %d, %q, %q; want exit 8", code, out, stderr)
	}
	code, out, _ = runChild(nil, "info")
	var fds []string
	for l := range strings.Lines(out) {
		fds = append(fds, strings.Fields(l)[0])
	}
	if d := cmp.Diff(want, fds); code != 0 || d != "" {
		t.Errorf("info with only stdio: exit %d, descriptors (-want +got):\n%s\n%s", code, d, out)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	code, out, stderr = runChild([]*os.File{r}, "info", "3")
	if code != 0 || !strings.HasPrefix(out, "3 pipe ") || strings.Count(out, "\n") != 1 {
		t.Errorf("info 3 with a pipe at 3: exit %d, %q, %s", code, out, stderr)
	}
}

// A datagram receiver has no peer credentials: at a path its file's owner
// stands for it; at an abstract name send refuses without --expect-uid any.
func TestSendChecksDatagramReceiver(t *testing.T) {
	t.Run("path", func(t *testing.T) {
		sock := sockPath(t)
		recv := startFdpass(t, "recv", "-v", "--type", "dgram", "--on", sock, "--print")
		recv.waitLine(t, "listening on")
		if r := runFdpass(context.Background(), "send", "--to", sock, "0"); r.code != 0 {
			t.Errorf("send to a datagram receiver's own file: exit %d: %s", r.code, r.stderr)
		}
		if res := recv.finish(t); res.code != 0 || !strings.HasPrefix(res.stdout, "3 ") {
			t.Errorf("recv: exit %d, %q, %s", res.code, res.stdout, res.stderr)
		}
	})
	t.Run("abstract", func(t *testing.T) {
		sock := "@fdpass-test-dgram-check"
		recv := startFdpass(t, "recv", "-v", "--type", "dgram", "--on", sock, "--print")
		recv.waitLine(t, "listening on")
		r := runFdpass(context.Background(), "send", "--to", sock, "0")
		if r.code != cli.ExitPermission || !strings.Contains(r.stderr, "an abstract datagram socket cannot tell who bound it") {
			t.Errorf("send to an abstract datagram name: exit %d, %q; want exit 5", r.code, r.stderr)
		}
		if r := runFdpass(context.Background(), "send", "--to", sock, "--expect-uid", "any", "0"); r.code != 0 {
			t.Errorf("send --expect-uid any: exit %d: %s", r.code, r.stderr)
		}
		if res := recv.finish(t); res.code != 0 {
			t.Errorf("recv: exit %d, %s", res.code, res.stderr)
		}
	})
}

// The connection activate --accept hands COMMAND is blocking, as systemd
// hands it (Accept=yes): COMMAND expects a blocking descriptor, and fdpass
// keeps no copy that would share the open file description.
func TestActivateAcceptHandsBlockingConnection(t *testing.T) {
	t.Setenv("FDPASS_TEST_CHILD", "report")
	act := startFdpass(t, "activate", "-v", "--accept", "--listen", "tcp://127.0.0.1:0", "--", self(t))
	line := act.waitLine(t, "listening on")
	addr := line[strings.LastIndex(line, "(")+1 : strings.LastIndex(line, ")")]
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	act.waitLine(t, "started")
	// The report is written once COMMAND runs: wait for its end on the
	// connection (COMMAND exits, closing it).
	io.Copy(io.Discard, c)
	act.cancel()
	res := act.finish(t)
	if want := "pid-ok=true fds=1 names=connection\n3 blocking inheritable\n"; res.stdout != want {
		t.Errorf("COMMAND saw %q, want %q; %s", res.stdout, want, res.stderr)
	}
}
