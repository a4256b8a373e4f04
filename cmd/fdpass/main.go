// Command fdpass hands open files and sockets between processes: send and
// receive descriptors over UNIX sockets, socket-activate programs, hold
// descriptors across restarts, and describe what a descriptor is.
package main

import (
	"os"

	"github.com/sockcore/sockcore/internal/cli"
)

func main() { os.Exit(cli.Main("fdpass", run)) }
