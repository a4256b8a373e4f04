package docs

import "testing"

// TestParse checks the convention on a small document: prompts, output,
// exit codes in their three forms, directives, and blocks that are no
// examples.
func TestParse(t *testing.T) {
	md := "text\n\n" +
		"<!-- example: needs no-can -->\n<!-- example: setup touch f -->\n" +
		"```console\n$ a x   # exit 3\nout a\n$ b &\n$ c\n[exit 2]\n$ d\n$ echo $?\n1\n```\n" +
		"```sh\nmake\n```\n" +
		"<!-- example: skip why -->\n\n```\n# e\n```\n"
	exs := parse(t, "x.md", []byte(md))
	if len(exs) != 2 {
		t.Fatalf("got %d examples, want 2", len(exs))
	}
	a := exs[0]
	if a.line != 5 || len(a.needs) != 1 || a.needs[0] != "no-can" || len(a.setup) != 1 {
		t.Errorf("first example: %+v", a)
	}
	wantExit := []int{3, -1, 2, -1, 0}
	if len(a.cmds) != len(wantExit) {
		t.Fatalf("commands: %+v", a.cmds)
	}
	for i, c := range a.cmds {
		if c.exit != wantExit[i] {
			t.Errorf("command %q: exit %d, want %d", c.text, c.exit, wantExit[i])
		}
	}
	if len(a.want) != 2 || a.want[0].text != "out a" || a.want[1].text != "1" {
		t.Errorf("output: %+v", a.want)
	}
	if exs[1].skip != "why" || exs[1].cmds[0].text != "e" {
		t.Errorf("second example: %+v", exs[1])
	}
}

func TestMatchLine(t *testing.T) {
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"a b", "a b  ", true},
		{"a b", "a c", false},
		{"in … ms", "in 0.218 ms", true},
		{"in … ms", "in 0.218 s", false},
		{"x…y…z", "x1y2z", true},
		{"GET /", "GET /\r", true},
	} {
		if matchLine(c.want, c.got) != c.ok {
			t.Errorf("matchLine(%q, %q) = %v", c.want, c.got, !c.ok)
		}
	}
}
