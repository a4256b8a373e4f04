// Command resolve runs every name-service call of Python's socket module
// (getaddrinfo, gethostbyname_ex, gethostbyaddr, getnameinfo, getfqdn,
// gethostname, getservbyname, getprotobyname, if_nameindex) in pure Go,
// prints the answers readably, like getent, or as JSON, and explains which
// source answered.
package main

import (
	"os"

	"github.com/sockcore/sockcore/internal/cli"
)

func main() { os.Exit(cli.Main("resolve", run)) }
