package main

import (
	"strings"
	"testing"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

func TestExplainSources(t *testing.T) {
	steps := []sockcore.TraceEvent{
		{Kind: "files", Name: "box", File: "/etc/hosts"},
		{Kind: "skip", Name: "mymachines"},
		{Kind: "myhostname", Name: "box", Found: true},
		{Kind: "skip", Name: "sss"},
	}
	e := explain(steps, 0)
	if e.Source != "myhostname" || e.Name != "box" {
		t.Errorf("source %q name %q, want myhostname box", e.Source, e.Name)
	}
	text := e.text()
	for _, want := range []string{
		";; myhostname (local host name, localhost, _gateway, _outbound from netlink): box found (",
		";; nsswitch source mymachines: not implemented, skipped as glibc skips a module it cannot load; getent may answer differently where that module is installed\n",
		";; nsswitch source sss: not implemented",
		";; answered by myhostname in ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("explanation lacks %q:\n%s", want, text)
		}
	}
}

// TestExplainResolvedLink names the link of a systemd-resolved answer when
// an interface has its index (1 is lo in every network namespace), and
// keeps the bare index when none has.
func TestExplainResolvedLink(t *testing.T) {
	lo, err := sockcore.IfIndexToName(1)
	if err != nil {
		t.Fatalf("IfIndexToName(1): %v", err)
	}
	for _, c := range []struct {
		link int
		typ  string
		want string
	}{
		{1, "dns", " answers via dns on " + lo + " (ifindex 1) ("},
		{1 << 30, "llmnr-ipv4", " answers via llmnr-ipv4 on ifindex 1073741824 ("},
		{0, "dns", " answers via dns on ifindex 0 ("},
	} {
		steps := []sockcore.TraceEvent{{Kind: "resolve", Name: "www.test", Server: "/run/systemd/resolve/io.systemd.Resolve", Found: true, Answers: 2, Type: c.typ, Link: c.link}}
		if text := explain(steps, 0).text(); !strings.Contains(text, ";; resolve (systemd-resolved @/run/systemd/resolve/io.systemd.Resolve): www.test found, 2"+c.want) {
			t.Errorf("link %d: explanation lacks %q:\n%s", c.link, c.want, text)
		}
	}
}

// TestExplainMDNSLink names the link of an avahi-daemon answer as the
// systemd-resolved line does.
func TestExplainMDNSLink(t *testing.T) {
	lo, err := sockcore.IfIndexToName(1)
	if err != nil {
		t.Fatalf("IfIndexToName(1): %v", err)
	}
	for _, c := range []struct {
		link int
		want string
	}{
		{1, " answers on " + lo + " (ifindex 1) ("},
		{1 << 30, " answers on ifindex 1073741824 ("},
	} {
		steps := []sockcore.TraceEvent{{Kind: "mdns", Type: "mdns4_minimal", Name: "h.local", Server: "/run/avahi-daemon/socket", Found: true, Answers: 1, Link: c.link}}
		if text := explain(steps, 0).text(); !strings.Contains(text, ";; mdns4_minimal (avahi-daemon @/run/avahi-daemon/socket): h.local found, 1"+c.want) {
			t.Errorf("link %d: explanation lacks %q:\n%s", c.link, c.want, text)
		}
	}
}
