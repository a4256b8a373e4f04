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
