package resolve_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
)

// avahiConf is the avahi-daemon.conf of the tests: the host name, only
// the test's veth, no D-Bus, no wide-area DNS-SD, nothing but addresses
// published.
const avahiConf = `[server]
host-name=%s
domain-name=local
use-ipv4=yes
use-ipv6=yes
allow-interfaces=%s
enable-dbus=no
[wide-area]
enable-wide-area=no
[publish]
publish-workstation=no
publish-hinfo=no
`

// startAvahi runs Debian's avahi-daemon, extracted (scripts/nss-modules.sh;
// never installed, so that no daemon starts on the machine itself), in
// network namespace ns with /etc/netns/<ns> as etc (which must hold a
// passwd with the avahi user: the daemon looks it up even when it keeps
// root), in a mount namespace of its own with a tmpfs on /run, so that
// its socket, /run/avahi-daemon/socket, is seen only there. It waits for
// "Server startup complete" and returns the daemon's pid.
func startAvahi(t *testing.T, ns *testenv.NetNS, etc, hostName, iface string) int {
	t.Helper()
	root, err := filepath.Abs("../../.cache/nss/root")
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "avahi-daemon.conf")
	if err := os.WriteFile(conf, []byte(strings.ReplaceAll(strings.Replace(avahiConf, "%s", hostName, 1), "%s", iface)), 0o644); err != nil {
		t.Fatal(err)
	}
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	group, err := os.ReadFile("/etc/group")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(passwd), "\navahi:") {
		os.WriteFile(filepath.Join(etc, "passwd"), append(passwd, "avahi:x:64991:64991:Avahi:/:/usr/sbin/nologin\n"...), 0o644)
		os.WriteFile(filepath.Join(etc, "group"), append(group, "avahi:x:64991:\n"...), 0o644)
	}
	cmd := ns.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs tmpfs /run && mkdir /run/avahi-daemon && exec "$0" -f "$1" --no-drop-root --no-chroot --no-rlimits`,
		filepath.Join(root, "usr/sbin/avahi-daemon"), conf)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(root, "usr/lib/x86_64-linux-gnu"))
	p := testenv.Start(t, cmd)
	t.Cleanup(func() {
		p.Signal(unix.SIGTERM)
		if t.Failed() {
			t.Logf("avahi-daemon %s:\n%s%s", hostName, p.Stdout.Since(0), p.Stderr.Since(0))
		}
	})
	// avahi-daemon -f logs on stderr. The 30 s bound only ends a daemon
	// that hangs; it is no timing assertion.
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; ; i++ {
		l, ok := p.Stderr.Next(i, time.Until(deadline))
		if ok && strings.HasPrefix(l, "Server startup complete.") {
			break
		}
		if !ok && time.Now().Before(deadline) { // stderr ended: the daemon is gone
			t.Fatalf("avahi-daemon %s exited (%v) before its startup completed:\n%s", hostName, p.Wait(), p.Stderr.Since(0))
		}
		if !ok {
			t.Fatalf("avahi-daemon %s: no \"Server startup complete\" in 30 s:\n%s", hostName, p.Stderr.Since(0))
		}
	}
	return cmd.Process.Pid
}

// avahiAsk sends one line of avahi's simple protocol to the daemon of pid
// and returns its answer.
func avahiAsk(t *testing.T, pid int, q string) string {
	t.Helper()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "avahi")
	defer f.Close()
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: "/proc/" + strconv.Itoa(pid) + "/root/run/avahi-daemon/socket"}); err != nil {
		t.Fatalf("avahi-daemon's socket: %v", err)
	}
	f.WriteString(q + "\n")
	ln, _ := bufio.NewReader(f).ReadString('\n')
	return ln
}

// TestMDNSGetent compares resolve with glibc loading Debian's
// libnss_mdns*.so.2 (nss-mdns 0.15, extracted) on the lines of the
// distributions that ship it, while real avahi-daemons answer: one in the
// test's namespace (sc-mdnsa), whose socket nss-mdns and resolve ask, one
// in a peer namespace across a veth (sc-mdnsb, 169.254.7.2 and fd98::2),
// found by multicast DNS.
func TestMDNSGetent(t *testing.T) {
	e := &nssEnv{env: setup(t), hostname: "sc-mdnsa"}
	testenv.RequireProgram(t, "unshare", "util-linux")
	testenv.RequireProgram(t, "nsenter", "util-linux")
	e.libdir = nssModules(t, "libnss-mdns", "avahi-daemon", "libavahi-core7", "libdaemon0")
	peer := testenv.NewNetNS(t)
	testenv.Veth(t, e.ns, peer, []string{"169.254.7.1/16", "fd98::1/64"}, []string{"169.254.7.2/16", "fd98::2/64"})
	peerEtc := filepath.Join("/etc/netns", peer.Name)
	if err := os.MkdirAll(peerEtc, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(peerEtc) })
	e.write(t, "hosts", "10.53.9.9 filehost.test filehost\n169.254.7.9 linklocal.test\n")
	e.write(t, "nsswitch.conf", "hosts: files dns\n")
	startAvahi(t, peer, peerEtc, "sc-mdnsb", "veth1")
	e.mntPID = startAvahi(t, e.ns, e.etc, "sc-mdnsa", "veth0")
	// The peer's name answers once its announcement reached the daemon.
	for deadline := time.Now().Add(30 * time.Second); ; {
		if ans := avahiAsk(t, e.mntPID, "RESOLVE-HOSTNAME-IPV6 sc-mdnsb.local"); strings.HasPrefix(ans, "+") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("avahi-daemon sc-mdnsa never resolved sc-mdnsb.local: %q", ans)
		}
	}

	names := []string{"sc-mdnsb.local", "SC-MDNSA.local.", "a.sc-mdnsb.local", "filehost", "www.test"}
	addrs := []string{"169.254.7.2", "169.254.7.1", "fd98::2", "169.254.7.9", "10.53.1.10"}
	for i, line := range []string{
		"hosts: files mdns4_minimal [NOTFOUND=return] dns", // Ubuntu, Debian with libnss-mdns
		"hosts: files mdns_minimal [NOTFOUND=return] dns",
		"hosts: mdns6_minimal [UNAVAIL=return] files dns",
		"hosts: files mdns4 mdns6 [NOTFOUND=return] dns",
		"hosts: mdns [NOTFOUND=return] files",
	} {
		t.Run(line, func(t *testing.T) {
			e.write(t, "nsswitch.conf", line+"\n")
			n := names
			if i == 0 {
				// avahi-daemon takes 5 s to give up on a name: once.
				n = append(n, "nobody.local")
			}
			e.compare(t, n, addrs)
		})
	}
	// A DNS server with an SOA record for "local" (a second dnsmasq, on
	// 10.53.0.2): nss-mdns does not ask avahi-daemon then (UNAVAIL, and
	// the next source answers).
	dnsmasq := testenv.RequireProgram(t, "dnsmasq", "dnsmasq-base")
	soa := e.ns.Command(dnsmasq, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
		"--listen-address=10.53.0.2", "--bind-interfaces", "--port=53", "--user=root", "--pid-file=", "--log-facility=-",
		// local. SOA ns.local. h.local. 1 3600 600 604800 60
		"--dns-rr=local,6,026e73056c6f63616c00"+"0168056c6f63616c00"+"00000001"+"00000e10"+"00000258"+"00093a80"+"0000003c",
		"--host-record=sc-mdnsb.local,10.53.5.5")
	if err := soa.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { soa.Process.Kill(); soa.Wait() })
	e.write(t, "resolv.conf", "nameserver 10.53.0.2\noptions timeout:1 attempts:1\n")
	e.write(t, "nsswitch.conf", "hosts: dns\n")
	for deadline := time.Now().Add(10 * time.Second); ; {
		if out, _ := e.runUTS(t, "getent", "ahostsv4", "sc-mdnsb.local"); strings.HasPrefix(out, "10.53.5.5 ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the dnsmasq with an SOA for local does not answer")
		}
	}
	t.Run("local SOA", func(t *testing.T) {
		e.write(t, "nsswitch.conf", "hosts: files mdns4_minimal [NOTFOUND=return] dns\n")
		e.compare(t, []string{"sc-mdnsb.local", "nobody.local"}, []string{"169.254.7.2"})
		if out, code := e.runUTS(t, "getent", "ahostsv4", "sc-mdnsb.local"); code != 0 || !strings.HasPrefix(out, "10.53.5.5 ") {
			t.Errorf("getent ahostsv4 sc-mdnsb.local with an SOA for local: exit %d, want DNS's 10.53.5.5:\n%s", code, out)
		}
	})
	e.write(t, "resolv.conf", "nameserver 10.53.0.1\nsearch test\noptions timeout:2 attempts:2\n")

	// Proof that glibc did load libnss_mdns and asked avahi-daemon.
	e.write(t, "nsswitch.conf", "hosts: mdns4_minimal\n")
	if out, code := e.runUTS(t, "getent", "ahostsv4", "sc-mdnsb.local"); code != 0 || !strings.HasPrefix(out, "169.254.7.2 ") {
		t.Fatalf("getent ahostsv4 sc-mdnsb.local on \"hosts: mdns4_minimal\": exit %d:\n%s", code, out)
	}
	out, code := e.runUTS(t, e.resolve, "addrinfo", "--explain", "sc-mdnsb.local")
	for _, want := range []string{";; mdns4_minimal (avahi-daemon @/run/avahi-daemon/socket): sc-mdnsb.local found, 1 answers on ",
		";; answered by mdns4_minimal: avahi-daemon @/run/avahi-daemon/socket, name sc-mdnsb.local"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("resolve addrinfo --explain sc-mdnsb.local: exit %d, lacks %q:\n%s", code, want, out)
		}
	}
}
