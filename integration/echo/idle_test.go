package echo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestIdleConnections19000: one echod holds 19,000 idle TCP connections
// under a 20,000 open-files limit (one descriptor per connection) at no
// more than 2.7 KiB of RSS each. The clients are two load generators of
// 9,500 connections each (each under its own limit), every connection
// checked with one echo before they say ready.
func TestIdleConnections19000(t *testing.T) {
	const conns, perClient, maxKiB = 19000, 9500, 2.7
	testenv.RequireProgram(t, "prlimit", "util-linux")
	ns := testenv.NewNetNS(t)
	loadgen := filepath.Join(t.TempDir(), "loadgen")
	if out, err := exec.Command("go", "build", "-o", loadgen, "../../bench/loadgen").CombinedOutput(); err != nil {
		t.Fatalf("go build bench/loadgen: %v: %s", err, out)
	}
	srv := startCmd(t, ns.Command("prlimit", "--nofile=20000:20000", testenv.Bin(t, "echod"),
		"--listen", "tcp://127.0.0.1:0", "--backlog", "4096",
		// One source and idle on purpose: no per-source limit, no idle timeout.
		"--max-conns-per-source", "0", "--idle-timeout", "0"), 1)
	addr := strings.TrimPrefix(srv.urls[0], "tcp://")
	pid := srv.cmd.Process.Pid // ip netns exec and prlimit exec: this is echod

	// A failure bound, not a measurement: a client that never gets ready
	// is killed and the test fails.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	var stdins []interface{ Close() error }
	for i := 0; i < conns/perClient; i++ {
		cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns.Name, loadgen, "-mode", "idle",
			"-conns", strconv.Itoa(perClient), "-addr", addr)
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		p, _ := testenv.StartReady(t, cmd, "ready")
		stdins = append(stdins, in)
		t.Cleanup(func() { in.Close(); p.Wait() })
	}
	fds, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	var rssKiB float64
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			rssKiB, _ = strconv.ParseFloat(f[1], 64)
		}
	}
	per := rssKiB / conns
	t.Logf("echod: %d descriptors, RSS %.1f MiB for %d connections: %.2f KiB each", len(fds), rssKiB/1024, conns, per)
	if len(fds) < conns || len(fds) > conns+64 {
		t.Errorf("echod holds %d descriptors for %d connections; want one each", len(fds), conns)
	}
	if per > maxKiB {
		t.Errorf("%.2f KiB of RSS per idle connection; want at most %.1f", per, maxKiB)
	}
	for _, in := range stdins {
		in.Close()
	}
}
