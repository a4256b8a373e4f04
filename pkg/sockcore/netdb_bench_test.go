package sockcore

import "testing"

func BenchmarkGetAddrInfoHostsFile(b *testing.B) {
	h := "localhost"
	for b.Loop() {
		if _, err := GetAddrInfo(&h, nil, 0, 0, 0, AI_V4MAPPED|AI_ADDRCONFIG|AI_CANONNAME); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetAddrInfoDNS(b *testing.B) {
	f := &fakeDNS{z: zone{"www.example.test.": {rr("www.example.test.", a4("198.51.100.10"))}}}
	startFakeDNS(b, f)
	r := testResolver(b, "", "nameserver 127.0.0.1\n", "hosts: files dns\n", f.port)
	h := "www.example.test"
	for b.Loop() {
		if _, err := r.GetAddrInfo(&h, nil, 0, 0, 0, AI_V4MAPPED|AI_ADDRCONFIG|AI_CANONNAME); err != nil {
			b.Fatal(err)
		}
	}
}
