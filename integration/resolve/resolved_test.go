package resolve_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
)

// startResolved runs Debian's systemd-resolved, extracted (never
// installed: its maintainer scripts rewrite /etc/resolv.conf), standalone
// in the test's network namespace and in a mount namespace of its own
// with a tmpfs on /run/systemd, as the systemd-resolve user of a passwd
// bind-mounted for it, with dnsmasq (10.53.0.1) as its only upstream and
// the test's host name, LLMNR as llmnr says ("no", "yes") on every link.
// netif holds the state files systemd-networkd would write (ifindex:
// /run/systemd/netif/links/<ifindex>), whose per-link settings resolved
// reads without networkd or D-Bus. Every later command runs in that mount
// namespace, where /run/systemd/resolve/io.systemd.Resolve is its socket.
func startResolved(t *testing.T, e *nssEnv, llmnr string, netif map[int]string) {
	t.Helper()
	testenv.RequireProgram(t, "nsenter", "util-linux")
	bin, err := filepath.Abs("../../.cache/nss/root/lib/systemd/systemd-resolved") // scripts/nss-modules.sh's
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("systemd-resolved not extracted: %v", err)
	}
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	group, err := os.ReadFile("/etc/group")
	if err != nil {
		t.Fatal(err)
	}
	// ip netns exec bind-mounts each entry of /etc/netns/<name> over /etc:
	// they must exist before resolved's mount namespace is made, and are
	// rewritten in place afterwards.
	if err := os.MkdirAll(filepath.Join(e.etc, "systemd"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.write(t, "systemd/resolved.conf", "[Resolve]\nDNS=10.53.0.1\nDomains=test\nLLMNR="+llmnr+"\nMulticastDNS=no\nDNSSEC=no\nDNSOverTLS=no\nCache=no\nDNSStubListener=no\nReadEtcHosts=no\n")
	if !strings.Contains(string(passwd), "\nsystemd-resolve:") {
		e.write(t, "passwd", string(passwd)+"systemd-resolve:x:64990:64990:systemd Resolver:/:/usr/sbin/nologin\n")
		e.write(t, "group", string(group)+"systemd-resolve:x:64990:\n")
	}
	e.write(t, "nsswitch.conf", "hosts: files dns\n")
	links := ""
	if len(netif) > 0 {
		links = t.TempDir()
		for ifindex, state := range netif {
			if err := os.WriteFile(filepath.Join(links, strconv.Itoa(ifindex)), []byte(state), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cmd := e.ns.Command("unshare", "--mount", "--propagation", "private", "--uts", "sh", "-c",
		`hostname "$1" && mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/resolve &&
		chown systemd-resolve:systemd-resolve /run/systemd/resolve &&
		{ [ -z "$2" ] || { mkdir /run/systemd/netif && cp -r "$2" /run/systemd/netif/links && chmod -R a+rX /run/systemd/netif; }; } &&
		exec "$0"`, bin, e.hostname, links)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=debug", "SYSTEMD_LOG_TARGET=console")
	p := testenv.Start(t, cmd)
	up := false // a start-up failure prints the log itself
	t.Cleanup(func() {
		p.Signal(unix.SIGTERM)
		if up && t.Failed() {
			t.Logf("systemd-resolved:\n%s%s", p.Stdout.Since(0), p.Stderr.Since(0))
		}
	})
	// ip netns exec and unshare exec: the pid is resolved's.
	e.mntPID = cmd.Process.Pid
	sock := "/proc/" + strconv.Itoa(e.mntPID) + "/root/run/systemd/resolve/io.systemd.Resolve"
	for deadline := time.Now().Add(20 * time.Second); ; {
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		err = unix.Connect(fd, &unix.SockaddrUnix{Name: sock})
		unix.Close(fd)
		if err == nil {
			break
		}
		select {
		case <-p.Exited():
			p.Stdout.Wait() // all of what it printed
			p.Stderr.Wait()
			t.Fatalf("systemd-resolved exited (%v) before its Varlink socket answered (%v):\n%s%s", p.Wait(), err, p.Stdout.Since(0), p.Stderr.Since(0))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("systemd-resolved's Varlink socket: %v\n%s%s", err, p.Stdout.Since(0), p.Stderr.Since(0))
		}
		// Wait for the socket to appear: poll as waitDNS does.
		unix.Poll(nil, 20)
	}
	up = true
}

// TestResolvedGetent compares resolve with glibc loading Debian's
// libnss_resolve.so.2 while a real systemd-resolved answers, on Fedora's
// line and others.
func TestResolvedGetent(t *testing.T) {
	e := setupNSS(t, "libnss-myhostname", "libnss-resolve", "systemd-resolved")
	startResolved(t, e, "no", nil)
	names := []string{"www.test", "www", "v4.test", "v6.test", "alias.test", "nobody.test", "sc-myh", "_gateway", "localhost", "filehost"}
	addrs := []string{"10.53.1.10", "fd53::10", "10.53.7.7", "10.53.8.8", "127.0.0.1", "10.99.0.254"}
	for _, line := range []string{
		"hosts: files myhostname resolve [!UNAVAIL=return] dns", // Fedora
		"hosts: files resolve [!UNAVAIL=return] dns",
		"hosts: resolve [NOTFOUND=return] dns",
		"hosts: resolve",
	} {
		t.Run(line, func(t *testing.T) {
			e.write(t, "nsswitch.conf", line+"\n")
			e.compare(t, names, addrs)
		})
	}
	e.write(t, "nsswitch.conf", "hosts: resolve\n")
	// Proof that glibc did load libnss_resolve and asked resolved.
	if out, code := e.runUTS(t, "getent", "ahostsv4", "www.test"); code != 0 || !strings.HasPrefix(out, "10.53.1.10 ") {
		t.Fatalf("getent ahostsv4 www.test on \"hosts: resolve\": exit %d:\n%s", code, out)
	}
	out, code := e.runUTS(t, e.resolve, "addrinfo", "--explain", "www.test")
	for _, want := range []string{";; resolve (systemd-resolved @/run/systemd/resolve/io.systemd.Resolve): www.test found, 2 answers via dns on ", "ifindex ", ";; answered by resolve"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("resolve addrinfo --explain www.test: exit %d, lacks %q:\n%s", code, want, out)
		}
	}
}
