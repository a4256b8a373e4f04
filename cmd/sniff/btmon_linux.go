package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// openMonitor opens the Bluetooth monitor channel, every controller's
// traffic, with receive time stamps: libpcap's bluetooth-monitor device.
func openMonitor() (*sockcore.Socket, error) {
	s, err := sockcore.New(unix.AF_BLUETOOTH, unix.SOCK_RAW, unix.BTPROTO_HCI)
	if err != nil {
		var nse *sockcore.NotSupportedError
		if errors.As(err, &nse) {
			return nil, cli.Exitf(cli.ExitUnsupported, "capturing on %s: %w", btMonitorDevice, err)
		}
		return nil, permErr("capturing on "+btMonitorDevice, err)
	}
	if err := s.Bind(&sockcore.HCIAddr{Dev: sockcore.HCI_DEV_NONE, Channel: unix.HCI_CHANNEL_MONITOR}); err != nil {
		s.Close()
		return nil, permErr("binding the HCI monitor channel", err)
	}
	if err := s.SetsockoptInt(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		s.Close()
		return nil, fmt.Errorf("SO_TIMESTAMPNS on %s: %w", btMonitorDevice, err)
	}
	return s, nil
}

// hasBluetooth reports whether the kernel has AF_BLUETOOTH's HCI sockets.
func hasBluetooth() bool {
	s, err := sockcore.New(unix.AF_BLUETOOTH, unix.SOCK_RAW, unix.BTPROTO_HCI)
	if err != nil {
		return false
	}
	s.Close()
	return true
}

// sniffMonitor captures on the Bluetooth monitor channel alone. Its packets
// carry no link header to filter on in the kernel: a filter, compiled by
// libpcap for LINKTYPE_BLUETOOTH_LINUX_MONITOR, runs in user space.
func sniffMonitor(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	if len(o.ifaces) != 1 {
		return cli.Usagef("-i %s captures alone: it cannot be combined with other interfaces", btMonitorDevice)
	}
	if o.netns != "" {
		return cli.Usagef("--netns: the Bluetooth monitor channel belongs to no network namespace")
	}
	prog := o.prog
	if prog == nil && (o.filter != "" || o.dump) {
		var err error
		if prog, err = compileFilter(o.filter, linkTypeBTMon, o.snaplen); err != nil {
			return err
		}
	}
	if o.dump {
		printProgram(stdout, prog)
		return nil
	}
	var vm *bpf.VM
	if prog != nil {
		var err error
		if vm, err = newVM(prog); err != nil {
			return cli.Usagef("filter on %s: %w", btMonitorDevice, err)
		}
	}
	s, err := openMonitor()
	if err != nil {
		return err
	}
	defer s.Close()
	names, lts := []string{btMonitorDevice}, []layers.LinkType{linkTypeBTMon}
	out, err := startOutput(o, names, lts, stdout, stderr)
	if err != nil {
		return err
	}
	m := &monitor{o: o, s: s, out: out, vm: vm}
	err = m.run(ctx)
	cerr := out.close()
	// The monitor channel keeps no drop counters: sniff reports the
	// captured packets only.
	fmt.Fprintf(stderr, "%d packet%s captured\n", m.n, plural(m.n))
	if err != nil && !errors.Is(err, errRotationDone) {
		return err
	}
	if cerr != nil {
		return writeErr(o, cerr)
	}
	return nil
}

// monitor reads the HCI monitor socket.
type monitor struct {
	o   *options
	s   *sockcore.Socket
	out sink
	vm  *bpf.VM
	n   int
}

// monitorPoll is how often the reader looks whether the capture was
// interrupted; then it reads what the socket still holds and stops.
const monitorPoll = 100 * time.Millisecond

// run reads packets until -c is reached, ctx ends (then it first reads
// what the socket holds) or the output fails.
func (m *monitor) run(ctx context.Context) error {
	// struct hci_mon_hdr is 6 bytes; its len field bounds the payload.
	buf := make([]byte, 4+6+0xffff)
	var hdr [4]byte
	draining := false
	m.s.SetTimeout(monitorPoll)
	for m.o.count == 0 || m.n < m.o.count {
		if !draining && ctx.Err() != nil {
			draining = true
			m.s.SetBlocking(false)
		}
		n, anc, _, _, err := m.s.RecvMsgInto([][]byte{buf[4:]}, 64, 0)
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, unix.EAGAIN) {
			if draining {
				return nil
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", btMonitorDevice, err)
		}
		ts, ok := sockcore.ParseTimestamp(anc)
		if !ok {
			ts = time.Now()
		}
		payload, ok := btMonPcapHeader(&hdr, buf[4:4+n])
		if !ok {
			continue
		}
		// The 4-byte pcap header replaces the 6-byte kernel one.
		data := buf[6 : 10+len(payload)]
		copy(data, hdr[:])
		if m.vm != nil {
			if keep, err := m.vm.Run(data); err != nil || keep == 0 {
				continue
			}
		}
		length := len(data)
		if len(data) > m.o.snaplen {
			data = data[:m.o.snaplen]
		}
		p := pkt{data: data, ts: ts, len: length, lt: linkTypeBTMon}
		if err := m.out.write(&p); err != nil {
			return writeErr(m.o, err)
		}
		m.n++
		if err := m.out.flush(); err != nil {
			return writeErr(m.o, err)
		}
	}
	return nil
}
