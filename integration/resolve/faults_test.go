package resolve_test

import (
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// faultyDNS is a DNS server on 10.53.0.2:53 (UDP, and TCP unless noTCP)
// that misbehaves in one way. Every name it is asked for has the address
// 10.53.7.1 (A) and fd53::7:1 (AAAA).
type faultyDNS struct {
	faults
	mu      sync.Mutex
	held    map[dnsmessage.Question]heldQuery
	udpN    int // queries seen over UDP
	tcpN    int // queries seen over TCP
	closers []io.Closer
}

// faults says how a faultyDNS misbehaves.
type faults struct {
	// late: the first query for a question gets its answer only when the
	// client asks the same question again (after its timeout), and that
	// second query is never answered: the answer comes, but late.
	late bool
	// truncate: every UDP answer has the TC bit and no records (partial:
	// the A record, TC all the same); TCP answers in full.
	truncate, partial bool
	noTCP             bool
}

type heldQuery struct {
	msg  dnsmessage.Message
	from net.Addr
}

// startDNS listens in the namespace (the sockets keep it after Do
// returns) until stop or the end of the test.
func startDNS(t *testing.T, e *env, how faults) *faultyDNS {
	t.Helper()
	f := &faultyDNS{faults: how, held: map[dnsmessage.Question]heldQuery{}}
	err := e.ns.Do(func() error {
		pc, err := net.ListenPacket("udp4", "10.53.0.2:53")
		if err != nil {
			return err
		}
		f.closers = append(f.closers, pc)
		go f.serveUDP(pc)
		if f.noTCP {
			return nil
		}
		l, err := net.Listen("tcp4", "10.53.0.2:53")
		if err != nil {
			return err
		}
		f.closers = append(f.closers, l)
		go f.serveTCP(l)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.stop)
	return f
}

func (f *faultyDNS) stop() {
	for _, c := range f.closers {
		c.Close()
	}
}

func (f *faultyDNS) counts() (udp, tcp int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.udpN, f.tcpN
}

func (f *faultyDNS) serveUDP(pc net.PacketConn) {
	buf := make([]byte, 4096)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var q dnsmessage.Message
		if q.Unpack(buf[:n]) != nil || len(q.Questions) != 1 {
			continue
		}
		f.mu.Lock()
		f.udpN++
		var send []heldQuery
		switch {
		case f.late:
			if h, ok := f.held[q.Questions[0]]; ok {
				delete(f.held, q.Questions[0])
				send = append(send, h) // the first query's answer, now
			} else {
				f.held[q.Questions[0]] = heldQuery{q, from}
			}
		default:
			send = append(send, heldQuery{q, from})
		}
		f.mu.Unlock()
		for _, h := range send {
			if b, err := f.answer(h.msg, !f.late && f.truncate); err == nil {
				pc.WriteTo(b, h.from)
			}
		}
	}
}

func (f *faultyDNS) serveTCP(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			for {
				var lenb [2]byte
				if _, err := io.ReadFull(c, lenb[:]); err != nil {
					return
				}
				b := make([]byte, binary.BigEndian.Uint16(lenb[:]))
				if _, err := io.ReadFull(c, b); err != nil {
					return
				}
				var q dnsmessage.Message
				if q.Unpack(b) != nil || len(q.Questions) != 1 {
					return
				}
				f.mu.Lock()
				f.tcpN++
				f.mu.Unlock()
				a, err := f.answer(q, false)
				if err != nil {
					return
				}
				c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(a))), a...))
			}
		}()
	}
}

// answer builds the reply to q: the name's A or AAAA record, or with tc
// the TC bit and no record (one A record with partial).
func (f *faultyDNS) answer(q dnsmessage.Message, tc bool) ([]byte, error) {
	qq := q.Questions[0]
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: q.ID, Response: true, Authoritative: true,
		RecursionDesired: q.RecursionDesired, Truncated: tc})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(qq); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	rh := dnsmessage.ResourceHeader{Name: qq.Name, Class: dnsmessage.ClassINET, TTL: 60}
	switch {
	case tc && !(f.partial && qq.Type == dnsmessage.TypeA):
	case qq.Type == dnsmessage.TypeA:
		if err := b.AResource(rh, dnsmessage.AResource{A: [4]byte{10, 53, 7, 1}}); err != nil {
			return nil, err
		}
	case qq.Type == dnsmessage.TypeAAAA:
		if err := b.AAAAResource(rh, dnsmessage.AAAAResource{AAAA: [16]byte{0: 0xfd, 1: 0x53, 13: 7, 15: 1}}); err != nil {
			return nil, err
		}
	}
	return b.Finish()
}

// TestFaultyDNSServer: resolve against a DNS server that answers late,
// truncated (the TC bit, then TCP) or truncated with no TCP to retry on,
// getent (glibc) as the peer on the same server: the same lines and the
// same exit code. The server that never answers is TestTimeout.
func TestFaultyDNSServer(t *testing.T) {
	cases := []struct {
		name     string
		dns      faults
		wantLine bool // getent finds the name
		tcp      bool // resolve must have asked over TCP
	}{
		{name: "late answer", dns: faults{late: true}, wantLine: true},
		{name: "truncated, then TCP", dns: faults{truncate: true}, wantLine: true, tcp: true},
		{name: "truncated with a partial answer, then TCP", dns: faults{truncate: true, partial: true}, wantLine: true, tcp: true},
		{name: "truncated, TCP refused", dns: faults{truncate: true, noTCP: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t)
			// The late answer comes when the client asks again: after
			// timeout:1, once. Two attempts, so both tries can happen.
			e.write(t, "resolv.conf", "nameserver 10.53.0.2\noptions timeout:1 attempts:2\n")
			for _, q := range []struct{ getent, resolve []string }{
				{[]string{"ahostsv4", "name.test."}, []string{"addrinfo", "-4", "--format", "getent", "name.test."}},
				{[]string{"ahosts", "name.test."}, []string{"addrinfo", "--format", "getent", "name.test."}},
			} {
				// A fresh server for each peer: the late answer is held per question.
				dns := startDNS(t, e, c.dns)
				want, wantCode := e.run(t, "", "getent", q.getent...)
				dns.stop()
				dns = startDNS(t, e, c.dns)
				got, gotCode := e.run(t, "", e.resolve, q.resolve...)
				_, tcpN := dns.counts()
				dns.stop()
				if want != got || wantCode != gotCode {
					t.Errorf("getent %s: exit %d, resolve %s: exit %d (-getent +resolve):\n%s",
						strings.Join(q.getent, " "), wantCode, strings.Join(q.resolve, " "), gotCode, diffLines(want, got))
				}
				if c.wantLine != strings.Contains(want, "10.53.7.1") {
					t.Errorf("getent %s printed %q (exit %d): the case's premise does not hold", strings.Join(q.getent, " "), want, wantCode)
				}
				if c.tcp && tcpN == 0 {
					t.Errorf("resolve %s never asked over TCP after a truncated answer", strings.Join(q.resolve, " "))
				}
			}
		})
	}
}

func diffLines(want, got string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(want, "\n") {
		if l != "" {
			b.WriteString("-" + l)
		}
	}
	for _, l := range strings.SplitAfter(got, "\n") {
		if l != "" {
			b.WriteString("+" + l)
		}
	}
	return b.String()
}
