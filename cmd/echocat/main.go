// Command echocat is a netcat-class client for every sockcore transport,
// with a built-in echo verifier. See README.md.
package main

import (
	"os"

	"github.com/sockcore/sockcore/internal/cli"
)

func main() { os.Exit(cli.Main("echocat", run)) }
