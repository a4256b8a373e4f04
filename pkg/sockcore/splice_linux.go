package sockcore

import (
	"golang.org/x/sys/unix"
)

// SpliceRecv wraps splice(2) from the socket into a pipe: at most n bytes go
// from the socket's receive queue to the write end pipeW without passing
// through user space. It waits for data as Recv does (by the socket's
// timeout mode); 0 means the peer closed. pipeW must have room: the pipe
// is used non-blocking (SPLICE_F_NONBLOCK), so EAGAIN from a full pipe would
// look like an empty socket.
func (s *Socket) SpliceRecv(pipeW, n int) (int, error) {
	w := s.wait(nil, 0)
	w.kernel = false // SPLICE_F_NONBLOCK: the poller waits, in every mode
	var got int
	err := s.ioRead("splice", w, func(fd, _ int) error {
		r, e := unix.Splice(fd, nil, pipeW, nil, n, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
		got = int(r)
		return e
	})
	if err != nil {
		return 0, err
	}
	return got, nil
}

// SpliceSend wraps splice(2) from the read end of a pipe into the socket: at
// most n bytes. It waits for room in the send buffer by the socket's timeout
// mode. The pipe must hold at least n bytes.
func (s *Socket) SpliceSend(pipeR, n int) (int, error) {
	w := s.wait(nil, 0)
	w.kernel = false // SPLICE_F_NONBLOCK: the poller waits, in every mode
	var sent int
	err := s.ioWrite("splice", w, func(fd, _ int) error {
		r, e := unix.Splice(pipeR, nil, fd, nil, n, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
		sent = int(r)
		return e
	})
	if err != nil {
		return 0, err
	}
	return sent, nil
}
