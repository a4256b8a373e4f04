package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `# run 2026-12-07 on a test machine
sniff,default ring,sniff,CPU s per million packets,1.0,s
sniff,default ring,tcpdump,CPU s per million packets,3.0,s
sniff,default ring,sniff,CPU s per million packets,2.0,s
sniff,default ring,sniff,CPU s per million packets,9.0,s
sniff,"ring, 2 MiB",tcpdump,CPU s per million packets,4,s
resolve,names=1000,resolve,batch time,0.5,s
resolve,names=10,resolve,batch time,0.01,s
resolve,names=100000,python3,batch time,30,s
resolve,names=10,python3,batch time,0.02,s
`

func TestChartsMediansAndCurves(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.notes) != 1 || res.notes[0] != "run 2026-12-07 on a test machine" {
		t.Errorf("notes %q", res.notes)
	}
	cs := res.charts()
	if len(cs) != 2 {
		t.Fatalf("%d charts, want 2", len(cs))
	}
	s := cs[0]
	if s.curve != "" || len(s.rows) != 2 || len(s.peers) != 2 || s.unit != "s" {
		t.Fatalf("sniff chart %+v", s)
	}
	if s.v[0][0] != 2 || s.n[0][0] != 3 || s.v[0][1] != 3 || s.rows[1] != "ring, 2 MiB" || !math.IsNaN(s.v[1][0]) {
		t.Errorf("sniff values %v n %v", s.v, s.n)
	}
	r := cs[1]
	if r.curve != "names" || strings.Join(r.rows, " ") != "names=10 names=1000 names=100000" || r.x[2] != 100000 {
		t.Errorf("resolve curve %q rows %q x %v", r.curve, r.rows, r.x)
	}
	if r.v[0][0] != 0.01 || r.v[0][1] != 0.02 || !math.IsNaN(r.v[1][1]) {
		t.Errorf("resolve values %v", r.v)
	}
	if r.file("svg") != "resolve-batch-time.svg" {
		t.Errorf("file name %q", r.file("svg"))
	}
}

func TestNotACurve(t *testing.T) {
	res, err := parse(strings.NewReader("b,conns=1,x,m,1,s\nb,size=2,x,m,2,s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c := res.charts()[0]; c.curve != "" {
		t.Errorf("two keys made a curve %q", c.curve)
	}
}

func TestBadInput(t *testing.T) {
	for name, in := range map[string]string{
		"five fields":  "a,b,c,d,1\n",
		"not a number": "a,b,c,d,fast,s\n",
		"two units":    "a,b,c,d,1,s\na,e,c,d,1,ms\n",
	} {
		if _, err := parse(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(empty, []byte("# nothing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(empty, filepath.Join(dir, "r.html"), "", "svg"); err == nil || !strings.Contains(err.Error(), "no results") {
		t.Errorf("empty results: %v", err)
	}
	if err := run(empty, filepath.Join(dir, "r.html"), dir, "gif"); err == nil || !strings.Contains(err.Error(), "want svg or png") {
		t.Errorf("-format gif: %v", err)
	}
	if err := run(filepath.Join(dir, "missing.csv"), filepath.Join(dir, "r.html"), "", "svg"); err == nil {
		t.Error("missing results file: no error")
	}
}

func TestWritesReport(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "results.csv")
	if err := os.WriteFile(in, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	page, svgs := filepath.Join(dir, "report.html"), filepath.Join(dir, "svg")
	if err := run(in, page, svgs, "svg"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	h := string(b)
	if strings.Count(h, "<svg") != 2 || strings.Contains(h, "<?xml") || !strings.Contains(h, "ring, 2 MiB") || !strings.Contains(h, "test machine") {
		t.Errorf("report is not two inline charts with their tables:\n%.2000s", h)
	}
	for _, f := range []string{"sniff-cpu-s-per-million-packets.svg", "resolve-batch-time.svg"} {
		b, err := os.ReadFile(filepath.Join(svgs, f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "<svg") {
			t.Errorf("%s is not SVG", f)
		}
	}
}
