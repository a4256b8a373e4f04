package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// accessList is --allow, --deny, --allowfile and --denyfile: address
// ranges a listening echocat accepts or refuses, as ncat's.
type accessList struct {
	allow, deny []netip.Prefix
	allowGiven  bool // --allow or --allowfile given: everything else is refused
}

// permits reports whether a peer at ip may connect: not denied, and allowed
// when an allow list was given. IPv4-mapped IPv6 peers match IPv4 ranges.
func (a *accessList) permits(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range a.deny {
		if p.Contains(ip) {
			return false
		}
	}
	if !a.allowGiven {
		return true
	}
	for _, p := range a.allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// newAccessList reads the specs of the four flags; nil when none was given.
func newAccessList(allow, deny []string, allowFile, denyFile string, numeric bool) (*accessList, error) {
	if len(allow) == 0 && len(deny) == 0 && allowFile == "" && denyFile == "" {
		return nil, nil
	}
	a := &accessList{allowGiven: len(allow) > 0 || allowFile != ""}
	var err error
	if a.allow, err = hostSpecs("--allow", allow, allowFile, numeric); err != nil {
		return nil, err
	}
	if a.deny, err = hostSpecs("--deny", deny, denyFile, numeric); err != nil {
		return nil, err
	}
	return a, nil
}

// hostSpecs parses comma-separated specs and the lines of file (blank
// lines and # comments skipped).
func hostSpecs(flag string, specs []string, file string, numeric bool) ([]netip.Prefix, error) {
	var all []string
	for _, s := range specs {
		all = append(all, strings.Split(s, ",")...)
	}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("%sfile: %w", flag, err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "#")
			all = append(all, strings.Fields(line)...)
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%sfile %s: %w", flag, file, err)
		}
	}
	var out []netip.Prefix
	for _, s := range all {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := hostSpec(s, numeric)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", flag, s, err)
		}
		out = append(out, p...)
	}
	return out, nil
}

// hostSpec parses one address, CIDR range or host name (every address it
// resolves to).
func hostSpec(s string, numeric bool) ([]netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, cli.Usagef("not an address range (want 10.0.0.0/8 or fd00::/8)")
		}
		return []netip.Prefix{netip.PrefixFrom(p.Addr().Unmap(), p.Bits()).Masked()}, nil
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		a = a.Unmap()
		return []netip.Prefix{netip.PrefixFrom(a, a.BitLen())}, nil
	}
	if numeric {
		return nil, cli.Usagef("not an address, and -n forbids name lookups")
	}
	ais, err := sockcore.GetAddrInfo(&s, nil, unix.AF_UNSPEC, unix.SOCK_STREAM, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("look up: %w", err)
	}
	var out []netip.Prefix
	for _, ai := range ais {
		if a, ok := addrIP(ai.Addr); ok {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the name has no IP address")
	}
	return out, nil
}

// addrIP is the IP address of an inet socket address, IPv4-mapped
// addresses unmapped.
func addrIP(a sockcore.Addr) (netip.Addr, bool) {
	switch v := a.(type) {
	case *sockcore.InetAddr:
		if !v.IP.IsValid() {
			return netip.IPv4Unspecified(), true
		}
		return v.IP, true
	case *sockcore.Inet6Addr:
		if !v.IP.IsValid() {
			return netip.IPv6Unspecified(), true
		}
		return v.IP.Unmap(), true
	}
	return netip.Addr{}, false
}

// addrPort is the port of an inet socket address.
func addrPort(a sockcore.Addr) (int, bool) {
	switch v := a.(type) {
	case *sockcore.InetAddr:
		return v.Port, true
	case *sockcore.Inet6Addr:
		return v.Port, true
	}
	return 0, false
}
