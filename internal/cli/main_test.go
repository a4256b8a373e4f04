package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	ucli "github.com/urfave/cli/v3"
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

// TestAttachedValues: a one-letter option's value may be attached, as
// getopt(3) takes it (nc -zw1, ncat -w5, tcpdump -c10): the letters
// before it are boolean options; long names, -name forms, "--" and the
// next token's value are left as they were.
func TestAttachedValues(t *testing.T) {
	newApp := func(got *string) *ucli.Command {
		app := NewApp("tool", "", nil, io.Discard, io.Discard)
		app.Flags = []ucli.Flag{
			&ucli.BoolFlag{Name: "zero", Aliases: []string{"z"}},
			&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}},
			&ucli.BoolFlag{Name: "nodns", Aliases: []string{"n"}},
			&ucli.BoolFlag{Name: "4"},
			&ucli.StringFlag{Name: "wait", Aliases: []string{"w"}},
			&ucli.StringFlag{Name: "source", Aliases: []string{"s"}},
			&ucli.StringFlag{Name: "exec", Aliases: []string{"e"}},
		}
		app.Action = func(_ context.Context, c *ucli.Command) error {
			*got = fmt.Sprintf("z=%v v=%v n=%v 4=%v w=%q s=%q e=%q args=%q", c.Bool("z"), c.Bool("v"), c.Bool("n"),
				c.Bool("4"), c.String("w"), c.String("s"), c.String("e"), c.Args().Slice())
			return nil
		}
		return app
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"attached", []string{"-w1", "h", "22"}, `z=false v=false n=false 4=false w="1" s="" e="" args=["h" "22"]`},
		{"bundle then value", []string{"-zvw1", "h", "22"}, `z=true v=true n=false 4=false w="1" s="" e="" args=["h" "22"]`},
		{"after operands", []string{"h", "22", "-zw5"}, `z=true v=false n=false 4=false w="5" s="" e="" args=["h" "22"]`},
		{"separate value kept", []string{"-zw", "1", "h"}, `z=true v=false n=false 4=false w="1" s="" e="" args=["h"]`},
		{"value of the option before", []string{"-s", "-w1", "h"}, `z=false v=false n=false 4=false w="" s="-w1" e="" args=["h"]`},
		{"equals form", []string{"-w=3", "h"}, `z=false v=false n=false 4=false w="3" s="" e="" args=["h"]`},
		{"single-dash long name", []string{"-nodns", "h"}, `z=false v=false n=true 4=false w="" s="" e="" args=["h"]`},
		{"digit flag then value", []string{"-4w2", "h"}, `z=false v=false n=false 4=true w="2" s="" e="" args=["h"]`},
		{"after --", []string{"--", "-w1"}, `z=false v=false n=false 4=false w="" s="" e="" args=["-w1"]`},
		{"attached value with blanks", []string{"-e/bin/cat -u", "h"}, `z=false v=false n=false 4=false w="" s="" e="/bin/cat -u" args=["h"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			app := newApp(&got)
			if err := RunApp(context.Background(), app, append([]string{"tool"}, tc.args...)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	var got string
	if err := RunApp(context.Background(), newApp(&got), []string{"tool", "-zx1", "h"}); ExitCode(err) != ExitUsage {
		t.Errorf("-zx1 (x is no option): %v, want a usage error", err)
	}
}

// TestAttachedValuesLeavesProgramOperands: a subcommand that stops at its
// first operand (a program to run) keeps the program's options as typed,
// and the subcommand's own attached values are split.
func TestAttachedValuesLeavesProgramOperands(t *testing.T) {
	app := NewApp("tool", "", nil, io.Discard, io.Discard)
	app.Commands = []*ucli.Command{{
		Name:         "activate",
		StopOnNthArg: OperandsOnly(1),
		Flags:        []ucli.Flag{&ucli.StringFlag{Name: "listen", Aliases: []string{"l"}}},
	}}
	args := []string{"tool", "activate", "-ltcp://:80", "prog", "-w1", "--", "-x1"}
	want := []string{"tool", "activate", "-l", "tcp://:80", "prog", "-w1", "--", "-x1"}
	if diff := cmp.Diff(want, attachedValues(app, args)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
