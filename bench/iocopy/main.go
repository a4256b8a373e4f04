// Command iocopy is the baseline of bench/echo.sh: the plain Go echo server
// anyone would write, io.Copy per TCP connection and a ReadFrom/WriteTo
// loop for UDP, on the standard library's net package.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "TCP and UDP address to serve")
	reusePort := flag.Bool("reuseport", false, "SO_REUSEPORT, to share the port between processes")
	flag.Parse()
	var lc net.ListenConfig
	if *reusePort {
		lc.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, 0xf /* SO_REUSEPORT */, 1) })
			return serr
		}
	}
	ln, err := lc.Listen(context.Background(), "tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	pc, err := lc.ListenPacket(context.Background(), "udp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "listening %s\n", ln.Addr())
	go func() {
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				log.Fatal(err)
			}
			pc.WriteTo(buf[:n], from)
		}
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Print(err) // EMFILE: keep serving the open ones
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go func() {
			defer c.Close()
			io.Copy(c, c)
		}()
	}
}
