package cli

import (
	"regexp"
	"strings"
)

// mdToRoff renders the Markdown of a manual in docs/ as man(7) body text:
// headings become .SS, paragraphs .PP, fenced code blocks no-fill displays,
// "- " and "1. " lists .IP items, tables one .TP per row (the first cell
// the tag, the other cells "HEADER: cell"), `code` and **strong** bold,
// *emphasis* italic, [text](link) the text. It handles the Markdown the
// manuals use, not all of CommonMark.
func mdToRoff(md string) string {
	var b strings.Builder
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); {
		l := lines[i]
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			i++
		case strings.HasPrefix(t, "<!--"):
			for i < len(lines) && !strings.Contains(lines[i], "-->") {
				i++
			}
			i++
		case strings.HasPrefix(t, "```"):
			b.WriteString(".PP\n.RS 4\n.nf\n")
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```"); i++ {
				roffLiteral(&b, lines[i])
			}
			b.WriteString(".fi\n.RE\n")
			i++
		case headingRE.MatchString(l):
			b.WriteString(".SS " + quoteArg(inlineRoff(headingRE.FindStringSubmatch(l)[2])) + "\n")
			i++
		case strings.HasPrefix(t, "|"):
			var rows [][]string
			for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
				cells := tableCells(lines[i])
				if isRule(cells) {
					continue
				}
				rows = append(rows, cells)
			}
			roffTable(&b, rows)
		case listRE.MatchString(l):
			for i < len(lines) && listRE.MatchString(lines[i]) {
				m := listRE.FindStringSubmatch(lines[i])
				tag, width := `\(bu`, "2"
				if m[2] != "-" && m[2] != "*" {
					tag, width = m[2], "4"
				}
				item := []string{m[3]}
				for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "" && !listRE.MatchString(lines[i]) &&
					(strings.HasPrefix(lines[i], " ") || strings.HasPrefix(lines[i], "\t")); i++ {
					item = append(item, strings.TrimSpace(lines[i]))
				}
				b.WriteString(".IP " + tag + " " + width + "\n")
				roffLines(&b, item)
				// A blank line between items of one list does not end it.
				if i+1 < len(lines) && strings.TrimSpace(lines[i]) == "" && listRE.MatchString(lines[i+1]) {
					i++
				}
			}
			b.WriteString(".PP\n")
		default:
			var para []string
			for ; i < len(lines); i++ {
				s := lines[i]
				st := strings.TrimSpace(s)
				if st == "" || strings.HasPrefix(st, "```") || headingRE.MatchString(s) || strings.HasPrefix(st, "|") ||
					(listRE.MatchString(s) && len(para) > 0 && !strings.HasPrefix(s, " ")) {
					break
				}
				para = append(para, st)
			}
			b.WriteString(".PP\n")
			roffLines(&b, para)
		}
	}
	return strings.ReplaceAll(b.String(), ".PP\n.PP\n", ".PP\n")
}

var (
	headingRE = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	listRE    = regexp.MustCompile(`^(\s{0,3})([-*]|\d+\.)\s+(.*)$`)
)

// roffLines writes lines of running text: inline markup rendered, and a
// line that would start with a control character protected.
func roffLines(b *strings.Builder, lines []string) {
	text := inlineRoff(strings.Join(lines, "\n"))
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			l = `\&` + l
		}
		b.WriteString(l + "\n")
	}
}

// roffLiteral writes one line of a code block as it is.
func roffLiteral(b *strings.Builder, l string) {
	l = manEscape(strings.ReplaceAll(l, "\t", "        "))
	if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") || l == "" {
		l = `\&` + l
	}
	b.WriteString(l + "\n")
}

var inlineRE = regexp.MustCompile("`+[^`]+?`+|\\*\\*[^*]+\\*\\*|\\[[^\\]]+\\]\\([^)]*\\)|(?:^|\\b|\\s)\\*[^*\\s][^*]*\\*")

// inlineRoff renders `code`, **strong**, *emphasis* and [text](link), and
// escapes everything else.
func inlineRoff(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range inlineRE.FindAllStringIndex(s, -1) {
		tok := s[m[0]:m[1]]
		b.WriteString(manEscape(s[last:m[0]]))
		last = m[1]
		switch {
		case strings.HasPrefix(tok, "`"):
			b.WriteString(`\fB` + manEscape(strings.TrimSpace(strings.Trim(tok, "`"))) + `\fR`)
		case strings.HasPrefix(tok, "**"):
			b.WriteString(`\fB` + inlineRoff(tok[2:len(tok)-2]) + `\fR`)
		case strings.HasPrefix(tok, "["):
			j := strings.Index(tok, "](")
			b.WriteString(inlineRoff(tok[1:j]))
		default: // *emphasis*, with the space or start matched before it
			k := strings.IndexByte(tok, '*')
			b.WriteString(manEscape(tok[:k]) + `\fI` + inlineRoff(tok[k+1:len(tok)-1]) + `\fR`)
		}
	}
	b.WriteString(manEscape(s[last:]))
	return b.String()
}

// tableCells splits a table row on the | outside code spans.
func tableCells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	row = strings.TrimSuffix(row, "|")
	var cells []string
	var cur strings.Builder
	inCode := false
	for i := 0; i < len(row); i++ {
		c := row[i]
		switch {
		case c == '`':
			inCode = !inCode
		case c == '\\' && i+1 < len(row) && row[i+1] == '|':
			cur.WriteByte('|')
			i++
			continue
		case c == '|' && !inCode:
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func isRule(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, ":- ") != "" {
			return false
		}
	}
	return true
}

// roffTable writes a table as tagged paragraphs: the first row names the
// columns, each further row is one .TP with its first cell as the tag.
func roffTable(b *strings.Builder, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	head := rows[0]
	for _, r := range rows[1:] {
		b.WriteString(".TP\n")
		roffLines(b, []string{r[0]})
		var parts []string
		for j := 1; j < len(r); j++ {
			if r[j] == "" {
				continue
			}
			if len(head) > 2 && j < len(head) && head[j] != "" {
				parts = append(parts, head[j]+": "+r[j])
			} else {
				parts = append(parts, r[j])
			}
		}
		if len(parts) > 0 {
			roffLines(b, []string{strings.Join(parts, "; ")})
		}
	}
	b.WriteString(".PP\n")
}

// quoteArg quotes a macro argument with spaces.
func quoteArg(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\(dq`) + `"`
}
