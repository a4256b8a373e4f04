package sockcore

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// ErrSendFileNonblocking and ErrSendFileType are SendFile's refusals, as in
// Python's socket.sendfile.
var (
	ErrSendFileNonblocking = errors.New("sendfile: non-blocking sockets are not supported")
	ErrSendFileType        = errors.New("sendfile: only SOCK_STREAM sockets are supported")
)

// SendFile sends count bytes of f from offset (count <= 0: to the end of
// the file) with sendfile(2), falling back to read+send when f is not a
// regular file or the kernel refuses sendfile before anything was sent (as
// Python does). The file position is left after the last byte sent. It
// returns the number of bytes sent, also on error.
func (s *Socket) SendFile(f *os.File, offset, count int64) (int64, error) {
	if s.typ != unix.SOCK_STREAM {
		return 0, ErrSendFileType
	}
	if d, set := s.Timeout(); set && d == 0 {
		return 0, ErrSendFileNonblocking
	}
	if offset < 0 {
		return 0, fmt.Errorf("sendfile: negative offset %d", offset)
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return s.sendFileCopy(f, offset, count)
	}
	size := st.Size()
	if count <= 0 || offset+count > size {
		count = size - offset
	}
	if count <= 0 {
		return 0, nil
	}
	w := s.wait(nil, 0)
	w.nonblock = false
	var total int64
	ffd := int(f.Fd())
	off := offset
	for total < count {
		chunk := min(count-total, 1<<30)
		var n int
		err := s.ioWrite("sendfile", w, func(fd, _ int) error {
			var e error
			n, e = unix.Sendfile(fd, ffd, &off, int(chunk))
			return e
		})
		if err != nil {
			if total == 0 && (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP)) {
				return s.sendFileCopy(f, offset, count)
			}
			f.Seek(offset+total, io.SeekStart)
			return total, err
		}
		if n == 0 {
			break // the file shrank
		}
		total += int64(n)
	}
	_, err = f.Seek(offset+total, io.SeekStart)
	return total, err
}

// sendFileCopy is the read+send fallback; one deadline covers the call.
func (s *Socket) sendFileCopy(f *os.File, offset, count int64) (int64, error) {
	var r io.Reader = f
	if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			return 0, err
		}
	}
	if count > 0 {
		r = io.LimitReader(f, count)
	}
	w := s.wait(nil, 0)
	buf := make([]byte, 64<<10)
	var total int64
	for {
		n, rerr := r.Read(buf)
		for off := 0; off < n; {
			m, err := s.sendto(buf[off:n], 0, nil, w)
			if err != nil {
				return total, err
			}
			off += m
			total += int64(m)
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}
