package testenv

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// ReportListenFDs prints what a socket-activated program sees, for tests
// that run themselves as the activated COMMAND: "pid-ok=BOOL fds=N
// names=NAMES", then one line per passed descriptor, "FD blocking|nonblocking
// inheritable|cloexec", or "FD closed".
func ReportListenFDs(w io.Writer) {
	pidOK := os.Getenv("LISTEN_PID") == strconv.Itoa(os.Getpid())
	fmt.Fprintf(w, "pid-ok=%t fds=%s names=%s\n", pidOK, os.Getenv("LISTEN_FDS"), os.Getenv("LISTEN_FDNAMES"))
	n, _ := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	for fd := 3; fd < 3+n; fd++ {
		fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
		if err != nil {
			fmt.Fprintf(w, "%d closed\n", fd)
			continue
		}
		fdfl, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		mode, inh := "blocking", "inheritable"
		if fl&unix.O_NONBLOCK != 0 {
			mode = "nonblocking"
		}
		if fdfl&unix.FD_CLOEXEC != 0 {
			inh = "cloexec"
		}
		fmt.Fprintf(w, "%d %s %s\n", fd, mode, inh)
	}
}
