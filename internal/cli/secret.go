package cli

import (
	"fmt"
	"io"
	"os"
)

// ReadSecret reads a key from f, which must be a regular file or a pipe
// (a process substitution, a here-document; never a device such as
// /dev/zero, that has no end), and hold 1 to max bytes. The key is read
// into one buffer that is never grown, so that no copy is left behind;
// the caller clears it after use. what names f in the errors, which are
// usage errors (exit 2) but for read failures.
func ReadSecret(f *os.File, what string, max int) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading the key from %s: %w", what, err)
	}
	if m := st.Mode(); !m.IsRegular() && m&os.ModeNamedPipe == 0 {
		return nil, Usagef("the key must come from a regular file or a pipe; %s is %s", what, fileKind(m))
	}
	// One byte more than the cap tells a key that is too long.
	key := make([]byte, max+1)
	n, err := io.ReadFull(f, key)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
	case err != nil:
		clear(key)
		return nil, fmt.Errorf("reading the key from %s: %w", what, err)
	default:
		clear(key)
		return nil, Usagef("the key in %s is longer than %d bytes", what, max)
	}
	if n == 0 {
		return nil, Usagef("the key in %s is empty", what)
	}
	return key[:n:n], nil
}

// fileKind names a file type for ReadSecret's error.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}
