// Command echod is an echo (RFC 862) and discard (RFC 863) server for TCP,
// UDP, UDP-Lite, MPTCP, UNIX and VSOCK sockets. See README.md.
package main

import (
	"os"

	"github.com/sockcore/sockcore/internal/cli"
)

func main() { os.Exit(cli.Main("echod", run)) }
