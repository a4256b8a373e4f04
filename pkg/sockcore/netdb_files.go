package sockcore

import (
	"bufio"
	"bytes"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// The parsers below read the files glibc's NSS "files" backend, its stub
// resolver and its getaddrinfo read, with glibc's rules: '#' starts a
// comment anywhere on a line, fields are separated by blanks, a line that
// does not parse is skipped.

// fields splits a line of a netdb file: the comment is cut at '#'.
func fields(line string) []string {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	return strings.Fields(line)
}

func lines(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// HostEntry is one line of /etc/hosts, or a host answer: glibc's struct
// hostent with one address per entry.
type hostEntry struct {
	Addr    netip.Addr // IPv4 or IPv6, no zone
	Name    string
	Aliases []string
}

// parseHosts parses /etc/hosts. The address is parsed with inet_pton's
// strict rules (IPv6 first, then IPv4), as glibc's files-hosts.c does; a
// line without a name is skipped.
func parseHosts(data []byte) []hostEntry {
	var out []hostEntry
	for _, l := range lines(data) {
		f := fields(l)
		if len(f) < 2 {
			continue
		}
		var a netip.Addr
		if b, ok := pton6(f[0]); ok && strings.Contains(f[0], ":") {
			a = netip.AddrFrom16(b)
		} else if validPton4(f[0]) {
			a = netip.MustParseAddr(f[0])
		} else {
			continue
		}
		out = append(out, hostEntry{Addr: a, Name: f[1], Aliases: f[2:]})
	}
	return out
}

// ServEnt is one entry of /etc/services: glibc's struct servent.
type ServEnt struct {
	Name    string   `json:"name"`
	Port    int      `json:"port"`
	Proto   string   `json:"proto"`
	Aliases []string `json:"aliases"`
}

// parseServices parses /etc/services: "name port/proto alias...".
func parseServices(data []byte) []ServEnt {
	var out []ServEnt
	for _, l := range lines(data) {
		f := fields(l)
		if len(f) < 2 {
			continue
		}
		port, proto, ok := strings.Cut(f[1], "/")
		if !ok || proto == "" {
			continue
		}
		n, err := strconv.ParseUint(port, 10, 64)
		if err != nil {
			continue
		}
		// glibc stores ntohs(strtoul()): the port wraps at 16 bits.
		out = append(out, ServEnt{Name: f[0], Port: int(uint16(n)), Proto: proto, Aliases: nonNil(f[2:])})
	}
	return out
}

// ProtoEnt is one entry of /etc/protocols: glibc's struct protoent.
type ProtoEnt struct {
	Name    string   `json:"name"`
	Number  int      `json:"number"`
	Aliases []string `json:"aliases"`
}

// parseProtocols parses /etc/protocols: "name number alias...".
func parseProtocols(data []byte) []ProtoEnt {
	var out []ProtoEnt
	for _, l := range lines(data) {
		f := fields(l)
		if len(f) < 2 {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 32)
		if err != nil || n < 0 {
			continue
		}
		out = append(out, ProtoEnt{Name: f[0], Number: int(n), Aliases: nonNil(f[2:])})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string{}, s...)
}

// nssSource is one service of an nsswitch.conf line with its actions:
// returnOn[status] says whether that status ends the lookup, MergeOn[status]
// whether its action is merge (glibc 2.24+), which does not end it either.
type nssSource struct {
	Name     string
	ReturnOn map[string]bool // keys: success, notfound, unavail, tryagain
	MergeOn  map[string]bool // nil when no action of the source is merge
}

// defaultNSSHosts is glibc's default when nsswitch.conf has no hosts line.
var defaultNSSHosts = []nssSource{{Name: "dns", ReturnOn: defaultActions()}, {Name: "files", ReturnOn: defaultActions()}}

func defaultActions() map[string]bool {
	return map[string]bool{"success": true, "notfound": false, "unavail": false, "tryagain": false}
}

// parseNSSwitch returns the sources of database db ("hosts") in order.
// Services sockcore does not implement (mymachines, sss, ldap, wins,
// ...) are kept: the lookup skips them as glibc skips a module it
// cannot load (status UNAVAIL).
func parseNSSwitch(data []byte, db string) []nssSource {
	if out, ok := nssLine(data, db); ok {
		return out
	}
	return defaultNSSHosts
}

// nssLine returns the sources of database db, ok false when nsswitch.conf
// has no line for it.
func nssLine(data []byte, db string) ([]nssSource, bool) {
	for _, l := range lines(data) {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		name, rest, ok := strings.Cut(l, ":")
		if !ok || strings.TrimSpace(name) != db {
			continue
		}
		var out []nssSource
		rest = strings.TrimSpace(rest)
		for rest != "" {
			if rest[0] == '[' {
				end := strings.IndexByte(rest, ']')
				if end < 0 {
					break
				}
				if len(out) > 0 {
					applyActions(&out[len(out)-1], rest[1:end])
				}
				rest = strings.TrimSpace(rest[end+1:])
				continue
			}
			i := strings.IndexAny(rest, " \t[")
			if i < 0 {
				i = len(rest)
			}
			out = append(out, nssSource{Name: rest[:i], ReturnOn: defaultActions()})
			rest = strings.TrimSpace(rest[i:])
		}
		return out, true
	}
	return nil, false
}

// applyActions applies the [STATUS=action ...] items of spec to src:
// return, continue and merge, a ! setting every other status.
func applyActions(src *nssSource, spec string) {
	m := src.ReturnOn
	for _, item := range strings.Fields(spec) {
		st, act, ok := strings.Cut(strings.ToLower(item), "=")
		if !ok {
			continue
		}
		ret, merge := act == "return", act == "merge"
		if act != "return" && act != "continue" && !merge {
			continue
		}
		set := func(k string) {
			m[k] = ret
			if merge && src.MergeOn == nil {
				src.MergeOn = map[string]bool{}
			}
			if src.MergeOn != nil {
				src.MergeOn[k] = merge
			}
		}
		if neg := strings.HasPrefix(st, "!"); neg {
			st = st[1:]
			for k := range m {
				if k != st {
					set(k)
				}
			}
			continue
		}
		if _, ok := m[st]; ok {
			set(st)
		}
	}
}

// resolvConf is what glibc's res_init reads from resolv.conf.
type resolvConf struct {
	Servers  []netip.AddrPort
	Search   []string
	Ndots    int
	Timeout  time.Duration
	Attempts int
	Rotate   bool
	UseVC    bool // options use-vc: TCP only
}

// parseResolvConf parses resolv.conf with glibc's defaults (ndots 1,
// timeout 5 s, attempts 2, at most 3 nameservers, 127.0.0.1 when none is
// given; search and domain replace each other, the last one wins). When
// neither search nor domain is given, the search list is the domain part
// of hostname, as glibc does.
func parseResolvConf(data []byte, hostname string) resolvConf {
	c := resolvConf{Ndots: 1, Timeout: 5 * time.Second, Attempts: 2}
	haveSearch := false
	for _, l := range lines(data) {
		if i := strings.IndexAny(l, "#;"); i >= 0 {
			l = l[:i]
		}
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) < 2 || len(c.Servers) >= 3 {
				continue
			}
			host, zone, _ := strings.Cut(f[1], "%")
			a, err := netip.ParseAddr(host)
			if err != nil {
				continue
			}
			if zone != "" && a.Is6() {
				a = a.WithZone(zone)
			}
			c.Servers = append(c.Servers, netip.AddrPortFrom(a, 53))
		case "domain":
			if len(f) >= 2 {
				c.Search = []string{f[1]}
				haveSearch = true
			}
		case "search":
			c.Search = append([]string{}, f[1:]...)
			if len(c.Search) > 6 {
				c.Search = c.Search[:6]
			}
			haveSearch = true
		case "options":
			for _, o := range f[1:] {
				k, v, _ := strings.Cut(o, ":")
				n, _ := strconv.Atoi(v)
				switch k {
				case "ndots":
					c.Ndots = min(max(n, 0), 15)
				case "timeout":
					c.Timeout = time.Duration(min(max(n, 1), 30)) * time.Second
				case "attempts":
					c.Attempts = min(max(n, 1), 5)
				case "rotate":
					c.Rotate = true
				case "use-vc":
					c.UseVC = true
				}
			}
		}
	}
	if len(c.Servers) == 0 {
		c.Servers = []netip.AddrPort{netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 53)}
	}
	if !haveSearch {
		if _, dom, ok := strings.Cut(hostname, "."); ok && dom != "" {
			c.Search = []string{dom}
		}
	}
	return c
}

// prefixEntry is one label or precedence line of gai.conf.
type prefixEntry struct {
	Prefix netip.Prefix // IPv6
	Val    int
}

// scopeEntry is one scopev4 line of gai.conf.
type scopeEntry struct {
	Addr, Mask uint32
	Scope      int
}

// gaiConf holds the RFC 3484/6724 tables getaddrinfo sorts with.
type gaiConf struct {
	Labels, Precedence []prefixEntry
	Scopes             []scopeEntry
}

func p6(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// glibc's built-in tables (sysdeps/posix/getaddrinfo.c): RFC 3484 with
// site-local, ULA and Teredo labels added.
var defaultGAIConf = gaiConf{
	Labels: []prefixEntry{
		{p6("::1/128"), 0}, {p6("2002::/16"), 2}, {p6("::/96"), 3}, {p6("::ffff:0:0/96"), 4},
		{p6("fec0::/10"), 5}, {p6("fc00::/7"), 6}, {p6("2001::/32"), 7}, {p6("::/0"), 1},
	},
	Precedence: []prefixEntry{
		{p6("::1/128"), 50}, {p6("2002::/16"), 30}, {p6("::/96"), 20}, {p6("::ffff:0:0/96"), 10}, {p6("::/0"), 40},
	},
	Scopes: []scopeEntry{
		{0xa9fe0000, 0xffff0000, 2}, {0x7f000000, 0xff000000, 2}, {0, 0, 14},
	},
}

// parseGAIConf reads gai.conf as glibc's gaiconf_init does: a table given
// in the file replaces the built-in one entirely, gets a catch-all entry
// when it has none, and is sorted by prefix length, longest first.
func parseGAIConf(data []byte) gaiConf {
	var labels, prec []prefixEntry
	var scopes []scopeEntry
	for _, l := range lines(data) {
		f := fields(l)
		if len(f) < 3 {
			continue
		}
		switch f[0] {
		case "label", "precedence":
			pfx, ok := parseGAIPrefix(f[1])
			v, err := strconv.ParseUint(f[2], 10, 31)
			if !ok || err != nil {
				continue
			}
			e := prefixEntry{pfx, int(v)}
			if f[0] == "label" {
				labels = append(labels, e)
			} else {
				prec = append(prec, e)
			}
		case "scopev4":
			addr, bitsStr, hasBits := strings.Cut(f[1], "/")
			v, err := strconv.ParseUint(f[2], 10, 31)
			if err != nil {
				continue
			}
			var a4 [4]byte
			bits := 32
			if b, ok := pton6(addr); ok && strings.Contains(addr, ":") {
				m := netip.AddrFrom16(b)
				if !m.Is4In6() {
					continue
				}
				bits = 128
				if hasBits {
					n, err := strconv.Atoi(bitsStr)
					if err != nil || n < 96 || n > 128 {
						continue
					}
					bits = n
				}
				bits -= 96
				a4 = m.Unmap().As4()
			} else if validPton4(addr) {
				a4 = netip.MustParseAddr(addr).As4()
				if hasBits {
					n, err := strconv.Atoi(bitsStr)
					if err != nil || n < 0 || n > 32 {
						continue
					}
					bits = n
				}
			} else {
				continue
			}
			mask := uint32(0)
			if bits > 0 {
				mask = ^uint32(0) << (32 - bits)
			}
			a := uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])
			scopes = append(scopes, scopeEntry{a & mask, mask, int(v)})
		}
	}
	c := defaultGAIConf
	if len(labels) > 0 {
		c.Labels = finishPrefixes(labels, 1)
	}
	if len(prec) > 0 {
		c.Precedence = finishPrefixes(prec, 40)
	}
	if len(scopes) > 0 {
		hasDefault := false
		for _, s := range scopes {
			hasDefault = hasDefault || s.Mask == 0
		}
		if !hasDefault {
			scopes = append(scopes, scopeEntry{0, 0, 14})
		}
		stableSortFunc(scopes, func(a, b scopeEntry) bool { return a.Mask > b.Mask })
		c.Scopes = scopes
	}
	return c
}

func parseGAIPrefix(s string) (netip.Prefix, bool) {
	addr, bitsStr, hasBits := strings.Cut(s, "/")
	b, ok := pton6(addr)
	if !ok || !strings.Contains(addr, ":") {
		return netip.Prefix{}, false
	}
	bits := 128
	if hasBits {
		n, err := strconv.Atoi(bitsStr)
		if err != nil || n < 0 || n > 128 {
			return netip.Prefix{}, false
		}
		bits = n
	}
	return netip.PrefixFrom(netip.AddrFrom16(b), bits), true
}

func finishPrefixes(l []prefixEntry, def int) []prefixEntry {
	hasDefault := false
	for _, e := range l {
		hasDefault = hasDefault || e.Prefix.Bits() == 0
	}
	if !hasDefault {
		l = append(l, prefixEntry{p6("::/0"), def})
	}
	stableSortFunc(l, func(a, b prefixEntry) bool { return a.Prefix.Bits() > b.Prefix.Bits() })
	return l
}

// stableSortFunc is an insertion sort: the tables are a few lines long.
func stableSortFunc[T any](s []T, less func(a, b T) bool) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && less(s[j], s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// parseHostConf reports whether host.conf says "multi on".
func parseHostConf(data []byte) (multi bool) {
	for _, l := range lines(data) {
		f := fields(l)
		if len(f) >= 2 && f[0] == "multi" {
			multi = f[1] == "on"
		}
	}
	return multi
}

func readFile(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return b
}
