package sockcore_test

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/sockcore/sockcore/pkg/sockcore"
	"golang.org/x/sys/unix"
)

// New is socket.socket(): SOCK_NONBLOCK in the type selects non-blocking
// mode and is not part of Type().
func ExampleNew() {
	s, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK, unix.IPPROTO_UDP)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	if err := s.Bind(&sockcore.InetAddr{IP: netip.MustParseAddr("127.0.0.1")}); err != nil {
		fmt.Println(err)
		return
	}
	d, set := s.Timeout()
	fmt.Println(sockcore.FamilyName(s.Family()), sockcore.TypeName(s.Type()), sockcore.ProtoName(s.Family(), s.Proto()))
	fmt.Println("timeout:", d, set, "blocking:", s.Blocking())
	_, err = s.Recv(100, 0) // nothing has arrived: EAGAIN at once
	fmt.Println(err)
	// Output:
	// AF_INET SOCK_DGRAM IPPROTO_UDP
	// timeout: 0s true blocking: false
	// recv: resource temporarily unavailable
}

// Pair is socket.socketpair(): two connected AF_UNIX sockets.
func ExamplePair() {
	a, b, err := sockcore.Pair(0, 0, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	defer b.Close()
	a.SendAll([]byte("ping"), 0)
	b.SetTimeout(5 * time.Second)
	msg, err := b.Recv(1024, 0)
	fmt.Printf("%s %v\n", msg, err)
	// Output: ping <nil>
}

// CreateServer is socket.create_server: here a dual-stack listener that
// accepts an IPv4 client, which it sees as an IPv4-mapped IPv6 address.
func ExampleCreateServer() {
	srv, err := sockcore.CreateServer("", "0", sockcore.WithDualStack())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	addr, _ := srv.SockName()
	port := strconv.Itoa(addr.(*sockcore.Inet6Addr).Port)

	c, err := sockcore.CreateConnection(context.Background(), "127.0.0.1", port, sockcore.WithTimeout(5*time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	conn, peer, err := srv.Accept()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	c.SendAll([]byte("hello"), 0)
	msg, _ := conn.Recv(100, 0)
	fmt.Println(peer.(*sockcore.Inet6Addr).IP, string(msg))
	// Output: ::ffff:127.0.0.1 hello
}
