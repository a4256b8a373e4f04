package main

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/sockcore/sockcore/internal/cli"
)

// bufSize is the read size of the Go backend and of the kernel backend's
// read/write path: large reads keep the syscall count low.
const bufSize = 1 << 20

var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// source is one input: a file (regular file, pipe, terminal) or any
// reader (tests pass buffers as stdin).
type source struct {
	name string
	f    *os.File  // nil when the input is not a file
	r    io.Reader // f or the reader
	ctx  context.Context
}

// interrupted returns cli.ErrInterrupted once SIGINT or SIGTERM has
// cancelled the source's context: the hashers check it between chunks, so
// that a file without end (/dev/zero) stops within one chunk.
func (s source) interrupted() error {
	if s.ctx != nil && s.ctx.Err() != nil {
		return cli.ErrInterrupted
	}
	return nil
}

// ctxReader stops reading once its context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, cli.ErrInterrupted
	}
	return c.r.Read(p)
}

// hasher hashes whole inputs with one implementation.
type hasher interface {
	// Hash reads src to its end and returns the digest; done counts the
	// bytes read as they go.
	Hash(src source, done *atomic.Int64) ([]byte, error)
	// Describe says what hashes: "go (crypto/sha256)", "kernel (sha256-ni)".
	Describe() string
}

// goHasher is the Go standard library's implementation.
type goHasher struct{ a algo }

func (g goHasher) Describe() string { return "go (" + g.a.GoName + ")" }

func (g goHasher) Hash(src source, done *atomic.Int64) ([]byte, error) {
	h := g.a.newGo()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for {
		n, err := src.r.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			done.Add(int64(n))
		}
		if err == io.EOF {
			return h.Sum(nil), nil
		}
		if errors.Is(err, cli.ErrInterrupted) {
			return nil, err
		}
		if err != nil {
			return nil, &readError{err}
		}
	}
}

// readError is a failure to read the input (as opposed to a failure of the
// kernel's crypto API), reported as coreutils reports it.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

func isReadError(err error) bool {
	var re *readError
	return errors.As(err, &re)
}
