package sockcore

import (
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// AddrInfo is one getaddrinfo result: Python's (family, type, proto,
// canonname, sockaddr).
type AddrInfo struct {
	Family, Type, Proto int
	CanonName           string
	Addr                Addr
}

// GetAddrInfo resolves host and port (nil means NULL). This first version
// handles numeric hosts and ports only; the name-service work replaces it.
func GetAddrInfo(host, port *string, family, typ, proto, flags int) ([]AddrInfo, error) {
	p := 0
	if port != nil {
		n, err := strconv.Atoi(*port)
		if err != nil || n < 0 || n > 65535 {
			return nil, NewGAIError(EAI_SERVICE)
		}
		p = n
	}
	var ip netip.Addr
	if host == nil || *host == "" {
		switch {
		case flags&AI_PASSIVE != 0 && family == unix.AF_INET6:
			ip = netip.IPv6Unspecified()
		case flags&AI_PASSIVE != 0:
			ip = netip.IPv4Unspecified()
		case family == unix.AF_INET6:
			ip = netip.IPv6Loopback()
		default:
			ip = netip.MustParseAddr("127.0.0.1")
		}
	} else if *host == "localhost" {
		ip = netip.MustParseAddr("127.0.0.1")
	} else {
		a, err := netip.ParseAddr(*host)
		if err != nil {
			return nil, NewGAIError(EAI_NONAME)
		}
		ip = a
	}
	if typ == 0 {
		typ = unix.SOCK_STREAM
	}
	if ip.Is4() {
		if family != 0 && family != unix.AF_INET {
			return nil, NewGAIError(EAI_ADDRFAMILY)
		}
		return []AddrInfo{{Family: unix.AF_INET, Type: typ, Proto: proto, Addr: &InetAddr{IP: ip, Port: p}}}, nil
	}
	if family != 0 && family != unix.AF_INET6 {
		return nil, NewGAIError(EAI_ADDRFAMILY)
	}
	return []AddrInfo{{Family: unix.AF_INET6, Type: typ, Proto: proto, Addr: &Inet6Addr{IP: ip.WithZone(""), Port: p}}}, nil
}
