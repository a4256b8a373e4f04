package can

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/testenv"
)

// TestTunnelKillNine: kill -9 of either tunnel mid-transfer, and a new one
// started in its place (as systemd's Restart= would) (#16). The survivor
// carries on (a dead receiver costs the sender nothing: its datagrams are
// lost on the way), and frames cross again, all of them and in order, as
// soon as the new process runs. The restarted sender numbers its datagrams
// from the start again; its hello tells the receiver, which would
// otherwise take them for late copies of datagrams it has written and drop
// them (late=N).
func TestTunnelKillNine(t *testing.T) {
	testenv.RequireVM(t)
	const net = "10.79.0"
	tn := tunnelPair(t, net, nil)
	bin := testenv.Bin(t, "canrelay")
	restart := func(p *proc, ns *testenv.NetNS, me, peer string) *proc {
		t.Helper()
		p.Kill()
		p.Wait()
		return startCmd(t, ns.Command(bin, "tunnel", "--listen", net+me+":20000", "--peer", net+peer+":20000", "vcant"))
	}
	next := 0
	window := func(what string) {
		t.Helper()
		want := make([]string, 0, 50)
		for range 50 {
			want = append(want, fmt.Sprintf("%03X#%08X", next%0x700, next))
			next++
		}
		send(t, tn.sa, want...)
		if diff := cmp.Diff(want, recvN(t, tn.sb, len(want), isProbe)); diff != "" {
			t.Fatalf("%s: frames A to B (-want +got):\n%s", what, diff)
		}
	}
	probe(t, tn.sa, "7FE#", seenOn(tn.sb, "7FE#"))
	window("before any kill")

	// The receiver dies with frames on the way; the sender goes on.
	send(t, tn.sa, "7FD#01", "7FD#02", "7FD#03")
	tn.tb = restart(tn.tb, tn.b, ".2", ".1")
	send(t, tn.sa, "7FD#04") // to nobody
	probe(t, tn.sa, "7FE#", seenOn(tn.sb, "7FE#"))
	window("after B was killed and started again")

	// The sender dies; the new one is ready when it carries B's frames
	// to A (which spends none of its own sequence numbers).
	tn.ta = restart(tn.ta, tn.a, ".1", ".2")
	probe(t, tn.sb, "7FC#", seenOn(tn.sa, "7FC#"))
	window("after A was killed and started again")
	window("and once more")

	restA, errA := tn.ta.stop()
	restB, errB := tn.tb.stop()
	if errA != nil || errB != nil {
		t.Fatalf("tunnels: %v, %v", errA, errB)
	}
	la, lb := findLine(t, restA, "tunnel vcant:"), findLine(t, restB, "tunnel vcant:")
	t.Logf("A: %s", la)
	t.Logf("B: %s", lb)
	for k, want := range map[string]string{"late": "0", "can_drops": "0", "bad": "0", "lost": "0", "reordered": "0", "peer_restarts": "1"} {
		if got := stat(t, lb, k); got != want {
			t.Errorf("B %s=%s, want %s: %s", k, got, want, lb)
		}
	}
}
