package sockcore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/sys/unix"
)

// The stub resolver: glibc's res_search/res_query/res_send in Go, over
// sockcore UDP sockets with a TCP retry when the answer is truncated. The
// wire format is golang.org/x/net/dns/dnsmessage's.

// dnsAnswer is what one query's response says about its name.
type dnsAnswer struct {
	RCode   dnsmessage.RCode
	AnCount int          // records in the answer section
	Canon   string       // the owner of the answers after following CNAMEs, no trailing dot
	Aliases []string     // the CNAME owners on the way, in order
	Addrs   []netip.Addr // A or AAAA data of Canon
	PTRs    []string     // PTR data of Canon, no trailing dot
	// BadPTR: the first PTR record of Canon is not a valid host name
	// (resHnok), which makes glibc fail the lookup (NO_RECOVERY).
	BadPTR bool
}

// resHnok reports whether name (presentation form, dots between labels)
// is a host name by glibc's res_hnok rules, which nss_dns applies to what
// DNS answers before any program sees it: every byte a letter, digit, '-'
// or '_', and the first label not starting with '-'. The root name passes.
// dnsmessage refuses labels that contain a dot, so splitting on dots is
// exact. A name that fails is never printed: glibc drops it (a CNAME
// target as the canonical name, a CNAME owner as an alias) or fails the
// lookup (a PTR target), and so does sockcore.
func resHnok(name string) bool {
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return true
	}
	if name[0] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return !strings.Contains(name, "..")
}

// errDNSFormat is a response that does not parse or does not answer the
// question asked.
var errDNSFormat = errors.New("malformed DNS response")

// parseDNSAnswer checks that msg answers question (name, qtype) with id,
// and extracts the records glibc's getanswer uses: CNAMEs whose owner is
// the name being followed, then records of qtype owned by it.
func parseDNSAnswer(msg []byte, id uint16, name string, qtype dnsmessage.Type) (dnsAnswer, error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return dnsAnswer{}, errDNSFormat
	}
	if !h.Response || h.ID != id {
		return dnsAnswer{}, errDNSFormat
	}
	q, err := p.Question()
	if err != nil || q.Type != qtype || q.Class != dnsmessage.ClassINET || !dnsNameEqual(q.Name.String(), name) {
		return dnsAnswer{}, errDNSFormat
	}
	if err := p.SkipAllQuestions(); err != nil {
		return dnsAnswer{}, errDNSFormat
	}
	a := dnsAnswer{RCode: h.RCode, Canon: trimDot(name)}
	cur := name
	for {
		rh, err := p.AnswerHeader()
		if err == dnsmessage.ErrSectionDone {
			break
		}
		if err != nil {
			return a, errDNSFormat
		}
		a.AnCount++
		if rh.Class != dnsmessage.ClassINET || !dnsNameEqual(rh.Name.String(), cur) {
			if err := p.SkipAnswer(); err != nil {
				return a, errDNSFormat
			}
			continue
		}
		switch {
		case rh.Type == dnsmessage.TypeCNAME && qtype != dnsmessage.TypeCNAME:
			r, err := p.CNAMEResource()
			if err != nil {
				return a, errDNSFormat
			}
			// glibc (getanswer_r) follows the chain whatever the
			// names, records an owner as an alias and a target as the
			// canonical name only when they are host names.
			if owner := rh.Name.String(); resHnok(owner) {
				a.Aliases = append(a.Aliases, trimDot(owner))
			}
			cur = r.CNAME.String()
			if resHnok(cur) {
				a.Canon = trimDot(cur)
			}
		case rh.Type == qtype && qtype == dnsmessage.TypeA:
			r, err := p.AResource()
			if err != nil {
				return a, errDNSFormat
			}
			a.Addrs = append(a.Addrs, netip.AddrFrom4(r.A))
		case rh.Type == qtype && qtype == dnsmessage.TypeAAAA:
			r, err := p.AAAAResource()
			if err != nil {
				return a, errDNSFormat
			}
			a.Addrs = append(a.Addrs, netip.AddrFrom16(r.AAAA))
		case rh.Type == qtype && qtype == dnsmessage.TypePTR:
			r, err := p.PTRResource()
			if err != nil {
				return a, errDNSFormat
			}
			// glibc (getanswer_ptr) takes the first PTR record and
			// fails the lookup when it is not a host name.
			// Later invalid ones are left out.
			switch ok := resHnok(r.PTR.String()); {
			case len(a.PTRs) == 0 && !a.BadPTR && !ok:
				a.BadPTR = true
			case !a.BadPTR && ok:
				a.PTRs = append(a.PTRs, trimDot(r.PTR.String()))
			}
		default:
			if err := p.SkipAnswer(); err != nil {
				return a, errDNSFormat
			}
		}
	}
	return a, nil
}

func trimDot(s string) string {
	if len(s) > 1 {
		return strings.TrimSuffix(s, ".")
	}
	return s
}

func dnsNameEqual(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// buildQuery returns a recursive query for name (fully qualified, with the
// trailing dot).
func buildQuery(id uint16, name string, qtype dnsmessage.Type) ([]byte, error) {
	n, err := dnsmessage.NewName(name)
	if err != nil {
		return nil, err
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 64), dnsmessage.Header{ID: id, RecursionDesired: true})
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(dnsmessage.Question{Name: n, Type: qtype, Class: dnsmessage.ClassINET}); err != nil {
		return nil, err
	}
	return b.Finish()
}

// udpBufs hold the largest UDP datagram a response can be.
var udpBufs = sync.Pool{New: func() any { b := make([]byte, 65536); return &b }}

// errDNSTimeout is a query no server answered in time.
var errDNSTimeout = fmt.Errorf("no DNS server answered: %w", errTimeoutCause)

var errTimeoutCause = errors.New("timed out")

// udpConns keeps one connected UDP socket per server for all the tries of
// one query, as glibc's res_send keeps its socket: an answer to an earlier
// try that comes late (it has the same id, the query being the same bytes)
// arrives on it and is taken. A new socket per try has a new port, and the
// late answer met a closed one.
type udpConns map[netip.AddrPort]*Socket

func (c udpConns) close() {
	for _, s := range c {
		s.Close()
	}
}

// dialDNS returns a socket connected to server.
func dialDNS(ctx context.Context, server netip.AddrPort, tcp bool, timeout time.Duration) (*Socket, error) {
	fam := unix.AF_INET
	var to Addr = &InetAddr{IP: server.Addr().Unmap(), Port: int(server.Port())}
	if server.Addr().Is6() && !server.Addr().Is4In6() {
		fam = unix.AF_INET6
		var scope uint32
		if z := server.Addr().Zone(); z != "" {
			scope, _ = zoneIndex(z)
		}
		to = &Inet6Addr{IP: server.Addr().WithZone(""), Port: int(server.Port()), ScopeID: scope}
	}
	typ := unix.SOCK_DGRAM
	if tcp {
		typ = unix.SOCK_STREAM
	}
	s, err := New(fam, typ, 0)
	if err != nil {
		return nil, err
	}
	s.SetTimeout(timeout)
	if err := s.ConnectContext(ctx, to); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// exchange sends one query to one server over UDP (or TCP) and returns the
// raw response; a truncated UDP response is retried over TCP. UDP sockets
// come from conns and stay there for the next try (nil: one for this call).
func exchange(ctx context.Context, server netip.AddrPort, query []byte, timeout time.Duration, tcp bool, conns udpConns) ([]byte, error) {
	if !tcp {
		s := conns[server]
		if s == nil {
			var err error
			if s, err = dialDNS(ctx, server, false, timeout); err != nil {
				return nil, err
			}
			if conns != nil {
				conns[server] = s
			} else {
				defer s.Close()
			}
		}
		resp, err := exchangeUDP(ctx, s, query, timeout)
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) && conns != nil {
			// A refused or failed socket is not kept: the next try dials again.
			s.Close()
			delete(conns, server)
		}
		if err == nil && resp[2]&0x02 != 0 { // TC
			return exchange(ctx, server, query, timeout, true, nil)
		}
		return resp, err
	}
	s, err := dialDNS(ctx, server, true, timeout)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	msg := binary.BigEndian.AppendUint16(nil, uint16(len(query)))
	if err := s.SendAllContext(ctx, append(msg, query...), 0); err != nil {
		return nil, err
	}
	var l [2]byte
	if _, err := io.ReadFull(s.ReaderContext(ctx), l[:]); err != nil {
		return nil, err
	}
	resp := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(s.ReaderContext(ctx), resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// exchangeUDP sends query on s and waits up to timeout for the answer with
// its id; answers to other ids are skipped.
func exchangeUDP(ctx context.Context, s *Socket, query []byte, timeout time.Duration) ([]byte, error) {
	s.SetTimeout(timeout)
	if _, err := s.SendContext(ctx, query, 0); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	bp := udpBufs.Get().(*[]byte)
	defer udpBufs.Put(bp)
	for {
		n, err := s.RecvIntoContext(ctx, *bp, 0)
		if err != nil {
			return nil, err
		}
		if n >= 12 && binary.BigEndian.Uint16((*bp)[:n]) == binary.BigEndian.Uint16(query) {
			return append([]byte(nil), (*bp)[:n]...), nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, timeoutError("recv")
		}
		s.SetTimeout(left)
	}
}

// dnsResult is the outcome of one name's query of one type.
type dnsResult struct {
	Answer dnsAnswer
	Server netip.AddrPort
	Err    error // nil, or a timeout / network error when no server answered
}

// query is glibc's res_send: every server in turn (rotated when the
// options say rotate), attempts times, the timeout doubling after each
// round as in res_send.c. SERVFAIL, NOTIMP and REFUSED go to the next
// server.
func (r *Resolver) query(name string, qtype dnsmessage.Type) dnsResult {
	conf := r.resolvConf()
	fq := name
	if !strings.HasSuffix(fq, ".") {
		fq += "."
	}
	id := uint16(rand.Uint32())
	q, err := buildQuery(id, fq, qtype)
	if err != nil {
		return dnsResult{Answer: dnsAnswer{RCode: dnsmessage.RCodeNameError}}
	}
	servers := conf.Servers
	if conf.Rotate && len(servers) > 1 {
		k := int(rotateCounter.Add(1)) % len(servers)
		servers = append(append([]netip.AddrPort{}, servers[k:]...), servers[:k]...)
	}
	var last dnsResult
	last.Err = errDNSTimeout
	conns := udpConns{}
	defer conns.close()
	for try := 0; try < conf.Attempts; try++ {
		for _, srv := range servers {
			timeout := conf.Timeout << try
			if try > 0 {
				timeout /= time.Duration(len(servers))
			}
			if timeout < time.Second {
				timeout = time.Second
			}
			if ctx := r.Context; ctx != nil && ctx.Err() != nil {
				return dnsResult{Server: srv, Err: ctx.Err()}
			}
			start := time.Now()
			resp, err := exchange(r.Context, srv, q, timeout, conf.UseVC, conns)
			if r.Context != nil && r.Context.Err() != nil {
				return dnsResult{Server: srv, Err: r.Context.Err()}
			}
			if err != nil {
				r.trace(TraceEvent{Kind: "dns", Name: trimDot(fq), Type: qtype.String()[4:], Server: srv.String(), Err: err.Error(), Took: time.Since(start)})
				if !errors.Is(err, errTimeoutCause) {
					last = dnsResult{Server: srv, Err: err}
				}
				continue
			}
			a, err := parseDNSAnswer(resp, id, fq, qtype)
			r.trace(TraceEvent{Kind: "dns", Name: trimDot(fq), Type: qtype.String()[4:], Server: srv.String(), RCode: a.RCode.String()[5:], Answers: a.AnCount, Took: time.Since(start)})
			if err != nil {
				last = dnsResult{Server: srv, Err: err}
				continue
			}
			switch a.RCode {
			case dnsmessage.RCodeServerFailure, dnsmessage.RCodeNotImplemented, dnsmessage.RCodeRefused:
				last = dnsResult{Answer: a, Server: srv}
				continue
			}
			return dnsResult{Answer: a, Server: srv}
		}
	}
	return last
}

// hostErrFor maps a failed query to glibc's h_errno as res_query does.
// SERVFAIL, NOTIMP and REFUSED only come back when every server gave one
// (res_send then fails): TRY_AGAIN.
func hostErrFor(res dnsResult) int {
	if res.Err != nil {
		return TRY_AGAIN
	}
	switch res.Answer.RCode {
	case dnsmessage.RCodeNameError:
		return HOST_NOT_FOUND
	case dnsmessage.RCodeServerFailure, dnsmessage.RCodeRefused, dnsmessage.RCodeNotImplemented:
		return TRY_AGAIN
	case dnsmessage.RCodeSuccess:
		return NO_DATA
	}
	return NO_RECOVERY
}

func answered(res dnsResult) bool {
	return res.Err == nil && res.Answer.RCode == dnsmessage.RCodeSuccess && res.Answer.AnCount > 0
}

// searchResult is what res_search found: one result per query type for
// the name that answered.
type searchResult struct {
	Name    string      // the expanded name that answered
	Results []dnsResult // one per qtype, in the order asked
	HErrno  int         // when nothing answered
}

// search is glibc's res_search: the name as is first when it has at least
// ndots dots (or a trailing dot), then each search domain, then the name as
// is if not tried yet. Several qtypes are asked together (A and AAAA for
// getaddrinfo), as T_QUERY_A_AND_AAAA does; a name answers when one of
// them has data.
func (r *Resolver) search(name string, qtypes ...dnsmessage.Type) searchResult {
	conf := r.resolvConf()
	dots := strings.Count(name, ".")
	trailing := strings.HasSuffix(name, ".")
	try := func(fqdn string) (searchResult, bool, int, bool) {
		var sr searchResult
		sr.Name = trimDot(fqdn)
		// The queries go out together, as glibc sends A and AAAA in
		// parallel.
		sr.Results = make([]dnsResult, len(qtypes))
		var wg sync.WaitGroup
		for i, t := range qtypes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sr.Results[i] = r.query(fqdn, t)
			}()
		}
		wg.Wait()
		any := false
		for _, res := range sr.Results {
			any = any || answered(res)
		}
		if any {
			return sr, true, 0, false
		}
		first := sr.Results[0]
		servfail := first.Err == nil && first.Answer.RCode == dnsmessage.RCodeServerFailure
		return sr, false, hostErrFor(first), servfail
	}
	saved := -1
	triedAsIs := false
	if dots >= conf.Ndots || trailing {
		sr, ok, herr, _ := try(name)
		if ok || trailing {
			sr.HErrno = herr
			return sr
		}
		saved = herr
		triedAsIs = true
	}
	gotNoData, gotServfail := false, false
	last := HOST_NOT_FOUND
	if !trailing {
		for _, dom := range conf.Search {
			d := strings.TrimSuffix(dom, ".")
			if d == "" {
				continue
			}
			r.trace(TraceEvent{Kind: "search", Name: name + "." + d})
			sr, ok, herr, servfail := try(name + "." + d)
			if ok {
				return sr
			}
			done := false
			switch herr {
			case NO_DATA:
				gotNoData = true
			case HOST_NOT_FOUND:
			case TRY_AGAIN:
				if servfail {
					gotServfail = true
				} else {
					done = true
				}
			default:
				done = true
			}
			last = herr
			if done {
				break
			}
		}
	}
	if !triedAsIs {
		sr, ok, herr, _ := try(name)
		if ok {
			return sr
		}
		last = herr
	}
	sr := searchResult{HErrno: saved}
	switch {
	case saved != -1:
	case gotNoData:
		sr.HErrno = NO_DATA
	case gotServfail:
		sr.HErrno = TRY_AGAIN
	default:
		sr.HErrno = last
	}
	return sr
}

// reverseName is the in-addr.arpa or ip6.arpa name of a.
func reverseName(a netip.Addr) string {
	if a.Is4() {
		b := a.As4()
		return fmt.Sprintf("%d.%d.%d.%d.in-addr.arpa.", b[3], b[2], b[1], b[0])
	}
	b := a.As16()
	var sb strings.Builder
	const hex = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		sb.WriteByte(hex[b[i]&0xf])
		sb.WriteByte('.')
		sb.WriteByte(hex[b[i]>>4])
		sb.WriteByte('.')
	}
	sb.WriteString("ip6.arpa.")
	return sb.String()
}
