package sockcore

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// getaddrinfo error codes, glibc's values (netdb.h). x/sys/unix does not
// define them.
const (
	EAI_BADFLAGS   = -1
	EAI_NONAME     = -2
	EAI_AGAIN      = -3
	EAI_FAIL       = -4
	EAI_FAMILY     = -6
	EAI_SOCKTYPE   = -7
	EAI_SERVICE    = -8
	EAI_MEMORY     = -10
	EAI_SYSTEM     = -11
	EAI_OVERFLOW   = -12
	EAI_NODATA     = -5
	EAI_ADDRFAMILY = -9
)

var gaiMessages = map[int]string{
	EAI_BADFLAGS:   "Bad value for ai_flags",
	EAI_NONAME:     "Name or service not known",
	EAI_AGAIN:      "Temporary failure in name resolution",
	EAI_FAIL:       "Non-recoverable failure in name resolution",
	EAI_FAMILY:     "ai_family not supported",
	EAI_SOCKTYPE:   "ai_socktype not supported",
	EAI_SERVICE:    "Servname not supported for ai_socktype",
	EAI_MEMORY:     "Memory allocation failure",
	EAI_SYSTEM:     "System error",
	EAI_OVERFLOW:   "Argument buffer overflow",
	EAI_NODATA:     "No address associated with hostname",
	EAI_ADDRFAMILY: "Address family for hostname not supported",
}

var gaiNames = map[int]string{
	EAI_BADFLAGS: "EAI_BADFLAGS", EAI_NONAME: "EAI_NONAME", EAI_AGAIN: "EAI_AGAIN", EAI_FAIL: "EAI_FAIL",
	EAI_FAMILY: "EAI_FAMILY", EAI_SOCKTYPE: "EAI_SOCKTYPE", EAI_SERVICE: "EAI_SERVICE", EAI_MEMORY: "EAI_MEMORY",
	EAI_SYSTEM: "EAI_SYSTEM", EAI_OVERFLOW: "EAI_OVERFLOW", EAI_NODATA: "EAI_NODATA", EAI_ADDRFAMILY: "EAI_ADDRFAMILY",
}

// GAIError is socket.gaierror: a getaddrinfo/getnameinfo failure with its
// EAI_* code and gai_strerror text. Err holds the OS error for EAI_SYSTEM.
type GAIError struct {
	Code int
	Msg  string
	Err  error
}

// NewGAIError returns the error for code with glibc's message.
func NewGAIError(code int) *GAIError {
	msg, ok := gaiMessages[code]
	if !ok {
		msg = fmt.Sprintf("Unknown error %d", code)
	}
	return &GAIError{Code: code, Msg: msg}
}

func (e *GAIError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Msg, e.Err)
	}
	return e.Msg
}

// Unwrap returns the OS error behind EAI_SYSTEM.
func (e *GAIError) Unwrap() error { return e.Err }

// Name returns the constant's name, e.g. "EAI_NONAME".
func (e *GAIError) Name() string {
	if n, ok := gaiNames[e.Code]; ok {
		return n
	}
	return fmt.Sprintf("EAI_%d", e.Code)
}

// h_errno values (netdb.h).
const (
	HOST_NOT_FOUND = 1
	TRY_AGAIN      = 2
	NO_RECOVERY    = 3
	NO_DATA        = 4
)

var hMessages = map[int]string{
	HOST_NOT_FOUND: "Unknown host",
	TRY_AGAIN:      "Host name lookup failure",
	NO_RECOVERY:    "Unknown server error",
	NO_DATA:        "No address associated with name",
}

var hNames = map[int]string{
	HOST_NOT_FOUND: "HOST_NOT_FOUND", TRY_AGAIN: "TRY_AGAIN", NO_RECOVERY: "NO_RECOVERY", NO_DATA: "NO_DATA",
}

// HError is socket.herror: a gethostbyname/gethostbyaddr failure with its
// h_errno code and hstrerror text.
type HError struct {
	Code int
	Msg  string
}

// NewHError returns the error for code with glibc's hstrerror message.
func NewHError(code int) *HError {
	msg, ok := hMessages[code]
	if !ok {
		msg = "Resolver internal error"
	}
	return &HError{Code: code, Msg: msg}
}

func (e *HError) Error() string { return e.Msg }

// Name returns the constant's name, e.g. "HOST_NOT_FOUND".
func (e *HError) Name() string {
	if n, ok := hNames[e.Code]; ok {
		return n
	}
	return fmt.Sprintf("h_errno %d", e.Code)
}

// NotSupportedError says that the running kernel lacks a family, protocol or
// algorithm, and what to load or enable. It unwraps to the errno the kernel
// returned, so errors.Is(err, unix.EAFNOSUPPORT) keeps working.
type NotSupportedError struct {
	What string // "AF_CAN", "IPPROTO_MPTCP", "algorithm sha3-1024"
	Fix  string // "load the can and can_raw modules"
	Err  error
}

func (e *NotSupportedError) Error() string {
	s := e.What + " is not available in this kernel"
	if e.Fix != "" {
		s += " (" + e.Fix + ")"
	}
	return s
}

func (e *NotSupportedError) Unwrap() error { return e.Err }

// wrapSocketErr turns socket(2)'s "no such family/protocol" errnos into a
// NotSupportedError naming what to load; other errors get the usual
// SyscallError.
func wrapSocketErr(errno error, family, typ, proto int) error {
	switch {
	case errors.Is(errno, syscall.EAFNOSUPPORT):
		return &NotSupportedError{What: FamilyName(family), Fix: families[family].fix, Err: os.NewSyscallError("socket", errno)}
	case (errors.Is(errno, syscall.EPROTONOSUPPORT) || errors.Is(errno, syscall.ESOCKTNOSUPPORT)) && !standardIPProto(family, proto):
		what := fmt.Sprintf("%s %s protocol %d", FamilyName(family), TypeName(typ), proto)
		if n := ProtoName(family, proto); n != "" {
			what = fmt.Sprintf("%s over %s", n, FamilyName(family))
		}
		fix := ""
		if h, ok := familyProtoHints[[2]int{family, proto}]; ok {
			what, fix = h.name+" over "+FamilyName(family), h.fix
		} else if h, ok := protoHints[proto]; ok && (family == syscall.AF_INET || family == syscall.AF_INET6) {
			fix = h
		} else {
			fix = families[family].fix
		}
		return &NotSupportedError{What: what, Fix: fix, Err: os.NewSyscallError("socket", errno)}
	}
	return os.NewSyscallError("socket", errno)
}

var protoHints = map[int]string{
	IPPROTO_MPTCP:   "set net.mptcp.enabled=1 or use a kernel built with CONFIG_MPTCP",
	IPPROTO_UDPLITE: "use a kernel built with CONFIG_IP_UDPLITE",
	IPPROTO_SCTP:    "load the sctp module",
}

// standardIPProto reports whether proto is one every IP kernel has (TCP, UDP,
// ICMP): EPROTONOSUPPORT for those means a type/protocol mismatch, not a
// missing kernel feature.
func standardIPProto(family, proto int) bool {
	if family != syscall.AF_INET && family != syscall.AF_INET6 {
		return false
	}
	switch proto {
	case syscall.IPPROTO_TCP, syscall.IPPROTO_UDP, syscall.IPPROTO_ICMP, syscall.IPPROTO_ICMPV6, syscall.IPPROTO_IP:
		return true
	}
	return false
}
