// Command canrelay dumps, sends, replays, bridges and tunnels CAN frames
// with can-utils' text formats. See README.md.
package main

import (
	"os"

	"github.com/sockcore/sockcore/internal/cli"
)

func main() { os.Exit(cli.Main("canrelay", run)) }
