// Package packet tests sockcore's AF_PACKET surface in network namespaces
// joined by veth: addresses, filters, statistics, auxiliary data, fanout,
// membership and the TPACKET_V3 ring.
package packet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

type pair struct{ a, b *testenv.NetNS }

// newPair makes two namespaces joined by veth0 (10.0.0.1, in a) and veth1
// (10.0.0.2, in b).
func newPair(t *testing.T) pair {
	a, b := testenv.NewNetNS(t), testenv.NewNetNS(t)
	testenv.Veth(t, a, b, []string{"10.0.0.1/24"}, []string{"10.0.0.2/24"})
	// Static neighbours: no ARP traffic mixes with what the tests count.
	p := pair{a, b}
	mac := func(ns *testenv.NetNS, dev string) string {
		out, err := ns.Command("cat", "/sys/class/net/"+dev+"/address").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	a.MustIP(t, "neigh", "replace", "10.0.0.2", "lladdr", mac(b, "veth1"), "dev", "veth0", "nud", "permanent")
	b.MustIP(t, "neigh", "replace", "10.0.0.1", "lladdr", mac(a, "veth0"), "dev", "veth1", "nud", "permanent")
	return p
}

// in runs fn inside ns and fails the test on error.
func in(t *testing.T, ns *testenv.NetNS, fn func() error) {
	t.Helper()
	if err := ns.Do(fn); err != nil {
		t.Fatal(err)
	}
}

// packetSocket opens a SOCK_RAW packet socket in ns with a 5 s timeout,
// bound to dev for all protocols unless setup returns before binding.
func packetSocket(t *testing.T, ns *testenv.NetNS, dev string, setup func(*sockcore.Socket) error) *sockcore.Socket {
	t.Helper()
	var s *sockcore.Socket
	in(t, ns, func() error {
		var err error
		if s, err = sockcore.New(unix.AF_PACKET, unix.SOCK_RAW, 0); err != nil {
			return err
		}
		s.SetTimeout(5 * time.Second)
		if setup != nil {
			if err := setup(s); err != nil {
				return err
			}
		}
		return s.Bind(&sockcore.PacketAddr{Ifname: dev, Proto: unix.ETH_P_ALL})
	})
	t.Cleanup(func() { s.Close() })
	return s
}

// sendUDP sends one datagram per port from 10.0.0.1 in a to 10.0.0.2.
func sendUDP(t *testing.T, ns *testenv.NetNS, payload []byte, ports ...int) {
	t.Helper()
	in(t, ns, func() error {
		u, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer u.Close()
		for _, p := range ports {
			if _, err := u.SendTo(payload, 0, &sockcore.InetAddr{IP: netip.MustParseAddr("10.0.0.2"), Port: p}); err != nil {
				return err
			}
		}
		return nil
	})
}

// udpDstPort returns the UDP destination port of an Ethernet/IPv4 frame, or -1.
func udpDstPort(f []byte) int {
	if len(f) < 14+20+8 || binary.BigEndian.Uint16(f[12:]) != unix.ETH_P_IP || f[14+9] != unix.IPPROTO_UDP {
		return -1
	}
	ihl := int(f[14]&0xf) * 4
	return int(binary.BigEndian.Uint16(f[14+ihl+2:]))
}

// recvUDP reads frames until n UDP datagrams arrived and returns their ports.
func recvUDP(t *testing.T, s *sockcore.Socket, n int) []int {
	t.Helper()
	var ports []int
	for len(ports) < n {
		b, _, err := s.RecvFrom(65536, 0)
		if err != nil {
			t.Fatalf("after %d of %d datagrams: %v", len(ports), n, err)
		}
		if p := udpDstPort(b); p >= 0 {
			ports = append(ports, p)
		}
	}
	return ports
}

func TestRecvFromAddress(t *testing.T) {
	p := newPair(t)
	s := packetSocket(t, p.b, "veth1", nil)
	sendUDP(t, p.a, []byte("hello"), 9000)
	for {
		// The interface name is looked up in the calling thread's
		// namespace, as Python does it on the socket's.
		var b []byte
		var from sockcore.Addr
		in(t, p.b, func() error {
			var err error
			b, from, err = s.RecvFrom(65536, 0)
			return err
		})
		if udpDstPort(b) != 9000 {
			continue
		}
		got := from.(*sockcore.PacketAddr)
		want := &sockcore.PacketAddr{Ifname: "veth1", Ifindex: got.Ifindex, Proto: unix.ETH_P_IP,
			PktType: unix.PACKET_HOST, HAType: unix.ARPHRD_ETHER, Addr: b[6:12]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("source address (-want +got):\n%s", diff)
		}
		break
	}
	var name sockcore.Addr
	in(t, p.b, func() error {
		var err error
		name, err = s.SockName()
		return err
	})
	if sn := name.(*sockcore.PacketAddr); sn.Ifname != "veth1" || sn.Proto != unix.ETH_P_ALL {
		t.Errorf("SockName() = %v", sn)
	}
}

// udpPortFilter accepts IPv4 UDP to port and nothing else.
func udpPortFilter(t *testing.T, port uint32) []unix.SockFilter {
	t.Helper()
	raw, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 12, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: unix.ETH_P_IP, SkipTrue: 4},
		bpf.LoadAbsolute{Off: 23, Size: 1},
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: unix.IPPROTO_UDP, SkipTrue: 2},
		bpf.LoadAbsolute{Off: 36, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: port, SkipTrue: 1},
		bpf.RetConstant{Val: 0},
		bpf.RetConstant{Val: 0x40000},
	})
	if err != nil {
		t.Fatal(err)
	}
	prog := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		prog[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return prog
}

func TestFilterStatisticsAndLock(t *testing.T) {
	p := newPair(t)
	s := packetSocket(t, p.b, "veth1", func(s *sockcore.Socket) error { return s.AttachFilter(udpPortFilter(t, 9001)) })
	sendUDP(t, p.a, []byte("x"), 9000, 9001, 9002, 9001)
	if diff := cmp.Diff([]int{9001, 9001}, recvUDP(t, s, 2)); diff != "" {
		t.Errorf("ports through the filter (-want +got):\n%s", diff)
	}
	st, err := s.PacketStatistics()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sockcore.PacketStats{Packets: 2}, st); diff != "" {
		t.Errorf("PACKET_STATISTICS (-want +got):\n%s", diff)
	}
	if err := s.LockFilter(); err != nil {
		t.Fatal(err)
	}
	if err := s.DetachFilter(); !errors.Is(err, unix.EPERM) {
		t.Errorf("DetachFilter on a locked filter: %v, want EPERM", err)
	}
	u := packetSocket(t, p.b, "veth1", func(s *sockcore.Socket) error { return s.AttachFilter(udpPortFilter(t, 9001)) })
	if err := u.DetachFilter(); err != nil {
		t.Fatalf("DetachFilter: %v", err)
	}
	sendUDP(t, p.a, []byte("x"), 9002)
	if diff := cmp.Diff([]int{9002}, recvUDP(t, u, 1)); diff != "" {
		t.Errorf("ports after detaching (-want +got):\n%s", diff)
	}
}

func TestAuxDataVLANAndTimestamp(t *testing.T) {
	p := newPair(t)
	s := packetSocket(t, p.b, "veth1", func(s *sockcore.Socket) error {
		if err := s.SetsockoptInt(unix.SOL_PACKET, unix.PACKET_AUXDATA, 1); err != nil {
			return err
		}
		return s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	})
	// This kernel may lack 8021q: the tagged frame is written on veth0
	// through a packet socket, and veth1's receive path strips the tag.
	tx := packetSocket(t, p.a, "veth0", nil)
	frame := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00}
	frame = append(frame, []byte{0x45, 0, 0, 34, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 10, 1, 10, 0, 10, 2,
		0x1b, 0x58, 0x1b, 0x58, 0, 14, 0, 0}...)
	frame = append(frame, "tagged"...)
	if _, err := tx.Send(frame, 0); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	for {
		data, anc, _, _, err := s.RecvMsg(65536, 256, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(data, []byte("tagged")) {
			continue
		}
		aux, ok := sockcore.ParsePacketAuxData(anc)
		if !ok {
			t.Fatal("no PACKET_AUXDATA control message")
		}
		if !aux.HasVLAN() || aux.VLANTCI&0xfff != 10 || aux.TPID() != unix.ETH_P_8021Q {
			t.Errorf("aux data %+v: want VLAN 10, 802.1Q", aux)
		}
		if et := binary.BigEndian.Uint16(data[12:]); et != unix.ETH_P_IP {
			t.Errorf("ethertype in the frame 0x%04x: the kernel should have stripped the tag", et)
		}
		ts, ok := sockcore.ParseTimestampNS(anc)
		if !ok {
			t.Fatal("no SCM_TIMESTAMPNS control message")
		}
		if d := ts.Sub(before); d > time.Hour || d < -time.Hour {
			t.Errorf("timestamp %v is far from %v", ts, before)
		}
		return
	}
}

func TestMembershipPromisc(t *testing.T) {
	p := newPair(t)
	s := packetSocket(t, p.b, "veth1", nil)
	promisc := func() bool {
		out, err := p.b.Command("ip", "-d", "link", "show", "veth1").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Contains(string(out), "promiscuity 1")
	}
	if promisc() {
		t.Fatal("veth1 is promiscuous before the membership")
	}
	name, _ := s.SockName()
	idx := name.(*sockcore.PacketAddr).Ifindex
	if err := s.AddPacketMembership(idx, unix.PACKET_MR_PROMISC, nil); err != nil {
		t.Fatal(err)
	}
	if !promisc() {
		t.Error("veth1 is not promiscuous after PACKET_MR_PROMISC")
	}
	if err := s.DropPacketMembership(idx, unix.PACKET_MR_PROMISC, nil); err != nil {
		t.Fatal(err)
	}
	if promisc() {
		t.Error("veth1 is still promiscuous after dropping the membership")
	}
}

func TestIgnoreOutgoing(t *testing.T) {
	p := newPair(t)
	s := packetSocket(t, p.a, "veth0", func(s *sockcore.Socket) error {
		return s.SetsockoptInt(unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1)
	})
	// Outgoing datagrams first, then one incoming: the first frame seen
	// must be the incoming one.
	sendUDP(t, p.a, []byte("out"), 9000, 9001)
	in(t, p.b, func() error {
		u, err := sockcore.New(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer u.Close()
		_, err = u.SendTo([]byte("in"), 0, &sockcore.InetAddr{IP: netip.MustParseAddr("10.0.0.1"), Port: 9100})
		return err
	})
	for {
		b, from, err := s.RecvFrom(65536, 0)
		if err != nil {
			t.Fatal(err)
		}
		if udpDstPort(b) < 0 {
			continue
		}
		if pa := from.(*sockcore.PacketAddr); pa.PktType == unix.PACKET_OUTGOING || udpDstPort(b) != 9100 {
			t.Fatalf("saw %v to port %d with PACKET_IGNORE_OUTGOING", pa, udpDstPort(b))
		}
		return
	}
}

func TestFanout(t *testing.T) {
	p := newPair(t)
	var socks []*sockcore.Socket
	for range 2 {
		s := packetSocket(t, p.b, "veth1", func(s *sockcore.Socket) error { return s.AttachFilter(udpPortFilter(t, 9001)) })
		if err := s.JoinFanout(4242, unix.PACKET_FANOUT_HASH, 0); err != nil {
			t.Fatal(err)
		}
		socks = append(socks, s)
	}
	const n = 10
	ports := make([]int, n)
	for i := range ports {
		ports[i] = 9001
	}
	sendUDP(t, p.a, []byte("f"), ports...)
	// One flow hashes to one member: the group delivers each datagram once.
	total := 0
	for total < n {
		for _, s := range socks {
			s.SetTimeout(0)
			for {
				b, _, err := s.RecvFrom(65536, 0)
				if errors.Is(err, unix.EAGAIN) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if udpDstPort(b) == 9001 {
					total++
				}
			}
		}
		if total < n {
			// Wait for the next frame on the first member in blocking
			// mode with the test's timeout, counting it.
			socks[0].SetTimeout(100 * time.Millisecond)
			if b, _, err := socks[0].RecvFrom(65536, 0); err == nil && udpDstPort(b) == 9001 {
				total++
			}
		}
	}
	var st [2]sockcore.PacketStats
	for i, s := range socks {
		var err error
		if st[i], err = s.PacketStatistics(); err != nil {
			t.Fatal(err)
		}
	}
	if total != n || st[0].Packets+st[1].Packets != n || (st[0].Packets != 0 && st[1].Packets != 0) {
		t.Errorf("group delivered %d datagrams (statistics %+v), want %d to one member", total, st, n)
	}
}

func TestRxRing(t *testing.T) {
	p := newPair(t)
	var ring *sockcore.Ring
	s := packetSocket(t, p.b, "veth1", func(s *sockcore.Socket) error {
		if err := s.AttachFilter(udpPortFilter(t, 9001)); err != nil {
			return err
		}
		var err error
		ring, err = s.SetupRxRing(sockcore.RingConfig{BlockSize: 1 << 16, BlockCount: 4, RetireTimeout: 10 * time.Millisecond})
		return err
	})
	defer ring.Close()
	// More datagrams than one 64 KiB block holds, so that the ring wraps.
	const n = 300
	payload := bytes.Repeat([]byte{0xa5}, 400)
	ports := make([]int, n)
	for i := range ports {
		ports[i] = 9001
	}
	before := time.Now()
	got, blocks := 0, 0
	for sent := 0; got < n; {
		if sent < n {
			m := min(100, n-sent)
			sendUDP(t, p.a, payload, ports[:m]...)
			sent += m
		}
		blk, err := ring.NextBlock()
		if err != nil {
			t.Fatalf("after %d of %d frames: %v", got, n, err)
		}
		blocks++
		var f sockcore.RingFrame
		for blk.Next(&f) {
			if udpDstPort(f.Data) != 9001 || !bytes.HasSuffix(f.Data, payload) || f.Len != len(f.Data) {
				t.Fatalf("frame %d: %x (len %d)", got, f.Data, f.Len)
			}
			if f.PktType != unix.PACKET_HOST || f.Proto != unix.ETH_P_IP || f.HAType != unix.ARPHRD_ETHER || f.HALen != 6 {
				t.Fatalf("frame %d: %+v", got, f)
			}
			if ts := time.Unix(int64(f.Sec), int64(f.Nsec)); ts.Before(before.Add(-time.Second)) {
				t.Fatalf("frame %d stamped %v, before the test", got, ts)
			}
			got++
		}
		blk.Release()
	}
	if got != n || blocks < 2 {
		t.Errorf("%d frames in %d blocks, want %d in at least 2", got, blocks, n)
	}
	st, err := s.PacketStatistics()
	if err != nil {
		t.Fatal(err)
	}
	if st.Packets != n || st.Drops != 0 {
		t.Errorf("statistics %+v, want %d packets, no drops", st, n)
	}

	// Pending: nothing on a drained ring; a datagram, whether the kernel
	// still holds it in the block it fills or has handed the block over.
	// A block of one datagram can only have been retired by its timer.
	if ring.Pending() {
		t.Error("Pending on a drained ring")
	}
	sendUDP(t, p.a, payload, 9001)
	for deadline := time.Now().Add(5 * time.Second); !ring.Pending(); {
		if time.Now().After(deadline) {
			t.Fatal("Pending stays false after a datagram")
		}
		runtime.Gosched()
	}
	blk, err := ring.NextBlock()
	if err != nil {
		t.Fatal(err)
	}
	if blk.Len() != 1 || !blk.TimedOut() {
		t.Errorf("block of %d datagrams, timed out %v: want 1, true", blk.Len(), blk.TimedOut())
	}
	blk.Release()
	if ring.Pending() {
		t.Error("Pending after the last block was read")
	}

	// An idle ring times out in the socket's mode, and Interrupt wakes a
	// waiting reader.
	s.SetTimeout(20 * time.Millisecond)
	if _, err := ring.NextBlock(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("NextBlock on an idle ring: %v, want a timeout", err)
	}
	s.SetBlocking(true)
	errc := make(chan error, 1)
	go func() { _, err := ring.NextBlock(); errc <- err }()
	ring.Interrupt()
	if err := <-errc; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("NextBlock after Interrupt: %v", err)
	}
}
