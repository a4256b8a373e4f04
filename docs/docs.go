// Package docs holds the tools' manuals, docs/TOOL.md, for the man pages
// (internal/cli renders TOOL --man-page from them).
package docs

import "embed"

// FS holds every manual, TOOL.md.
//
//go:embed *.md
var FS embed.FS
