// Package pipes runs every tool with its standard output a pipe whose
// reader has gone (as after `tool | head -1`): each must end quietly, as
// coreutils do, killed by SIGPIPE or exiting 0, with nothing on stderr.
package pipes

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
)

// pcapFile writes a capture of n small UDP packets on loopback.
func pcapFile(t *testing.T, n int) string {
	t.Helper()
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], 1) // Ethernet
	b.Write(hdr)
	pkt := []byte{
		0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x08, 0x00, // Ethernet, IPv4
		0x45, 0, 0, 29, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1, // IPv4, UDP
		0x30, 0x39, 0x00, 0x07, 0, 9, 0, 0, 'x', // UDP 12345 > 7, 1 byte
	}
	for i := range n {
		rec := make([]byte, 16)
		le.PutUint32(rec[0:], uint32(1700000000+i))
		le.PutUint32(rec[8:], uint32(len(pkt)))
		le.PutUint32(rec[12:], uint32(len(pkt)))
		b.Write(rec)
		b.Write(pkt)
	}
	p := filepath.Join(t.TempDir(), "udp.pcap")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// talker listens on loopback TCP and sends 1 MiB to whoever connects.
func talker(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(time.Minute))
				c.Write(bytes.Repeat([]byte("0123456789abcdef\n"), 1<<16))
			}()
		}
	}()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func TestClosedPipe(t *testing.T) {
	port := talker(t)
	tests := []struct {
		tool string
		args []string
	}{
		{"afalg-hash", []string{"/etc/services", "/etc/services", "/etc/services"}},
		{"canrelay", []string{"--version"}}, // its frames need a CAN interface (VM tier)
		{"echocat", []string{"127.0.0.1", port}},
		{"echod", []string{"--version"}}, // it logs to stderr; stdout has only this
		{"fdpass", []string{"info"}},
		{"resolve", []string{"service"}},
		{"sniff", []string{"-r", pcapFile(t, 5000)}},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close() // the reader has gone before the first write
			var stderr bytes.Buffer
			cmd := exec.Command(testenv.Bin(t, tt.tool), tt.args...)
			cmd.Stdout, cmd.Stderr = w, &stderr
			cmd.WaitDelay = time.Minute
			err = cmd.Run()
			w.Close()
			var ee *exec.ExitError
			switch {
			case err == nil:
				t.Logf("%s %v: exit 0", tt.tool, tt.args)
			case errors.As(err, &ee):
				t.Logf("%s %v: %v", tt.tool, tt.args, err)
				ws, _ := ee.Sys().(syscall.WaitStatus)
				if !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
					t.Errorf("%s %v: %v, want SIGPIPE or exit 0", tt.tool, tt.args, err)
				}
			default:
				t.Fatal(err)
			}
			if stderr.Len() > 0 {
				t.Errorf("%s %v wrote to stderr: %q", tt.tool, tt.args, stderr.String())
			}
		})
	}
}
