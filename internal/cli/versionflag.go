package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	ucli "github.com/urfave/cli/v3"
)

// Version is the release number; the VERSION file at the top of the
// repository holds the same (a test keeps them in step) and the Makefile
// stamps it: -ldflags "-X .../internal/cli.Version=...".
var Version = "0.2.0"

// Commit is the git commit the binary was built from, stamped by the
// Makefile (-X .../internal/cli.Commit=...). Unstamped, the commit comes
// from the build's vcs.revision, or is "unknown" (a build outside git).
var Commit = ""

// Date is the release date of the man pages (YYYY-MM-DD), stamped by the
// Makefile from SOURCE_DATE_EPOCH, the commit's time.
var Date = ""

// VersionLine is what TOOL --version prints: "TOOL VERSION (COMMIT, GOVERSION)".
func VersionLine(name string) string {
	return fmt.Sprintf("%s %s (%s, %s)", name, Version, commit(), runtime.Version())
}

func commit() string {
	if Commit != "" {
		return Commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			if dirty {
				rev += "-dirty"
			}
			return rev
		}
	}
	return "unknown"
}

// urfave/cli gives --version the alias -v; the tools use -v for verbose
// (as netcat and socat do), so --version has no short form.
func init() {
	ucli.VersionFlag = &ucli.BoolFlag{Name: "version", Usage: "print the version", HideDefault: true, Local: true}
	ucli.VersionPrinter = func(c *ucli.Command) {
		fmt.Fprintln(c.Root().Writer, VersionLine(c.Root().Name))
	}
}
