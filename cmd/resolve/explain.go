package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// explanation is the --explain report: which source answered and every
// step taken.
type explanation struct {
	Source string                `json:"source"`           // numeric, local, files, dns, myhostname, resolve, mdns*, kernel or none
	File   string                `json:"file,omitempty"`   // the hosts file, when files answered
	Server string                `json:"server,omitempty"` // the DNS server, when DNS answered
	Name   string                `json:"name,omitempty"`   // the name that answered (after search-list expansion)
	TookMS float64               `json:"took_ms"`
	Steps  []sockcore.TraceEvent `json:"steps"`
}

// explain finds the source that answered from the trace: a DNS answer
// with records, else a hosts file that had the name, else a numeric or
// local answer.
func explain(steps []sockcore.TraceEvent, took time.Duration) *explanation {
	e := &explanation{Source: "none", TookMS: ms(took), Steps: steps}
	if e.Steps == nil {
		e.Steps = []sockcore.TraceEvent{}
	}
	for _, s := range steps {
		switch {
		case s.Kind == "dns" && s.RCode == "Success" && s.Answers > 0:
			e.Source, e.Server, e.Name, e.File = "dns", s.Server, s.Name, ""
		case s.Kind == "files" && s.Found && e.Source != "dns":
			e.Source, e.File, e.Name = "files", s.File, s.Name
		case s.Kind == "resolve" && s.Found && e.Source == "none":
			e.Source, e.Name, e.Server = s.Kind, s.Name, s.Server
		case s.Kind == "mdns" && s.Found && e.Source == "none":
			e.Source, e.Name, e.Server = s.Type, s.Name, s.Server
		case s.Kind == "myhostname" && s.Found && e.Source == "none":
			e.Source, e.Name = s.Kind, s.Name
		case (s.Kind == "numeric" || s.Kind == "local") && e.Source == "none":
			e.Source, e.Name = s.Kind, s.Name
		}
	}
	return e
}

// linkName names the link systemd-resolved or avahi-daemon answered
// through: "veth0 (ifindex 3)", or "ifindex 3" alone when no interface has
// that index here (0 for no link, a link gone since, or resolve running in
// another network namespace than the daemon).
func linkName(index int) string {
	if index > 0 {
		if name, err := sockcore.IfIndexToName(index); err == nil {
			return fmt.Sprintf("%s (ifindex %d)", name, index)
		}
	}
	return fmt.Sprintf("ifindex %d", index)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// text is the explanation as ";;" lines after the answer, as dig prints
// its comments.
func (e *explanation) text() string {
	var b strings.Builder
	for _, s := range e.Steps {
		switch s.Kind {
		case "files":
			found := "not found"
			if s.Found {
				found = "found"
			}
			fmt.Fprintf(&b, ";; files %s: %s %s (%.3f ms)\n", s.File, s.Name, found, ms(s.Took))
		case "search":
			fmt.Fprintf(&b, ";; search list: trying %s\n", s.Name)
		case "dns":
			if s.Err != "" {
				fmt.Fprintf(&b, ";; dns %s %s @%s: %s (%.3f ms)\n", s.Name, s.Type, s.Server, s.Err, ms(s.Took))
			} else {
				plural := "s"
				if s.Answers == 1 {
					plural = ""
				}
				fmt.Fprintf(&b, ";; dns %s %s @%s: %s, %d answer%s (%.3f ms)\n", s.Name, s.Type, s.Server, s.RCode, s.Answers, plural, ms(s.Took))
			}
		case "myhostname":
			found := "not found"
			if s.Found {
				found = "found"
			}
			fmt.Fprintf(&b, ";; myhostname (local host name, localhost, _gateway, _outbound from netlink): %s %s (%.3f ms)\n", s.Name, found, ms(s.Took))
		case "resolve":
			switch {
			case s.Err != "":
				fmt.Fprintf(&b, ";; resolve (systemd-resolved @%s): %s: %s (%.3f ms)\n", s.Server, s.Name, s.Err, ms(s.Took))
			case s.Found:
				fmt.Fprintf(&b, ";; resolve (systemd-resolved @%s): %s found, %d answers via %s on %s (%.3f ms)\n", s.Server, s.Name, s.Answers, s.Type, linkName(s.Link), ms(s.Took))
			default:
				fmt.Fprintf(&b, ";; resolve (systemd-resolved @%s): %s not found (%.3f ms)\n", s.Server, s.Name, ms(s.Took))
			}
		case "mdns":
			switch {
			case s.Err != "":
				fmt.Fprintf(&b, ";; %s (avahi-daemon @%s): %s: %s: unavailable, as nss-mdns answers (%.3f ms)\n", s.Type, s.Server, s.Name, s.Err, ms(s.Took))
			case s.Found:
				fmt.Fprintf(&b, ";; %s (avahi-daemon @%s): %s found, %d answers on %s (%.3f ms)\n", s.Type, s.Server, s.Name, s.Answers, linkName(s.Link), ms(s.Took))
			default:
				fmt.Fprintf(&b, ";; %s (avahi-daemon @%s): %s not found (%.3f ms)\n", s.Type, s.Server, s.Name, ms(s.Took))
			}
		case "skip":
			fmt.Fprintf(&b, ";; nsswitch source %s: not implemented, skipped as glibc skips a module it cannot load; getent may answer differently where that module is installed\n", s.Name)
		case "numeric":
			fmt.Fprintf(&b, ";; %s is a numeric address: no lookup\n", s.Name)
		case "local":
			fmt.Fprintf(&b, ";; no host: the loopback or wildcard addresses\n")
		}
	}
	switch e.Source {
	case "dns":
		fmt.Fprintf(&b, ";; answered by dns: server %s, name %s, in %.3f ms\n", e.Server, e.Name, e.TookMS)
	case "resolve":
		fmt.Fprintf(&b, ";; answered by resolve: systemd-resolved @%s, name %s, in %.3f ms\n", e.Server, e.Name, e.TookMS)
	case "mdns", "mdns4", "mdns6", "mdns_minimal", "mdns4_minimal", "mdns6_minimal":
		fmt.Fprintf(&b, ";; answered by %s: avahi-daemon @%s, name %s, in %.3f ms\n", e.Source, e.Server, e.Name, e.TookMS)
	case "files":
		fmt.Fprintf(&b, ";; answered by files: %s, in %.3f ms\n", e.File, e.TookMS)
	case "none":
		fmt.Fprintf(&b, ";; no source answered (%.3f ms)\n", e.TookMS)
	default:
		fmt.Fprintf(&b, ";; answered by %s in %.3f ms\n", e.Source, e.TookMS)
	}
	return b.String()
}
