package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

func pair(t *testing.T, typ int) (*sockcore.Socket, *sockcore.Socket) {
	t.Helper()
	a, b, err := sockcore.Pair(unix.AF_UNIX, typ, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	a.SetBlocking(true)
	b.SetBlocking(true)
	return a, b
}

// inode identifies the open file behind a descriptor.
func inode(t *testing.T, fd int) [2]uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatalf("fstat %d: %v", fd, err)
	}
	return [2]uint64{st.Dev, st.Ino}
}

func pipes(t *testing.T, n int) []int {
	t.Helper()
	var fds []int
	for len(fds) < n {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			t.Fatal(err)
		}
		fds = append(fds, p[0], p[1])
	}
	t.Cleanup(func() { closeFDs(fds) })
	return fds[:n]
}

func TestRecvBatchCounts(t *testing.T) {
	for _, typ := range []int{unix.SOCK_SEQPACKET, unix.SOCK_STREAM, unix.SOCK_DGRAM} {
		for _, n := range []int{1, 10, scmMaxFD} {
			t.Run(fmt.Sprintf("%s/%d", sockcore.TypeName(typ), n), func(t *testing.T) {
				a, b := pair(t, typ)
				fds := pipes(t, n)
				names := make([]string, n)
				for i := range names {
					names[i] = fmt.Sprintf("p%d", i)
				}
				if _, err := sockcore.SendFDs(a, [][]byte{encodeNames(names)}, fds); err != nil {
					t.Fatal(err)
				}
				got, err := recvBatch(b, scmMaxFD)
				if err != nil {
					t.Fatal(err)
				}
				defer got.Close()
				if d := cmp.Diff(names, decodeNames(got.Data, len(got.FDs))); d != "" {
					t.Errorf("names (-want +got):\n%s", d)
				}
				if len(got.FDs) != n {
					t.Fatalf("received %d descriptors, want %d", len(got.FDs), n)
				}
				for i, fd := range got.FDs {
					if inode(t, fd) != inode(t, fds[i]) {
						t.Errorf("descriptor %d is not the pipe sent at %d", fd, i)
					}
					fl, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
					if fl&unix.FD_CLOEXEC == 0 {
						t.Errorf("received descriptor %d is not close-on-exec", fd)
					}
				}
			})
		}
	}
}

// A control buffer too small for what was sent: MSG_CTRUNC. recvBatch must
// report it and leave no descriptor open.
func TestRecvBatchTruncatedLeavesNothingOpen(t *testing.T) {
	for _, tt := range []struct{ sent, max int }{{10, 3}, {scmMaxFD, 1}, {2, 1}} {
		t.Run(fmt.Sprintf("%d into %d", tt.sent, tt.max), func(t *testing.T) {
			a, b := pair(t, unix.SOCK_SEQPACKET)
			fds := pipes(t, tt.sent)
			before := openFDs(t)
			if _, err := sockcore.SendFDs(a, [][]byte{[]byte("x\n")}, fds); err != nil {
				t.Fatal(err)
			}
			got, err := recvBatch(b, tt.max)
			if !errors.Is(err, errTruncated) {
				t.Fatalf("recvBatch = %v, %v; want errTruncated", got, err)
			}
			if after := openFDs(t); after != before {
				t.Errorf("open descriptors: %d before, %d after a truncated receive", before, after)
			}
		})
	}
}

// Files, pipes, TCP and UDP listeners, UNIX sockets in one message, each
// described by kind on the other side.
func TestRecvBatchMixedKinds(t *testing.T) {
	a, b := pair(t, unix.SOCK_SEQPACKET)
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := pipes(t, 2)
	tcp, err := listenURL("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	udp, err := listenURL("udp://[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	us, err := listenURL("unix-seqpacket://@fdpass-test-mixed")
	if err != nil {
		t.Fatal(err)
	}
	defer us.Close()
	sent := []int{int(f.Fd()), p[0], p[1], tcp.Fileno(), udp.Fileno(), us.Fileno()}
	if _, err := sockcore.SendFDs(a, [][]byte{[]byte("\n")}, sent); err != nil {
		t.Fatal(err)
	}
	got, err := recvBatch(b, scmMaxFD)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	ta, _ := tcp.SockName()
	ua, _ := udp.SockName()
	want := []string{
		fmt.Sprintf("3 file %q flags=O_RDWR", f.Name()),
		fmt.Sprintf("4 pipe %q flags=O_RDONLY", mustReadlink(t, p[0])),
		fmt.Sprintf("5 pipe %q flags=O_WRONLY", mustReadlink(t, p[1])),
		fmt.Sprintf("6 socket AF_INET SOCK_STREAM IPPROTO_TCP local=%s peer=- listening reuseaddr flags=O_RDWR|O_NONBLOCK", ta),
		fmt.Sprintf("7 socket AF_INET6 SOCK_DGRAM IPPROTO_UDP local=%s peer=- flags=O_RDWR|O_NONBLOCK", ua),
		"8 socket AF_UNIX SOCK_SEQPACKET local=@fdpass-test-mixed peer=- listening flags=O_RDWR|O_NONBLOCK",
	}
	var lines []string
	for i, fd := range got.FDs {
		d, err := describeOwn(fd)
		if err != nil {
			t.Fatal(err)
		}
		d.FD, d.CloExec = 3+i, false
		lines = append(lines, d.String())
	}
	if d := cmp.Diff(want, lines); d != "" {
		t.Errorf("received descriptors (-want +got):\n%s", d)
	}
}

func mustReadlink(t *testing.T, fd int) string {
	t.Helper()
	s, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRecvBatchCredentials(t *testing.T) {
	a, b := pair(t, unix.SOCK_SEQPACKET)
	if err := b.SetsockoptInt(unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
		t.Fatal(err)
	}
	fds := pipes(t, 1)
	if _, err := sockcore.SendFDs(a, [][]byte{[]byte("\n")}, fds); err != nil {
		t.Fatal(err)
	}
	got, err := recvBatch(b, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	want := &unix.Ucred{Pid: int32(os.Getpid()), Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}
	if d := cmp.Diff(want, got.Cred); d != "" {
		t.Errorf("SCM_CREDENTIALS (-want +got):\n%s", d)
	}
	pc, err := peerCred(b)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, pc); d != "" {
		t.Errorf("SO_PEERCRED (-want +got):\n%s", d)
	}
}

func TestRecvBatchPeerClosed(t *testing.T) {
	a, b := pair(t, unix.SOCK_STREAM)
	a.Close()
	if _, err := recvBatch(b, 1); !errors.Is(err, errPeerClosed) {
		t.Fatalf("recvBatch after the peer closed = %v, want errPeerClosed", err)
	}
}
