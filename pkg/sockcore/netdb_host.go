package sockcore

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

// HostEnt is glibc's struct hostent as Python's gethostbyname_ex and
// gethostbyaddr return it: (hostname, aliaslist, ipaddrlist).
type HostEnt struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
	Addrs   []string `json:"addrs"`
}

// GetHostByName is socket.gethostbyname: the first IPv4 address of name.
func GetHostByName(name string) (string, error) { return defaultResolver.GetHostByName(name) }

// GetHostByName is socket.gethostbyname against r's files.
func (r *Resolver) GetHostByName(name string) (string, error) {
	a, err := r.setIPAddr(name, unix.AF_INET)
	if err != nil {
		return "", err
	}
	return a.String(), nil
}

// setIPAddr is Python's setipaddr: "" is INADDR_ANY, "<broadcast>" is
// INADDR_BROADCAST, a dotted quad is itself, anything else goes through
// getaddrinfo for family and its first address is taken.
func (r *Resolver) setIPAddr(name string, family int) (netip.Addr, error) {
	switch name {
	case "":
		if family == unix.AF_INET6 {
			return netip.IPv6Unspecified(), nil
		}
		return netip.IPv4Unspecified(), nil
	case "<broadcast>", "255.255.255.255":
		if family == unix.AF_INET6 {
			return netip.Addr{}, NewGAIError(EAI_FAMILY)
		}
		return netip.AddrFrom4([4]byte{255, 255, 255, 255}), nil
	}
	if family == unix.AF_INET || family == unix.AF_UNSPEC {
		if a, err := netip.ParseAddr(name); err == nil && a.Is4() {
			return a, nil
		}
	}
	h := name
	infos, err := r.GetAddrInfo(&h, nil, family, 0, 0, 0)
	if err != nil {
		return netip.Addr{}, err
	}
	switch a := infos[0].Addr.(type) {
	case *InetAddr:
		return a.IP, nil
	case *Inet6Addr:
		return a.IP, nil
	}
	return netip.Addr{}, NewGAIError(EAI_FAMILY)
}

// GetHostByNameEx is socket.gethostbyname_ex: the IPv4 host entry of
// name. A name that does not resolve is a *GAIError (Python checks it with
// getaddrinfo first); a lookup failure after that is an *HError.
func GetHostByNameEx(name string) (HostEnt, error) { return defaultResolver.GetHostByNameEx(name) }

// GetHostByNameEx is socket.gethostbyname_ex against r's files.
func (r *Resolver) GetHostByNameEx(name string) (HostEnt, error) {
	if _, err := r.setIPAddr(name, unix.AF_INET); err != nil {
		return HostEnt{}, err
	}
	return r.HostByName(name, unix.AF_INET)
}

// HostByName is gethostbyname2(3): the host entry of name for one family
// (numeric addresses answer themselves, as __nss_hostname_digits_dots
// does), from the NSS hosts sources in order. Errors are *HError.
func (r *Resolver) HostByName(name string, family int) (HostEnt, error) {
	if name == "" {
		return HostEnt{}, NewHError(NO_RECOVERY)
	}
	if a, ok := digitsDots(name, family); ok {
		r.trace(TraceEvent{Kind: "numeric", Name: name, Found: true})
		return HostEnt{Name: name, Aliases: []string{}, Addrs: []string{a.String()}}, nil
	}
	return r.nssHostLoop(func(src string) hostStep {
		a, ok := r.lookupSource(src, name, family)
		if !ok {
			return hostStep{}
		}
		st := hostStep{ran: true, status: a.status, herrno: a.herrno}
		if a.status == nssSuccess {
			h := HostEnt{Name: a.name, Aliases: nonNil(a.aliases)}
			for _, ad := range a.addrs {
				h.Addrs = append(h.Addrs, ad.String())
			}
			st.ent = &h
		} else if src == "files" {
			st.ent = r.filesLeftover(family)
		}
		return st
	})
}

// hostStep is what one NSS source did in a gethostbyname2_r or
// gethostbyaddr2_r lookup: whether it ran (a source sockcore does not
// implement is skipped as an unloadable module), its status and h_errno,
// and the hostent it wrote into the caller's buffer (nil: untouched).
type hostStep struct {
	ran    bool
	status nssStatus
	herrno int
	ent    *HostEnt
}

// nssHostLoop is glibc's getXXbyYY_r loop over the hosts sources: each
// status goes through its source's action, and the answer is the result
// buffer when the last status is SUCCESS. The hosts database has no merge
// functions (glibc merges only group): a SUCCESS whose action is merge
// fails to be copied (EINVAL) and becomes UNAVAIL; the next source's
// SUCCESS fails to merge (UNAVAIL) while any other status of it counts as
// SUCCESS with whatever the buffer then holds: the merging source's answer,
// or what the next one left there (nss_files leaves the last line it
// parsed). getent shows exactly that.
func (r *Resolver) nssHostLoop(ask func(src string) hostStep) (HostEnt, error) {
	herr := HOST_NOT_FOUND
	var buf *HostEnt
	status := nssUnavail
	merging := false
	for _, src := range r.nssHosts() {
		st := ask(src.Name)
		if !st.ran {
			status = nssUnavail
			if src.ReturnOn["unavail"] {
				break
			}
			continue
		}
		status, herr = st.status, st.herrno
		if st.ent != nil {
			buf = st.ent
		}
		status = mergeStatus(src, status, &merging)
		if src.ReturnOn[nssStatusKey[status]] {
			break
		}
	}
	if status == nssSuccess && buf != nil {
		h := *buf
		if len(h.Addrs) > 0 {
			h.Addrs = append([]string{}, h.Addrs...)
		}
		return h, nil
	}
	if herr == 0 {
		herr = HOST_NOT_FOUND
	}
	return HostEnt{}, NewHError(herr)
}

// mergeStatus is getXXbyYY_r's merge step for a database without merge
// functions (all but group): after a merging source a SUCCESS fails to
// merge (UNAVAIL) and any other status counts as SUCCESS; a SUCCESS whose
// action is merge fails to be copied (UNAVAIL) and starts merging.
func mergeStatus(src nssSource, status nssStatus, merging *bool) nssStatus {
	if *merging {
		if status == nssSuccess {
			status, *merging = nssUnavail, false
		} else {
			status = nssSuccess
		}
	}
	if status == nssSuccess && src.MergeOn["success"] {
		status, *merging = nssUnavail, true
	}
	return status
}

// filesLeftover is what nss_files leaves in the caller's hostent when it
// finds no match: the last line it parsed for family, nil when none.
func (r *Resolver) filesLeftover(family int) *HostEnt {
	hs := r.hosts()
	for i := len(hs) - 1; i >= 0; i-- {
		if ad, ok := entryAddr(hs[i], family); ok {
			return &HostEnt{Name: hs[i].Name, Aliases: nonNil(hs[i].Aliases), Addrs: []string{ad.String()}}
		}
	}
	return nil
}

// digitsDots is the numeric part of __nss_hostname_digits_dots: for
// AF_INET a name of decimal digits and dots only (no trailing dot) in
// inet_aton form, so octal "0177.0.0.1" answers itself but hexadecimal
// "0x7f.1" goes to the NSS sources as a name, as gethostbyname2 and getent
// hosts do (getaddrinfo takes both); an IPv6 address for AF_INET6.
func digitsDots(name string, family int) (netip.Addr, bool) {
	if family == unix.AF_INET {
		if strings.HasSuffix(name, ".") || strings.Trim(name, "0123456789.") != "" || !isDigit(name[0]) {
			return netip.Addr{}, false
		}
		return inetAtonExact(name)
	}
	if b, ok := pton6(name); ok && strings.Contains(name, ":") {
		return netip.AddrFrom16(b), true
	}
	return netip.Addr{}, false
}

// GetHostByAddr is socket.gethostbyaddr: the host entry of an address
// (a name is resolved first, as Python does). Errors are *HError, or
// *GAIError when the name does not resolve.
func GetHostByAddr(addr string) (HostEnt, error) { return defaultResolver.GetHostByAddr(addr) }

// GetHostByAddr is socket.gethostbyaddr against r's files.
func (r *Resolver) GetHostByAddr(addr string) (HostEnt, error) {
	a, err := r.setIPAddr(addr, unix.AF_UNSPEC)
	if err != nil {
		return HostEnt{}, err
	}
	return r.HostByAddr(a)
}

// HostByAddr is gethostbyaddr(3) for one address: the hosts file's first
// line with it, else the first PTR record from DNS.
func (r *Resolver) HostByAddr(a netip.Addr) (HostEnt, error) {
	a = a.WithZone("")
	if a.Is6() && a.IsUnspecified() {
		return HostEnt{}, NewHError(HOST_NOT_FOUND)
	}
	found := func(h HostEnt) hostStep { return hostStep{ran: true, status: nssSuccess, ent: &h} }
	return r.nssHostLoop(func(src string) hostStep {
		switch src {
		case "files":
			start := time.Now()
			fam := unix.AF_INET6
			if a.Is4() {
				fam = unix.AF_INET
			}
			for _, e := range r.hosts() {
				if ea, ok := entryAddr(e, fam); ok && ea == a {
					r.trace(TraceEvent{Kind: "files", Name: a.String(), File: r.path(r.HostsFile, "/etc/hosts"), Found: true, Took: time.Since(start)})
					return found(HostEnt{Name: e.Name, Aliases: nonNil(e.Aliases), Addrs: []string{a.String()}})
				}
			}
			r.trace(TraceEvent{Kind: "files", Name: a.String(), File: r.path(r.HostsFile, "/etc/hosts"), Found: false, Took: time.Since(start)})
			return hostStep{ran: true, status: nssNotFound, herrno: HOST_NOT_FOUND, ent: r.filesLeftover(fam)}
		case "dns":
			q := a
			if q.Is4In6() {
				q = q.Unmap()
			}
			res := r.query(reverseName(q), dnsmessage.TypePTR)
			if res.Err == nil && len(res.Answer.PTRs) > 0 {
				return found(HostEnt{Name: res.Answer.PTRs[0], Aliases: []string{}, Addrs: []string{a.String()}})
			}
			herr := hostErrFor(res)
			if res.Err == nil && res.Answer.RCode == dnsmessage.RCodeSuccess {
				herr = NO_DATA
			}
			status := nssNotFound
			switch {
			case res.Err == nil && res.Answer.BadPTR:
				herr, status = NO_RECOVERY, nssUnavail
			case herr == TRY_AGAIN:
				status = nssTryAgain
			}
			return hostStep{ran: true, status: status, herrno: herr}
		case "myhostname":
			start := time.Now()
			h, ok := myhostnameByAddr(a)
			r.trace(TraceEvent{Kind: "myhostname", Name: a.String(), Found: ok, Took: time.Since(start)})
			if ok {
				return found(h)
			}
			return hostStep{ran: true, status: nssNotFound, herrno: HOST_NOT_FOUND}
		case "resolve":
			h, st := r.resolvedByAddr(a)
			if st.status == nssSuccess {
				return found(h)
			}
			return hostStep{ran: true, status: st.status, herrno: st.herrno}
		}
		if v, ok := mdnsVariants[src]; ok {
			h, st := r.mdnsByAddr(src, v, a)
			if st.status == nssSuccess {
				return found(h)
			}
			return hostStep{ran: true, status: st.status, herrno: st.herrno}
		}
		r.trace(TraceEvent{Kind: "skip", Name: src})
		return hostStep{}
	})
}

// NI_* flags glibc accepts besides the ones in names.go (netdb.h).
const (
	NI_IDN  = 32
	niKnown = NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | NI_DGRAM | NI_IDN | 0xc0 // deprecated IDN bits
)

// GetNameInfo is socket.getnameinfo for an InetAddr or Inet6Addr: the host
// from the hosts sources (or numeric, with a %scope for scoped IPv6), the
// service from /etc/services (tcp, or udp with NI_DGRAM). Errors are
// *GAIError.
func GetNameInfo(a Addr, flags int) (host, port string, err error) {
	return defaultResolver.GetNameInfo(a, flags)
}

// GetNameInfo is getnameinfo(3) against r's files.
func (r *Resolver) GetNameInfo(a Addr, flags int) (host, port string, err error) {
	if flags&^niKnown != 0 {
		return "", "", NewGAIError(EAI_BADFLAGS)
	}
	var ip netip.Addr
	var p int
	var scope uint32
	switch a := a.(type) {
	case *InetAddr:
		ip, p = a.IP.Unmap(), a.Port
		if !ip.IsValid() {
			ip = netip.IPv4Unspecified()
		}
	case *Inet6Addr:
		if a.FlowInfo > 0xfffff {
			return "", "", fmt.Errorf("getnameinfo: flowinfo must be 0-1048575, not %d: %w", a.FlowInfo, ErrRange)
		}
		ip, p, scope = netip.AddrFrom16(a.IP.As16()), a.Port, a.ScopeID
	default:
		return "", "", NewGAIError(EAI_FAMILY)
	}
	if flags&NI_NUMERICHOST == 0 {
		h, err := r.HostByAddr(ip)
		if err == nil {
			host = h.Name
			if flags&NI_NOFQDN != 0 {
				host = r.stripLocalDomain(host)
			}
		} else if he, ok := err.(*HError); ok && he.Code == TRY_AGAIN {
			return "", "", NewGAIError(EAI_AGAIN)
		}
	}
	if host == "" {
		if flags&NI_NAMEREQD != 0 {
			return "", "", NewGAIError(EAI_NONAME)
		}
		host = ip.String()
		if ip.Is6() {
			host = ntop6(ip.As16())
		}
		if ip.Is6() && scope != 0 {
			if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() {
				if name, err := ifIndexToName(int(scope)); err == nil {
					host += "%" + name
				} else {
					host += "%" + strconv.FormatUint(uint64(scope), 10)
				}
			} else {
				host += "%" + strconv.FormatUint(uint64(scope), 10)
			}
		}
	}
	if flags&NI_NUMERICSERV == 0 {
		proto := "tcp"
		if flags&NI_DGRAM != 0 {
			proto = "udp"
		}
		if s, ok := r.ServByPort(p, proto); ok {
			return host, s.Name, nil
		}
	}
	return host, strconv.Itoa(p), nil
}

// stripLocalDomain is NI_NOFQDN: the name up to ".<local domain>", where
// the local domain is what follows the first dot of the host name, or of
// its canonical name (glibc's nrl_domainname).
func (r *Resolver) stripLocalDomain(name string) string {
	hn, _ := GetHostname()
	_, dom, ok := strings.Cut(hn, ".")
	if !ok {
		if h, err := r.HostByName(hn, unix.AF_INET); err == nil {
			_, dom, ok = strings.Cut(h.Name, ".")
		}
	}
	if !ok || dom == "" {
		return name
	}
	if i := strings.Index(name, dom); i > 0 && name[i-1] == '.' {
		return name[:i-1]
	}
	return name
}

// GetFQDN is socket.getfqdn: the first name containing a dot among the
// host name and aliases gethostbyaddr returns for name (the local host
// name when name is empty, "0.0.0.0" or "::"), else that host name, else
// name.
func GetFQDN(name string) string { return defaultResolver.GetFQDN(name) }

// GetFQDN is socket.getfqdn against r's files.
func (r *Resolver) GetFQDN(name string) string {
	name = strings.TrimSpace(name)
	if name == "" || name == "0.0.0.0" || name == "::" {
		name, _ = GetHostname()
	}
	h, err := r.GetHostByAddr(name)
	if err != nil {
		return name
	}
	for _, n := range append([]string{h.Name}, h.Aliases...) {
		if strings.Contains(n, ".") {
			return n
		}
	}
	return h.Name
}

// GetHostname is socket.gethostname: the kernel's node name (uname(2)).
func GetHostname() (string, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", os.NewSyscallError("uname", err)
	}
	return unix.ByteSliceToString(u.Nodename[:]), nil
}

// SetHostname is socket.sethostname (sethostname(2); needs
// CAP_SYS_ADMIN in the UTS namespace).
func SetHostname(name string) error {
	if len(name) > 64 {
		return fmt.Errorf("sethostname: %q is %d bytes, the limit is 64: %w", name, len(name), os.NewSyscallError("sethostname", unix.EINVAL))
	}
	if err := unix.Sethostname([]byte(name)); err != nil {
		return os.NewSyscallError("sethostname", err)
	}
	return nil
}
