package sockcore

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

// The mdns, mdns4, mdns6, mdns_minimal, mdns4_minimal and mdns6_minimal
// NSS sources answer as nss-mdns 0.15 does: one question a connection
// to avahi-daemon's "simple protocol" socket, a line such as
// "RESOLVE-HOSTNAME-IPV4 name" or "RESOLVE-ADDRESS addr", one line back:
// "+ ifindex protocol name address" (or "+ ifindex protocol name" for an
// address) on success, "-code message" when avahi found nothing.

const (
	avahiSocket   = "/run/avahi-daemon/socket"
	mdnsAllowFile = "/etc/mdns.allow"
	avahiLineMax  = 255              // nss-mdns reads one line with fgets into 256 bytes
	avahiTimeout  = 60 * time.Second // nss-mdns waits as long as avahi-daemon takes (avahi gives up on a name after 5 s)
)

// mdnsVariant is what one of the six module names of nss-mdns does: the
// families it answers for (0: both) and whether it is a _minimal one
// (no /etc/mdns.allow; reverse lookups only of link-local addresses).
type mdnsVariant struct {
	family  int
	minimal bool
}

var mdnsVariants = map[string]mdnsVariant{
	"mdns": {0, false}, "mdns4": {unix.AF_INET, false}, "mdns6": {unix.AF_INET6, false},
	"mdns_minimal": {0, true}, "mdns4_minimal": {unix.AF_INET, true}, "mdns6_minimal": {unix.AF_INET6, true},
}

func (r *Resolver) avahiPath() string { return r.path(r.AvahiSocket, avahiSocket) }

// mdnsUnavail is nss-mdns's answer to what it will not ask avahi-daemon
// (a name or family it does not handle) or could not (no daemon, an
// answer it cannot read): UNAVAIL with h_errno NO_RECOVERY.
var mdnsUnavail = hostAnswer{status: nssUnavail, herrno: NO_RECOVERY}

// avahiResult is one answer of avahi-daemon: ok (a "+" line), notFound
// (any other line), or err (no daemon, no line, a line that does not
// parse).
type avahiResult struct {
	fields   []string // the words after "+"
	notFound bool
	err      error
}

// avahiAsk sends one line to avahi-daemon and reads its one-line answer.
func (r *Resolver) avahiAsk(question string) avahiResult {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return avahiResult{err: os.NewSyscallError("socket", err)}
	}
	f := os.NewFile(uintptr(fd), r.avahiPath())
	defer f.Close()
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: r.avahiPath()}); err != nil {
		return avahiResult{err: os.NewSyscallError("connect", err)}
	}
	deadline := time.Now().Add(avahiTimeout)
	if ctx := r.Context; ctx != nil {
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
	}
	tv := unix.NsecToTimeval(time.Until(deadline).Nanoseconds())
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv)
	msg := []byte(question + "\n")
	for len(msg) > 0 {
		n, err := unix.Write(fd, msg)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return avahiResult{err: os.NewSyscallError("write", err)}
		}
		msg = msg[n:]
	}
	var line []byte
	buf := make([]byte, avahiLineMax)
	for len(line) < avahiLineMax && bytes.IndexByte(line, '\n') < 0 {
		n, err := unix.Read(fd, buf[:avahiLineMax-len(line)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return avahiResult{err: os.NewSyscallError("read", err)}
		}
		if n == 0 {
			break
		}
		line = append(line, buf[:n]...)
	}
	return parseAvahiLine(line)
}

// parseAvahiLine reads one answer line as nss-mdns does: up to its first
// newline; nothing at all is an error, a line not starting with "+" is
// "not found", else its words (split at spaces and tabs; the last one
// ends at a newline or carriage return too).
func parseAvahiLine(line []byte) avahiResult {
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i+1]
	}
	if len(line) == 0 {
		return avahiResult{err: errors.New("avahi-daemon closed the connection without answering")}
	}
	if line[0] != '+' {
		return avahiResult{notFound: true}
	}
	s := strings.TrimRight(string(line[1:]), "\n")
	return avahiResult{fields: strings.FieldsFunc(s, func(c rune) bool { return c == ' ' || c == '\t' })}
}

// strtol is C's strtol(s, NULL, 0) for the interface number of an
// answer: optional sign, 0x for hex, 0 for octal, up to the first byte
// that is not a digit; 0 when nothing parses.
func strtol(s string) int64 {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	base := int64(10)
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hexDigit(s[2]) >= 0:
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base = 8
	}
	var v int64
	for i := 0; i < len(s); i++ {
		d := hexDigit(s[i])
		if d < 0 || int64(d) >= base {
			break
		}
		v = v*base + int64(d)
		if v > 1<<40 {
			break // far past any interface index; strtol's overflow is not worth mimicking
		}
	}
	if neg {
		v = -v
	}
	return v
}

func hexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// mdnsNameAllowed is nss-mdns's verify_name_allowed_with_soa: the full
// variants with /etc/mdns.allow resolve the names ending in one of its
// domains ("*" is every name); otherwise only names of two labels ending
// in .local, and only when the unicast DNS servers have no SOA record for
// "local" (RFC 6762's advice, after Apple's).
func (r *Resolver) mdnsNameAllowed(name string, v mdnsVariant) (bool, string) {
	if !v.minimal {
		// A file that opens decides, even one that cannot be read (a
		// directory): nss-mdns tests fopen, then reads what it can.
		if f, err := os.Open(r.path(r.MDNSAllowFile, mdnsAllowFile)); err == nil {
			data, _ := io.ReadAll(f)
			f.Close()
			return mdnsAllowed(data, name), "listed in " + r.path(r.MDNSAllowFile, mdnsAllowFile)
		}
	}
	if !(hasSuffixFold(name, ".local") || hasSuffixFold(name, ".local.")) || labelCount(name) != 2 {
		return false, "not a .local name of two labels"
	}
	if r.localSOA() {
		return false, "the DNS servers have an SOA record for local"
	}
	return true, ""
}

// mdnsAllowed reads /etc/mdns.allow as nss-mdns does: each line up to
// its first '#', space, tab or line end is a domain (with or without a
// leading dot) or "*"; lines are read 127 bytes at a time.
func mdnsAllowed(data []byte, name string) bool {
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 || n > 127 {
			n = min(len(data), 127)
		}
		ln := string(data[:n])
		data = data[n:]
		if i := strings.IndexAny(ln, "#\t\n\r "); i >= 0 {
			ln = ln[:i]
		}
		if ln == "" {
			continue
		}
		if ln == "*" {
			return true
		}
		if ln[0] != '.' {
			ln = "." + ln
		}
		if hasSuffixFold(name, ln) {
			return true
		}
	}
	return false
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// labelCount counts the labels of a name as nss-mdns does: one more than
// its dots, a final dot not counted.
func labelCount(name string) int {
	return 1 + strings.Count(strings.TrimSuffix(name, "."), ".")
}

// localSOA is nss-mdns's local_soa: res_query("local", IN, SOA) through
// the resolv.conf servers succeeds with an answer.
func (r *Resolver) localSOA() bool {
	res := r.query("local", dnsmessage.TypeSOA)
	return answered(res)
}

// mdnsByName is _nss_mdns*_gethostbyname4_r (family 0) or
// gethostbyname3_r of the variant v: IPv4 first, then IPv6, one question
// each, the name asked as the answer's name.
func (r *Resolver) mdnsByName(src string, v mdnsVariant, name string, family int) hostAnswer {
	start := time.Now()
	ev := TraceEvent{Kind: "mdns", Type: src, Name: name, Server: r.avahiPath()}
	defer func() { ev.Took = time.Since(start); r.trace(ev) }()
	if family == 0 {
		family = v.family
	}
	if v.family != 0 && family != v.family {
		ev.Err = src + " answers only " + map[int]string{unix.AF_INET: "IPv4", unix.AF_INET6: "IPv6"}[v.family]
		return mdnsUnavail
	}
	if ok, why := r.mdnsNameAllowed(name, v); !ok {
		ev.Err = "not asked: " + why
		return mdnsUnavail
	} else if why != "" {
		ev.File = why
	}
	a := hostAnswer{status: nssSuccess, name: name, aliases: []string{}}
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6} {
		if family != 0 && family != fam {
			continue
		}
		q := "RESOLVE-HOSTNAME-IPV4 "
		if fam == unix.AF_INET6 {
			q = "RESOLVE-HOSTNAME-IPV6 "
		}
		res := r.avahiAsk(q + name)
		if res.notFound {
			continue
		}
		addr, scope, err := avahiHostAnswer(res, fam)
		if err != nil {
			ev.Err = err.Error()
			return mdnsUnavail
		}
		a.addrs = append(a.addrs, addr)
		a.scopes = append(a.scopes, scope)
		if ev.Link == 0 {
			ev.Link = int(scope)
		}
	}
	ev.Answers = len(a.addrs)
	if len(a.addrs) == 0 {
		return hostAnswer{status: nssNotFound, herrno: HOST_NOT_FOUND}
	}
	ev.Found = true
	return a
}

// avahiHostAnswer takes the address and interface from an answer to
// RESOLVE-HOSTNAME-IPV4/6: "+ ifindex protocol name address".
func avahiHostAnswer(res avahiResult, family int) (netip.Addr, uint32, error) {
	if res.err != nil {
		return netip.Addr{}, 0, res.err
	}
	var scope uint32
	if len(res.fields) > 0 {
		scope = uint32(strtol(res.fields[0]))
	}
	text := ""
	if len(res.fields) > 3 {
		text = strings.TrimRight(res.fields[3], "\r")
		if i := strings.IndexByte(text, '\r'); i >= 0 {
			text = text[:i]
		}
	}
	b, err := InetPton(family, text)
	if err != nil {
		return netip.Addr{}, 0, errors.New("avahi-daemon answered with no address: " + strings.Join(res.fields, " "))
	}
	a, _ := netip.AddrFromSlice(b)
	return a, scope, nil
}

// mdnsByAddr is _nss_mdns*_gethostbyaddr_r of the variant v: the
// _minimal ones ask only for 169.254.0.0/16 and fe80::/10.
func (r *Resolver) mdnsByAddr(src string, v mdnsVariant, a netip.Addr) (HostEnt, hostAnswer) {
	start := time.Now()
	ev := TraceEvent{Kind: "mdns", Type: src, Name: a.String(), Server: r.avahiPath()}
	defer func() { ev.Took = time.Since(start); r.trace(ev) }()
	fam := familyOf(a)
	if a.Is4In6() {
		fam = unix.AF_INET6
	}
	if v.family != 0 && fam != v.family {
		ev.Err = src + " answers only " + map[int]string{unix.AF_INET: "IPv4", unix.AF_INET6: "IPv6"}[v.family]
		return HostEnt{}, mdnsUnavail
	}
	if v.minimal {
		b := a.AsSlice()
		if fam == unix.AF_INET && !(b[0] == 169 && b[1] == 254) || fam == unix.AF_INET6 && !(b[0] == 0xfe && b[1]>>6 == 2) {
			ev.Err = "not asked: not a link-local address"
			return HostEnt{}, mdnsUnavail
		}
	}
	text := a.String()
	if fam == unix.AF_INET6 {
		text = ntop6(a.As16())
	}
	res := r.avahiAsk("RESOLVE-ADDRESS " + text)
	switch {
	case res.err != nil:
		ev.Err = res.err.Error()
		return HostEnt{}, mdnsUnavail
	case res.notFound:
		return HostEnt{}, hostAnswer{status: nssNotFound, herrno: HOST_NOT_FOUND}
	}
	name := ""
	if len(res.fields) > 2 {
		name = res.fields[2]
		if i := strings.IndexByte(name, '\r'); i >= 0 {
			name = name[:i]
		}
	}
	ev.Found, ev.Answers = true, 1
	return HostEnt{Name: name, Aliases: []string{}, Addrs: []string{a.String()}}, hostAnswer{status: nssSuccess}
}
