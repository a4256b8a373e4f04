//go:build ignore

// Command vulndb builds a govulncheck database (the layout govulncheck -db
// file://DIR reads: index/db.json, index/modules.json, index/vulns.json,
// ID/<id>.json) from the OSV files of a golang.org/x/vulndb module, which
// the Go module proxy serves: a vulnerability check that needs no other
// network. Usage: go run scripts/vulndb/main.go OSVDIR OUTDIR
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type entry struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases,omitempty"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

type modVuln struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
	Fixed    string `json:"fixed,omitempty"`
}

type module struct {
	Path  string    `json:"path"`
	Vulns []modVuln `json:"vulns"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/vulndb/main.go OSVDIR OUTDIR")
		os.Exit(2)
	}
	in, out := os.Args[1], os.Args[2]
	files, err := filepath.Glob(filepath.Join(in, "*.json"))
	if err != nil || len(files) == 0 {
		fmt.Fprintf(os.Stderr, "vulndb: no OSV files in %s\n", in)
		os.Exit(1)
	}
	for _, d := range []string{"index", "ID"} {
		if err := os.MkdirAll(filepath.Join(out, d), 0o755); err != nil {
			fail(err)
		}
	}
	mods := map[string]*module{}
	var vulns []map[string]any
	newest := ""
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fail(err)
		}
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			fail(fmt.Errorf("%s: %w", f, err))
		}
		if err := os.WriteFile(filepath.Join(out, "ID", e.ID+".json"), b, 0o644); err != nil {
			fail(err)
		}
		newest = max(newest, e.Modified)
		vulns = append(vulns, map[string]any{"id": e.ID, "modified": e.Modified, "aliases": e.Aliases})
		for _, a := range e.Affected {
			fixed := ""
			for _, r := range a.Ranges {
				for _, ev := range r.Events {
					if v := ev["fixed"]; v != "" { // events ascend: the last fix is the newest
						fixed = v
					}
				}
			}
			m := mods[a.Package.Name]
			if m == nil {
				m = &module{Path: a.Package.Name}
				mods[a.Package.Name] = m
			}
			m.Vulns = append(m.Vulns, modVuln{ID: e.ID, Modified: e.Modified, Fixed: fixed})
		}
	}
	var list []*module
	for _, m := range mods {
		list = append(list, m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	write(filepath.Join(out, "index", "modules.json"), list)
	write(filepath.Join(out, "index", "vulns.json"), vulns)
	write(filepath.Join(out, "index", "db.json"), map[string]string{"modified": newest})
	fmt.Printf("vulndb: %d entries, %d modules, modified %s\n", len(files), len(list), strings.TrimSpace(newest))
}

func write(path string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "vulndb:", err)
	os.Exit(1)
}
