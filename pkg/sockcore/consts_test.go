package sockcore

import (
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
)

func TestSockoptByName(t *testing.T) {
	type res struct {
		Level, Opt int
		OK         bool
	}
	for _, tc := range []struct {
		name string
		want res
	}{
		{"TCP_NODELAY", res{unix.SOL_TCP, unix.TCP_NODELAY, true}},
		{"SO_RCVBUF", res{unix.SOL_SOCKET, unix.SO_RCVBUF, true}},
		{"IP_TOS", res{unix.SOL_IP, unix.IP_TOS, true}},
		{"IPV6_V6ONLY", res{unix.SOL_IPV6, unix.IPV6_V6ONLY, true}},
		{"UDP_SEGMENT", res{unix.SOL_UDP, unix.UDP_SEGMENT, true}},
		{"SO_VM_SOCKETS_BUFFER_SIZE", res{unix.AF_VSOCK, unix.SO_VM_SOCKETS_BUFFER_SIZE, true}},
		{"IP_PMTUDISC_DO", res{}},  // a value, not an option
		{"TCP_MSS_DEFAULT", res{}}, // a constant, not an option
		{"MSG_PEEK", res{}},        // a flag
		{"tcp_nodelay", res{}},     // names are exact
		{"NO_SUCH_OPTION", res{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, o, ok := SockoptByName(tc.name)
			if diff := cmp.Diff(tc.want, res{l, o, ok}); diff != "" {
				t.Errorf("SockoptByName(%q) (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

func TestConstantByName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want int
		ok   bool
	}{
		{"MSG_PEEK", unix.MSG_PEEK, true},
		{"AF_INET6", unix.AF_INET6, true},
		{"SOCK_SEQPACKET", unix.SOCK_SEQPACKET, true},
		{"IPPROTO_MPTCP", unix.IPPROTO_MPTCP, true},
		{"SHUT_WR", unix.SHUT_WR, true},
		{"AI_PASSIVE", 1, true},
		{"NI_NUMERICHOST", 1, true},
		{"EAI_NONAME", -2, true},
		{"IP_PMTUDISC_DO", unix.IP_PMTUDISC_DO, true},
		{"NOPE", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := ConstantByName(tc.name)
			if v != tc.want || ok != tc.ok {
				t.Errorf("ConstantByName(%q) = %d, %v; want %d, %v", tc.name, v, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestConstantsMatchPython compares every name the table shares with
// Python's socket module.
func TestConstantsMatchPython(t *testing.T) {
	py := testenv.RequireProgram(t, "python3", "python3")
	out, err := exec.Command(py, "-c", `import socket, json
print(json.dumps({n: getattr(socket, n) for n in dir(socket) if n.split("_")[0] in
  ("AF","SOCK","SOL","IPPROTO","SO","SCM","IP","IPV6","TCP","UDP","MSG","SHUT","AI","NI","EAI") and isinstance(getattr(socket, n), int)}))`).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var want map[string]int
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	shared := 0
	for name, pv := range want {
		v, ok := ConstantByName(name)
		if !ok {
			continue
		}
		shared++
		if v != pv {
			t.Errorf("%s = %d, Python says %d", name, v, pv)
		}
	}
	if shared < 150 {
		t.Errorf("only %d names shared with Python's socket module", shared)
	}
}
