package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
)

// startHolder runs a holder in this process on a fresh socket path.
func startHolder(t *testing.T, h *holder) string {
	t.Helper()
	sock := sockPath(t)
	ln, cleanup, err := listenUnix(sock, unix.SOCK_SEQPACKET, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		cleanup()
	})
	return sock
}

func dial(t *testing.T, sock string) *holdClient {
	t.Helper()
	hc, err := dialHolder(sock, 5*time.Second, serverPolicy{uid: uint32(os.Geteuid())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hc.Close() })
	return hc
}

func TestHoldSocketMode(t *testing.T) {
	sock := startHolder(t, newHolder(10, nil, nil, nil))
	st, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode(); got != os.ModeSocket|0o600 {
		t.Errorf("holder socket mode %v, want %v", got, os.ModeSocket|0o600)
	}
}

func TestHoldStoreRetrieveListDelete(t *testing.T) {
	sock := startHolder(t, newHolder(10, nil, nil, nil))
	hc := dial(t, sock)
	p := pipes(t, 4)
	if err := hc.store("pipes", 0, p[:3]); err != nil {
		t.Fatal(err)
	}
	if err := hc.store("one", time.Hour, p[3:]); err != nil {
		t.Fatal(err)
	}
	err := hc.store("one", 0, p[3:])
	if code := cli.ExitCode(err); code != cli.ExitFailure || !strings.Contains(fmt.Sprint(err), "exists") {
		t.Errorf("storing a held name again: %v (exit %d), want exists", err, code)
	}
	list, err := hc.list()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range list {
		got[e.Name] = e.N
		if ttl := e.TTLms > 0; ttl != (e.Name == "one") {
			t.Errorf("list entry %+v: time to live is wrong", e)
		}
	}
	if d := cmp.Diff(map[string]int{"pipes": 3, "one": 1}, got); d != "" {
		t.Errorf("list (-want +got):\n%s", d)
	}
	// Retrieve twice: the holder keeps them.
	for range 2 {
		fds, err := hc.retrieve("pipes", false)
		if err != nil {
			t.Fatal(err)
		}
		for i, fd := range fds {
			if inode(t, fd) != inode(t, p[i]) {
				t.Errorf("retrieved descriptor %d is not the pipe stored at %d", fd, i)
			}
		}
		closeFDs(fds)
	}
	fds, err := hc.retrieve("one", true)
	if err != nil {
		t.Fatal(err)
	}
	closeFDs(fds)
	if _, err := hc.retrieve("one", false); cli.ExitCode(err) != cli.ExitNoSuchThing {
		t.Errorf("retrieve after take: %v, want exit %d", err, cli.ExitNoSuchThing)
	}
	if err := hc.delete("pipes"); err != nil {
		t.Fatal(err)
	}
	if err := hc.delete("pipes"); cli.ExitCode(err) != cli.ExitNoSuchThing {
		t.Errorf("second delete: %v, want exit %d", err, cli.ExitNoSuchThing)
	}
	if list, err := hc.list(); err != nil || len(list) != 0 {
		t.Errorf("list after deleting all: %v, %v", list, err)
	}
}

// The holder closes its copy when a name expires: the write end it held
// goes away, so the read end sees EOF once the test closes its own.
func TestHoldExpiry(t *testing.T) {
	h := newHolder(10, nil, nil, nil)
	expired := make(chan string, 1)
	h.expired = func(name string) { expired <- name }
	sock := startHolder(t, h)
	hc := dial(t, sock)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	if err := hc.store("w", time.Millisecond, p[1:]); err != nil {
		t.Fatal(err)
	}
	unix.Close(p[1])
	if got := <-expired; got != "w" {
		t.Fatalf("expired %q, want w", got)
	}
	n, err := unix.Read(p[0], make([]byte, 1))
	if n != 0 || err != nil {
		t.Errorf("read after expiry = %d, %v; want EOF: the holder kept the write end", n, err)
	}
	if _, err := hc.retrieve("w", false); cli.ExitCode(err) != cli.ExitNoSuchThing {
		t.Errorf("retrieve after expiry: %v, want not found", err)
	}
}

func TestHoldFull(t *testing.T) {
	sock := startHolder(t, newHolder(1, nil, nil, nil))
	hc := dial(t, sock)
	p := pipes(t, 2)
	if err := hc.store("a", 0, p[:1]); err != nil {
		t.Fatal(err)
	}
	if err := hc.store("b", 0, p[1:]); !strings.Contains(fmt.Sprint(err), "full") {
		t.Errorf("store beyond --max-names: %v, want full", err)
	}
}

func TestHoldAllowed(t *testing.T) {
	h := newHolder(1, []int{1000}, []int{50}, nil)
	h.ownUID = 42
	tests := []struct {
		uid, gid uint32
		want     bool
	}{
		{0, 0, true}, {42, 7, true}, {1000, 7, true}, {7, 50, true}, {7, 7, false}, {65534, 65534, false},
	}
	for _, tt := range tests {
		if got := h.allowed(&unix.Ucred{Uid: tt.uid, Gid: tt.gid}); got != tt.want {
			t.Errorf("allowed(uid %d gid %d) = %t, want %t", tt.uid, tt.gid, got, tt.want)
		}
	}
}

// A bad request gets ERR bad, and descriptors that came with it are closed.
func TestHoldBadRequestClosesDescriptors(t *testing.T) {
	sock := startHolder(t, newHolder(10, nil, nil, nil))
	hc := dial(t, sock)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	// LIST carries no descriptors: the holder must refuse and close them.
	_, _, err := hc.roundTrip("list", request{Op: opList}, p[1:], 0)
	if !strings.Contains(fmt.Sprint(err), "carries no descriptors") {
		t.Errorf("LIST with a descriptor: %v, want bad", err)
	}
	unix.Close(p[1])
	if n, err := unix.Read(p[0], make([]byte, 1)); n != 0 || err != nil {
		t.Errorf("read = %d, %v; want EOF: the holder kept a descriptor from a bad request", n, err)
	}
}

func TestHoldCommands(t *testing.T) {
	sock := sockPath(t)
	hold := startFdpass(t, "hold", "-v", "--on", sock)
	hold.waitLine(t, "listening on")
	t.Setenv("FDPASS_TEST_CHILD", "report")
	steps := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"store", "--to", sock, "--name", "web", "--listen", "tcp://127.0.0.1:0", "--listen", "udp://127.0.0.1:0"}, 0, ""},
		{[]string{"list", "--from", sock}, 0, "web 2 never\n"},
		{[]string{"retrieve", "--from", sock, "--name", "web", "--", self(t)}, 0, "pid-ok=true fds=2 names=web:web\n3 blocking inheritable\n4 blocking inheritable\n"},
		{[]string{"retrieve", "--from", sock, "--name", "web", "--take", "--", self(t)}, 0, "pid-ok=true fds=2 names=web:web\n3 blocking inheritable\n4 blocking inheritable\n"},
		{[]string{"retrieve", "--from", sock, "--name", "web", "--", self(t)}, cli.ExitNoSuchThing, ""},
		{[]string{"delete", "--from", sock, "--name", "web"}, cli.ExitNoSuchThing, ""},
		{[]string{"list", "--from", sock}, 0, ""},
	}
	for _, s := range steps {
		r := runFdpass(context.Background(), s.args...)
		if r.code != s.code || r.stdout != s.out {
			t.Errorf("fdpass %s: exit %d, stdout %q; want %d, %q; stderr: %s", strings.Join(s.args, " "), r.code, r.stdout, s.code, s.out, r.stderr)
		}
	}
	hold.cancel()
	if r := hold.finish(t); r.code != 0 {
		t.Errorf("hold after cancel: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("hold left its socket behind: %v", err)
	}
}
