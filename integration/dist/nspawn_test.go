package dist

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestEchodSocketUnitUnderSystemd boots a real systemd in systemd-nspawn and
// lets it serve echod.socket: the container is the host's own /usr
// (--volatile=yes: a tmpfs root, /usr read-only) with the built tools laid
// over /usr/bin, contrib/systemd's units in /etc/systemd/system, and the
// network namespace of the test. A oneshot unit ordered after echod.socket
// writes "ready" into a FIFO the test reads (no polling); then echocat
// --verify checks TCP and UDP port 7 from outside the container, which
// systemd answers by starting echod.service (echod --systemd, DynamicUser,
// PrivateNetwork=yes). SIGTERM to nspawn halts the container cleanly.
//
// Chosen over the VM tier (which would need systemd and its libraries in the
// initramfs) because it boots in seconds and needs no download.
func TestEchodSocketUnitUnderSystemd(t *testing.T) {
	testenv.RequireRoot(t)
	nspawn := testenv.RequireProgram(t, "systemd-nspawn", "systemd-container")
	ns := testenv.NewNetNS(t)
	dir := t.TempDir()
	units, ready, usr := filepath.Join(dir, "units"), filepath.Join(dir, "ready"), filepath.Join(dir, "usr")
	for _, tool := range []string{"echod", "echocat"} {
		copyFile(t, testenv.Bin(t, tool), filepath.Join(usr, "bin", tool), 0o755)
	}
	src := filepath.Join(repoRoot(t), "contrib/systemd")
	for _, f := range []string{"echod.socket", "echod.service"} {
		copyFile(t, filepath.Join(src, f), filepath.Join(units, f), 0o644)
	}
	writeFile(t, filepath.Join(units, "sockcore-test.target"),
		"[Unit]\nDescription=sockcore test boot\nWants=echod.socket sockcore-ready.service\n")
	writeFile(t, filepath.Join(units, "sockcore-ready.service"),
		"[Unit]\nRequires=echod.socket\nAfter=echod.socket\n[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo ready >/sockcore-ready/fifo'\n")
	if err := os.MkdirAll(ready, 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(ready, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}

	var b [4]byte
	rand.Read(b[:])
	machine := "sockcore-" + hex.EncodeToString(b[:])
	// --register=no --keep-unit: no machined or system bus needed on the host.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nspawn, "-q", "-D", "/", "--volatile=yes", "--register=no", "--keep-unit",
		"-M", machine, "--console=pipe", "--network-namespace-path=/run/netns/"+ns.Name,
		"--overlay-ro=/usr:"+usr+":/usr", "--bind-ro="+units+":/etc/systemd/system",
		"--bind="+ready+":/sockcore-ready",
		"-b", "systemd.unit=sockcore-test.target", "systemd.firstboot=off")
	var console bytes.Buffer
	cmd.Stdout, cmd.Stderr = &console, &console
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
	}()

	readyc := make(chan []byte, 1)
	go func() {
		b, _ := os.ReadFile(fifo) // returns when the container writes and closes
		readyc <- b
	}()
	select {
	case got := <-readyc:
		if string(got) != "ready\n" {
			t.Fatalf("ready FIFO: %q; console:\n%s", got, console.String())
		}
	case err := <-exited:
		stopped = true
		// Unblock the reader: it holds the FIFO open for reading.
		if fd, err := unix.Open(fifo, unix.O_WRONLY|unix.O_NONBLOCK, 0); err == nil {
			unix.Close(fd)
		}
		t.Fatalf("systemd-nspawn exited before echod.socket was up: %v\n%s", err, console.String())
	}

	echocat := testenv.Bin(t, "echocat")
	for _, args := range [][]string{
		{"--verify", "-w", "30", "127.0.0.1", "7"},
		{"--verify", "-w", "30", "::1", "7"},
		{"--verify", "-u", "-w", "30", "127.0.0.1", "7"},
	} {
		out, err := ns.Command(echocat, args...).CombinedOutput()
		t.Logf("echocat %v: %s", args, out)
		if err != nil {
			t.Errorf("echocat %v against echod.socket under systemd: %v\n%s", args, err, out)
		}
	}

	cmd.Process.Signal(syscall.SIGTERM) // nspawn halts the container (SIGRTMIN+3 to its systemd)
	err := <-exited
	stopped = true
	if err != nil {
		t.Errorf("systemd-nspawn: %v\n%s", err, console.String())
	}
}
