package sockcore

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxPort is the largest TCP, UDP or SCTP port number.
const MaxPort = 65535

// ParsePort reads a numeric port as getaddrinfo(3) and the tools take one:
// decimal digits only, 0-65535. isNumber is false, with no error, when s is
// not all digits (empty, a service name); an all-digit s above MaxPort gives
// an error that wraps ErrRange. Every port parser of the tools is this one.
func ParsePort(s string) (port int, isNumber bool, err error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, false, nil
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, true, fmt.Errorf("port %s is out of range (0-%d): %w", s, MaxPort, ErrRange)
	}
	return int(n), true, nil
}

// checkPort reports a port number outside 0-65535.
func checkPort(p int) error {
	if p < 0 || p > MaxPort {
		return fmt.Errorf("port must be 0-65535, not %d", p)
	}
	return nil
}
