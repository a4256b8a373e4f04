package echo

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// echoMany runs conns connections to addr at once, each a ping-pong of
// rounds messages of its own, then one bulk transfer of 1 MiB (which leaves
// the reactor for a goroutine and comes back), and checks every echo
// byte for byte.
func echoMany(t *testing.T, addr string, conns, rounds int) {
	t.Helper()
	bulk := make([]byte, 1<<20)
	rand.Read(bulk)
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		wg.Go(func() {
			c, err := net.DialTimeout("tcp", addr, 30*time.Second)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(2 * time.Minute))
			got := make([]byte, 64)
			for r := range rounds {
				msg := fmt.Appendf(nil, "%-63s\n", fmt.Sprintf("connection %d round %d", i, r))
				if _, err := c.Write(msg); err != nil {
					errs <- fmt.Errorf("connection %d round %d: %w", i, r, err)
					return
				}
				if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
					errs <- fmt.Errorf("connection %d round %d: echo %q, %v", i, r, got, err)
					return
				}
			}
			back := make([]byte, len(bulk))
			done := make(chan error, 1)
			go func() {
				_, err := io.ReadFull(c, back)
				done <- err
			}()
			if _, err := c.Write(bulk); err != nil {
				errs <- fmt.Errorf("connection %d bulk: %w", i, err)
				return
			}
			if err := <-done; err != nil || !bytes.Equal(back, bulk) {
				errs <- fmt.Errorf("connection %d: the 1 MiB echo differs (%v)", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestEchodIOUring: echod's io_uring reactor on the kernels of the VM tier
// (6.1 and 6.12; the host tests run it on the host's): --io-uring on
// serves 64 connections at once, each a ping-pong then a bulk transfer, and
// stops cleanly on SIGTERM. Where the kernel has kernel.io_uring_disabled
// (6.6 and later), --io-uring auto with it set to 2 falls back to epoll,
// says so with -v, and serves the same.
func TestEchodIOUring(t *testing.T) {
	testenv.RequireVM(t)
	echod := testenv.Bin(t, "echod")
	run := func(t *testing.T, wantStderr string, args ...string) {
		p, line := testenv.StartReady(t, exec.Command(echod, append(args, "--listen", "tcp://127.0.0.1:0", "--max-conns-per-source", "0")...), "listening ")
		addr := strings.TrimPrefix(strings.Fields(line)[1], "tcp://")
		echoMany(t, addr, 64, 200)
		p.Signal(syscall.SIGTERM)
		if err := p.Wait(); err != nil {
			t.Errorf("echod %v: %v; stderr: %s", args, err, p.Stderr)
		}
		p.Stderr.Wait()
		if wantStderr != "" && !strings.Contains(p.Stderr.String(), wantStderr) {
			t.Errorf("echod %v: stderr lacks %q:\n%s", args, wantStderr, p.Stderr)
		}
		if wantStderr == "" && strings.Contains(p.Stderr.String(), "io_uring unavailable") {
			t.Errorf("echod %v fell back to epoll:\n%s", args, p.Stderr)
		}
	}
	t.Run("on", func(t *testing.T) { run(t, "", "--io-uring", "on", "-v") })
	t.Run("auto disabled by sysctl", func(t *testing.T) {
		const knob = "/proc/sys/kernel/io_uring_disabled"
		old, err := os.ReadFile(knob)
		if os.IsNotExist(err) {
			t.Skipf("%s: this kernel predates it (6.6)", knob)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(knob, []byte("2"), 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.WriteFile(knob, old, 0) })
		run(t, "io_uring unavailable: using epoll", "--io-uring", "auto", "-v")
	})
}
