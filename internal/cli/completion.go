package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v3"
)

// Completions are the values a tool's shell completion offers beyond its
// subcommands and flag names (which urfave/cli completes from the
// definitions): the arguments of some flags, and the first operand of leaf
// commands. `TOOL completion bash|zsh|fish` prints the script; the script
// asks the tool itself for candidates.
type Completions struct {
	Flags    map[string]func() []string // by any name of the flag: the values of its argument
	Operands func() []string            // a leaf command's first operand (nil: files, the shell's default)
}

// Complete installs comp on every command of app.
func Complete(app *ucli.Command, comp Completions) {
	var walk func(c *ucli.Command)
	walk = func(c *ucli.Command) {
		c.ShellComplete = func(ctx context.Context, c *ucli.Command) { comp.complete(ctx, c) }
		for _, s := range c.Commands {
			walk(s)
		}
	}
	walk(app)
}

func (comp Completions) complete(ctx context.Context, c *ucli.Command) {
	args := c.Args().Slice()
	last := ""
	if len(args) > 0 {
		last = args[len(args)-1]
	}
	if strings.HasPrefix(last, "-") {
		// The argument of a flag that takes one, or a flag name being typed.
		if fn, ok := comp.Flags[strings.TrimLeft(last, "-")]; ok {
			for _, v := range fn() {
				fmt.Fprintln(c.Root().Writer, v)
			}
			return
		}
		ucli.DefaultCompleteWithFlags(ctx, c)
		return
	}
	if len(visible(c.Commands)) == 0 && len(args) == 0 && comp.Operands != nil {
		for _, v := range comp.Operands() {
			fmt.Fprintln(c.Root().Writer, v)
		}
		return
	}
	ucli.DefaultCompleteWithFlags(ctx, c)
}

// Interfaces lists the network interfaces of this host, sorted; with
// arphrd >= 0 only those of that link type (/sys/class/net/NAME/type, e.g.
// 280 for CAN).
func Interfaces(arphrd int) []string {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var names []string
	for _, ifc := range ifs {
		if arphrd >= 0 {
			b, err := os.ReadFile("/sys/class/net/" + ifc.Name + "/type")
			if err != nil || strings.TrimSpace(string(b)) != fmt.Sprint(arphrd) {
				continue
			}
		}
		names = append(names, ifc.Name)
	}
	sort.Strings(names)
	return names
}

// URLSchemes lists the schemes ParseURL accepts. They complete without
// "://": the scripts urfave/cli generates read "candidate:description"
// lines and would cut a candidate at its first colon.
func URLSchemes() []string { return strings.Split(SchemeNames, ", ") }
