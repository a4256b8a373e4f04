package cli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMdToRoff(t *testing.T) {
	for _, c := range []struct{ name, md, want string }{
		{"paragraph with markup", "A `--flag` and **strong** and *em*,\nsee [the docs](docs/x.md).\n",
			".PP\nA \\fB\\-\\-flag\\fR and \\fBstrong\\fR and \\fIem\\fR,\nsee the docs.\n"},
		{"heading", "### End of stream\n\ntext\n", ".SS \"End of stream\"\n.PP\ntext\n"},
		{"code block keeps lines and protects dots", "```\n$ echod -v\n.hidden\n\n```\n",
			".PP\n.RS 4\n.nf\n$ echod \\-v\n\\&.hidden\n\\&\n.fi\n.RE\n"},
		{"list with continuation", "- one\n  more\n- two\n",
			".IP \\(bu 2\none\nmore\n.IP \\(bu 2\ntwo\n.PP\n"},
		{"numbered list", "1. **End**: x\n2. y\n", ".IP 1. 4\n\\fBEnd\\fR: x\n.IP 2. 4\ny\n.PP\n"},
		{"two-column table", "| code | meaning |\n|---|---|\n| 0 | success |\n| `a|b` | pipe in code |\n",
			".TP\n0\nsuccess\n.TP\n\\fBa|b\\fR\npipe in code\n.PP\n"},
		{"wide table names columns", "| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |\n", ".TP\n1\nb: 2; c: 3\n.PP\n"},
		{"comment dropped", "<!-- note\nmore -->\ntext\n", ".PP\ntext\n"},
		{"line starting with a dot", "x\n.y\n", ".PP\nx\n\\&.y\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, mdToRoff(c.md)); diff != "" {
				t.Errorf("mdToRoff(%q) (-want +got):\n%s", c.md, diff)
			}
		})
	}
}

// FuzzMdToRoff: any input renders, and every control line is one of the
// macros the renderer writes (text can never start a request).
func FuzzMdToRoff(f *testing.F) {
	for _, s := range []string{"# t\n\ntext `code` **b** *i* [l](u)\n", "```\n.x\n```\n", "- a\n  b\n1. c\n", "| a | b |\n|-|-|\n| 1 | 2 |\n", "'quote\n.dot\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		for _, l := range strings.Split(mdToRoff(md), "\n") {
			if !strings.HasPrefix(l, ".") && !strings.HasPrefix(l, "'") {
				continue
			}
			ok := false
			for _, m := range []string{".PP", ".SS ", ".TP", ".IP ", ".RS 4", ".RE", ".nf", ".fi"} {
				if l == m || (strings.HasSuffix(m, " ") && strings.HasPrefix(l, m)) {
					ok = true
				}
			}
			if !ok {
				t.Fatalf("text became a control line: %q", l)
			}
		}
	})
}
