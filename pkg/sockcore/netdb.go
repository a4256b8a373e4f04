package sockcore

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

// AddrInfo is one getaddrinfo result: Python's (family, type, proto,
// canonname, sockaddr).
type AddrInfo struct {
	Family, Type, Proto int
	CanonName           string
	Addr                Addr
}

// Resolver runs the name services in pure Go against a set of files. The
// zero Resolver reads the system files (/etc/hosts, /etc/services,
// /etc/protocols, /etc/resolv.conf, /etc/nsswitch.conf, /etc/gai.conf,
// /etc/host.conf); a field that is set replaces one of them. The package
// functions (GetAddrInfo, GetHostByName, ...) use the zero Resolver.
//
// The hosts database is searched in the order of the "hosts:" line of
// nsswitch.conf with its [STATUS=action] items; the sources implemented
// are "files", "dns", "myhostname" (as systemd 252's nss-myhostname,
// from netlink) and "resolve" (systemd-resolved through Varlink, as
// nss-resolve), any other (mdns4_minimal, mymachines, ...) is skipped as
// glibc skips a module it cannot load.
type Resolver struct {
	HostsFile, ServicesFile, ProtocolsFile string
	ResolvConfFile, NSSwitchFile           string
	GAIConfFile, HostConfFile              string
	ResolvedSocket                         string // systemd-resolved's Varlink socket, for the "resolve" source
	AvahiSocket, MDNSAllowFile             string // avahi-daemon's socket and /etc/mdns.allow, for the "mdns*" sources

	// Trace, when set, is called for each source consulted: which file,
	// which DNS query to which server with what answer, how long it took.
	// It may be called from several goroutines at once.
	Trace func(TraceEvent)

	// Context, when set, ends the lookups that wait (DNS queries) once it
	// is done: they fail at once as when no server answers (EAI_AGAIN,
	// TRY_AGAIN) instead of waiting for the servers' timeouts; the caller
	// tells the two apart with Context.Err().
	Context context.Context

	confOnce sync.Once
	resolv   resolvConf
	dnsPort  uint16 // tests: the port of every nameserver (0: 53)
}

// TraceEvent is one step of a lookup, for explaining where an answer
// came from.
type TraceEvent struct {
	Kind    string        `json:"kind"`              // "numeric", "local", "files", "dns", "search", "skip"
	Name    string        `json:"name,omitempty"`    // the name or address looked up
	File    string        `json:"file,omitempty"`    // for "files"
	Found   bool          `json:"found"`             // for "files": whether the file had it
	Type    string        `json:"type,omitempty"`    // DNS query type: A, AAAA, PTR
	Server  string        `json:"server,omitempty"`  // DNS server address:port
	RCode   string        `json:"rcode,omitempty"`   // DNS response code: Success, NameError, ...
	Answers int           `json:"answers,omitempty"` // records in the answer section
	Err     string        `json:"error,omitempty"`   // a query no server answered; resolved's error id
	Link    int           `json:"ifindex,omitempty"` // for "resolve": the interface of the first address
	Took    time.Duration `json:"took_ns"`
}

var (
	defaultResolver Resolver
	rotateCounter   atomic.Uint32
)

func (r *Resolver) path(p, def string) string {
	if p != "" {
		return p
	}
	return def
}

func (r *Resolver) trace(e TraceEvent) {
	if r.Trace != nil {
		r.Trace(e)
	}
}

func (r *Resolver) resolvConf() resolvConf {
	r.confOnce.Do(func() {
		host, _ := GetHostname()
		r.resolv = cachedParse(r.path(r.ResolvConfFile, "/etc/resolv.conf"), "resolv.conf\x00"+host, func(data []byte) resolvConf {
			return parseResolvConf(data, host)
		})
		if r.dnsPort != 0 {
			servers := make([]netip.AddrPort, len(r.resolv.Servers))
			for i, s := range r.resolv.Servers {
				servers[i] = netip.AddrPortFrom(s.Addr(), r.dnsPort)
			}
			r.resolv.Servers = servers
		}
	})
	return r.resolv
}

func (r *Resolver) hosts() []hostEntry {
	return cachedParse(r.path(r.HostsFile, "/etc/hosts"), "hosts", parseHosts)
}

func (r *Resolver) nssHosts() []nssSource {
	return cachedParse(r.path(r.NSSwitchFile, "/etc/nsswitch.conf"), "nsswitch", func(data []byte) []nssSource {
		if data == nil {
			return defaultNSSHosts
		}
		return parseNSSwitch(data, "hosts")
	})
}

func (r *Resolver) gaiConf() gaiConf {
	return cachedParse(r.path(r.GAIConfFile, "/etc/gai.conf"), "gai.conf", func(data []byte) gaiConf {
		if data == nil {
			return defaultGAIConf
		}
		return parseGAIConf(data)
	})
}

func (r *Resolver) multi() bool {
	return cachedParse(r.path(r.HostConfFile, "/etc/host.conf"), "host.conf", parseHostConf)
}

// GetAddrInfo is socket.getaddrinfo: host and port may be nil (NULL). It
// follows glibc's getaddrinfo step by step: the service tuples of
// gaih_inet_typeproto (with type 0: SOCK_STREAM/IPPROTO_TCP,
// SOCK_DGRAM/IPPROTO_UDP, SOCK_RAW/0), numeric hosts (inet_aton forms,
// IPv6 with a %scope), the NSS hosts sources, then glibc's RFC 3484/6724
// sort with /etc/gai.conf. Errors are *GAIError.
func GetAddrInfo(host, port *string, family, typ, proto, flags int) ([]AddrInfo, error) {
	return defaultResolver.GetAddrInfo(host, port, family, typ, proto, flags)
}

const aiKnown = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_ADDRCONFIG | AI_V4MAPPED | AI_NUMERICSERV | AI_ALL |
	0x0040 | 0x0080 | 0x0300 // AI_IDN, AI_CANONIDN and the deprecated IDN bits (netdb.h): accepted, ignored

// GetAddrInfo is getaddrinfo(3) against r's files.
func (r *Resolver) GetAddrInfo(host, port *string, family, typ, proto, flags int) ([]AddrInfo, error) {
	if host != nil && *host == "*" {
		host = nil
	}
	if port != nil && *port == "*" {
		port = nil
	}
	if host == nil && port == nil {
		return nil, NewGAIError(EAI_NONAME)
	}
	if err := checkCInts("getaddrinfo", "family", family, "type", typ, "proto", proto, "flags", flags); err != nil {
		return nil, err
	}
	if flags&^aiKnown != 0 {
		return nil, NewGAIError(EAI_BADFLAGS)
	}
	if flags&AI_CANONNAME != 0 && host == nil {
		return nil, NewGAIError(EAI_BADFLAGS)
	}
	if family != unix.AF_UNSPEC && family != unix.AF_INET && family != unix.AF_INET6 {
		return nil, NewGAIError(EAI_FAMILY)
	}
	var ifs *ifaceAddrs
	if flags&AI_ADDRCONFIG != 0 {
		ifs = loadIfaceAddrs()
		switch {
		case family == unix.AF_UNSPEC && (ifs.seen4 || ifs.seen6):
			if ifs.seen4 != ifs.seen6 {
				family = unix.AF_INET
				if ifs.seen6 {
					family = unix.AF_INET6
				}
			}
		case family == unix.AF_INET && !ifs.seen4, family == unix.AF_INET6 && !ifs.seen6:
			return nil, NewGAIError(EAI_NONAME)
		}
	}
	var svc *gaiService
	if port != nil && *port != "" {
		svc = &gaiService{name: *port, num: -1}
		if n, ok := cStrtoul(*port); ok {
			svc.num = int(n)
		} else if flags&AI_NUMERICSERV != 0 {
			return nil, NewGAIError(EAI_NONAME)
		}
	}
	req := gaiReq{family: family, typ: typ, proto: proto, flags: flags}
	st, err := r.servTuples(svc, req)
	if err != nil {
		return nil, err
	}
	res, err := r.gaihAddrs(host, req)
	if err != nil {
		return nil, err
	}
	out, naddrs := generateAddrInfo(req, res, st)
	if naddrs > 1 {
		if ifs == nil {
			ifs = loadIfaceAddrs()
		}
		out = rfc3484Sort(out, ifs, r.gaiConf())
	}
	return out, nil
}

// cStrtoul is strtoul(s, &end, 10) with *end == '\0': C's leading blanks
// and sign are accepted, a negative number wraps as an unsigned long does.
func cStrtoul(s string) (uint64, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if i >= len(s) {
		return 0, false
	}
	var v uint64
	overflow := false
	for ; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		d := uint64(s[i] - '0')
		if v > (^uint64(0)-d)/10 {
			overflow = true
		}
		v = v*10 + d
	}
	if overflow {
		v = ^uint64(0)
	} else if neg {
		v = -v
	}
	return v, true
}

type gaiReq struct{ family, typ, proto, flags int }

type gaiService struct {
	name string
	num  int // -1: a name
}

type servTuple struct{ typ, proto, port int }

// gaih_inet_typeproto from glibc's getaddrinfo.c.
type typeProto struct {
	typ, proto int
	protoAny   bool // GAI_PROTO_PROTOANY
	noService  bool // GAI_PROTO_NOSERVICE
	isDefault  bool
	name       string
}

var inetTypeProto = []typeProto{
	{unix.SOCK_STREAM, unix.IPPROTO_TCP, false, false, true, "tcp"},
	{unix.SOCK_DGRAM, unix.IPPROTO_UDP, false, false, true, "udp"},
	{unix.SOCK_DCCP, unix.IPPROTO_DCCP, false, false, false, "dccp"},
	{unix.SOCK_DGRAM, unix.IPPROTO_UDPLITE, false, false, false, "udplite"},
	{unix.SOCK_STREAM, unix.IPPROTO_SCTP, false, false, false, "sctp"},
	{unix.SOCK_SEQPACKET, unix.IPPROTO_SCTP, false, false, false, "sctp"},
	{unix.SOCK_RAW, 0, true, true, true, "raw"},
}

// servTuples is glibc's get_servtuples.
func (r *Resolver) servTuples(svc *gaiService, req gaiReq) ([]servTuple, error) {
	var tp *typeProto
	if req.typ != 0 || req.proto != 0 {
		for i := range inetTypeProto {
			t := &inetTypeProto[i]
			if (req.typ == 0 || req.typ == t.typ) && (req.proto == 0 || t.protoAny || req.proto == t.proto) {
				tp = t
				break
			}
		}
		if tp == nil {
			if req.typ != 0 {
				return nil, NewGAIError(EAI_SOCKTYPE)
			}
			return nil, NewGAIError(EAI_SERVICE)
		}
	}
	if svc != nil && tp != nil && tp.noService {
		return nil, NewGAIError(EAI_SERVICE)
	}
	protoOf := func(t *typeProto) int {
		if t.protoAny {
			return req.proto
		}
		return t.proto
	}
	if svc == nil || svc.num >= 0 {
		port := 0
		if svc != nil {
			port = int(uint16(svc.num)) // htons truncates
		}
		if tp != nil {
			return []servTuple{{tp.typ, protoOf(tp), port}}, nil
		}
		var st []servTuple
		for _, t := range inetTypeProto {
			if t.isDefault {
				st = append(st, servTuple{t.typ, t.proto, port})
			}
		}
		return st, nil
	}
	services := r.services()
	if tp != nil {
		s, ok := findServByName(services, svc.name, tp.name)
		if !ok {
			return nil, NewGAIError(EAI_SERVICE)
		}
		return []servTuple{{tp.typ, protoOf(tp), s.Port}}, nil
	}
	var st []servTuple
	for i := range inetTypeProto {
		t := &inetTypeProto[i]
		if t.noService {
			continue
		}
		if s, ok := findServByName(services, svc.name, t.name); ok {
			st = append(st, servTuple{t.typ, protoOf(t), s.Port})
		}
	}
	if len(st) == 0 {
		return nil, NewGAIError(EAI_SERVICE)
	}
	return st, nil
}

// gaiTuple is glibc's gaih_addrtuple.
type gaiTuple struct {
	family int
	addr   netip.Addr // 16-byte form for AF_INET6 (v4-mapped when mapped)
	scope  uint32
	name   string // h_name of the entry, on the first tuple of a source
}

type gaiResult struct {
	at      []gaiTuple
	canon   string
	hasCan  bool
	gotIPv6 bool
}

// gaihAddrs finds the addresses of host (gaih_inet up to generate_addrinfo).
func (r *Resolver) gaihAddrs(host *string, req gaiReq) (gaiResult, error) {
	var res gaiResult
	if host == nil {
		v6 := gaiTuple{family: unix.AF_INET6, addr: netip.IPv6Unspecified()}
		v4 := gaiTuple{family: unix.AF_INET, addr: netip.IPv4Unspecified()}
		if req.flags&AI_PASSIVE == 0 {
			v6.addr = netip.IPv6Loopback()
			v4.addr = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
		if req.family == unix.AF_UNSPEC || req.family == unix.AF_INET6 {
			res.at = append(res.at, v6)
		}
		if req.family == unix.AF_UNSPEC || req.family == unix.AF_INET {
			res.at = append(res.at, v4)
		}
		r.trace(TraceEvent{Kind: "local", Found: true})
		return res, nil
	}
	name := *host
	if at, ok, err := numericHost(name, req); err != nil {
		return res, err
	} else if ok {
		r.trace(TraceEvent{Kind: "numeric", Name: name, Found: true})
		res.at = []gaiTuple{at}
		if req.flags&AI_CANONNAME != 0 {
			res.canon, res.hasCan = name, true
		}
		return res, nil
	}
	if req.flags&AI_NUMERICHOST != 0 {
		return res, NewGAIError(EAI_NONAME)
	}
	res, err := r.nssAddresses(name, req)
	if err != nil {
		return res, err
	}
	if req.flags&AI_CANONNAME != 0 && !res.hasCan {
		res.canon, res.hasCan = name, true
	}
	return res, nil
}

// numericHost is glibc's text_to_binary_address.
func numericHost(name string, req gaiReq) (gaiTuple, bool, error) {
	if a, ok := inetAtonExact(name); ok {
		switch {
		case req.family == unix.AF_UNSPEC || req.family == unix.AF_INET:
			return gaiTuple{family: unix.AF_INET, addr: a}, true, nil
		case req.family == unix.AF_INET6 && req.flags&AI_V4MAPPED != 0:
			return gaiTuple{family: unix.AF_INET6, addr: netip.AddrFrom16(a.As16())}, true, nil
		}
		return gaiTuple{}, false, NewGAIError(EAI_ADDRFAMILY)
	}
	text, scope, hasScope := strings.Cut(name, "%")
	b, ok := pton6(text)
	if !ok || !strings.Contains(text, ":") {
		return gaiTuple{}, false, nil
	}
	a := netip.AddrFrom16(b)
	t := gaiTuple{family: unix.AF_INET6, addr: a}
	switch {
	case req.family == unix.AF_UNSPEC || req.family == unix.AF_INET6:
	case req.family == unix.AF_INET && a.Is4In6():
		t = gaiTuple{family: unix.AF_INET, addr: a.Unmap()}
	default:
		return gaiTuple{}, false, NewGAIError(EAI_ADDRFAMILY)
	}
	if hasScope {
		id, ok := scopeIDPton(a, scope)
		if !ok {
			return gaiTuple{}, false, NewGAIError(EAI_NONAME)
		}
		t.scope = id
	}
	return t, true, nil
}

// inetAtonExact is glibc's __inet_aton_exact: inet_aton with nothing after
// the address.
func inetAtonExact(s string) (netip.Addr, bool) {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) || s[i] == 0 {
			return netip.Addr{}, false
		}
	}
	b, err := InetAton(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte(b)), true
}

// scopeIDPton is glibc's __inet6_scopeid_pton: an interface name for
// link-local and multicast link/node-local addresses, else a decimal
// number that fits 32 bits.
func scopeIDPton(a netip.Addr, scope string) (uint32, bool) {
	if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		if idx, err := ifNameToIndex(scope); err == nil && idx != 0 {
			return uint32(idx), true
		}
	}
	if scope == "" || !isDigit(scope[0]) {
		return 0, false
	}
	n, err := strconv.ParseUint(scope, 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

type nssStatus int

const (
	nssSuccess nssStatus = iota
	nssNotFound
	nssUnavail
	nssTryAgain
)

var nssStatusKey = map[nssStatus]string{nssSuccess: "success", nssNotFound: "notfound", nssUnavail: "unavail", nssTryAgain: "tryagain"}

// hostAnswer is what one NSS source returns for a name: glibc's hostent or
// the gaih_addrtuple list of gethostbyname4_r.
type hostAnswer struct {
	status  nssStatus
	herrno  int
	name    string // h_name (the canonical name)
	aliases []string
	addrs   []netip.Addr
	scopes  []uint32 // gethostbyname4_r's scope id of each address, or nil
}

// lookupSource asks one NSS source for name: family 0 is
// gethostbyname4_r (both families, files in file order, DNS A then AAAA),
// AF_INET or AF_INET6 is gethostbyname3_r.
func (r *Resolver) lookupSource(src, name string, family int) (hostAnswer, bool) {
	start := time.Now()
	switch src {
	case "files":
		a := r.filesByName(name, family)
		r.trace(TraceEvent{Kind: "files", Name: name, File: r.path(r.HostsFile, "/etc/hosts"), Found: a.status == nssSuccess, Took: time.Since(start)})
		return a, true
	case "dns":
		var types []dnsmessage.Type
		if family != unix.AF_INET6 {
			types = append(types, dnsmessage.TypeA)
		}
		if family != unix.AF_INET {
			types = append(types, dnsmessage.TypeAAAA)
		}
		sr := r.search(name, types...)
		var a hostAnswer
		for _, res := range sr.Results {
			if len(res.Answer.Addrs) > 0 && a.name == "" {
				a.name = res.Answer.Canon
				a.aliases = res.Answer.Aliases
			}
			a.addrs = append(a.addrs, res.Answer.Addrs...)
		}
		if len(a.addrs) > 0 {
			a.status = nssSuccess
			return a, true
		}
		a.herrno = sr.HErrno
		if a.herrno == 0 {
			a.herrno = NO_DATA
		}
		switch a.herrno {
		case HOST_NOT_FOUND, NO_DATA:
			a.status = nssNotFound
		case TRY_AGAIN:
			a.status = nssTryAgain
		default:
			a.status = nssUnavail
		}
		return a, true
	case "myhostname":
		a := myhostnameByName(name, family)
		r.trace(TraceEvent{Kind: "myhostname", Name: name, Found: a.status == nssSuccess, Took: time.Since(start)})
		return a, true
	case "resolve":
		return r.resolvedByName(name, family), true
	}
	if v, ok := mdnsVariants[src]; ok {
		return r.mdnsByName(src, v, name, family), true
	}
	r.trace(TraceEvent{Kind: "skip", Name: src})
	return hostAnswer{}, false
}

// filesByName searches the hosts file as nss_files does: the first
// matching line (of the family, when one is given) and, with "multi on"
// in host.conf, every later one too; gethostbyname3_multi adds their
// aliases and, when it differs, their name to the aliases.
func (r *Resolver) filesByName(name string, family int) hostAnswer {
	a := hostAnswer{status: nssNotFound, herrno: HOST_NOT_FOUND}
	multi := r.multi()
	for _, e := range r.hosts() {
		addr, ok := entryAddr(e, family)
		if !ok || !hostMatches(e, name) {
			continue
		}
		if a.status == nssSuccess {
			a.addrs = append(a.addrs, addr)
			a.aliases = append(a.aliases, e.Aliases...)
			if e.Name != a.name {
				a.aliases = append(a.aliases, e.Name)
			}
			continue
		}
		a.status, a.herrno = nssSuccess, 0
		a.name = e.Name
		a.aliases = append([]string{}, e.Aliases...)
		a.addrs = []netip.Addr{addr}
		if !multi {
			break
		}
	}
	return a
}

// entryAddr is a hosts line's address as nss_files parses it for one
// family: for AF_INET a v4-mapped address becomes IPv4 and ::1 becomes
// 127.0.0.1 (other IPv6 lines are skipped); for AF_INET6 IPv4 lines are
// skipped; family 0 takes every line as it is.
func entryAddr(e hostEntry, family int) (netip.Addr, bool) {
	switch family {
	case unix.AF_INET:
		switch {
		case e.Addr.Is4():
			return e.Addr, true
		case e.Addr.Is4In6():
			return e.Addr.Unmap(), true
		case e.Addr == netip.IPv6Loopback():
			return netip.AddrFrom4([4]byte{127, 0, 0, 1}), true
		}
		return netip.Addr{}, false
	case unix.AF_INET6:
		return e.Addr, e.Addr.Is6()
	}
	return e.Addr, true
}

func hostMatches(e hostEntry, name string) bool {
	if strings.EqualFold(e.Name, name) {
		return true
	}
	for _, al := range e.Aliases {
		if strings.EqualFold(al, name) {
			return true
		}
	}
	return false
}

// nssAddresses is glibc's get_nss_addresses, after
// try_simple_gethostbyname for AF_INET without AI_CANONNAME.
func (r *Resolver) nssAddresses(name string, req gaiReq) (gaiResult, error) {
	if req.family == unix.AF_INET && req.flags&AI_CANONNAME == 0 {
		if res, err, ok := r.simpleGetHostByName(name); ok {
			return res, err
		}
	}
	var res gaiResult
	noData, noInet6Data := 0, 0
	status := nssUnavail
	merging := false
	for _, src := range r.nssHosts() {
		res = gaiResult{}
		if merging {
			// The hosts database does not support merge: the source
			// after one whose action was merge is not asked, the
			// lookup ends with nothing (h_errno NETDB_INTERNAL, errno
			// EBUSY).
			if status == nssTryAgain || status == nssUnavail {
				return res, &GAIError{Code: EAI_SYSTEM, Msg: gaiMessages[EAI_SYSTEM], Err: unix.EBUSY}
			}
			break
		}
		noData = 0
		if req.family == unix.AF_UNSPEC {
			a, ok := r.lookupSource(src.Name, name, 0)
			if !ok {
				status = nssUnavail
				if src.ReturnOn["unavail"] {
					break
				}
				continue
			}
			status = a.status
			if status == nssSuccess {
				for i, ad := range a.addrs {
					t := gaiTuple{family: unix.AF_INET, addr: ad}
					if ad.Is6() {
						t.family = unix.AF_INET6
					}
					if i == 0 {
						t.name = a.name
					}
					if i < len(a.scopes) {
						t.scope = a.scopes[i]
					}
					res.at = append(res.at, t)
				}
				if req.flags&AI_CANONNAME != 0 {
					res.canon, res.hasCan = a.name, true
				}
			} else if a.herrno == TRY_AGAIN {
				noData = EAI_AGAIN
			} else if a.herrno == NO_DATA {
				noData = 1
			}
			noInet6Data = noData
		} else {
			inet6Status := nssUnavail
			skipped := false
			gethosts := func(fam int) nssStatus {
				a, ok := r.lookupSource(src.Name, name, fam)
				if !ok {
					skipped = true
					return nssUnavail
				}
				noData = 0
				if a.status != nssSuccess {
					if a.herrno == TRY_AGAIN {
						noData = EAI_AGAIN
					} else if a.herrno == NO_DATA {
						noData = 1
					}
					return a.status
				}
				for _, ad := range a.addrs {
					t := gaiTuple{family: fam, addr: ad}
					if fam == unix.AF_INET && req.family == unix.AF_INET6 {
						t = gaiTuple{family: unix.AF_INET6, addr: netip.AddrFrom16(ad.As16())}
					}
					res.at = append(res.at, t)
				}
				res.gotIPv6 = fam == unix.AF_INET6
				if req.flags&AI_CANONNAME != 0 && !res.hasCan {
					res.canon, res.hasCan = a.name, true
				}
				return nssSuccess
			}
			status = nssUnavail
			if req.family == unix.AF_INET6 {
				inet6Status = gethosts(unix.AF_INET6)
				noInet6Data = noData
			}
			if req.family == unix.AF_INET || req.family == unix.AF_INET6 && req.flags&AI_V4MAPPED != 0 && (req.flags&AI_ALL != 0 || !res.gotIPv6) {
				status = gethosts(unix.AF_INET)
				if req.family == unix.AF_INET {
					noInet6Data = noData
					inet6Status = status
				}
			}
			if skipped {
				status = nssUnavail
			} else if inet6Status == nssSuccess || status == nssSuccess {
				status = nssSuccess
			} else if inet6Status == nssTryAgain {
				status = nssTryAgain
			} else if status == nssUnavail && inet6Status != nssUnavail {
				status = inet6Status
			}
		}
		if src.ReturnOn[nssStatusKey[status]] {
			break
		}
		merging = src.MergeOn[nssStatusKey[status]]
	}
	if len(res.at) > 0 {
		return res, nil
	}
	if noData != 0 && noInet6Data != 0 {
		if noData == EAI_AGAIN && noInet6Data == EAI_AGAIN {
			return res, NewGAIError(EAI_AGAIN)
		}
		return res, NewGAIError(EAI_NODATA)
	}
	return res, NewGAIError(EAI_NONAME)
}

// simpleGetHostByName is glibc's try_simple_gethostbyname: getaddrinfo
// for AF_INET without AI_CANONNAME asks gethostbyname2_r, whose loop
// differs from get_nss_addresses' where an action is merge or
// SUCCESS=continue. ok is false when the nsswitch line has neither, where
// both give the same answer and get_nss_addresses keeps its traces.
func (r *Resolver) simpleGetHostByName(name string) (gaiResult, error, bool) {
	special := false
	for _, src := range r.nssHosts() {
		special = special || src.MergeOn != nil || !src.ReturnOn["success"]
	}
	if !special {
		return gaiResult{}, nil, false
	}
	h, err := r.HostByName(name, unix.AF_INET)
	if err != nil {
		var he *HError
		if errors.As(err, &he) {
			switch he.Code {
			case NO_DATA:
				return gaiResult{}, NewGAIError(EAI_NODATA), true
			case TRY_AGAIN:
				return gaiResult{}, NewGAIError(EAI_AGAIN), true
			}
		}
		return gaiResult{}, NewGAIError(EAI_NONAME), true
	}
	var res gaiResult
	for i, s := range h.Addrs {
		t := gaiTuple{family: unix.AF_INET, addr: netip.MustParseAddr(s)}
		if i == 0 {
			t.name = h.Name
		}
		res.at = append(res.at, t)
	}
	return res, nil, true
}

// generateAddrInfo is glibc's generate_addrinfo: one result per address
// and service tuple, the canonical name on the first.
func generateAddrInfo(req gaiReq, res gaiResult, st []servTuple) ([]AddrInfo, int) {
	var out []AddrInfo
	naddrs := 0
	canonDone := !res.hasCan
	for _, at := range res.at {
		if at.family == unix.AF_INET6 && res.gotIPv6 && req.flags&(AI_V4MAPPED|AI_ALL) == AI_V4MAPPED && at.addr.Is4In6() {
			continue
		}
		for _, s := range st {
			ai := AddrInfo{Family: at.family, Type: s.typ, Proto: s.proto}
			if !canonDone {
				ai.CanonName, canonDone = res.canon, true
			}
			if at.family == unix.AF_INET6 {
				ai.Addr = &Inet6Addr{IP: netip.AddrFrom16(at.addr.As16()), Port: s.port, ScopeID: at.scope}
			} else {
				ai.Addr = &InetAddr{IP: at.addr.Unmap(), Port: s.port}
			}
			out = append(out, ai)
		}
		naddrs++
	}
	return out, naddrs
}
