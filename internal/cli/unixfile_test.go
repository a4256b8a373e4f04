package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// bindUnix binds a socket of typ at path (listening unless datagram).
func bindUnix(t *testing.T, path string, typ int) *sockcore.Socket {
	t.Helper()
	s, err := sockcore.New(unix.AF_UNIX, typ, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Bind(&sockcore.UnixAddr{Name: path}); err != nil {
		t.Fatal(err)
	}
	if typ != unix.SOCK_DGRAM {
		if err := s.Listen(1); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestListenNeverRemovesAFile: a unix:// listen URL naming a regular file,
// a directory or a symlink (even to a stale socket) fails with exit 4 and
// one line naming what is in the way, and leaves it as it was; connect(2)
// answers ECONNREFUSED for a regular file as for a dead socket, which
// made Listen replace precious.db with a socket.
func TestListenNeverRemovesAFile(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious.db")
	os.WriteFile(precious, []byte("data"), 0o600)
	sub := filepath.Join(dir, "subdir")
	os.Mkdir(sub, 0o700)
	stale := filepath.Join(dir, "stale.sock")
	bindUnix(t, stale, unix.SOCK_STREAM).Close()
	link := filepath.Join(dir, "link")
	os.Symlink(stale, link)
	for _, tc := range []struct{ path, kind string }{
		{precious, "regular file"}, {sub, "directory"}, {link, "symlink"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			e, err := ParseURL("unix://" + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := e.Listen(ListenConfig{})
			if err == nil {
				s.Close()
				t.Fatalf("Listen on a %s succeeded", tc.kind)
			}
			if ExitCode(err) != ExitNetwork || !strings.Contains(err.Error(), "a "+tc.kind+" is in the way") {
				t.Errorf("error %q (exit %d), want exit 4 naming the %s", err, ExitCode(err), tc.kind)
			}
			if st, err := os.Lstat(tc.path); err != nil || st.Mode().Type() == os.ModeSocket {
				t.Errorf("%s was replaced: %v %v", tc.path, st, err)
			}
		})
	}
	if b, _ := os.ReadFile(precious); string(b) != "data" {
		t.Errorf("precious.db now holds %q", b)
	}
}

// TestClearStaleSocket: a dead socket file is removed whatever its type, a
// live one of any type is "address in use", nothing there is fine.
func TestClearStaleSocket(t *testing.T) {
	dir := t.TempDir()
	if err := ClearStaleSocket(filepath.Join(dir, "none")); err != nil {
		t.Errorf("no file: %v", err)
	}
	for _, typ := range []int{unix.SOCK_STREAM, unix.SOCK_SEQPACKET, unix.SOCK_DGRAM} {
		path := filepath.Join(dir, "s")
		s := bindUnix(t, path, typ)
		if err := ClearStaleSocket(path); !errors.Is(err, syscall.EADDRINUSE) || ExitCode(err) != ExitNetwork {
			t.Errorf("type %d live: %v, want address in use", typ, err)
		}
		s.Close()
		if err := ClearStaleSocket(path); err != nil {
			t.Errorf("type %d stale: %v", typ, err)
		}
		if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("type %d: stale socket file left: %v", typ, err)
		}
	}
}

// TestSocketFileRemove: the socket file goes at Remove, unless another
// socket (or anything else) took the path since.
func TestSocketFileRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	s := bindUnix(t, path, unix.SOCK_STREAM)
	f := BoundSocketFile(s)
	if f == nil {
		t.Fatal("BoundSocketFile: nil")
	}
	f.Remove()
	s.Close()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("own socket file left: %v", err)
	}
	s = bindUnix(t, path, unix.SOCK_STREAM)
	defer s.Close() // open, so that its inode cannot be reused
	f = BoundSocketFile(s)
	os.Remove(path)
	newer := bindUnix(t, path, unix.SOCK_STREAM) // a newer server's
	defer newer.Close()
	f.Remove()
	if _, err := os.Lstat(path); err != nil {
		t.Errorf("a newer server's socket was removed: %v", err)
	}
	abs, _ := sockcore.New(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	defer abs.Close()
	abs.Bind(&sockcore.UnixAddr{Name: "\x00sockcore-test-abstract"})
	if f := BoundSocketFile(abs); f != nil {
		t.Errorf("abstract socket has a file: %+v", f)
	}
}

func TestAddrURLVSockWildcards(t *testing.T) {
	for _, tc := range []struct {
		a    *sockcore.VSockAddr
		want string
	}{
		{&sockcore.VSockAddr{CID: unix.VMADDR_CID_ANY, Port: 20000}, "vsock://any:20000"},
		{&sockcore.VSockAddr{CID: unix.VMADDR_CID_ANY, Port: unix.VMADDR_PORT_ANY}, "vsock://any:any"},
		{&sockcore.VSockAddr{CID: 3, Port: 1024}, "vsock://3:1024"},
	} {
		if got := AddrURL("vsock", tc.a); got != tc.want {
			t.Errorf("AddrURL(%+v) = %q, want %q", tc.a, got, tc.want)
		}
	}
	e, _ := ParseURL("vsock://any:20000")
	if got := e.String(); got != "vsock://any:20000" {
		t.Errorf("Endpoint.String() = %q", got)
	}
}
