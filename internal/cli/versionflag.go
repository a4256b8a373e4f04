package cli

import ucli "github.com/urfave/cli/v2"

// urfave/cli gives --version the alias -v; the tools use -v for verbose
// (as netcat and socat do), so --version has no short form.
func init() {
	ucli.VersionFlag = &ucli.BoolFlag{Name: "version", Usage: "print the version"}
}
