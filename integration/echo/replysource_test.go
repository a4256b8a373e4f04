package echo

import (
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestUDPReplyFromAddressAsked: echod bound to a wildcard address replies
// from the address each datagram came to, not from the one routing picks
// for the way back. The client (echocat, a connected UDP socket: it takes
// only datagrams from the address it sent to) sends from the host's first
// address to its second; before the fix the reply left from the first and
// the client waited in vain (exit 7). IPv4 on 0.0.0.0, IPv6 on [::] and
// IPv4-mapped on the default dual-stack socket.
func TestUDPReplyFromAddressAsked(t *testing.T) {
	ns := testenv.NewNetNS(t)
	ns.MustIP(t, "addr", "add", "10.77.0.2/32", "dev", "lo")
	ns.MustIP(t, "addr", "add", "fd00:77::2/128", "dev", "lo", "nodad")
	for _, c := range []struct {
		name, listen, source, target string
	}{
		{"IPv4 wildcard", "udp://0.0.0.0:0", "127.0.0.1", "10.77.0.2"},
		{"IPv4 wildcard, 127.0.0.2", "udp://0.0.0.0:0", "127.0.0.1", "127.0.0.2"},
		{"IPv6 wildcard", "udp://[::]:0", "::1", "[fd00:77::2]"},
		{"dual-stack default, IPv4", "", "127.0.0.1", "10.77.0.2"},
		{"dual-stack default, IPv6", "", "::1", "[fd00:77::2]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var args []string
			n := 2 // the default pair: TCP and UDP
			if c.listen != "" {
				args, n = []string{"--listen", c.listen}, 1
			}
			d := startEchod(t, ns, n, args...)
			var port string
			for _, u := range d.urls {
				if strings.HasPrefix(u, "udp://") {
					port = u[strings.LastIndex(u, ":")+1:]
				}
			}
			url := "udp://" + c.target + ":" + port
			r := echocat(t, ns, "asked\n", "-s", c.source, "-w", "5", url)
			if r.Code != 0 || r.Stdout != "asked\n" {
				t.Errorf("echocat -s %s %s: %+v, want the echo from the address it sent to", c.source, url, r)
			}
		})
	}
}

// TestUDPReplyToSubnetBroadcast: a datagram that came to a subnet
// broadcast address on the default dual-stack socket has that address as
// its IPv6 packet info's destination (IPv4-mapped), which the kernel
// refuses as a source; echod takes the IPv4 packet info's local address
// instead (the interface's own), so the echo still leaves, from 10.78.0.1.
// Taking the IPv6 one, it was never sent.
func TestUDPReplyToSubnetBroadcast(t *testing.T) {
	ns, peer := testenv.NewNetNS(t), testenv.NewNetNS(t)
	testenv.Veth(t, ns, peer, nil, nil)
	ns.MustIP(t, "addr", "add", "10.78.0.1/24", "brd", "+", "dev", "veth0")
	peer.MustIP(t, "addr", "add", "10.78.0.2/24", "brd", "+", "dev", "veth1")
	d := startEchod(t, ns, 2)
	var port string
	for _, u := range d.urls {
		if strings.HasPrefix(u, "udp://") {
			port = u[strings.LastIndex(u, ":")+1:]
		}
	}
	var c *net.UDPConn
	if err := peer.Do(func() (err error) {
		c, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(10, 78, 0, 2)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	raw.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1) })
	dst, err := net.ResolveUDPAddr("udp4", "10.78.0.255:"+port)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteToUDP([]byte("to all\n"), dst); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64)
	n, from, err := c.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("no echo of a datagram to the subnet broadcast: %v", err)
	}
	if string(buf[:n]) != "to all\n" || !from.IP.Equal(net.IPv4(10, 78, 0, 1)) {
		t.Errorf("echo %q from %v, want %q from 10.78.0.1", buf[:n], from, "to all\n")
	}
}
