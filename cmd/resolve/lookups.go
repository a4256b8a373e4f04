package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

var addrinfoFlags = []ucli.Flag{
	&ucli.BoolFlag{Name: "4", Usage: "AF_INET only (getent ahostsv4)"},
	&ucli.BoolFlag{Name: "6", Usage: "AF_INET6 only (getent ahostsv6)"},
	&ucli.StringFlag{Name: "type", Usage: "socket `TYPE`: stream, dgram, raw, seqpacket or a number (default: all)"},
	&ucli.StringFlag{Name: "proto", Usage: "`PROTOCOL` name from /etc/protocols or number (default: any)"},
	&ucli.StringFlag{Name: "flags", Usage: "comma-separated `AI_FLAGS`: passive, canonname, numerichost, numericserv, v4mapped, all, addrconfig"},
}

var aiFlagNames = map[string]int{
	"passive": sockcore.AI_PASSIVE, "canonname": sockcore.AI_CANONNAME, "numerichost": sockcore.AI_NUMERICHOST,
	"numericserv": sockcore.AI_NUMERICSERV, "v4mapped": sockcore.AI_V4MAPPED, "all": sockcore.AI_ALL, "addrconfig": sockcore.AI_ADDRCONFIG,
}

var niFlagNames = map[string]int{
	"numerichost": sockcore.NI_NUMERICHOST, "numericserv": sockcore.NI_NUMERICSERV, "nofqdn": sockcore.NI_NOFQDN,
	"namereqd": sockcore.NI_NAMEREQD, "dgram": sockcore.NI_DGRAM,
}

func parseFlagList(s, what string, names map[string]int) (int, error) {
	v := 0
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		f = strings.TrimPrefix(strings.TrimPrefix(f, "ai_"), "ni_")
		if f == "" {
			continue
		}
		n, ok := names[f]
		if !ok {
			known := make([]string, 0, len(names))
			for k := range names {
				known = append(known, k)
			}
			return 0, cli.Usagef("--flags: unknown %s flag %q (known: %s)", what, f, strings.Join(sortStrings(known), ", "))
		}
		v |= n
	}
	return v, nil
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// checkHostName rejects what no lookup can answer, before asking: an
// empty name, a name over 253 bytes, a label over 63 bytes.
func checkHostName(name string) error {
	if name == "" {
		return cli.Usagef("empty host name (give a name or an address)")
	}
	if _, ok := numericAddr(name); ok {
		return nil
	}
	n := strings.TrimSuffix(name, ".")
	if len(n) > 253 {
		return cli.Usagef("host name of %d bytes: a DNS name has at most 253", len(n))
	}
	for _, l := range strings.Split(n, ".") {
		if len(l) > 63 {
			return cli.Usagef("label %q of %d bytes: a DNS label has at most 63", l[:20]+"...", len(l))
		}
	}
	return nil
}

// numericAddr parses an IPv4 or IPv6 address, IPv6 with a %scope.
func numericAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	return a, err == nil
}

// checkPort rejects a numeric port outside 0-65535 (getaddrinfo would
// silently truncate it to 16 bits); anything not all digits is a service
// name.
func checkPort(p string) error {
	if _, isNumber, err := sockcore.ParsePort(p); isNumber && err != nil {
		return portRangeErr(p)
	}
	return nil
}

func portRangeErr(p string) error { return cli.Usagef("port %s is out of range (0-65535)", p) }

// keyErr is the answer for a key no lookup can answer (an empty name, a
// name or label too long for DNS, a port over 65535): err, a usage error,
// in resolve's own formats; with --format getent, getent's answer to such
// a key, a silent "not found" (exit 2), as getent hosts "" and getent
// services 65536 give it, so that a script's "$name" that came out empty
// exits as any other unknown name.
func keyErr(c *ucli.Command, err error) answer {
	if c.String("format") == "getent" {
		return answer{err: errGetentNotFound}
	}
	return answer{err: err}
}

// resolve's text output names families and types by sockcore's names
// (FamilyName, TypeName) without the AF_/SOCK_ prefix, as ip(8) and getent
// spell them: "inet", "stream" in text, "STREAM" in getent's format. These
// lists are the names the text has always had; other families keep
// sockcore's name and other types their number.
var (
	textFamilies = []int{unix.AF_INET, unix.AF_INET6}
	textTypes    = []int{unix.SOCK_STREAM, unix.SOCK_DGRAM, unix.SOCK_RAW, unix.SOCK_SEQPACKET}
)

func familyName(f int) string {
	if slices.Contains(textFamilies, f) {
		return strings.ToLower(strings.TrimPrefix(sockcore.FamilyName(f), "AF_"))
	}
	return sockcore.FamilyName(f)
}

func typeName(t int) string {
	if slices.Contains(textTypes, t) {
		return strings.ToLower(strings.TrimPrefix(sockcore.TypeName(t), "SOCK_"))
	}
	return strconv.Itoa(t)
}

func parseType(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	for _, t := range textTypes {
		if n := typeName(t); strings.EqualFold(s, n) || strings.EqualFold(s, "sock_"+n) {
			return t, nil
		}
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return n, nil
	}
	return 0, cli.Usagef("--type %q: use stream, dgram, raw, seqpacket or a number", s)
}

func parseProto(r *sockcore.Resolver, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 255 {
		return n, nil
	}
	if p, ok := r.ProtoByName(s); ok {
		return p.Number, nil
	}
	return 0, cli.Usagef("--proto %q: unknown protocol (not in /etc/protocols, and not a number 0-255)", s)
}

func protoLabel(r *sockcore.Resolver, n int) string {
	if p, ok := r.ProtoByNumber(n); ok {
		return p.Name
	}
	return strconv.Itoa(n)
}

// addrJSON is a socket address in the JSON output: RFC 8427's rdataA /
// rdataAAAA text forms for the address, the port and the IPv6 extras.
type addrJSON struct {
	Family   string `json:"family"`
	RdataA   string `json:"rdataA,omitempty"`
	RdataAAA string `json:"rdataAAAA,omitempty"`
	Port     int    `json:"port"`
	FlowInfo uint32 `json:"flowinfo,omitempty"`
	ScopeID  uint32 `json:"scope_id,omitempty"`
}

type addrinfoJSON struct {
	Family    string   `json:"family"`
	Type      string   `json:"socktype"`
	Proto     int      `json:"protocol"`
	CanonName string   `json:"canonname"`
	Addr      addrJSON `json:"sockaddr"`
}

func ipPort(a sockcore.Addr) (string, int, uint32, uint32) {
	switch a := a.(type) {
	case *sockcore.InetAddr:
		return a.IP.String(), a.Port, 0, 0
	case *sockcore.Inet6Addr:
		s, _ := sockcore.InetNtop(unix.AF_INET6, a.IP.AsSlice())
		return s, a.Port, a.FlowInfo, a.ScopeID
	}
	return a.String(), 0, 0, 0
}

func lookupAddrInfo(c *ucli.Command, r *sockcore.Resolver, args []string) answer {
	if len(args) < 1 || len(args) > 2 {
		return answer{err: cli.Usagef("addrinfo takes HOST [PORT], not %d arguments", len(args))}
	}
	host := args[0]
	var port *string
	if len(args) == 2 {
		port = &args[1]
		if err := checkPort(args[1]); err != nil {
			return answer{err: err}
		}
	}
	if err := checkHostName(host); err != nil {
		return keyErr(c, err)
	}
	family := unix.AF_UNSPEC
	if c.Bool("4") && c.Bool("6") {
		return answer{err: cli.Usagef("-4 and -6 exclude each other")}
	}
	flags, err := parseFlagList(c.String("flags"), "AI_*", aiFlagNames)
	if err != nil {
		return answer{err: err}
	}
	typ, err := parseType(c.String("type"))
	if err != nil {
		return answer{err: err}
	}
	proto, err := parseProto(r, c.String("proto"))
	if err != nil {
		return answer{err: err}
	}
	getentFlags := sockcore.AI_V4MAPPED | sockcore.AI_ADDRCONFIG | sockcore.AI_CANONNAME // getent's ahosts hints
	switch {
	case c.Bool("4"):
		family = unix.AF_INET
	case c.Bool("6"):
		family = unix.AF_INET6
	}
	if c.String("format") == "getent" {
		flags |= getentFlags
	}
	infos, err := r.GetAddrInfo(&host, port, family, typ, proto, flags)
	if err != nil {
		return answer{err: lookupError(host, err)}
	}
	var text, getent strings.Builder
	var js []addrinfoJSON
	for _, ai := range infos {
		ip, p, flow, scope := ipPort(ai.Addr)
		shown := ip
		if scope != 0 {
			shown += "%" + strconv.FormatUint(uint64(scope), 10)
		}
		if ai.CanonName != "" {
			fmt.Fprintf(&text, "canonname %s\n", ai.CanonName)
		}
		if ai.Family == unix.AF_INET6 {
			fmt.Fprintf(&text, "%-5s  %-9s %-7s [%s]:%d\n", familyName(ai.Family), typeName(ai.Type), protoLabel(r, ai.Proto), shown, p)
		} else {
			fmt.Fprintf(&text, "%-5s  %-9s %-7s %s:%d\n", familyName(ai.Family), typeName(ai.Type), protoLabel(r, ai.Proto), shown, p)
		}
		getent.WriteString(getentAhostsLine(ai, ip, scope))
		aj := addrJSON{Family: sockcore.FamilyName(ai.Family), Port: p, FlowInfo: flow, ScopeID: scope}
		if ai.Family == unix.AF_INET6 {
			aj.RdataAAA = ip
		} else {
			aj.RdataA = ip
		}
		js = append(js, addrinfoJSON{Family: sockcore.FamilyName(ai.Family), Type: sockcore.TypeName(ai.Type), Proto: ai.Proto, CanonName: ai.CanonName, Addr: aj})
	}
	return answer{text: text.String(), getent: getent.String(), json: js}
}

// getentType is getent's name of a socket type (glibc's getent.c):
// sockcore's name without SOCK_, DCCP and PACKET, which sockcore does not
// name, and otherwise the number.
func getentType(t int) string {
	if n := sockcore.TypeName(t); strings.HasPrefix(n, "SOCK_") {
		return strings.TrimPrefix(n, "SOCK_")
	}
	switch t {
	case unix.SOCK_DCCP:
		return "DCCP"
	case unix.SOCK_PACKET:
		return "PACKET"
	}
	return strconv.Itoa(t)
}

// getentAhostsLine is one line of getent ahosts: the address (with a
// %scope) padded to 15 columns, the socket type padded to 6, the
// canonical name (empty after the first line).
func getentAhostsLine(ai sockcore.AddrInfo, ip string, scope uint32) string {
	st := getentType(ai.Type)
	sc := ""
	if ai.Family == unix.AF_INET6 && scope != 0 {
		sc = "%" + strconv.FormatUint(uint64(scope), 10)
	}
	pad := max(15-len(ip)-len(sc), 0)
	return fmt.Sprintf("%s%-*s %-6s %s\n", ip, pad, sc, st, ai.CanonName)
}

func hostText(h sockcore.HostEnt) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name     %s\n", h.Name)
	for _, a := range h.Aliases {
		fmt.Fprintf(&b, "alias    %s\n", a)
	}
	for _, a := range h.Addrs {
		fmt.Fprintf(&b, "address  %s\n", a)
	}
	return b.String()
}

// getentHosts is getent's print_hosts: one line per address.
func getentHosts(h sockcore.HostEnt) string {
	var b strings.Builder
	for _, a := range h.Addrs {
		fmt.Fprintf(&b, "%-15s %s", a, h.Name)
		for _, al := range h.Aliases {
			b.WriteString(" " + al)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// getentHostsKey is getent hosts KEY: an address through gethostbyaddr,
// a name through gethostbyname2 for AF_INET6 and then AF_INET.
func getentHostsKey(r *sockcore.Resolver, key string) (sockcore.HostEnt, error) {
	if a, ok := numericAddr(key); ok && !strings.Contains(key, "%") {
		return r.HostByAddr(a)
	}
	if h, err := r.HostByName(key, unix.AF_INET6); err == nil {
		return h, nil
	}
	return r.HostByName(key, unix.AF_INET)
}

func lookupHost(c *ucli.Command, r *sockcore.Resolver, args []string) answer {
	if len(args) != 1 {
		return answer{err: cli.Usagef("host takes one NAME, not %d arguments", len(args))}
	}
	name := args[0]
	if err := checkHostName(name); err != nil {
		return keyErr(c, err)
	}
	if c.String("format") == "getent" {
		h, err := getentHostsKey(r, name)
		if err != nil {
			return answer{err: lookupError(name, err)}
		}
		return answer{getent: getentHosts(h)}
	}
	var h sockcore.HostEnt
	var err error
	if c.Bool("6") {
		h, err = r.HostByName(name, unix.AF_INET6)
	} else {
		h, err = r.GetHostByNameEx(name)
	}
	if err != nil {
		return answer{err: lookupError(name, err)}
	}
	return answer{text: hostText(h), getent: getentHosts(h), json: h}
}

func lookupAddr(c *ucli.Command, r *sockcore.Resolver, args []string) answer {
	if len(args) != 1 {
		return answer{err: cli.Usagef("addr takes one IP, not %d arguments", len(args))}
	}
	a, ok := numericAddr(args[0])
	if !ok {
		return answer{err: cli.Usagef("%q is not an IPv4 or IPv6 address", args[0])}
	}
	h, err := r.HostByAddr(a)
	if err != nil {
		return answer{err: lookupError(args[0], err)}
	}
	return answer{text: hostText(h), getent: getentHosts(h), json: h}
}

func lookupNameInfo(c *ucli.Command, r *sockcore.Resolver, args []string) answer {
	if len(args) != 2 {
		return answer{err: cli.Usagef("nameinfo takes ADDR PORT, not %d arguments", len(args))}
	}
	if c.String("format") == "getent" {
		return answer{err: cli.Usagef("getent has no database for getnameinfo: use the text or json format")}
	}
	flags, err := parseFlagList(c.String("flags"), "NI_*", niFlagNames)
	if err != nil {
		return answer{err: err}
	}
	port, isNumber, err := sockcore.ParsePort(args[1])
	if !isNumber || err != nil {
		return answer{err: portRangeErr(args[1])}
	}
	text, zone, _ := strings.Cut(args[0], "%")
	ip, ok := numericAddr(text)
	if !ok {
		return answer{err: cli.Usagef("%q is not a numeric IPv4 or IPv6 address", args[0])}
	}
	var sa sockcore.Addr = &sockcore.InetAddr{IP: ip, Port: port}
	if ip.Is6() {
		var scope uint32
		if zone != "" {
			if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
				scope = uint32(n)
			} else if idx, err := sockcore.IfNameToIndex(zone); err == nil {
				scope = uint32(idx)
			} else {
				return answer{err: cli.Exitf(cli.ExitNoSuchThing, "scope %q: no such interface", zone)}
			}
		}
		sa = &sockcore.Inet6Addr{IP: ip, Port: port, ScopeID: scope}
	}
	host, serv, err := r.GetNameInfo(sa, flags)
	if err != nil {
		return answer{err: lookupError(args[0], err)}
	}
	return answer{text: host + " " + serv + "\n", json: map[string]string{"host": host, "service": serv}}
}

func lookupFQDN(c *ucli.Command, r *sockcore.Resolver, args []string) answer {
	if len(args) > 1 {
		return answer{err: cli.Usagef("fqdn takes at most one NAME, not %d arguments", len(args))}
	}
	if c.String("format") == "getent" {
		return answer{err: cli.Usagef("getent has no database for getfqdn: use the text or json format")}
	}
	name := ""
	if len(args) == 1 {
		name = args[0]
		if err := checkHostName(name); err != nil {
			return answer{err: err}
		}
	}
	f := r.GetFQDN(name)
	return answer{text: f + "\n", json: map[string]string{"fqdn": f}}
}

func hostnameAction(ctx context.Context, c *ucli.Command) error {
	o := &options{format: c.String("format"), explain: c.Bool("explain"), jobs: 1}
	if c.Bool("json") {
		o.format = "json"
	}
	if o.format == "getent" {
		return cli.Usagef("getent has no database for the host name: use the text or json format")
	}
	if c.Args().Len() > 0 {
		return cli.Usagef("hostname takes no arguments (use --set NAME to change it)")
	}
	var a answer
	if c.IsSet("set") {
		name := c.String("set")
		if name == "" || len(name) > 64 {
			return cli.Usagef("--set %q: a host name has 1 to 64 bytes", name)
		}
		if err := sockcore.SetHostname(name); err != nil {
			if errors.Is(err, unix.EPERM) {
				return fmt.Errorf("sethostname %s: %w (setting the host name needs CAP_SYS_ADMIN: run as root, or inside a UTS namespace of your own: unshare -ur -u)", name, err)
			}
			return fmt.Errorf("sethostname %s: %w", name, err)
		}
		a = answer{json: map[string]string{"hostname": name}}
	} else {
		h, err := sockcore.GetHostname()
		if err != nil {
			return err
		}
		a = answer{text: h + "\n", json: map[string]string{"hostname": h}}
	}
	a.explain = &explanation{Source: "kernel", Steps: []sockcore.TraceEvent{}}
	return emit(c.Root().Writer, c.Root().ErrWriter, "hostname", c.Args().Slice(), a, o)
}

func servText(s sockcore.ServEnt) string {
	return strings.TrimSpace(fmt.Sprintf("%s %d/%s %s", s.Name, s.Port, s.Proto, strings.Join(s.Aliases, " "))) + "\n"
}

// getentService is getent's print_services.
func getentService(s sockcore.ServEnt) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-21s %d/%s", s.Name, s.Port, s.Proto)
	for _, a := range s.Aliases {
		b.WriteString(" " + a)
	}
	b.WriteByte('\n')
	return b.String()
}

func filesExplain(file string) *explanation {
	return &explanation{Source: "files", File: file, Steps: []sockcore.TraceEvent{}}
}

func lookupService(c *ucli.Command, r *sockcore.Resolver, args []string) answer {
	file := r.ServicesFile
	if file == "" {
		file = "/etc/services"
	}
	if len(args) == 0 {
		var a answer
		var js []sockcore.ServEnt
		var text, getent strings.Builder
		for _, s := range r.Services() {
			text.WriteString(servText(s))
			getent.WriteString(getentService(s))
			js = append(js, s)
		}
		a.text, a.getent, a.json, a.explain = text.String(), getent.String(), js, filesExplain(file)
		return a
	}
	if len(args) > 2 {
		return answer{err: cli.Usagef("service takes NAME|PORT [PROTO], not %d arguments", len(args))}
	}
	key, proto := args[0], ""
	if len(args) == 2 {
		proto = args[1]
		if _, ok := r.ProtoByName(proto); !ok {
			return answer{err: cli.Usagef("protocol %q: unknown (not in /etc/protocols)", proto)}
		}
	} else if k, p, ok := strings.Cut(key, "/"); ok {
		key, proto = k, p // getent's NAME/PROTO form
		if p == "" {
			// "http/" asks for protocol "", which no entry has.
			return answer{err: cli.Exitf(cli.ExitResolve, "service %s: not found in %s", args[0], file), explain: filesExplain(file)}
		}
	}
	if key == "" {
		return keyErr(c, cli.Usagef("empty service name"))
	}
	var s sockcore.ServEnt
	var ok bool
	what := key
	if proto != "" {
		what += "/" + proto
	}
	if n, isNumber, err := sockcore.ParsePort(key); isNumber {
		if err != nil {
			return keyErr(c, portRangeErr(key))
		}
		s, ok = r.ServByPort(n, proto)
	} else {
		s, ok = r.ServByName(key, proto)
	}
	if !ok {
		return answer{err: cli.Exitf(cli.ExitResolve, "service %s: not found in %s", what, file), explain: filesExplain(file)}
	}
	return answer{text: servText(s), getent: getentService(s), json: s, explain: filesExplain(file)}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// getentProto is getent's print_protocols.
func getentProto(p sockcore.ProtoEnt) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-21s %d", p.Name, p.Number)
	for _, a := range p.Aliases {
		b.WriteString(" " + a)
	}
	b.WriteByte('\n')
	return b.String()
}

func protoText(p sockcore.ProtoEnt) string {
	return strings.TrimSpace(fmt.Sprintf("%s %d %s", p.Name, p.Number, strings.Join(p.Aliases, " "))) + "\n"
}

func lookupProto(c *ucli.Command, r *sockcore.Resolver, args []string) answer {
	file := r.ProtocolsFile
	if file == "" {
		file = "/etc/protocols"
	}
	if len(args) == 0 {
		var text, getent strings.Builder
		list := r.Protocols()
		for _, p := range list {
			text.WriteString(protoText(p))
			getent.WriteString(getentProto(p))
		}
		return answer{text: text.String(), getent: getent.String(), json: list, explain: filesExplain(file)}
	}
	if len(args) != 1 {
		return answer{err: cli.Usagef("proto takes one NAME|NUMBER, not %d arguments", len(args))}
	}
	key := args[0]
	if key == "" {
		return keyErr(c, cli.Usagef("empty protocol name"))
	}
	var p sockcore.ProtoEnt
	var ok bool
	if isDigit(key[0]) {
		// getent uses atol: leading digits count.
		n, _ := strconv.Atoi(strings.TrimRight(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.")) //nolint
		p, ok = r.ProtoByNumber(n)
	} else {
		p, ok = r.ProtoByName(key)
	}
	if !ok {
		return answer{err: cli.Exitf(cli.ExitResolve, "protocol %s: not found in %s", key, file), explain: filesExplain(file)}
	}
	return answer{text: protoText(p), getent: getentProto(p), json: p, explain: filesExplain(file)}
}

func lookupIface(c *ucli.Command, r *sockcore.Resolver, args []string) answer {
	if c.String("format") == "getent" {
		return answer{err: cli.Usagef("getent has no database for interfaces: use the text or json format")}
	}
	kernel := &explanation{Source: "kernel", Steps: []sockcore.TraceEvent{}}
	switch len(args) {
	case 0:
		l, err := interfaces()
		if err != nil {
			return answer{err: err}
		}
		return answer{text: ifaceText(l), json: l, explain: kernel}
	case 1:
	default:
		return answer{err: cli.Usagef("iface takes at most one NAME|INDEX, not %d arguments", len(args))}
	}
	key := args[0]
	if n, err := strconv.Atoi(key); err == nil {
		name, err := sockcore.IfIndexToName(n)
		if err != nil {
			return answer{err: cli.Exitf(cli.ExitNoSuchThing, "interface index %d: no such interface", n)}
		}
		return answer{text: name + "\n", json: sockcore.IfNameIndexEntry{Index: n, Name: name}, explain: kernel}
	}
	idx, err := sockcore.IfNameToIndex(key)
	if err != nil {
		return answer{err: cli.Exitf(cli.ExitNoSuchThing, "interface %q: no such interface (see resolve iface)", key)}
	}
	return answer{text: strconv.Itoa(idx) + "\n", json: sockcore.IfNameIndexEntry{Index: idx, Name: key}, explain: kernel}
}
