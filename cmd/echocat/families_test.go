package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// TestMissingFamily: where the kernel lacks TIPC or SCTP (this host; the VM
// tier runs echocat over both), echocat exits 6 naming the module.
func TestMissingFamily(t *testing.T) {
	for _, tc := range []struct {
		url, module string
		family, typ int
		proto       int
	}{
		{"tipc://2000:205", "tipc module", unix.AF_TIPC, unix.SOCK_STREAM, 0},
		{"sctp://127.0.0.1:9", "sctp module", unix.AF_INET, unix.SOCK_STREAM, unix.IPPROTO_SCTP},
	} {
		t.Run(tc.url, func(t *testing.T) {
			if s, err := sockcore.New(tc.family, tc.typ, tc.proto); err == nil {
				s.Close()
				t.Skip("this kernel has it: the VM tier tests echocat over it")
			}
			var stderr bytes.Buffer
			err := run(context.Background(), []string{"echocat", tc.url}, strings.NewReader(""), &bytes.Buffer{}, &stderr)
			if cli.ExitCode(err) != cli.ExitUnsupported {
				t.Errorf("exit code %d (%v), want %d", cli.ExitCode(err), err, cli.ExitUnsupported)
			}
			if err == nil || !strings.Contains(err.Error(), tc.module) {
				t.Errorf("error %v does not name the %s", err, tc.module)
			}
		})
	}
}
