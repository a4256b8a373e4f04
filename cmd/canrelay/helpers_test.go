package main

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// fakeBus stands in for CAN interfaces on a host without CAN: each
// interface is a SOCK_SEQPACKET socketpair; canrelay gets one end through
// env.openRaw, the test reads and writes struct can_frame at the other.
type fakeBus struct {
	t    *testing.T
	mu   sync.Mutex
	tool map[string]*sockcore.Socket
	test map[string]*sockcore.Socket
}

func newFakeBus(t *testing.T, ifaces ...string) *fakeBus {
	t.Helper()
	b := &fakeBus{t: t, tool: map[string]*sockcore.Socket{}, test: map[string]*sockcore.Socket{}}
	for _, name := range ifaces {
		x, y, err := sockcore.Pair(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close(); y.Close() })
		y.SetTimeout(10 * time.Second) // a hung test fails instead of blocking
		b.tool[name], b.test[name] = x, y
	}
	return b
}

func (b *fakeBus) openRaw(iface string) (*sockcore.Socket, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.tool[iface]
	if !ok {
		return nil, canIfaceErr(iface, fmt.Errorf("if_nametoindex: %w", unix.ENODEV))
	}
	delete(b.tool, iface)
	return s, nil
}

// isIface reports whether iface is one of the bus's interfaces.
func (b *fakeBus) isIface(iface string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.test[iface]
	return ok
}

// write puts frames (as text) on iface, as another node would.
func (b *fakeBus) write(iface string, frames ...string) {
	b.t.Helper()
	for _, text := range frames {
		f, err := canframe.Parse(text)
		if err != nil {
			b.t.Fatal(err)
		}
		w, err := canframe.EncodeWire(&f)
		if err != nil {
			b.t.Fatal(err)
		}
		if _, err := b.test[iface].Send(w, 0); err != nil {
			b.t.Fatal(err)
		}
	}
}

// read returns the next n frames canrelay put on iface, as text.
func (b *fakeBus) read(iface string, n int) []string {
	b.t.Helper()
	var out []string
	buf := make([]byte, canframe.FDMTU)
	for i := 0; i < n; i++ {
		m, err := b.test[iface].RecvInto(buf, 0)
		if err != nil {
			b.t.Fatalf("reading frame %d of %d on %s: %v", i+1, n, iface, err)
		}
		f, err := canframe.DecodeWire(buf[:m])
		if err != nil {
			b.t.Fatal(err)
		}
		out = append(out, f.Text())
	}
	return out
}

// start runs canrelay with args on the fake bus in the background; wait
// returns its error.
func (b *fakeBus) start(ctx context.Context, stdin string, args ...string) (stdout, stderr *testenv.SyncBuffer, wait func() error) {
	stdout, stderr = &testenv.SyncBuffer{}, &testenv.SyncBuffer{}
	e := &env{stdin: bytes.NewBufferString(stdin), stdout: stdout, stderr: stderr, openRaw: b.openRaw, isIface: b.isIface}
	errc := make(chan error, 1)
	go func() { errc <- runEnv(ctx, append([]string{"canrelay"}, args...), e) }()
	return stdout, stderr, func() error { return <-errc }
}

// runFake runs canrelay to completion on the fake bus.
func (b *fakeBus) run(args ...string) (stdout, stderr string, err error) {
	o, e, wait := b.start(context.Background(), "", args...)
	err = wait()
	return o.String(), e.String(), err
}
