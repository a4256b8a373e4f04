package can

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

func TestCANAddrFromKernel(t *testing.T) {
	testenv.RequireVM(t)
	s := rawSocket(t, "vcan0")
	a, err := s.SockName()
	if err != nil {
		t.Fatal(err)
	}
	ca, ok := a.(*sockcore.CANAddr)
	if !ok || ca.IfName() != "vcan0" || ca.Kind != sockcore.CANKindRaw {
		t.Errorf("getsockname = %#v", a)
	}
	// Frames received on an "any" socket name their interface.
	anyS := rawSocket(t, "")
	send(t, rawSocket(t, "vcan1"), "123#01")
	buf := make([]byte, canframe.FDMTU)
	_, _, _, from, err := anyS.RecvMsgInto([][]byte{buf}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if from.String() != "vcan1" {
		t.Errorf("recvmsg from %v, want vcan1", from)
	}
	// ISO-TP: getsockname gives rx and tx back.
	iso, err := sockcore.New(unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_ISOTP)
	if err != nil {
		t.Fatal(err)
	}
	defer iso.Close()
	want := &sockcore.CANAddr{Kind: sockcore.CANKindISOTP, Interface: "vcan0", RxID: 0x7e8, TxID: 0x80012345}
	if err := iso.Bind(want); err != nil {
		t.Fatal(err)
	}
	got, err := iso.SockName()
	if err != nil {
		t.Fatal(err)
	}
	g := got.(*sockcore.CANAddr).WithProto(unix.CAN_ISOTP)
	if g.IfName() != "vcan0" || g.RxID != want.RxID || g.TxID != want.TxID {
		t.Errorf("ISO-TP getsockname = %v, want %v", g, want)
	}
	// Binding an unknown interface is ENODEV.
	s2, _ := sockcore.New(unix.AF_CAN, unix.SOCK_RAW, unix.CAN_RAW)
	defer s2.Close()
	if err := s2.Bind(&sockcore.CANAddr{Interface: "nosuch0"}); !errors.Is(err, unix.ENODEV) {
		t.Errorf("bind nosuch0: %v, want ENODEV", err)
	}
}

func TestRawOptions(t *testing.T) {
	testenv.RequireVM(t)
	rx := rawSocket(t, "vcan0")
	tx := rawSocket(t, "vcan0")
	if err := rx.SetCANRawFilter([]sockcore.CANFilter{{ID: 0x200, Mask: 0x7ff}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.SetCANRawRecvOwnMsgs(true); err != nil {
		t.Fatal(err)
	}
	if err := rx.SetsockoptInt(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS_OLD, 1); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	send(t, tx, "100#01", "200#02")
	// tx receives its own frames now; rx only the one passing its filter.
	if diff := cmp.Diff([]string{"100#01", "200#02"}, recvN(t, tx, 2, nil)); diff != "" {
		t.Errorf("own messages (-want +got):\n%s", diff)
	}
	buf := make([]byte, canframe.FDMTU)
	n, anc, _, _, err := rx.RecvMsgInto([][]byte{buf}, 64, 0)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := canframe.DecodeWire(buf[:n])
	if f.Text() != "200#02" {
		t.Errorf("filtered socket got %s", f.Text())
	}
	ts, ok := sockcore.ParseTimestamp(anc)
	if !ok || ts.Before(before.Add(-time.Second)) || ts.After(time.Now().Add(time.Second)) {
		t.Errorf("SO_TIMESTAMPNS = %v, %v (sent at %v)", ts, ok, before)
	}
	for _, set := range []func() error{
		func() error { return rx.SetCANRawErrFilter(canframe.ErrMask) },
		func() error { return rx.SetCANRawLoopback(true) },
		func() error { return rx.SetCANRawJoinFilters(true) },
		func() error { return rx.SetCANRawFilter(nil) },
	} {
		if err := set(); err != nil {
			t.Error(err)
		}
	}
}

func bcmSocket(t *testing.T, iface string) *sockcore.Socket {
	t.Helper()
	s, err := sockcore.New(unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_BCM)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Connect(&sockcore.CANAddr{Interface: iface}); err != nil {
		t.Fatal(err)
	}
	s.SetTimeout(timeout)
	return s
}

func bcmWrite(t *testing.T, s *sockcore.Socket, m *sockcore.BCMMsg) {
	t.Helper()
	b, err := sockcore.EncodeBCM(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send(b, 0); err != nil {
		t.Fatalf("BCM opcode %d: %v", m.Opcode, err)
	}
}

func bcmRead(t *testing.T, s *sockcore.Socket) sockcore.BCMMsg {
	t.Helper()
	b, err := s.Recv(sockcore.BCMHeadLen+4*canframe.FDMTU, 0)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sockcore.DecodeBCM(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wire(t *testing.T, text string) []byte {
	f, err := canframe.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := canframe.EncodeWire(&f)
	return b
}

// The kernel gives back the interval it was set up with (TX_READ), sends
// the frame, and announces changes of received content (RX_CHANGED).
func TestBCM(t *testing.T) {
	testenv.RequireVM(t)
	s := bcmSocket(t, "vcan0")
	raw := rawSocket(t, "vcan0")
	setup := &sockcore.BCMMsg{Opcode: sockcore.TX_SETUP, Flags: sockcore.BCM_SETTIMER | sockcore.BCM_STARTTIMER,
		Ival2: 250 * time.Millisecond, CANID: 0x321, Frames: [][]byte{wire(t, "321#AABB")}}
	bcmWrite(t, s, setup)
	if got := recv(t, raw); got != "321#AABB" {
		t.Errorf("cyclic frame %s", got)
	}
	bcmWrite(t, s, &sockcore.BCMMsg{Opcode: sockcore.TX_READ, CANID: 0x321})
	st := bcmRead(t, s)
	if st.Opcode != sockcore.TX_STATUS || st.Ival2 != 250*time.Millisecond || st.CANID != 0x321 || len(st.Frames) != 1 {
		t.Errorf("TX_READ answer %+v", st)
	}
	bcmWrite(t, s, &sockcore.BCMMsg{Opcode: sockcore.TX_DELETE, CANID: 0x321})

	// RX_SETUP on a CAN FD id with a mask on the first byte: RX_CHANGED
	// for the first frame and for new content only.
	fd := bcmSocket(t, "vcan0")
	bcmWrite(t, fd, &sockcore.BCMMsg{Opcode: sockcore.RX_SETUP, Flags: sockcore.BCM_CAN_FD_FRAME, CANID: 0x444,
		Frames: [][]byte{wire(t, "444##0FF")}})
	send(t, raw, "444##1AA", "444##1AA", "444##1BB")
	for _, want := range []string{"444##1AA", "444##1BB"} {
		m := bcmRead(t, fd)
		if m.Opcode != sockcore.RX_CHANGED || len(m.Frames) != 1 {
			t.Fatalf("BCM message %+v", m)
		}
		f, err := canframe.DecodeWire(m.Frames[0])
		if err != nil || f.Text() != want {
			t.Errorf("RX_CHANGED frame %v (%v), want %s", f.Text(), err, want)
		}
	}
}

func TestJ1939Sockets(t *testing.T) {
	testenv.RequireVM(t)
	open := func(addr uint8) *sockcore.Socket {
		s, err := sockcore.New(unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_J1939)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Bind(&sockcore.CANAddr{Kind: sockcore.CANKindJ1939, Interface: "vcan1", PGN: sockcore.J1939NoPGN, Addr: addr}); err != nil {
			t.Fatal(err)
		}
		s.SetTimeout(timeout)
		return s
	}
	a, b := open(0x40), open(0x50)
	if err := a.SetJ1939SendPrio(2); err != nil {
		t.Fatal(err)
	}
	if err := b.SetJ1939Promisc(false); err != nil {
		t.Fatal(err)
	}
	// 100 bytes: the kernel's transport protocol (RTS/CTS) carries it.
	data := make([]byte, 100)
	for i := range data {
		data[i] = byte(i)
	}
	if _, err := a.SendTo(data, 0, &sockcore.CANAddr{Kind: sockcore.CANKindJ1939, Interface: "vcan1", PGN: 0x1a100, Addr: 0x50}); err != nil {
		t.Fatal(err)
	}
	got, anc, _, from, err := b.RecvMsg(4096, 256, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(data, got); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
	fa := from.(*sockcore.CANAddr).WithProto(unix.CAN_J1939)
	info := sockcore.ParseJ1939Control(anc)
	if fa.Addr != 0x40 || fa.PGN != 0x1a100 || info.DestAddr != 0x50 || info.Prio != 2 {
		t.Errorf("from %v, control %+v", fa, info)
	}
}
