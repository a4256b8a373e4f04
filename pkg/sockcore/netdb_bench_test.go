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
