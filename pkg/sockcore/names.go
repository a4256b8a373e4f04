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

var familyNames = map[int]string{
	unix.AF_UNSPEC: "AF_UNSPEC", unix.AF_UNIX: "AF_UNIX", unix.AF_INET: "AF_INET", unix.AF_INET6: "AF_INET6",
	unix.AF_NETLINK: "AF_NETLINK", unix.AF_PACKET: "AF_PACKET", unix.AF_CAN: "AF_CAN", unix.AF_ALG: "AF_ALG",
	unix.AF_TIPC: "AF_TIPC", unix.AF_RDS: "AF_RDS", unix.AF_VSOCK: "AF_VSOCK", unix.AF_QIPCRTR: "AF_QIPCRTR",
	unix.AF_BLUETOOTH: "AF_BLUETOOTH",
}

var typeNames = map[int]string{
	unix.SOCK_STREAM: "SOCK_STREAM", unix.SOCK_DGRAM: "SOCK_DGRAM", unix.SOCK_RAW: "SOCK_RAW",
	unix.SOCK_RDM: "SOCK_RDM", unix.SOCK_SEQPACKET: "SOCK_SEQPACKET",
}

// FamilyName returns "AF_INET" for AF_INET, or "family N".
func FamilyName(f int) string {
	if n, ok := familyNames[f]; ok {
		return n
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

func init() {
	registerFamilyHint(unix.AF_CAN, "AF_CAN", "load the can and can_raw modules")
	registerProtoHint(unix.AF_CAN, unix.CAN_BCM, "CAN_BCM", "load the can_bcm module")
	registerProtoHint(unix.AF_CAN, unix.CAN_ISOTP, "CAN_ISOTP", "load the can_isotp module")
	registerProtoHint(unix.AF_CAN, unix.CAN_J1939, "CAN_J1939", "load the can_j1939 module")
	registerFamilyHint(unix.AF_ALG, "AF_ALG", "load the af_alg and algif_hash modules")
	registerFamilyHint(unix.AF_TIPC, "AF_TIPC", "load the tipc module")
	registerFamilyHint(unix.AF_RDS, "AF_RDS", "load the rds and rds_tcp modules")
	registerFamilyHint(unix.AF_VSOCK, "AF_VSOCK", "load the vsock module, and vsock_loopback for local use")
	registerFamilyHint(unix.AF_QIPCRTR, "AF_QIPCRTR", "load the qrtr module")
	registerFamilyHint(unix.AF_BLUETOOTH, "AF_BLUETOOTH", "load the bluetooth module")
	registerFamilyHint(unix.AF_PACKET, "AF_PACKET", "load the af_packet module")
	registerFamilyHint(unix.AF_INET6, "AF_INET6", "load the ipv6 module or remove ipv6.disable=1 from the kernel command line")
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
