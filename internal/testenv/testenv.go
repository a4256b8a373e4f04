// Package testenv is what tests share: the CI-aware skip, privilege probes,
// and one network namespace per test for the host-integration tier.
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/netns"
)

// CI reports whether the tests run under CI=true, where a skip of a
// privileged tier is a failure.
func CI() bool { return os.Getenv("CI") == "true" }

// Skip skips the test with the reason and the fix; under CI=true it fails
// instead, so that a missing install step cannot hide.
func Skip(t testing.TB, reason string) {
	t.Helper()
	if CI() {
		t.Fatalf("CI=true and this test cannot run: %s", reason)
	}
	t.Skip(reason)
}

// RequireRoot skips (fails under CI) unless running as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Skip(t, "needs root for network namespaces: run as root (sudo make integration)")
	}
}

// RequireProgram skips (fails under CI) unless name is on PATH, and returns
// its path. pkg names the Debian package that provides it.
func RequireProgram(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Skip(t, fmt.Sprintf("%s not found: apt-get install %s (make deps does it)", name, pkg))
	}
	return p
}

// Bin returns the path of a built tool: $SOCKCORE_BIN/name (make integration
// sets it), else ./bin/name from the module root.
func Bin(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("SOCKCORE_BIN")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = root + "/bin"
	}
	p := dir + "/" + name
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is not built: run make build (%v)", p, err)
	}
	return p
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(dir + "/go.mod"); err == nil {
			return dir, nil
		}
		i := strings.LastIndexByte(dir, '/')
		if i <= 0 {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = dir[:i]
	}
}

// NetNS is a network namespace made for one test and removed after it.
type NetNS struct {
	Name string
	fd   int
}

// NewNetNS creates a namespace named sc-<random> with lo up, and removes it
// when the test ends.
func NewNetNS(t testing.TB) *NetNS {
	t.Helper()
	RequireRoot(t)
	RequireProgram(t, "ip", "iproute2")
	var b [4]byte
	rand.Read(b[:])
	name := "sc-" + hex.EncodeToString(b[:])
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", name, err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	fd, err := unix.Open("/run/netns/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open netns %s: %v", name, err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	ns := &NetNS{Name: name, fd: fd}
	ns.MustIP(t, "link", "set", "lo", "up")
	return ns
}

// Do runs fn on a thread that is inside the namespace. Sockets fn creates
// stay in the namespace after Do returns; goroutines fn starts do not run in
// it.
func (n *NetNS) Do(fn func() error) error {
	return netns.Run(n.Name, n.fd, true, fn)
}

// Command returns a command that runs inside the namespace (ip netns exec).
func (n *NetNS) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", n.Name, name}, args...)...)
}

// MustIP runs "ip ARGS" inside the namespace and fails the test on error.
func (n *NetNS) MustIP(t testing.TB, args ...string) {
	t.Helper()
	if out, err := n.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip netns exec %s ip %s: %v: %s", n.Name, strings.Join(args, " "), err, out)
	}
}

// Veth joins two namespaces with a veth pair named veth0 in a and veth1 in
// b, with the given addresses (CIDR, IPv4 or IPv6; several allowed) and up.
// IPv6 duplicate address detection is turned off so addresses work at once.
func Veth(t testing.TB, a, b *NetNS, addrsA, addrsB []string) {
	t.Helper()
	tmpA, tmpB := "v"+a.Name[3:], "w"+b.Name[3:]
	if out, err := exec.Command("ip", "link", "add", tmpA, "type", "veth", "peer", "name", tmpB).CombinedOutput(); err != nil {
		t.Fatalf("ip link add veth: %v: %s", err, out)
	}
	for _, x := range []struct {
		ns    *NetNS
		tmp   string
		name  string
		addrs []string
	}{{a, tmpA, "veth0", addrsA}, {b, tmpB, "veth1", addrsB}} {
		if out, err := exec.Command("ip", "link", "set", x.tmp, "netns", x.ns.Name).CombinedOutput(); err != nil {
			t.Fatalf("ip link set netns: %v: %s", err, out)
		}
		x.ns.MustIP(t, "link", "set", x.tmp, "name", x.name)
		x.ns.Command("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf."+x.name+".accept_dad=0").Run()
		for _, addr := range x.addrs {
			args := []string{"addr", "add", addr, "dev", x.name}
			if strings.Contains(addr, ":") {
				args = append(args, "nodad")
			}
			x.ns.MustIP(t, args...)
		}
		x.ns.MustIP(t, "link", "set", x.name, "up")
	}
}
