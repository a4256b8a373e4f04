package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// maxDigest is HASH_MAX_DIGESTSIZE (include/crypto/hash.h): recv with this
// much room always gets the whole digest.
const maxDigest = 64

// kernelHasher hashes through AF_ALG: one bound transform socket, one
// accepted operation socket per input.
type kernelHasher struct {
	a        algo
	tfm      *sockcore.Socket
	driver   string
	zeroCopy bool // file data by splice, else read/write
}

// openKernel binds a transform socket for a and sets its HMAC key. Errors:
// *sockcore.NotSupportedError when AF_ALG is missing,
// *sockcore.ALGNotFoundError when the algorithm is.
func openKernel(a algo, zeroCopy bool) (*kernelHasher, error) {
	tfm, err := sockcore.New(unix.AF_ALG, unix.SOCK_SEQPACKET, 0)
	if err != nil {
		return nil, err
	}
	if err := tfm.Bind(&sockcore.ALGAddr{Type: "hash", Name: a.Name}); err != nil {
		tfm.Close()
		return nil, err
	}
	if a.key != nil {
		if err := tfm.SetsockoptBytes(unix.SOL_ALG, unix.ALG_SET_KEY, a.key); err != nil {
			tfm.Close()
			return nil, fmt.Errorf("setting the %s key: %w", a.Name, err)
		}
	}
	k := &kernelHasher{a: a, tfm: tfm, zeroCopy: zeroCopy}
	// The template instance (hmac(sha256)) exists in /proc/crypto once
	// bound, so look the driver up now.
	if algs, err := readProcCrypto(); err == nil {
		k.driver = driverFor(algs, a.Name)
	}
	return k, nil
}

func (k *kernelHasher) Close() error { return k.tfm.Close() }

func (k *kernelHasher) Describe() string {
	if k.driver == "" {
		return "kernel (" + k.a.Name + ")"
	}
	return "kernel (" + k.driver + ")"
}

// DataPath says how file data reaches the kernel.
func (k *kernelHasher) DataPath() string {
	if k.zeroCopy {
		return "file data by splice (zero-copy)"
	}
	return "file data by read/write"
}

// kernelError is a failure of the crypto API itself (accept, send, splice
// into or recv from the operation socket), after which auto mode may hash
// the same file again with Go.
type kernelError struct{ err error }

func (e *kernelError) Error() string { return e.err.Error() }
func (e *kernelError) Unwrap() error { return e.err }

func (k *kernelHasher) Hash(src source, done *atomic.Int64) ([]byte, error) {
	op, _, err := k.tfm.Accept()
	if err != nil {
		return nil, &kernelError{err}
	}
	defer op.Close()
	op.SetBlocking(true)
	rest := src.r
	if src.f != nil && k.zeroCopy {
		spliced, err := k.splice(op, src, done)
		if err != nil {
			return nil, err
		}
		if spliced {
			rest = nil
		}
	}
	if rest != nil {
		if err := k.copy(op, rest, done); err != nil {
			return nil, err
		}
	}
	// recv finalizes the hash (and hashes the empty message when nothing
	// was sent).
	sum := make([]byte, maxDigest)
	n, err := op.RecvInto(sum, 0)
	if err != nil {
		return nil, &kernelError{err}
	}
	return sum[:n], nil
}

// copy is the read/write path: 1 MiB reads sent with MSG_MORE.
func (k *kernelHasher) copy(op *sockcore.Socket, r io.Reader, done *atomic.Int64) error {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if serr := op.SendAll(buf[:n], unix.MSG_MORE); serr != nil {
				return &kernelError{serr}
			}
			done.Add(int64(n))
		}
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, cli.ErrInterrupted) {
			return err
		}
		if err != nil {
			return &readError{err}
		}
	}
}

// refused reports whether splice was refused (as opposed to failing): the
// file system or the socket does not support it.
func refused(err error) bool {
	return errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS) ||
		errors.Is(err, unix.EBADF) || errors.Is(err, unix.ESPIPE)
}

// splice moves f's data into the operation socket without copying it
// through user space: straight from f when it is a pipe, else through a
// pipe (file → pipe → socket), always with SPLICE_F_MORE so that the kernel
// keeps the hash open. It returns false, having consumed nothing that was
// not also hashed, when the kernel refuses splice; the caller then goes on
// with read/write from f's current position.
func (k *kernelHasher) splice(op *sockcore.Socket, src source, done *atomic.Int64) (bool, error) {
	f := src.f
	var st unix.Stat_t
	fd := int(f.Fd())
	if err := unix.Fstat(fd, &st); err != nil {
		return false, nil
	}
	const chunk = 1 << 20
	if st.Mode&unix.S_IFMT == unix.S_IFIFO {
		for {
			if err := src.interrupted(); err != nil {
				return false, err
			}
			n, err := op.Splice(fd, nil, chunk, unix.SPLICE_F_MORE|unix.SPLICE_F_MOVE)
			if err != nil {
				if done.Load() == 0 && refused(err) {
					return false, nil
				}
				return false, &kernelError{err}
			}
			if n == 0 {
				return true, nil
			}
			done.Add(int64(n))
		}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG && st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return false, nil
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return false, nil
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	size := chunk
	if got, err := unix.FcntlInt(uintptr(p[1]), unix.F_SETPIPE_SZ, chunk); err == nil {
		size = got
	} else if got, err := unix.FcntlInt(uintptr(p[1]), unix.F_GETPIPE_SZ, 0); err == nil {
		size = got
	}
	first := true
	for {
		if err := src.interrupted(); err != nil {
			return false, err
		}
		n, err := unix.Splice(fd, nil, p[1], nil, size, unix.SPLICE_F_MOVE|unix.SPLICE_F_MORE)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if first && refused(err) {
				return false, nil
			}
			return false, &readError{os.NewSyscallError("splice", err)}
		}
		if n == 0 {
			return true, nil
		}
		for left := int(n); left > 0; {
			m, err := op.Splice(p[0], nil, left, unix.SPLICE_F_MORE|unix.SPLICE_F_MOVE)
			if err != nil {
				if !refused(err) {
					return false, &kernelError{err}
				}
				// The socket refuses spliced pages: send what is in
				// the pipe by hand, then read/write the rest.
				if err := k.drain(op, p[0], left, done); err != nil {
					return false, err
				}
				return false, nil
			}
			left -= m
			done.Add(int64(m))
		}
		first = false
	}
}

// drain sends the n bytes left in the pipe r with MSG_MORE.
func (k *kernelHasher) drain(op *sockcore.Socket, r, n int, done *atomic.Int64) error {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for n > 0 {
		m, err := unix.Read(r, buf[:min(n, len(buf))])
		if err == unix.EINTR {
			continue
		}
		if err != nil || m == 0 {
			return &readError{os.NewSyscallError("read", err)}
		}
		if err := op.SendAll(buf[:m], unix.MSG_MORE); err != nil {
			return &kernelError{err}
		}
		n -= m
		done.Add(int64(m))
	}
	return nil
}
