package sockcore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The "resolve" NSS source asks systemd-resolved through its Varlink
// interface io.systemd.Resolve, as systemd 252's nss-resolve does: one
// method call a connection, JSON terminated by a NUL byte on a UNIX
// stream socket.

const (
	resolvedSocket  = "/run/systemd/resolve/io.systemd.Resolve"
	resolvedTimeout = 120 * time.Second // SD_RESOLVED_QUERY_TIMEOUT_USEC
	varlinkMaxReply = 16 << 20          // systemd's VARLINK_BUFFER_MAX
)

// Reply flags of systemd-resolved (resolved-def.h): the protocol that
// answered and how the answer was obtained.
const (
	resolvedDNS           = 1 << 0
	resolvedLLMNRIPv4     = 1 << 1
	resolvedLLMNRIPv6     = 1 << 2
	resolvedMDNSIPv4      = 1 << 3
	resolvedMDNSIPv6      = 1 << 4
	resolvedAuthenticated = 1 << 9
	resolvedSynthetic     = 1 << 19
	resolvedFromCache     = 1 << 20
)

// resolvedFlagsText names the protocols and origins in a reply's flags:
// "dns", "llmnr-ipv4,authenticated", ...
func resolvedFlagsText(f uint64) string {
	var s []string
	for _, x := range []struct {
		bit  uint64
		name string
	}{
		{resolvedDNS, "dns"}, {resolvedLLMNRIPv4, "llmnr-ipv4"}, {resolvedLLMNRIPv6, "llmnr-ipv6"},
		{resolvedMDNSIPv4, "mdns-ipv4"}, {resolvedMDNSIPv6, "mdns-ipv6"}, {resolvedAuthenticated, "authenticated"},
		{resolvedSynthetic, "synthetic"}, {resolvedFromCache, "cache"},
	} {
		if f&x.bit != 0 {
			s = append(s, x.name)
		}
	}
	return strings.Join(s, ",")
}

// varlinkCall sends one method call to the Varlink service listening on
// path and returns the reply's parameters, or the error id the service
// answered with. err is set when the service could not be asked at all
// (no socket, connection refused, a reply that is not Varlink).
func varlinkCall(path, method string, params any, timeout time.Duration) (reply json.RawMessage, errorID string, err error) {
	msg, err := json.Marshal(struct {
		Method     string `json:"method"`
		Parameters any    `json:"parameters"`
	}{method, params})
	if err != nil {
		return nil, "", err
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, "", os.NewSyscallError("socket", err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		return nil, "", os.NewSyscallError("connect", err)
	}
	tv := unix.NsecToTimeval(timeout.Nanoseconds())
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv)
	msg = append(msg, 0)
	for len(msg) > 0 {
		n, err := unix.Write(fd, msg)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, "", os.NewSyscallError("write", err)
		}
		msg = msg[n:]
	}
	var buf []byte
	chunk := make([]byte, 4096)
	for {
		n, err := unix.Read(fd, chunk)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, "", os.NewSyscallError("read", err)
		}
		if n == 0 {
			return nil, "", errors.New("varlink: connection closed before the reply")
		}
		buf = append(buf, chunk[:n]...)
		if i := bytes.IndexByte(buf, 0); i >= 0 {
			return parseVarlinkReply(buf[:i])
		}
		if len(buf) > varlinkMaxReply {
			return nil, "", errors.New("varlink: reply too long")
		}
	}
}

// parseVarlinkReply decodes one Varlink reply (without its NUL): an
// object with "parameters" and, for a failed call, "error".
func parseVarlinkReply(b []byte) (json.RawMessage, string, error) {
	var m struct {
		Parameters json.RawMessage `json:"parameters"`
		Error      *string         `json:"error"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, "", fmt.Errorf("varlink: bad reply: %w", err)
	}
	if m.Error != nil {
		if *m.Error == "" {
			return nil, "", errors.New("varlink: empty error id")
		}
		return m.Parameters, *m.Error, nil
	}
	if len(m.Parameters) == 0 || m.Parameters[0] != '{' {
		return nil, "", errors.New("varlink: reply without parameters object")
	}
	return m.Parameters, "", nil
}

// resolvedAddress is one entry of ResolveHostname's "addresses".
type resolvedAddress struct {
	Ifindex int
	Addr    netip.Addr
}

// resolvedHostnameReply is ResolveHostname's reply as nss-resolve reads
// it.
type resolvedHostnameReply struct {
	Addrs []resolvedAddress
	Name  string // "" when the reply has none
	Flags uint64
}

// parseResolvedHostname checks a ResolveHostname reply as nss-resolve's
// JSON dispatch tables do: "addresses" is mandatory, each with an integer
// family and a 4- or 16-element array of bytes that fits the family;
// entries of other families are left out.
func parseResolvedHostname(params json.RawMessage) (resolvedHostnameReply, error) {
	var p struct {
		Addresses *[]struct {
			Ifindex *json.Number `json:"ifindex"`
			Family  *json.Number `json:"family"`
			Address *[]json.Number
		} `json:"addresses"`
		Name  *string      `json:"name"`
		Flags *json.Number `json:"flags"`
	}
	var r resolvedHostnameReply
	d := json.NewDecoder(bytes.NewReader(params))
	d.UseNumber()
	if err := d.Decode(&p); err != nil {
		return r, err
	}
	if p.Addresses == nil {
		return r, errors.New("resolved: reply without addresses")
	}
	if p.Name != nil {
		r.Name = *p.Name
	}
	if p.Flags != nil {
		f, err := jsonUint(*p.Flags, 1<<64-1)
		if err != nil {
			return r, err
		}
		r.Flags = f
	}
	for _, a := range *p.Addresses {
		if a.Family == nil || a.Address == nil {
			return r, errors.New("resolved: address without family or address")
		}
		fam, err := jsonUint(*a.Family, 1<<31-1)
		if err != nil {
			return r, err
		}
		ifindex := 0
		if a.Ifindex != nil {
			i, err := a.Ifindex.Int64()
			if err != nil || i > 1<<31-1 || i < -1<<31 {
				return r, errors.New("resolved: bad ifindex")
			}
			ifindex = int(i)
		}
		raw := *a.Address
		if len(raw) != 4 && len(raw) != 16 {
			return r, errors.New("resolved: address of unexpected size")
		}
		b := make([]byte, len(raw))
		for i, n := range raw {
			v, err := jsonUint(n, 255)
			if err != nil {
				return r, err
			}
			b[i] = byte(v)
		}
		if fam != unix.AF_INET && fam != unix.AF_INET6 {
			continue
		}
		if (fam == unix.AF_INET) != (len(b) == 4) {
			return r, errors.New("resolved: address size does not fit its family")
		}
		addr, _ := netip.AddrFromSlice(b)
		r.Addrs = append(r.Addrs, resolvedAddress{Ifindex: ifindex, Addr: addr})
	}
	return r, nil
}

// parseResolvedAddress checks a ResolveAddress reply: "names" is
// mandatory, each entry with a string "name".
func parseResolvedAddress(params json.RawMessage) ([]string, uint64, error) {
	var p struct {
		Names *[]struct {
			Ifindex *json.Number `json:"ifindex"`
			Name    *string      `json:"name"`
		} `json:"names"`
		Flags *json.Number `json:"flags"`
	}
	d := json.NewDecoder(bytes.NewReader(params))
	d.UseNumber()
	if err := d.Decode(&p); err != nil {
		return nil, 0, err
	}
	if p.Names == nil {
		return nil, 0, errors.New("resolved: reply without names")
	}
	var flags uint64
	if p.Flags != nil {
		f, err := jsonUint(*p.Flags, 1<<64-1)
		if err != nil {
			return nil, 0, err
		}
		flags = f
	}
	var names []string
	for _, n := range *p.Names {
		if n.Name == nil {
			return nil, 0, errors.New("resolved: name entry without name")
		}
		if n.Ifindex != nil {
			if _, err := n.Ifindex.Int64(); err != nil {
				return nil, 0, errors.New("resolved: bad ifindex")
			}
		}
		names = append(names, *n.Name)
	}
	return names, flags, nil
}

// jsonUint is a JSON integer in [0, max].
func jsonUint(n json.Number, max uint64) (uint64, error) {
	s := n.String()
	var v uint64
	if _, err := fmt.Sscan(s, &v); err != nil || strings.ContainsAny(s, ".eE") || v > max {
		return 0, fmt.Errorf("resolved: %q is not an integer in 0..%d", s, max)
	}
	return v, nil
}

// varlinkFallback: the error ids on which nss-resolve lets the next NSS
// source answer (UNAVAIL), varlinkTryAgain: those it reports as TRYAGAIN;
// every other error id is NOTFOUND.
var (
	varlinkFallback = map[string]bool{
		"io.systemd.Disconnected": true, "io.systemd.TimedOut": true, "io.systemd.Protocol": true,
		"org.varlink.service.InterfaceNotFound": true, "org.varlink.service.MethodNotFound": true,
		"org.varlink.service.MethodNotImplemented": true,
	}
	varlinkTryAgain = map[string]bool{
		"io.systemd.Resolve.NoNameServers": true, "io.systemd.Resolve.QueryTimedOut": true,
		"io.systemd.Resolve.MaxAttemptsReached": true, "io.systemd.Resolve.NetworkDown": true,
	}
)

func (r *Resolver) resolvedPath() string { return r.path(r.ResolvedSocket, resolvedSocket) }

// resolvedStatus maps a failed call to nss-resolve's status.
func resolvedStatus(errorID string, err error) hostAnswer {
	switch {
	case err != nil || varlinkFallback[errorID]:
		return hostAnswer{status: nssUnavail, herrno: NO_RECOVERY}
	case varlinkTryAgain[errorID]:
		return hostAnswer{status: nssTryAgain, herrno: TRY_AGAIN}
	}
	return hostAnswer{status: nssNotFound, herrno: HOST_NOT_FOUND}
}

// resolvedByName is _nss_resolve_gethostbyname4_r (family 0) or
// _gethostbyname3_r.
func (r *Resolver) resolvedByName(name string, family int) hostAnswer {
	start := time.Now()
	params := map[string]any{"name": name, "flags": 0}
	if family != 0 {
		params["family"] = family
	}
	ev := TraceEvent{Kind: "resolve", Name: name, Server: r.resolvedPath()}
	defer func() { ev.Took = time.Since(start); r.trace(ev) }()
	reply, errorID, err := varlinkCall(r.resolvedPath(), "io.systemd.Resolve.ResolveHostname", params, resolvedTimeout)
	if err != nil || errorID != "" {
		ev.Err = errorID
		if err != nil {
			ev.Err = err.Error()
		}
		return resolvedStatus(errorID, err)
	}
	p, err := parseResolvedHostname(reply)
	if err != nil {
		ev.Err = err.Error()
		return resolvedStatus("", err)
	}
	ev.Type = resolvedFlagsText(p.Flags)
	a := hostAnswer{status: nssSuccess, name: p.Name, aliases: []string{}}
	if a.name == "" {
		a.name = name
	}
	for _, ra := range p.Addrs {
		if family != 0 && familyOf(ra.Addr) != family {
			continue
		}
		var scope uint32
		if ra.Addr.Is6() && ra.Addr.IsLinkLocalUnicast() {
			scope = uint32(ra.Ifindex)
		}
		a.addrs = append(a.addrs, ra.Addr)
		a.scopes = append(a.scopes, scope)
		if ev.Link == 0 {
			ev.Link = ra.Ifindex
		}
	}
	ev.Answers = len(a.addrs)
	if len(p.Addrs) == 0 || (family == 0 && len(a.addrs) == 0) {
		return hostAnswer{status: nssNotFound, herrno: HOST_NOT_FOUND}
	}
	ev.Found = true
	return a
}

// resolvedByAddr is _nss_resolve_gethostbyaddr2_r.
func (r *Resolver) resolvedByAddr(a netip.Addr) (HostEnt, hostAnswer) {
	start := time.Now()
	ev := TraceEvent{Kind: "resolve", Name: a.String(), Server: r.resolvedPath()}
	defer func() { ev.Took = time.Since(start); r.trace(ev) }()
	b := a.AsSlice()
	params := map[string]any{"address": bytesAsInts(b), "family": familyOf(a), "flags": 0}
	reply, errorID, err := varlinkCall(r.resolvedPath(), "io.systemd.Resolve.ResolveAddress", params, resolvedTimeout)
	if err != nil || errorID != "" {
		ev.Err = errorID
		if err != nil {
			ev.Err = err.Error()
		}
		return HostEnt{}, resolvedStatus(errorID, err)
	}
	names, flags, err := parseResolvedAddress(reply)
	if err != nil {
		ev.Err = err.Error()
		return HostEnt{}, resolvedStatus("", err)
	}
	ev.Type = resolvedFlagsText(flags)
	ev.Answers = len(names)
	if len(names) == 0 {
		return HostEnt{}, hostAnswer{status: nssNotFound, herrno: HOST_NOT_FOUND}
	}
	ev.Found = true
	return HostEnt{Name: names[0], Aliases: append([]string{}, names[1:]...), Addrs: []string{a.String()}}, hostAnswer{status: nssSuccess}
}

func bytesAsInts(b []byte) []int {
	out := make([]int, len(b))
	for i, x := range b {
		out[i] = int(x)
	}
	return out
}
