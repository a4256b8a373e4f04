package sniff

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// frames are struct can_frame: identifier (host order) with its flags, len,
// padding, data.
var frames = []struct {
	id   uint32
	data []byte
	text string // what sniff prints for it
	wire string // its first 12 bytes as tcpdump -x shows them from the pcap
}{
	{0x123, []byte{0xde, 0xad, 0xbe, 0xef}, "CAN id 0x123 [4] DEADBEEF", "0000 0123 0400 0000 dead beef"},
	{0x12345678 | unix.CAN_EFF_FLAG, []byte{0x11, 0x22}, "CAN id 0x12345678 (EFF) [2] 1122", "9234 5678 0200 0000 1122 0000"},
	{0x321 | unix.CAN_RTR_FLAG, nil, "CAN id 0x321 RTR [0]", "4000 0321 0000 0000 0000 0000"},
}

func sendFrames(t *testing.T) {
	t.Helper()
	s, err := sockcore.New(unix.AF_CAN, unix.SOCK_RAW, unix.CAN_RAW)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Bind(&sockcore.CANAddr{Interface: "vcan0"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		b := make([]byte, unix.CAN_MTU)
		binary.NativeEndian.PutUint32(b, f.id)
		b[4] = byte(len(f.data))
		copy(b[8:], f.data)
		if _, err := s.Send(b, 0); err != nil {
			t.Fatalf("send CAN frame %#x: %v", f.id, err)
		}
	}
}

// runSniff starts sniff with args, sends the frames once it says it is
// listening, and returns its stdout after it exits.
func runSniff(t *testing.T, args ...string) string {
	t.Helper()
	return runCapture(t, testenv.Bin(t, "sniff"), args...)
}

// runCapture runs prog (sniff or tcpdump) as runSniff says.
func runCapture(t *testing.T, prog string, args ...string) string {
	t.Helper()
	c := startCapture(t, prog, "listening on vcan0, link-type CAN_SOCKETCAN", args...)
	sendFrames(t)
	out, _ := c.wait(t)
	return out
}

// running is a capture program started by startCapture.
type running struct {
	*testenv.Proc
}

// startCapture starts prog with args (testenv.Start) and returns once a
// line of its stderr contains listening.
func startCapture(t *testing.T, prog, listening string, args ...string) *running {
	t.Helper()
	// The context only ends a capture that hangs; it is no timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	p := testenv.Start(t, exec.CommandContext(ctx, prog, args...))
	line, _ := p.Stderr.WaitFor(0, listening)
	if line == "" {
		t.Fatalf("%s %v did not start listening: exit %v, stderr %q", filepath.Base(prog), args, p.Wait(), p.Stderr)
	}
	t.Logf("%s", line)
	return &running{p}
}

// wait waits for the program to exit and its output to end and returns its
// stdout and stderr.
func (r *running) wait(t *testing.T) (string, string) {
	t.Helper()
	err := r.Wait()
	r.Stdout.Wait()
	r.Stderr.Wait()
	if err != nil {
		t.Fatalf("%v: %v (stdout %q, stderr %q)", r.Cmd.Args, err, r.Stdout, r.Stderr)
	}
	return r.Stdout.Since(0), r.Stderr.String()
}

func TestVCANText(t *testing.T) {
	testenv.RequireVM(t)
	// A packet socket sees each frame twice, going out and coming back as
	// the CAN core's local echo; like libpcap, sniff shows the echo only,
	// or with -Q out the outgoing one only.
	for _, dir := range []string{"inout", "in", "out"} {
		t.Run(dir, func(t *testing.T) {
			n := len(frames)
			out := runSniff(t, "-i", "vcan0", "-c", strconv.Itoa(n), "-t", "-Q", dir)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != n {
				t.Fatalf("sniff printed %d lines, want %d:\n%s", len(lines), n, out)
			}
			for i, line := range lines {
				f := frames[i]
				if strings.TrimSpace(line) != f.text {
					t.Errorf("line %d = %q, want %q", i, line, f.text)
				}
			}
		})
	}
}

func TestVCANPcapReadByTcpdump(t *testing.T) {
	testenv.RequireVM(t)
	testenv.RequireProgram(t, "tcpdump", "tcpdump")
	guestPasswd(t)
	dir := t.TempDir()
	path, ref := filepath.Join(dir, "can.pcap"), filepath.Join(dir, "tcpdump.pcap")
	runSniff(t, "-i", "vcan0", "-c", "3", "-w", path)
	runCapture(t, "tcpdump", "-Z", "root", "-i", "vcan0", "-c", "3", "-w", ref)
	read := func(p string) []byte {
		out, err := exec.Command("tcpdump", "-Z", "root", "-r", p, "-n", "-t", "-x").CombinedOutput()
		if err != nil {
			t.Fatalf("tcpdump -r %s: %v\n%s", p, err, out)
		}
		return out
	}
	out, want := read(path), read(ref)
	if got, want := strings.ReplaceAll(string(out), path, "F"), strings.ReplaceAll(string(want), ref, "F"); got != want {
		t.Errorf("tcpdump -r -x of sniff's capture differs from tcpdump's own:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(string(out), "link-type CAN_SOCKETCAN") {
		t.Errorf("tcpdump does not see LINKTYPE_CAN_SOCKETCAN:\n%s", out)
	}
	for _, f := range frames {
		if !strings.Contains(string(out), "0x0000:  "+f.wire) {
			t.Errorf("tcpdump -x shows no frame starting %q:\n%s", f.wire, out)
		}
	}
}

// guestPasswd gives the guest, which has no /etc/passwd, the root entry that
// tcpdump -Z root looks up (Debian's tcpdump otherwise switches to the user
// tcpdump). The file goes away with the test.
func guestPasswd(t *testing.T) {
	t.Helper()
	if err := os.Mkdir("/etc", 0o755); err == nil {
		t.Cleanup(func() { os.Remove("/etc") })
	}
	f, err := os.OpenFile("/etc/passwd", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove("/etc/passwd") }) // runs before /etc's removal
	if _, err := f.WriteString("root:x:0:0:root:/:/bin/sh\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
