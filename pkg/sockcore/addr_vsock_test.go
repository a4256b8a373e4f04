package sockcore

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestVSockAddrRoundTrip(t *testing.T) {
	for _, a := range []*VSockAddr{
		{CID: unix.VMADDR_CID_ANY, Port: unix.VMADDR_PORT_ANY},
		{CID: unix.VMADDR_CID_LOCAL, Port: 1234},
		{CID: 3, Port: 50007, Flags: unix.VMADDR_FLAG_TO_HOST},
	} {
		t.Run(a.String(), func(t *testing.T) {
			b, err := EncodeSockaddr(a)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != unix.SizeofSockaddrVM {
				t.Errorf("encoded %d bytes, want %d", len(b), unix.SizeofSockaddrVM)
			}
			got, err := DecodeSockaddr(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(Addr(a), got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}
