package sockcore

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// fakeResolved serves io.systemd.Resolve on a UNIX socket: each
// connection gets one call, answered with reply(method, parameters).
func fakeResolved(t *testing.T, reply func(method string, params map[string]any) string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "io.systemd.Resolve")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var buf []byte
				b := make([]byte, 512)
				for !bytes.Contains(buf, []byte{0}) {
					n, err := c.Read(b)
					if err != nil {
						return
					}
					buf = append(buf, b[:n]...)
				}
				var m struct {
					Method     string         `json:"method"`
					Parameters map[string]any `json:"parameters"`
				}
				if err := json.Unmarshal(buf[:bytes.IndexByte(buf, 0)], &m); err != nil {
					c.Write([]byte(`{"error":"org.varlink.service.InvalidParameter","parameters":{}}` + "\x00"))
					return
				}
				c.Write([]byte(reply(m.Method, m.Parameters) + "\x00"))
			}()
		}
	}()
	return path
}

func TestResolvedSource(t *testing.T) {
	var (
		mu    sync.Mutex
		calls []string
	)
	path := fakeResolved(t, func(method string, p map[string]any) string {
		in, _ := json.Marshal(p)
		mu.Lock()
		calls = append(calls, method+" "+string(in))
		mu.Unlock()
		switch {
		case method == "io.systemd.Resolve.ResolveHostname" && p["name"] == "www.example":
			return `{"parameters":{"addresses":[{"ifindex":2,"family":2,"address":[192,0,2,1]},` +
				`{"ifindex":2,"family":10,"address":[254,128,0,0,0,0,0,0,0,0,0,0,0,0,0,1]},` +
				`{"ifindex":3,"family":10,"address":[32,1,13,184,0,0,0,0,0,0,0,0,0,0,0,1]}],"name":"canon.example","flags":1}}`
		case method == "io.systemd.Resolve.ResolveHostname" && p["name"] == "down.example":
			return `{"error":"io.systemd.Resolve.NetworkDown","parameters":{}}`
		case method == "io.systemd.Resolve.ResolveHostname" && p["name"] == "gone.example":
			return `{"error":"org.varlink.service.MethodNotFound","parameters":{}}`
		case method == "io.systemd.Resolve.ResolveHostname" && p["name"] == "bad.example":
			return `{"parameters":{"addresses":[{"family":2,"address":[1,2,3]}]}}`
		case method == "io.systemd.Resolve.ResolveAddress":
			if slices.Equal(p["address"].([]any), []any{192.0, 0.0, 2.0, 1.0}) {
				return `{"parameters":{"names":[{"ifindex":2,"name":"one.example"},{"ifindex":2,"name":"two.example"}],"flags":2}}`
			}
		}
		return `{"error":"io.systemd.Resolve.DNSError","parameters":{"rcode":3}}`
	})
	var events []TraceEvent
	nss := filepath.Join(t.TempDir(), "nsswitch.conf")
	if err := os.WriteFile(nss, []byte("hosts: resolve\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &Resolver{ResolvedSocket: path, NSSwitchFile: nss, Trace: func(e TraceEvent) { events = append(events, e) }}
	for _, tc := range []struct {
		name   string
		family int
		want   hostAnswer
	}{
		{"www.example", 0, hostAnswer{status: nssSuccess, name: "canon.example", aliases: []string{},
			addrs:  []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("fe80::1"), netip.MustParseAddr("2001:db8::1")},
			scopes: []uint32{0, 2, 0}}},
		{"www.example", unix.AF_INET6, hostAnswer{status: nssSuccess, name: "canon.example", aliases: []string{},
			addrs: []netip.Addr{netip.MustParseAddr("fe80::1"), netip.MustParseAddr("2001:db8::1")}, scopes: []uint32{2, 0}}},
		{"nx.example", 0, hostAnswer{status: nssNotFound, herrno: HOST_NOT_FOUND}},
		{"down.example", 0, hostAnswer{status: nssTryAgain, herrno: TRY_AGAIN}},
		{"gone.example", 0, hostAnswer{status: nssUnavail, herrno: NO_RECOVERY}},
		{"bad.example", 0, hostAnswer{status: nssUnavail, herrno: NO_RECOVERY}},
	} {
		got := r.resolvedByName(tc.name, tc.family)
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(hostAnswer{}), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
			t.Errorf("%s family %d (-want +got):\n%s", tc.name, tc.family, diff)
		}
	}
	mu.Lock()
	gotCalls := slices.Clone(calls)
	mu.Unlock()
	if want := `io.systemd.Resolve.ResolveHostname {"flags":0,"name":"www.example"}`; gotCalls[0] != want {
		t.Errorf("first call %s, want %s", gotCalls[0], want)
	}
	if want := `io.systemd.Resolve.ResolveHostname {"family":10,"flags":0,"name":"www.example"}`; gotCalls[1] != want {
		t.Errorf("second call %s, want %s", gotCalls[1], want)
	}
	if e := events[0]; e.Kind != "resolve" || !e.Found || e.Type != "dns" || e.Link != 2 || e.Answers != 3 || e.Server != path {
		t.Errorf("trace %+v", e)
	}

	h, err := r.HostByAddr(netip.MustParseAddr("192.0.2.1"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(HostEnt{Name: "one.example", Aliases: []string{"two.example"}, Addrs: []string{"192.0.2.1"}}, h); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestResolvedAbsent: no socket is UNAVAIL, so "[!UNAVAIL=return]" goes
// on to the next source.
func TestResolvedAbsent(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r := &Resolver{
		ResolvedSocket: filepath.Join(dir, "nothing"),
		NSSwitchFile:   write("nsswitch.conf", "hosts: resolve [!UNAVAIL=return] files\n"),
		HostsFile:      write("hosts", "192.0.2.9 fromfiles.example\n"),
	}
	a := r.resolvedByName("x.example", 0)
	if a.status != nssUnavail {
		t.Errorf("status %v, want UNAVAIL", a.status)
	}
	h, err := r.HostByName("fromfiles.example", unix.AF_INET)
	if err != nil || h.Name != "fromfiles.example" {
		t.Errorf("HostByName = %+v, %v; want the hosts file's answer", h, err)
	}
	_, err = r.HostByName("nowhere.example", unix.AF_INET)
	var he *HError
	if !errors.As(err, &he) {
		t.Errorf("HostByName(nowhere.example) = %v, want an HError", err)
	}
}

func TestParseVarlinkReply(t *testing.T) {
	for _, tc := range []struct {
		in      string
		errorID string
		bad     bool
	}{
		{`{"parameters":{"a":1}}`, "", false},
		{`{"error":"io.systemd.Resolve.NoSuchResourceRecord","parameters":{}}`, "io.systemd.Resolve.NoSuchResourceRecord", false},
		{`{"error":"x"}`, "x", false},
		{`{"error":""}`, "", true},
		{`{"parameters":[]}`, "", true},
		{`{}`, "", true},
		{`not json`, "", true},
	} {
		_, id, err := parseVarlinkReply([]byte(tc.in))
		if (err != nil) != tc.bad || id != tc.errorID {
			t.Errorf("%s: id %q err %v, want id %q bad %v", tc.in, id, err, tc.errorID, tc.bad)
		}
	}
}

func FuzzParseResolvedReply(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		params, _, err := parseVarlinkReply(data)
		if err != nil {
			return
		}
		if r, err := parseResolvedHostname(params); err == nil {
			for _, a := range r.Addrs {
				if !a.Addr.IsValid() || a.Addr.Is4In6() && len(a.Addr.AsSlice()) != 16 {
					t.Fatalf("bad address %+v", a)
				}
			}
		}
		parseResolvedAddress(params)
	})
}
