package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// getent's exit codes, used with --format getent (getent(1)).
const (
	getentUsage    = 1
	getentNotFound = 2
)

// errGetentNotFound is getent's silent "not found" exit.
var errGetentNotFound = cli.Quiet(getentNotFound)

// options are the output flags every lookup command takes.
type options struct {
	format  string // "text", "getent" or "json"
	explain bool
	jobs    int
}

// answer is the outcome of one lookup, ready for each output format.
type answer struct {
	text    string // readable output, each line ending in \n
	getent  string // getent's output ("" when not found or no database)
	json    any    // the "results" member of the JSON object
	err     error
	explain *explanation
}

// lookupFunc runs one lookup for the arguments of one command line (or one
// line of stdin in batch mode).
type lookupFunc func(c *ucli.Command, r *sockcore.Resolver, args []string) answer

var outputFlags = []ucli.Flag{
	&ucli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT`: text, getent (byte-identical to getent(1), with its exit codes) or json"},
	&ucli.BoolFlag{Name: "json", Usage: "same as --format json"},
	&ucli.BoolFlag{Name: "explain", Usage: "say which source answered: files or DNS, which server, which search expansion, how long it took"},
	&ucli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: 8, Usage: "with - as the argument: resolve up to `N` lines of stdin at once (output stays in input order)"},
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	app := cli.NewApp("resolve", "every name-service call of the socket module, answered like getent and explained", stdin, stdout, stderr)
	app.Description = "resolve looks names up the way glibc does (nsswitch.conf order, /etc/hosts, DNS through resolv.conf, RFC 6724 ordering) in pure Go.\n" +
		"Give - as the argument to read one query per line from stdin (batch mode)."
	app.Commands = []*ucli.Command{
		lookupCommand("addrinfo", "HOST [PORT]", "getaddrinfo: addresses of HOST for PORT (getent ahosts with --format getent)", addrinfoFlags, lookupAddrInfo),
		lookupCommand("host", "NAME", "gethostbyname_ex: the host entry of NAME (getent hosts with --format getent)", []ucli.Flag{
			&ucli.BoolFlag{Name: "6", Usage: "look up IPv6 addresses (gethostbyname2 AF_INET6)"}}, lookupHost),
		lookupCommand("addr", "IP", "gethostbyaddr: the host entry of an address (getent hosts with --format getent)", nil, lookupAddr),
		lookupCommand("nameinfo", "ADDR PORT", "getnameinfo: host and service names of an address and port", []ucli.Flag{
			&ucli.StringFlag{Name: "flags", Usage: "comma-separated `NI_FLAGS`: numerichost, numericserv, nofqdn, namereqd, dgram"}}, lookupNameInfo),
		lookupCommand("fqdn", "[NAME]", "getfqdn: the fully qualified name of NAME (default: this host)", nil, lookupFQDN),
		{
			Name: "hostname", Usage: "gethostname, or sethostname with --set", ArgsUsage: " ",
			Flags:  append([]ucli.Flag{&ucli.StringFlag{Name: "set", Usage: "set the host name to `NAME` (needs CAP_SYS_ADMIN)"}}, outputFlags[:3]...),
			Action: hostnameAction,
		},
		lookupCommand("service", "[NAME|PORT [tcp|udp|PROTO]]", "getservbyname/getservbyport; no argument: every entry (getent services)", nil, lookupService),
		lookupCommand("proto", "[NAME|NUMBER]", "getprotobyname/getprotobynumber; no argument: every entry (getent protocols)", nil, lookupProto),
		lookupCommand("iface", "[NAME|INDEX]", "if_nameindex, if_nametoindex or if_indextoname", nil, lookupIface),
	}
	err := cli.RunApp(ctx, app, args)
	if getentRequested(args) {
		var ee *cli.ExitError
		switch {
		case err == nil:
		case errors.Is(err, errGetentNotFound):
		case errors.As(err, &ee) && ee.Code == cli.ExitUsage:
			return cli.Exit(getentUsage, err)
		default:
			if cli.ExitCode(err) == cli.ExitResolve {
				return cli.Quiet(getentNotFound)
			}
		}
	}
	return err
}

// getentRequested reports whether the command line asks for getent's
// format, so that even flag errors exit with getent's usage code.
func getentRequested(args []string) bool {
	for i, a := range args {
		if a == "--format=getent" || a == "-format=getent" || (a == "--format" || a == "-format") && i+1 < len(args) && args[i+1] == "getent" {
			return true
		}
	}
	return false
}

func lookupCommand(name, argsUsage, usage string, flags []ucli.Flag, fn lookupFunc) *ucli.Command {
	return &ucli.Command{
		Name: name, Usage: usage, ArgsUsage: argsUsage,
		Flags: append(append([]ucli.Flag{}, flags...), outputFlags...),
		Action: func(ctx context.Context, c *ucli.Command) error {
			o := &options{format: c.String("format"), explain: c.Bool("explain"), jobs: c.Int("jobs")}
			if c.Bool("json") {
				o.format = "json"
			}
			switch o.format {
			case "text", "json", "getent":
			default:
				return cli.Usagef("--format %q: use text, getent or json", o.format)
			}
			if o.jobs < 1 {
				return cli.Usagef("-j %d: give at least 1", o.jobs)
			}
			args := c.Args().Slice()
			w := c.Root().Writer
			if len(args) == 1 && args[0] == "-" {
				return batch(ctx, c, fn, o)
			}
			if o.format == "getent" && len(args) > 1 && getentKeys[name] {
				// getent DATABASE KEY...: each key on its own, the
				// answers in order, exit 2 if any was not found.
				queries := make([][]string, len(args))
				for i, a := range args {
					queries[i] = []string{a}
				}
				return runQueries(ctx, c, fn, o, queries)
			}
			a := runLookup(ctx, c, fn, args, o)
			if err := ctx.Err(); err != nil {
				return err // SIGINT or SIGTERM during the lookup: exit 130
			}
			return emit(w, c.Root().ErrWriter, name, args, a, o)
		},
	}
}

// runLookup runs fn with a Resolver that records the trace for --explain.
func runLookup(ctx context.Context, c *ucli.Command, fn lookupFunc, args []string, o *options) answer {
	r := &sockcore.Resolver{Context: ctx}
	var mu sync.Mutex
	var steps []sockcore.TraceEvent
	r.Trace = func(e sockcore.TraceEvent) {
		mu.Lock()
		steps = append(steps, e)
		mu.Unlock()
	}
	start := time.Now()
	a := fn(c, r, args)
	if a.explain == nil {
		a.explain = explain(steps, time.Since(start))
	}
	return a
}

// getentKeys are the commands that take one key and, with --format
// getent, several, as getent DATABASE KEY... does (getent(1)); the others
// give their second argument another meaning (addrinfo's PORT, service's
// PROTO).
var getentKeys = map[string]bool{"host": true, "addr": true, "proto": true}

// batch resolves one query per line of stdin, up to o.jobs at once, and
// prints the answers in input order.
func batch(ctx context.Context, c *ucli.Command, fn lookupFunc, o *options) error {
	var queries [][]string
	sc := bufio.NewScanner(c.Root().Reader)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		queries = append(queries, f)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading queries from stdin: %w", err)
	}
	return runQueries(ctx, c, fn, o, queries)
}

// runQueries resolves queries, up to o.jobs at once, and prints the
// answers in order.
func runQueries(ctx context.Context, c *ucli.Command, fn lookupFunc, o *options, queries [][]string) error {
	answers := make([]answer, len(queries))
	done := make([]chan struct{}, len(queries))
	sem := make(chan struct{}, o.jobs)
	for i := range queries {
		done[i] = make(chan struct{})
		go func() {
			sem <- struct{}{}
			answers[i] = runLookup(ctx, c, fn, queries[i], o)
			<-sem
			close(done[i])
		}()
	}
	var first error
	for i := range queries {
		<-done[i]
		err := emit(c.Root().Writer, c.Root().ErrWriter, c.Name, queries[i], answers[i], o)
		if err == nil {
			continue
		}
		// JSON answers carry their error; getent says nothing.
		if o.format != "json" && !errors.Is(err, errGetentNotFound) {
			cli.Report(c.Root().ErrWriter, "resolve", err)
		}
		if first == nil || cli.ExitCode(first) == cli.ExitUsage && cli.ExitCode(err) != cli.ExitUsage {
			first = err
		}
	}
	if err := ctx.Err(); err != nil {
		return err // SIGINT or SIGTERM: exit 130
	}
	if first == nil || errors.Is(first, errGetentNotFound) {
		return first
	}
	// Every failure has been reported on its own line already.
	return cli.Quiet(cli.ExitCode(first))
}

// emit prints one answer in the chosen format and returns its error with
// the exit code it maps to.
func emit(stdout, stderr io.Writer, cmd string, args []string, a answer, o *options) error {
	switch o.format {
	case "json":
		doc := map[string]any{"query": map[string]any{"command": cmd, "args": nonNilStrings(args)}, "ok": a.err == nil, "results": a.json}
		if a.err != nil {
			doc["error"] = errorJSON(a.err)
			doc["results"] = []any{}
		}
		if o.explain {
			doc["explain"] = a.explain
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
			return err
		}
		if a.err != nil {
			return cli.Quiet(cli.ExitCode(a.err))
		}
		return nil
	case "getent":
		if a.err != nil {
			var ee *cli.ExitError
			if errors.As(a.err, &ee) && ee.Code == cli.ExitUsage {
				return a.err
			}
			if o.explain {
				io.WriteString(stdout, a.explain.text())
			}
			return errGetentNotFound
		}
		io.WriteString(stdout, a.getent)
	default:
		io.WriteString(stdout, a.text)
	}
	if o.explain {
		io.WriteString(stdout, a.explain.text())
	}
	return a.err
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// errorJSON is the "error" member: the EAI_*/h_errno name, its code and
// text.
func errorJSON(err error) map[string]any {
	var ge *sockcore.GAIError
	var he *sockcore.HError
	switch {
	case errors.As(err, &ge):
		return map[string]any{"name": ge.Name(), "code": ge.Code, "message": ge.Msg}
	case errors.As(err, &he):
		return map[string]any{"name": he.Name(), "code": he.Code, "message": he.Msg}
	}
	return map[string]any{"name": "", "code": cli.ExitCode(err), "message": err.Error()}
}

// lookupErr is a failed lookup: what was looked up, why it failed and
// the EAI_*/h_errno name, on one line. It unwraps to the *GAIError or
// *HError, which set the exit code.
type lookupErr struct {
	what string
	err  error
}

func (e *lookupErr) Error() string {
	var ge *sockcore.GAIError
	var he *sockcore.HError
	switch {
	case errors.As(e.err, &ge):
		return fmt.Sprintf("%s: %s (%s)", e.what, ge.Msg, ge.Name())
	case errors.As(e.err, &he):
		return fmt.Sprintf("%s: %s (%s)", e.what, he.Msg, he.Name())
	}
	return e.what + ": " + e.err.Error()
}

func (e *lookupErr) Unwrap() error { return e.err }

func lookupError(what string, err error) error { return &lookupErr{what, err} }
