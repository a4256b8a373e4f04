package resolve_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sockcore/sockcore/internal/testenv"
)

// nssModules fetches and extracts Debian's NSS module packages into
// .cache/nss (scripts/nss-modules.sh, never installed) and returns the
// directories glibc is to load them from: an LD_LIBRARY_PATH.
func nssModules(t *testing.T, pkgs ...string) string {
	t.Helper()
	testenv.RequireProgram(t, "apt-get", "apt")
	testenv.RequireProgram(t, "dpkg-deb", "dpkg")
	script, err := filepath.Abs("../../scripts/nss-modules.sh")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(script, pkgs...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		testenv.Skip(t, "scripts/nss-modules.sh "+strings.Join(pkgs, " ")+": "+err.Error()+": "+string(stderr)+" (needs the Debian mirror; run make deps)")
	}
	dir := strings.TrimSpace(string(out))
	for _, p := range pkgs {
		if !strings.HasPrefix(p, "libnss-") {
			continue
		}
		lib := "libnss_" + strings.TrimPrefix(p, "libnss-") + ".so.2"
		found := false
		for _, d := range filepath.SplitList(dir) {
			if _, err := os.Stat(filepath.Join(d, lib)); err == nil {
				found = true
			}
		}
		if !found {
			t.Fatalf("%s: no %s in %s", p, lib, dir)
		}
	}
	return dir
}

// nssEnv is the namespace of setup with a veth to a peer namespace that
// holds the default gateways, a host name of its own (a UTS namespace per
// command), and glibc loading the extracted NSS modules.
type nssEnv struct {
	*env
	hostname, libdir string
	mntPID           int // when set: commands run in this process's mount namespace
	peer             *testenv.NetNS
}

func setupNSS(t *testing.T, pkgs ...string) *nssEnv {
	e := setup(t)
	testenv.RequireProgram(t, "unshare", "util-linux")
	peer := testenv.NewNetNS(t)
	testenv.Veth(t, e.ns, peer,
		[]string{"10.99.0.1/24", "10.99.1.1/24", "2001:db8:99::1/64"},
		[]string{"10.99.0.254/24", "2001:db8:99::fe/64"})
	e.ns.MustIP(t, "route", "add", "default", "via", "10.99.0.254", "dev", "veth0")
	e.ns.MustIP(t, "-6", "route", "add", "default", "via", "2001:db8:99::fe", "dev", "veth0")
	// Neither the host name nor localhost: myhostname answers them.
	e.write(t, "hosts", "10.53.9.9 filehost.test filehost\n")
	return &nssEnv{env: e, hostname: "sc-myh", libdir: nssModules(t, pkgs...), peer: peer}
}

// runUTS runs a program in the namespace under the test's host name.
func (e *nssEnv) runUTS(t *testing.T, name string, args ...string) (string, int) {
	t.Helper()
	args = append([]string{"LD_LIBRARY_PATH=" + e.libdir, "unshare", "--uts", "sh", "-c", `hostname "$0" && exec "$@"`, e.hostname, name}, args...)
	if e.mntPID == 0 {
		return e.run(t, "", "env", args...)
	}
	cmd := exec.Command("nsenter", append([]string{"--mount=/proc/" + strconv.Itoa(e.mntPID) + "/ns/mnt", "--net=/run/netns/" + e.ns.Name, "env"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("nsenter %s %v: %v: %s", name, args, err, stderr.Bytes())
	}
	return string(out), code
}

// compare checks resolve --format getent against getent for each name
// (ahosts, ahostsv4, ahostsv6, hosts) and each address (hosts).
func (e *nssEnv) compare(t *testing.T, names, addrs []string) {
	t.Helper()
	run := func(prog string, args ...string) (string, int) { return e.runUTS(t, prog, args...) }
	compareGetent(t, run, e.resolve, names, addrs, nil)
}

// TestMyhostnameGetent compares resolve with glibc loading Debian's
// libnss_myhostname.so.2 and libnss_resolve.so.2 (systemd 252) on the
// nsswitch.conf lines of the distributions, systemd-resolved not running
// (nss-resolve is UNAVAIL); libnss_mdns*.so.2 loaded without avahi-daemon
// (nss-mdns and resolve's mdns sources are UNAVAIL for every name then);
// mymachines: a module that is not there (glibc skips it, so does
// resolve).
func TestMyhostnameGetent(t *testing.T) {
	e := setupNSS(t, "libnss-myhostname", "libnss-resolve", "libnss-mdns")
	_, err := os.Stat("/run/avahi-daemon/socket")
	avahi := err == nil
	if _, err := os.Stat("/run/systemd/resolve/io.systemd.Resolve"); err == nil {
		t.Log("systemd-resolved runs on this machine: the resolve source answers through it")
	}
	names := []string{"sc-myh", "sc-myh.", "SC-MYH", "sc-myh.test", "_gateway", "_GATEWAY.", "_outbound", "foo.localhost",
		"a.b.localhost.", "localhost", "localhost.localdomain", "LocalHost", "www.test", "filehost", "nobody.test"}
	addrs := []string{"127.0.0.2", "127.0.0.1", "::1", "10.99.0.1", "10.99.1.1", "2001:db8:99::1", "10.53.0.1", "fd53::1",
		"10.99.0.254", "2001:db8:99::fe", "10.53.1.10", "10.53.7.7", "10.53.8.8", "127.0.0.3"}
	// Every name on the first line, a few where the order of sources
	// matters on the others.
	fewNames := []string{"sc-myh", "_gateway", "foo.localhost", "www.test", "nobody.test", "box.local", "filehost"}
	fewAddrs := []string{"127.0.0.2", "::1", "10.99.0.1", "10.99.0.254", "10.53.1.10", "10.53.8.8"}
	lines := []string{
		"hosts: files myhostname dns",
		"hosts: myhostname files dns",
		"hosts: files myhostname resolve [!UNAVAIL=return] dns",            // Fedora
		"hosts: files mymachines myhostname resolve [!UNAVAIL=return] dns", // Arch
		"hosts: files resolve [!UNAVAIL=return] myhostname dns",
		"hosts: files myhostname [NOTFOUND=return] dns",
		"hosts: dns myhostname",
	}
	if avahi {
		t.Log("avahi-daemon runs on this machine: mdns lines left out (TestMDNSGetent compares them with avahi-daemons of its own)")
	} else {
		lines = append(lines,
			"hosts: files mdns4_minimal [NOTFOUND=return] dns", // Ubuntu, Debian with libnss-mdns
			"hosts: files mdns_minimal [NOTFOUND=return] myhostname mdns4 mdns6 [UNAVAIL=return] dns")
	}
	for i, line := range lines {
		t.Run(line, func(t *testing.T) {
			e.write(t, "nsswitch.conf", line+"\n")
			if i == 0 {
				e.compare(t, names, addrs)
			} else if strings.Contains(line, "mymachines") {
				out, code := e.runUTS(t, e.resolve, "addrinfo", "--explain", "sc-myh")
				for _, want := range []string{";; nsswitch source mymachines: not implemented",
					";; myhostname (local host name, localhost, _gateway, _outbound from netlink): sc-myh found", ";; answered by myhostname"} {
					if code != 0 || !strings.Contains(out, want) {
						t.Errorf("resolve addrinfo --explain sc-myh: exit %d, lacks %q:\n%s", code, want, out)
					}
				}
			}
			if i > 0 {
				e.compare(t, fewNames, fewAddrs)
			}
		})
	}
}

// TestMyhostnameNoAddresses: a namespace whose only addresses are on lo
// (host scope, which myhostname leaves out), without default routes: the
// host name is 127.0.0.2 and ::1, _gateway and _outbound are unknown.
func TestMyhostnameNoAddresses(t *testing.T) {
	testenv.RequireRoot(t)
	testenv.RequireProgram(t, "getent", "libc-bin")
	testenv.RequireProgram(t, "unshare", "util-linux")
	e := &nssEnv{env: &env{ns: testenv.NewNetNS(t), resolve: testenv.Bin(t, "resolve")}, hostname: "lonely.example"}
	e.etc = filepath.Join("/etc/netns", e.ns.Name)
	if err := os.MkdirAll(e.etc, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(e.etc) })
	e.libdir = nssModules(t, "libnss-myhostname")
	e.write(t, "hosts", "")
	e.write(t, "resolv.conf", "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
	e.write(t, "nsswitch.conf", "hosts: files myhostname [!UNAVAIL=return] dns\n")
	e.compare(t, []string{"lonely.example", "lonely.example.", "_gateway", "_outbound", "x.localhost"},
		[]string{"127.0.0.2", "127.0.0.1", "::1", "10.0.0.1"})
}
