// Command sniff captures packets on AF_PACKET sockets the way tcpdump does:
// tcpdump's filter language compiled to classic BPF in the kernel, one line
// per packet, pcap and pcapng files, several interfaces at once.
package main

import (
	"os"

	"github.com/sockcore/sockcore/internal/cli"
)

func main() { os.Exit(cli.Main("sniff", run)) }
