package cli

import (
	"strings"

	"github.com/sockcore/sockcore/docs"
)

// manSections are the man page sections a manual ends with, each a
// "## Title" heading of docs/TOOL.md (Environment, Files, Examples,
// See also).
var manSections = []string{"ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"}

type manualText struct {
	description string            // the Markdown above the first man section, title and comment removed
	sections    map[string]string // man section name -> its Markdown
}

// manual splits docs/NAME.md: its first heading (the title the README
// section had) is dropped, what follows up to "## Environment" is the
// description, and each "## Environment", "## Files", "## Examples",
// "## See also" heading starts the man section of that name. A tool
// without a manual gets empty sections.
func manual(name string) manualText {
	m := manualText{sections: map[string]string{}}
	b, err := docs.FS.ReadFile(name + ".md")
	if err != nil {
		return m
	}
	var cur *strings.Builder
	var desc strings.Builder
	cur = &desc
	fence, titled := false, false
	for _, l := range strings.SplitAfter(string(b), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") {
			fence = !fence
		}
		if !fence && strings.HasPrefix(t, "#") {
			if !titled {
				titled = true
				continue
			}
			if h, ok := strings.CutPrefix(t, "## "); ok {
				if sec := strings.ToUpper(strings.TrimSpace(h)); isManSection(sec) {
					var sb strings.Builder
					cur = &sb
					defer func(sec string, sb *strings.Builder) { m.sections[sec] = sb.String() }(sec, &sb)
					continue
				}
			}
		}
		cur.WriteString(l)
	}
	m.description = desc.String()
	return m
}

func isManSection(s string) bool {
	for _, x := range manSections {
		if x == s {
			return true
		}
	}
	return false
}
