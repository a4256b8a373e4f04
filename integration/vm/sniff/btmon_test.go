package sniff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/integration/vm/vhci"
	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// captureMonitor runs sniff -i bluetooth-monitor with args while a new vhci
// controller comes up and answers a Read BD_ADDR sent on a raw HCI socket,
// then interrupts it. It returns the controller index, stdout and stderr.
func captureMonitor(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	c := startCapture(t, testenv.Bin(t, "sniff"), "listening on bluetooth-monitor, link-type BLUETOOTH_LINUX_MONITOR",
		append([]string{"-i", "bluetooth-monitor"}, args...)...)
	_, idx := vhci.Up(t)
	raw := vhci.Socket(t, unix.SOCK_RAW, unix.BTPROTO_HCI)
	if err := raw.Bind(&sockcore.HCIAddr{Dev: uint16(idx)}); err != nil {
		t.Fatal(err)
	}
	var f sockcore.HCIFilter
	f.SetPacketType(sockcore.HCI_EVENT_PKT)
	f.SetEvent(sockcore.HCI_EV_CMD_COMPLETE)
	f.Opcode = 0x1009
	if err := raw.SetHCIFilter(f); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Send(vhci.ReadBDAddrCmd, 0); err != nil {
		t.Fatalf("send Read BD_ADDR: %v", err)
	}
	// The kernel hands an event to the monitor before the raw sockets:
	// once the raw socket has it, sniff's socket has it too.
	raw.SetTimeout(vhci.IOTimeout)
	if _, err := raw.Recv(260, 0); err != nil {
		t.Fatalf("recv Command Complete: %v", err)
	}
	if err := c.Cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	out, stderr := c.wait(t)
	return idx, out, stderr
}

func TestBTMonitorText(t *testing.T) {
	testenv.RequireVM(t)
	idx, out, _ := captureMonitor(t, "-t")
	t.Logf("sniff -i bluetooth-monitor -t:\n%s", out)
	hci := fmt.Sprintf("hci%d ", idx)
	for _, want := range []string{
		hci + "NEW_INDEX, length 16",
		hci + "OPEN_INDEX, length 0",
		hci + "COMMAND_PKT opcode 0x1009 plen 0, length 3",
		hci + "EVENT_PKT event 0x0e plen 10, length 12",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("sniff printed no line %q:\n%s", want, out)
		}
	}
}

func TestBTMonitorJSON(t *testing.T) {
	testenv.RequireVM(t)
	idx, out, _ := captureMonitor(t, "--json")
	want := map[string]any{"interface": "bluetooth-monitor", "adapter": float64(idx), "proto": "BT-MON",
		"mon_opcode": "COMMAND_PKT", "hci_opcode": float64(0x1009), "length": float64(7), "caplen": float64(7)}
	found := false
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var got map[string]any
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if got["hci_opcode"] != float64(0x1009) {
			continue
		}
		found = true
		delete(got, "time")
		delete(got, "summary")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Read BD_ADDR object (-want +got):\n%s", diff)
		}
	}
	if !found {
		t.Errorf("no object for the Read BD_ADDR command:\n%s", out)
	}
}

func TestBTMonitorListed(t *testing.T) {
	testenv.RequireVM(t)
	out, err := exec.Command(testenv.Bin(t, "sniff"), "-D").CombinedOutput()
	if err != nil {
		t.Fatalf("sniff -D: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^\d+\.bluetooth-monitor \(Bluetooth Linux Monitor\) \[Wireless\]$`).Match(out) {
		t.Errorf("sniff -D does not list bluetooth-monitor:\n%s", out)
	}
}

// TestBTMonitorFilter: libpcap compiles length tests for the monitor link
// type; sniff runs them on the 4-byte header and the payload.
func TestBTMonitorFilter(t *testing.T) {
	testenv.RequireVM(t)
	// 7 bytes: the header and a command with no parameters.
	idx, out, _ := captureMonitor(t, "-t", "len == 7")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if want := fmt.Sprintf("hci%d COMMAND_PKT opcode 0x1009 plen 0, length 3", idx); !slices.Contains(lines, want) {
		t.Errorf("sniff printed no line %q:\n%s", want, out)
	}
	for _, l := range lines {
		if !strings.HasSuffix(l, "plen 0, length 3") {
			t.Errorf("line %q passed the filter len == 7", l)
		}
	}
}

func TestBTMonitorPcapReadByTcpdump(t *testing.T) {
	testenv.RequireVM(t)
	testenv.RequireProgram(t, "tcpdump", "tcpdump")
	guestPasswd(t)
	path := filepath.Join(t.TempDir(), "btmon.pcap")
	idx, _, stderr := captureMonitor(t, "-w", path)
	m := regexp.MustCompile(`(?m)^(\d+) packets? captured$`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("sniff's summary names no packet count:\n%s", stderr)
	}
	tout, err := exec.Command("tcpdump", "-Z", "root", "-r", path, "-tt").CombinedOutput()
	if err != nil {
		t.Fatalf("tcpdump -r: %v\n%s", err, tout)
	}
	if !strings.Contains(string(tout), "link-type BLUETOOTH_LINUX_MONITOR") {
		t.Errorf("tcpdump does not see LINKTYPE_BLUETOOTH_LINUX_MONITOR:\n%s", tout)
	}
	// One line a packet starts with its time stamp; hex dump lines with a tab.
	n := len(regexp.MustCompile(`(?m)^\d+\.\d{6} `).FindAll(tout, -1))
	if fmt.Sprint(n) != m[1] {
		t.Errorf("tcpdump reads %d packets, sniff says it captured %s:\n%s", n, m[1], tout)
	}
	// sniff reads its own file back with the opcodes.
	sout, err := exec.Command(testenv.Bin(t, "sniff"), "-r", path, "-t").CombinedOutput()
	if err != nil {
		t.Fatalf("sniff -r: %v\n%s", err, sout)
	}
	if want := fmt.Sprintf("hci%d COMMAND_PKT opcode 0x1009 plen 0, length 3\n", idx); !strings.Contains(string(sout), want) {
		t.Errorf("sniff -r shows no %q:\n%s", want, sout)
	}
	t.Logf("tcpdump -r reads %d packets: %s", n, bytes.SplitN(tout, []byte("\n"), 2)[0])
}
