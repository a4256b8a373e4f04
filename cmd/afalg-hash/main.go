// Command afalg-hash prints or checks message digests like sha256sum, with
// the kernel's crypto API (AF_ALG) when it is there and Go's crypto when it
// is not.
package main

import (
	"os"

	"github.com/sockcore/sockcore/internal/cli"
)

func main() { os.Exit(cli.Main("afalg-hash", run)) }
