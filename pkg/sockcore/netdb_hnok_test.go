package sockcore

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"
)

func TestResHnok(t *testing.T) {
	for name, want := range map[string]bool{
		"www.test.": true, "UPPer-1.test": true, "_srv.test": true, "mid.-x.test": true, "x-.test": true, ".": true,
		"-lead.test": false, "evil\x1b[31m.test": false, "sp ace.test": false, "a*b.test": false, "x.\x80y.test": false,
		"a..b": false, "tab\t.test": false,
	} {
		if got := resHnok(name); got != want {
			t.Errorf("resHnok(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestHostileNamesInAnswers: the CNAME and PTR names glibc keeps from an
// answer, built with names no host may have.
func TestHostileNamesInAnswers(t *testing.T) {
	build := func(qname string, qtype dnsmessage.Type, rrs func(b *dnsmessage.Builder)) []byte {
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 9, Response: true})
		b.StartQuestions()
		b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(qname), Type: qtype, Class: dnsmessage.ClassINET})
		b.StartAnswers()
		rrs(&b)
		msg, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	hdr := func(name string, typ dnsmessage.Type) dnsmessage.ResourceHeader {
		return dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName(name), Type: typ, Class: dnsmessage.ClassINET, TTL: 60}
	}
	cname := func(b *dnsmessage.Builder, from, to string) {
		b.CNAMEResource(hdr(from, dnsmessage.TypeCNAME), dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName(to)})
	}
	// www.test → evil\x1b.test → ok.test (A): the hostile name is neither
	// an alias nor the canonical name; the chain is followed.
	msg := build("www.test.", dnsmessage.TypeA, func(b *dnsmessage.Builder) {
		cname(b, "www.test.", "evil\x1b.test.")
		cname(b, "evil\x1b.test.", "ok.test.")
		b.AResource(hdr("ok.test.", dnsmessage.TypeA), dnsmessage.AResource{A: [4]byte{10, 0, 0, 1}})
	})
	a, err := parseDNSAnswer(msg, 9, "www.test.", dnsmessage.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"www.test"}, a.Aliases); diff != "" || a.Canon != "ok.test" || len(a.Addrs) != 1 {
		t.Errorf("aliases (-want +got):\n%s canon %q, %d addresses", diff, a.Canon, len(a.Addrs))
	}
	// A hostile last target: the canonical name stays the last valid one.
	msg = build("www.test.", dnsmessage.TypeA, func(b *dnsmessage.Builder) {
		cname(b, "www.test.", "sp ace.test.")
		b.AResource(hdr("sp ace.test.", dnsmessage.TypeA), dnsmessage.AResource{A: [4]byte{10, 0, 0, 1}})
	})
	if a, err = parseDNSAnswer(msg, 9, "www.test.", dnsmessage.TypeA); err != nil || a.Canon != "www.test" || len(a.Addrs) != 1 {
		t.Errorf("canon %q, %d addresses, %v; want www.test, 1", a.Canon, len(a.Addrs), err)
	}
	// PTR: the first record decides; a hostile one fails the lookup.
	for _, tc := range []struct {
		ptrs []string
		bad  bool
		want []string
	}{
		{[]string{"evil\x1b[31m.test."}, true, nil},
		{[]string{"-x.test.", "ok.test."}, true, nil},
		{[]string{"ok.test.", "bad\x80.test.", "ok2.test."}, false, []string{"ok.test", "ok2.test"}},
	} {
		msg = build("1.0.0.10.in-addr.arpa.", dnsmessage.TypePTR, func(b *dnsmessage.Builder) {
			for _, p := range tc.ptrs {
				b.PTRResource(hdr("1.0.0.10.in-addr.arpa.", dnsmessage.TypePTR), dnsmessage.PTRResource{PTR: dnsmessage.MustNewName(p)})
			}
		})
		a, err := parseDNSAnswer(msg, 9, "1.0.0.10.in-addr.arpa.", dnsmessage.TypePTR)
		if err != nil || a.BadPTR != tc.bad || !cmp.Equal(tc.want, a.PTRs) {
			t.Errorf("PTRs %q: BadPTR %v, PTRs %q, %v; want %v, %q", tc.ptrs, a.BadPTR, a.PTRs, err, tc.bad, tc.want)
		}
	}
}
