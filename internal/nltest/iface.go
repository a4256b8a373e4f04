package nltest

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/testenv"
)

// ifaceView is what `resolve iface --json` and `ip -d -j addr` both say
// about an interface.
type ifaceView struct {
	Index    int
	Name     string
	Kind     string
	LinkType string
	Flags    []string
	State    string
	MTU      int
	MAC      string
	Addrs    []addrView
}

type addrView struct {
	Family    string
	Local     string
	PrefixLen int
	Scope     string
}

// IfaceAgainstIP: in a namespace holding lo, one end of a veth pair and a
// software interface with IPv4 and IPv6 addresses, `resolve iface --json`
// (NETLINK_ROUTE through sockcore) says what `ip -d -j addr` says, and
// `iface NAME` / `iface INDEX` still answer. The software interface is the
// first of kinds (ip link type) the kernel can create. Root.
func IfaceAgainstIP(t *testing.T, kinds ...string) {
	resolve := testenv.Bin(t, "resolve")
	a, b := testenv.NewNetNS(t), testenv.NewNetNS(t)
	testenv.Veth(t, a, b, []string{"10.9.0.1/24", "fd09::1/64"}, []string{"10.9.0.2/24"})
	kind := ""
	for _, k := range kinds {
		if out, err := a.Command("ip", "link", "add", "dum0", "mtu", "1400", "type", k).CombinedOutput(); err != nil {
			t.Logf("ip link add type %s: %v: %s", k, err, out)
			continue
		}
		kind = k
		break
	}
	if kind == "" {
		t.Fatalf("the kernel creates none of the interface kinds %v", kinds)
	}
	a.MustIP(t, "addr", "add", "192.0.2.7/28", "dev", "dum0")
	a.MustIP(t, "addr", "add", "2001:db8::7/48", "dev", "dum0")
	a.MustIP(t, "link", "set", "dum0", "up")

	out, err := a.Command("ip", "-d", "-j", "addr").Output()
	if err != nil {
		t.Fatalf("ip -d -j addr: %v", err)
	}
	var ipl []struct {
		IfIndex   int      `json:"ifindex"`
		IfName    string   `json:"ifname"`
		Flags     []string `json:"flags"`
		MTU       int      `json:"mtu"`
		OperState string   `json:"operstate"`
		LinkType  string   `json:"link_type"`
		Address   string   `json:"address"`
		LinkInfo  struct {
			InfoKind string `json:"info_kind"`
		} `json:"linkinfo"`
		AddrInfo []struct {
			Family    string `json:"family"`
			Local     string `json:"local"`
			PrefixLen int    `json:"prefixlen"`
			Scope     string `json:"scope"`
		} `json:"addr_info"`
	}
	if err := json.Unmarshal(out, &ipl); err != nil {
		t.Fatalf("ip -d -j addr: %v\n%s", err, out)
	}
	var want []ifaceView
	for _, l := range ipl {
		v := ifaceView{Index: l.IfIndex, Name: l.IfName, Kind: l.LinkInfo.InfoKind, LinkType: l.LinkType,
			Flags: l.Flags, State: l.OperState, MTU: l.MTU, MAC: l.Address, Addrs: []addrView{}}
		if v.Kind == "" && l.LinkType == "loopback" {
			v.Kind = "loopback"
		}
		for _, x := range l.AddrInfo {
			v.Addrs = append(v.Addrs, addrView(x))
		}
		want = append(want, v)
	}

	out, err = a.Command(resolve, "iface", "--json").Output()
	if err != nil {
		t.Fatalf("resolve iface --json: %v", err)
	}
	var got struct {
		OK      bool `json:"ok"`
		Results []struct {
			Index    int      `json:"index"`
			Name     string   `json:"name"`
			Kind     string   `json:"kind"`
			LinkType string   `json:"link_type"`
			Flags    []string `json:"flags"`
			State    string   `json:"state"`
			MTU      int      `json:"mtu"`
			MAC      string   `json:"mac"`
			Addrs    []struct {
				Family    string `json:"family"`
				Local     string `json:"local"`
				PrefixLen int    `json:"prefixlen"`
				Scope     string `json:"scope"`
			} `json:"addrs"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("resolve iface --json: %v\n%s", err, out)
	}
	var have []ifaceView
	for _, r := range got.Results {
		v := ifaceView{Index: r.Index, Name: r.Name, Kind: r.Kind, LinkType: r.LinkType, Flags: r.Flags,
			State: r.State, MTU: r.MTU, MAC: r.MAC, Addrs: []addrView{}}
		for _, x := range r.Addrs {
			v.Addrs = append(v.Addrs, addrView(x))
		}
		have = append(have, v)
	}
	if d := cmp.Diff(want, have); d != "" {
		t.Errorf("resolve iface --json against ip -d -j addr (-want +got):\n%s", d)
	}
	byName := map[string]string{}
	for _, v := range have {
		byName[v.Name] = v.Kind
	}
	if d := cmp.Diff(map[string]string{"lo": "loopback", "veth0": "veth", "dum0": kind}, byName); d != "" {
		t.Errorf("byName (-want +got):\n%s", d)
	}

	for _, tc := range []struct{ arg, want string }{{"lo", "1\n"}, {"1", "lo\n"}} {
		out, err := a.Command(resolve, "iface", tc.arg).Output()
		if err != nil || string(out) != tc.want {
			t.Errorf("resolve iface %s = %q, %v; want %q", tc.arg, out, err, tc.want)
		}
	}
	out, err = a.Command(resolve, "iface").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("resolve iface:\n%s", out)
}
