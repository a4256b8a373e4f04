package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// corpusPackets reads every record of the pcap files that match pattern
// and whose link type keep accepts.
func corpusPackets(b *testing.B, pattern string, keep func(layers.LinkType) bool) []pkt {
	b.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil {
		b.Fatal(err)
	}
	var pk []pkt
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		r, err := newPcapReader(bufio.NewReader(f))
		if err != nil || !keep(r.LinkType()) {
			f.Close()
			continue
		}
		for {
			data, ci, err := r.ReadPacketData()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			pk = append(pk, pkt{data: append([]byte(nil), data...), ts: ci.Timestamp, len: ci.Length, lt: r.LinkType()})
		}
		f.Close()
	}
	if len(pk) == 0 {
		b.Skipf("no packets in %s", pattern)
	}
	return pk
}

// BenchmarkDecodeCorpus prints the project's capture corpus
// (integration/sniff/testdata/corpus) as sniff -n -r and -n -v -r do, to
// a discarding writer: the Ethernet captures (the mixed ordinary traffic
// of bench/sniff.sh's "decode ordinary traffic" row) and the 802.11 ones,
// and SNIFF_BENCH_PCAP's file where it is set. It reports ns and heap
// allocations per packet; an op is one pass over the packets.
func BenchmarkDecodeCorpus(b *testing.B) {
	corpus := "../../integration/sniff/testdata/corpus/*.pcap"
	sets := []struct {
		name, pattern string
		keep          func(layers.LinkType) bool
	}{
		{"ether", corpus, func(lt layers.LinkType) bool { return lt == layers.LinkTypeEthernet }},
		{"80211", corpus, func(lt layers.LinkType) bool {
			return lt == layers.LinkTypeIEEE80211Radio || lt == layers.LinkTypeIEEE802_11
		}},
	}
	if f := os.Getenv("SNIFF_BENCH_PCAP"); f != "" {
		sets = append(sets, struct {
			name, pattern string
			keep          func(layers.LinkType) bool
		}{"file", f, func(layers.LinkType) bool { return true }})
	}
	for _, set := range sets {
		for _, verbose := range []int{0, 1} {
			name := set.name + "/n"
			if verbose > 0 {
				name = set.name + "/v"
			}
			b.Run(name, func(b *testing.B) {
				pk := corpusPackets(b, set.pattern, set.keep)
				ts := newTextSink(&options{verbose: verbose}, discard{}, func(int) string { return "" }, false)
				// One pass first: the TCP conversations and the
				// buffers are set up as in a long run.
				for i := range pk {
					ts.write(&pk[i])
				}
				var m0, m1 runtime.MemStats
				runtime.ReadMemStats(&m0)
				start := time.Now()
				n := 0
				for b.Loop() {
					for i := range pk {
						ts.write(&pk[i])
					}
					n += len(pk)
				}
				el := time.Since(start)
				runtime.ReadMemStats(&m1)
				b.ReportMetric(float64(el.Nanoseconds())/float64(n), "ns/pkt")
				b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(n), "allocs/pkt")
				b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/float64(n), "B/pkt")
			})
		}
	}
}
