package can

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/canframe"
)

// tunnelSoakRate is the frames a second written on A's bus: a steady
// load the guest keeps up with under TCG on a loaded host.
const tunnelSoakRate = 2000

// Frame ids of the soak: its numbered frames and its end markers.
const (
	soakID   = 0x123
	soakEnd  = 0x7EE
	soakTick = 10 * time.Millisecond
)

// errReaderEnded: the writer stopped because the reader on B ended (its
// error is on recvDone).
var errReaderEnded = errors.New("the reader on B ended")

// TestTunnelSoak writes numbered frames on A's bus for
// testenv.SoakDuration (make soak sets it; 60 s in make vmtest) through a
// canrelay tunnel pair over veth, sampling both tunnels' RSS, descriptors
// and threads each second (#16). After the warm-up none may grow by more
// than 10% (testenv.CheckFlatSlack; RSS: or 4 MiB, see below). Frames
// reach B's bus in order; every frame A's tunnel sent is one B's tunnel
// wrote or one in its loss counters (lost, late, can_drops; tx_errors at
// A), and with those at 0 every frame written on A is read on B.
func TestTunnelSoak(t *testing.T) {
	testenv.RequireVM(t)
	dur := testenv.SoakDuration(t)
	tn := tunnelPair(t, "10.79.0", nil)
	probes := probe(t, tn.sa, "7FE#", seenOn(tn.sb, "7FE#"))
	smpA := testenv.StartSampler("tunnel A", tn.ta.Cmd.Process.Pid)
	smpB := testenv.StartSampler("tunnel B", tn.tb.Cmd.Process.Pid)

	// The receiver on B: numbered frames in order, end markers noted.
	var received, outOfOrder, lastEnd atomic.Int64
	var firstBad atomic.Value
	stopRecv := make(chan struct{})
	recvDone := make(chan error, 1)
	recvEnded := make(chan struct{})
	go func() {
		defer close(recvEnded)
		tn.sb.SetTimeout(200 * time.Millisecond)
		buf := make([]byte, canframe.FDMTU)
		next := uint64(0)
		for {
			n, err := tn.sb.RecvInto(buf, 0)
			// The 200 ms timeout (sockcore's timeout error; EAGAIN as well
			// in case the socket is non-blocking).
			if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, unix.EAGAIN) {
				select {
				case <-stopRecv:
					recvDone <- nil
					return
				default:
					continue
				}
			}
			if err != nil {
				recvDone <- err
				return
			}
			f, err := canframe.DecodeWire(buf[:n])
			if err != nil || len(f.Data) != 8 {
				continue
			}
			v := binary.BigEndian.Uint64(f.Data)
			switch f.ID {
			case soakID:
				if v != next {
					if outOfOrder.Add(1) == 1 {
						firstBad.Store(fmt.Sprintf("frame %d after %d", v, next-1))
					}
				}
				next = v + 1
				received.Add(1)
			case soakEnd:
				lastEnd.Store(int64(v))
			}
		}
	}()

	// The writer on A, on one CPU: vcan delivers through the writing CPU's
	// backlog (see send).
	var sent, sendErrs atomic.Int64
	sendDone := make(chan error, 1)
	go func() {
		if err := pinToFirstCPU(); err != nil {
			sendDone <- err
			return
		}
		write := func(id uint32, v uint64) error {
			f := canframe.Frame{ID: id, Data: binary.BigEndian.AppendUint64(nil, v)}
			b, err := canframe.EncodeWire(&f)
			if err != nil {
				return err
			}
			_, err = tn.sa.Send(b, 0)
			return err
		}
		stop := time.Now().Add(dur)
		tick := time.NewTicker(soakTick)
		defer tick.Stop()
		for seq := uint64(0); time.Now().Before(stop); {
			select {
			case <-tick.C:
			case <-recvEnded:
				sendDone <- errReaderEnded
				return
			}
			for range tunnelSoakRate * int(soakTick) / int(time.Second) {
				if err := write(soakID, seq); err != nil {
					// ENOBUFS from vcan: not on the bus, not sent.
					sendErrs.Add(1)
					continue
				}
				seq++
				sent.Add(1)
			}
		}
		// Numbered end markers, one at a time, until B has the last one
		// sent: every frame before it has then crossed or been counted.
		// The next goes after 200 ms unseen; after Timeout with none
		// crossing, the tunnel is stuck.
		giveUp, seen := time.Now().Add(timeout), int64(0)
		for m := uint64(1); time.Now().Before(giveUp); m++ {
			if err := write(soakEnd, m); err != nil {
				sendDone <- err
				return
			}
			for range 20 {
				select {
				case <-tick.C:
				case <-recvEnded:
					sendDone <- errReaderEnded
					return
				}
				if lastEnd.Load() >= int64(m) {
					sendDone <- nil
					return
				}
				if l := lastEnd.Load(); l > seen { // markers cross: not stuck
					seen, giveUp = l, time.Now().Add(timeout)
				}
			}
		}
		sendDone <- fmt.Errorf("no end marker crossed the tunnel in %v (%d frames written, %d read on B)", timeout, sent.Load(), received.Load())
	}()
	if err := <-sendDone; errors.Is(err, errReaderEnded) {
		t.Fatalf("reader on B: %v (%d frames written, %d read)", <-recvDone, sent.Load(), received.Load())
	} else if err != nil {
		t.Fatalf("writer: %v", err)
	}
	close(stopRecv)
	if err := <-recvDone; err != nil {
		t.Fatalf("reader: %v", err)
	}
	sampA, sampB := smpA.Stop(t), smpB.Stop(t)
	restA, errA := tn.ta.stop()
	restB, errB := tn.tb.stop()
	if errA != nil || errB != nil {
		t.Fatalf("tunnels: %v, %v", errA, errB)
	}
	la, lb := findLine(t, restA, "tunnel vcant:"), findLine(t, restB, "tunnel vcant:")
	t.Logf("A: %s", la)
	t.Logf("B: %s", lb)
	num := func(line, key string) int64 {
		v, err := strconv.ParseInt(stat(t, line, key), 10, 64)
		if err != nil {
			t.Fatalf("%s in %q: %v", key, line, err)
		}
		return v
	}
	t.Logf("%v: %d frames written on A (%d refused by vcan), %d read on B, %d out of order",
		dur, sent.Load(), sendErrs.Load(), received.Load(), outOfOrder.Load())
	if n := outOfOrder.Load(); n != 0 {
		t.Errorf("%d frames out of order on B, the first %v", n, firstBad.Load())
	}
	txA, rxB := num(la, "tx_frames"), num(lb, "rx_frames")
	counted := num(la, "tx_errors") + num(lb, "lost") + num(lb, "late") + num(lb, "can_drops")
	if counted == 0 {
		// Every frame in = every frame out, the probes and markers too,
		// but for probes A sent before B's tunnel was listening: those
		// never reached B, which counts losses from its first datagram
		// (on a slow guest the first probes can go before B is up).
		if txA < rxB || txA-rxB >= int64(probes) {
			t.Errorf("A's tunnel sent %d frames, B's wrote %d, and no loss is counted (%d probes sent)", txA, rxB, probes)
		}
		if received.Load() != sent.Load() {
			t.Errorf("%d frames written on A, %d read on B, and no loss is counted", sent.Load(), received.Load())
		}
	} else if txA-rxB <= 0 {
		t.Errorf("losses counted (%d) but B wrote %d of A's %d frames", counted, rxB, txA)
	}
	for _, k := range []string{"bad", "foreign"} {
		if num(lb, k) != 0 {
			t.Errorf("B %s: %s", k, lb)
		}
	}
	// RSS may grow by 4 MiB (Go's smallest heap goal) rather than 1: a
	// tunnel's RSS is 7-10 MiB and reaches its working size in one step of
	// about 2.2 MiB, seen in the VM at the first sample in one run and at
	// 34 s (B) and 49 s (A) in another, then flat; a 60 s run cannot tell
	// that step from growth. A leak of some tens of bytes a frame still
	// shows in a 10-minute make soak (300,000 frames or more).
	testenv.CheckFlatSlack(t, "tunnel A", sampA, 20*time.Second, 4096)
	testenv.CheckFlatSlack(t, "tunnel B", sampB, 20*time.Second, 4096)
}
