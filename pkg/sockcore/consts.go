package sockcore

//go:generate go run ./internal/mkconsts

// ConstantByName returns the value of a socket constant by its C name:
// AF_*, SOCK_*, SOL_*, IPPROTO_*, SO_*, SCM_*, IP_*, IPV6_*, TCP_*, UDP_*,
// MSG_*, SHUT_* (from golang.org/x/sys/unix) and AI_*, NI_*, EAI_* (glibc's
// netdb.h values, as in names.go and errors.go).
func ConstantByName(name string) (value int, ok bool) {
	if v, ok := unixConstants[name]; ok {
		return v, true
	}
	v, ok := netdbConstants[name]
	return v, ok
}

// SockoptByName returns the setsockopt level and option number of a socket
// option by its C name: SO_* at SOL_SOCKET, IP_* at SOL_IP, IPV6_* at
// SOL_IPV6, TCP_* at SOL_TCP, UDP_* at SOL_UDP. Names of values rather than
// options (IP_PMTUDISC_DO, TCP_MSS_DEFAULT) are not options.
func SockoptByName(name string) (level, opt int, ok bool) {
	level, ok = sockoptLevels[name]
	if !ok {
		return 0, 0, false
	}
	return level, unixConstants[name], true
}

// netdbConstants are the getaddrinfo/getnameinfo names sockcore defines
// itself.
var netdbConstants = map[string]int{
	"AI_PASSIVE": AI_PASSIVE, "AI_CANONNAME": AI_CANONNAME, "AI_NUMERICHOST": AI_NUMERICHOST,
	"AI_V4MAPPED": AI_V4MAPPED, "AI_ALL": AI_ALL, "AI_ADDRCONFIG": AI_ADDRCONFIG, "AI_NUMERICSERV": AI_NUMERICSERV,
	"NI_NUMERICHOST": NI_NUMERICHOST, "NI_NUMERICSERV": NI_NUMERICSERV, "NI_NOFQDN": NI_NOFQDN,
	"NI_NAMEREQD": NI_NAMEREQD, "NI_DGRAM": NI_DGRAM, "NI_MAXHOST": NI_MAXHOST, "NI_MAXSERV": NI_MAXSERV,
	"EAI_BADFLAGS": EAI_BADFLAGS, "EAI_NONAME": EAI_NONAME, "EAI_AGAIN": EAI_AGAIN, "EAI_FAIL": EAI_FAIL,
	"EAI_FAMILY": EAI_FAMILY, "EAI_SOCKTYPE": EAI_SOCKTYPE, "EAI_SERVICE": EAI_SERVICE, "EAI_MEMORY": EAI_MEMORY,
	"EAI_SYSTEM": EAI_SYSTEM, "EAI_OVERFLOW": EAI_OVERFLOW, "EAI_NODATA": EAI_NODATA, "EAI_ADDRFAMILY": EAI_ADDRFAMILY,
}
