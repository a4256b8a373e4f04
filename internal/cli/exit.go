// Package cli holds what every sockcore tool shares: exit codes, the one-line
// error report, signal handling, the version stamp and the urfave/cli app
// defaults.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// Exit codes shared by every tool. README.md documents them; keep the two in
// step.
const (
	ExitOK          = 0 // success
	ExitFailure     = 1 // the operation ran and found a problem (verify mismatch, check failed, peer error)
	ExitUsage       = 2 // bad flag, argument, URL, port, option name, filter or frame text
	ExitResolve     = 3 // unknown host, service or protocol
	ExitNetwork     = 4 // connection refused, unreachable, reset, address in use
	ExitPermission  = 5 // permission denied (EACCES, EPERM, missing capability)
	ExitUnsupported = 6 // the kernel lacks the family, protocol or algorithm
	ExitTimeout     = 7 // a timeout expired
	ExitNoSuchThing = 8 // missing file, UNIX socket path, interface or descriptor
	ExitInterrupted = 130
)

// ExitError carries an explicit exit code with the error that caused it.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Exit wraps err so that the tool exits with code.
func Exit(code int, err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: code, Err: err}
}

// Exitf formats an error that makes the tool exit with code.
func Exitf(code int, format string, args ...any) error {
	return &ExitError{Code: code, Err: fmt.Errorf(format, args...)}
}

// Usagef is Exitf with ExitUsage.
func Usagef(format string, args ...any) error { return Exitf(ExitUsage, format, args...) }

// ExitCode maps an error to the documented exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var gai *sockcore.GAIError
	if errors.As(err, &gai) {
		if gai.Code == sockcore.EAI_SYSTEM {
			return ExitFailure
		}
		return ExitResolve
	}
	var herr *sockcore.HError
	if errors.As(err, &herr) {
		return ExitResolve
	}
	var nse *sockcore.NotSupportedError
	if errors.As(err, &nse) {
		return ExitUnsupported
	}
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return ExitTimeout
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.EACCES, syscall.EPERM:
			return ExitPermission
		case syscall.EAFNOSUPPORT, syscall.EPROTONOSUPPORT, syscall.ESOCKTNOSUPPORT, syscall.EPFNOSUPPORT, syscall.ENOPROTOOPT, syscall.EOPNOTSUPP:
			return ExitUnsupported
		case syscall.ETIMEDOUT, syscall.EAGAIN:
			return ExitTimeout
		case syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EHOSTUNREACH, syscall.ENETUNREACH,
			syscall.ENETDOWN, syscall.EHOSTDOWN, syscall.EADDRINUSE, syscall.EADDRNOTAVAIL, syscall.EPIPE:
			return ExitNetwork
		case syscall.ENOENT, syscall.ENODEV, syscall.ENXIO, syscall.EBADF, syscall.ENOTSOCK:
			return ExitNoSuchThing
		}
	}
	if errors.Is(err, os.ErrPermission) {
		return ExitPermission
	}
	if errors.Is(err, os.ErrNotExist) {
		return ExitNoSuchThing
	}
	return ExitFailure
}

// ErrInterrupted is what a tool returns when SIGINT or SIGTERM cut its work
// short: Main prints "TOOL: interrupted" and exits ExitInterrupted (130).
var ErrInterrupted error = &ExitError{Code: ExitInterrupted, Err: errors.New("interrupted")}
