package fdpass

// The attackers of the security tests: the test binary run as another user
// (FDPASS_IT_CHILD=flood, stall, swap), copied where that user can run it.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// attacker runs one attack and returns the exit code.
func attacker(kind string) int {
	var err error
	switch kind {
	case "flood":
		err = flood()
	case "stall":
		err = stall()
	case "swap":
		err = swap()
	}
	if err != nil {
		fmt.Println("attacker:", err)
		return 1
	}
	return 0
}

func unixSockaddr(name string) *unix.SockaddrUnix {
	if strings.HasPrefix(name, "@") {
		return &unix.SockaddrUnix{Name: "\x00" + name[1:]}
	}
	return &unix.SockaddrUnix{Name: name}
}

// flood opens $FDPASS_IT_N SOCK_SEQPACKET connections to $FDPASS_IT_SOCK,
// as fast as the backlog takes them, and keeps them all open; it prints
// "flooded" with the counts, then closes them all on "release" from stdin
// and prints "released".
func flood() error {
	n, _ := strconv.Atoi(os.Getenv("FDPASS_IT_N"))
	sa := unixSockaddr(os.Getenv("FDPASS_IT_SOCK"))
	var (
		fds  []int
		gone error
	)
	again := 0
	for len(fds) < n && again < 1_000_000 {
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("socket after %d connections: %w", len(fds), err)
		}
		err = unix.Connect(fd, sa)
		switch {
		case err == nil:
			fds = append(fds, fd)
		case errors.Is(err, unix.EAGAIN):
			unix.Close(fd)
			again++
		case errors.Is(err, unix.ECONNREFUSED):
			// The server is gone: the flood is over, the test sees why.
			unix.Close(fd)
			gone = err
		default:
			unix.Close(fd)
			return fmt.Errorf("connect after %d connections: %w", len(fds), err)
		}
		if gone != nil {
			break
		}
	}
	if gone != nil {
		fmt.Printf("flooded %d (then: %v)\n", len(fds), gone)
	} else {
		fmt.Printf("flooded %d\n", len(fds))
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if sc.Text() == "release" {
			break
		}
	}
	for _, fd := range fds {
		unix.Close(fd)
	}
	fmt.Println("released")
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// stall connects to the holder at $FDPASS_IT_SOCK, stores /dev/null under
// x, then sends "STORE x 0" with it again and again without ever reading
// the replies, until its own sends would block; it prints "stuck" and
// waits for stdin to close.
func stall() error {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if err := unix.Connect(fd, unixSockaddr(os.Getenv("FDPASS_IT_SOCK"))); err != nil {
		return err
	}
	null, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	rights := unix.UnixRights(null)
	if err := unix.Sendmsg(fd, []byte("STORE x 0\n"), rights, nil, 0); err != nil {
		return err
	}
	buf := make([]byte, 512)
	if n, err := unix.Read(fd, buf); err != nil || string(buf[:n]) != "OK\n" {
		return fmt.Errorf("first store: %q, %v", buf[:max(n, 0)], err)
	}
	sent := 0
	for {
		err := unix.Sendmsg(fd, []byte("STORE x 0\n"), rights, nil, unix.MSG_DONTWAIT)
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		if err != nil {
			return fmt.Errorf("after %d requests: %w", sent, err)
		}
		sent++
	}
	fmt.Printf("stuck after %d requests\n", sent)
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// swap watches directory $FDPASS_IT_DIR and, the moment $FDPASS_IT_NAME is
// created in it, moves it aside and puts a symlink to $FDPASS_IT_TARGET in
// its place: the race a chmod by name after bind loses.
func swap() error {
	dir, name, target := os.Getenv("FDPASS_IT_DIR"), os.Getenv("FDPASS_IT_NAME"), os.Getenv("FDPASS_IT_TARGET")
	in, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		return err
	}
	if _, err := unix.InotifyAddWatch(in, dir, unix.IN_CREATE); err != nil {
		return err
	}
	fmt.Println("watching")
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(in, buf)
		if err != nil {
			return err
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nb := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			off += unix.SizeofInotifyEvent + int(ev.Len)
			if strings.TrimRight(string(nb), "\x00") != name {
				continue
			}
			p := filepath.Join(dir, name)
			if err := os.Rename(p, p+".moved"); err != nil {
				return err
			}
			if err := os.Symlink(target, p); err != nil {
				return err
			}
			fmt.Println("swapped")
			return nil
		}
	}
}

// attackerBin copies the test binary where another user can run it.
func attackerBin(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(self(t))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "attacker")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}
