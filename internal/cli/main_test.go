package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFinishInterrupted: a signal that surfaces as a cancelled context,
// however wrapped, is one "TOOL: interrupted" line and exit 130; other
// errors keep their message and code.
func TestFinishInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		stderr string
		code   int
	}{
		{"nil", nil, "", ExitOK},
		{"bare context.Canceled", context.Canceled, "tool: interrupted\n", ExitInterrupted},
		{"wrapped", fmt.Errorf("accept on /run/x.sock: %w", context.Canceled), "tool: interrupted\n", ExitInterrupted},
		{"ErrInterrupted", ErrInterrupted, "tool: interrupted\n", ExitInterrupted},
		{"explicit code kept", Exit(ExitTimeout, fmt.Errorf("waited: %w", context.Canceled)), "tool: waited: context canceled\n", ExitTimeout},
		{"quiet", Quiet(ExitFailure), "", ExitFailure},
		{"plain", errors.New("boom"), "tool: boom\n", ExitFailure},
		{"not found", fmt.Errorf("open x: %w", os.ErrNotExist), "tool: open x: file does not exist\n", ExitNoSuchThing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := finish(&stderr, "tool", tc.err)
			if diff := cmp.Diff(tc.stderr, stderr.String()); diff != "" || code != tc.code {
				t.Errorf("code %d, want %d; stderr (-want +got):\n%s", code, tc.code, diff)
			}
		})
	}
}
