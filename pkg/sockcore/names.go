package sockcore

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Protocol numbers x/sys/unix names differently or not at all.
const (
	IPPROTO_MPTCP   = unix.IPPROTO_MPTCP   // 262, linux/in.h
	IPPROTO_UDPLITE = unix.IPPROTO_UDPLITE // 136
	IPPROTO_SCTP    = unix.IPPROTO_SCTP    // 132
)

// DefaultBacklog is Python's listen() default: min(SOMAXCONN, 128).
const DefaultBacklog = min(unix.SOMAXCONN, 128)

var typeNames = map[int]string{
	unix.SOCK_STREAM: "SOCK_STREAM", unix.SOCK_DGRAM: "SOCK_DGRAM", unix.SOCK_RAW: "SOCK_RAW",
	unix.SOCK_RDM: "SOCK_RDM", unix.SOCK_SEQPACKET: "SOCK_SEQPACKET",
}

// FamilyName returns "AF_INET" for AF_INET, or "family N".
func FamilyName(f int) string {
	if fam, ok := families[f]; ok {
		return fam.name
	}
	return fmt.Sprintf("family %d", f)
}

// TypeName returns "SOCK_STREAM" for SOCK_STREAM, or "type N".
func TypeName(t int) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("type %d", t)
}

// ProtoName names an IP protocol number ("IPPROTO_MPTCP"); "" when unknown
// or when the family is not an IP family.
func ProtoName(family, proto int) string {
	if family != unix.AF_INET && family != unix.AF_INET6 {
		return ""
	}
	switch proto {
	case unix.IPPROTO_TCP:
		return "IPPROTO_TCP"
	case unix.IPPROTO_UDP:
		return "IPPROTO_UDP"
	case IPPROTO_UDPLITE:
		return "IPPROTO_UDPLITE"
	case IPPROTO_MPTCP:
		return "IPPROTO_MPTCP"
	case IPPROTO_SCTP:
		return "IPPROTO_SCTP"
	case unix.IPPROTO_ICMP:
		return "IPPROTO_ICMP"
	case unix.IPPROTO_ICMPV6:
		return "IPPROTO_ICMPV6"
	}
	return ""
}

// getaddrinfo and getnameinfo flags, glibc's values (netdb.h).
const (
	AI_PASSIVE     = 0x0001
	AI_CANONNAME   = 0x0002
	AI_NUMERICHOST = 0x0004
	AI_V4MAPPED    = 0x0008
	AI_ALL         = 0x0010
	AI_ADDRCONFIG  = 0x0020
	AI_NUMERICSERV = 0x0400

	NI_NUMERICHOST = 1
	NI_NUMERICSERV = 2
	NI_NOFQDN      = 4
	NI_NAMEREQD    = 8
	NI_DGRAM       = 16

	NI_MAXHOST = 1025
	NI_MAXSERV = 32
)
