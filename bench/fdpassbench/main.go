// Command fdpassbench measures descriptors passed per second over one UNIX
// SOCK_SEQPACKET connection with sockcore.SendFDs and the receive fdpass
// does (RecvMsg with MSG_CMSG_CLOEXEC, MSG_CTRUNC checked, every received
// descriptor closed). bench/fdpass.sh runs it beside python3's
// socket.send_fds/recv_fds.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

func main() {
	batch := flag.Int("batch", 1, "descriptors per message (1 to 253)")
	count := flag.Int("count", 100000, "messages to pass")
	flag.Parse()
	n, err := bench(*batch, *count)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fdpassbench:", err)
		os.Exit(1)
	}
	fmt.Printf("%.0f\n", n)
}

// bench passes count messages of batch descriptors and returns descriptors
// received per second.
func bench(batch, count int) (float64, error) {
	a, b, err := sockcore.Pair(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0)
	if err != nil {
		return 0, err
	}
	defer a.Close()
	defer b.Close()
	a.SetBlocking(true)
	b.SetBlocking(true)
	fds := make([]int, batch)
	for i := range fds {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return 0, err
		}
		defer unix.Close(fd)
		fds[i] = fd
	}
	errc := make(chan error, 1)
	start := time.Now()
	go func() {
		defer a.Shutdown(unix.SHUT_WR)
		msg := [][]byte{[]byte("x")}
		for range count {
			if _, err := sockcore.SendFDs(a, msg, fds); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	space, _ := sockcore.CMSGSpace(4 * batch)
	got := 0
	for {
		data, anc, flags, _, err := b.RecvMsg(16, space, 0)
		if err != nil {
			return 0, err
		}
		if len(data) == 0 {
			break
		}
		got += len(sockcore.FDsOf(anc))
		sockcore.CloseFDs(anc)
		if flags&unix.MSG_CTRUNC != 0 {
			return 0, fmt.Errorf("control message truncated")
		}
	}
	elapsed := time.Since(start)
	if err := <-errc; err != nil {
		return 0, err
	}
	if got != batch*count {
		return 0, fmt.Errorf("received %d descriptors, want %d", got, batch*count)
	}
	return float64(got) / elapsed.Seconds(), nil
}
