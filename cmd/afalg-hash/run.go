package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v3"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

const name = "afalg-hash"

func init() {
	// -v is --verbose here, as in kcapi-dgst; --version stays long.
	ucli.VersionFlag = &ucli.BoolFlag{Name: "version", Usage: "print the version"}
}

// options are the parsed flags.
type options struct {
	alg                         string
	check, tag, zero, binary    bool
	text                        bool
	quiet, status, strict, warn bool
	// lastMode and lastReport name the flag given last of -b/-t/--tag and
	// of --status/--quiet/--warn: in each group the last one wins, as in
	// coreutils.
	lastMode, lastReport      string
	ignoreMissing             bool
	hmac                      bool
	keyFile                   string
	keyFD                     int
	backend                   string
	verbose, list, noZeroCopy bool
	jobs                      int
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o options
	app := cli.NewApp(name, "print or check message digests with the kernel's crypto API (AF_ALG), or Go's crypto where the kernel has none",
		stdin, stdout, stderr)
	app.ArgsUsage = "[FILE]..."
	app.Description = "With no FILE, or when FILE is -, read standard input. Output and --check are those of sha256sum (coreutils 9.1)."
	app.Flags = []ucli.Flag{
		&ucli.StringFlag{Name: "algorithm", Aliases: []string{"a"}, Value: "sha256", Usage: "hash `ALG`: any hash in /proc/crypto (see --list); Go has md5, sha1, sha224, sha256, sha384, sha512, sha3-*, crc32c", Destination: &o.alg},
		&ucli.BoolFlag{Name: "check", Aliases: []string{"c"}, Usage: "read checksums from the FILEs and check them", Destination: &o.check},
		&lastFlag{Name: "tag", Usage: "create a BSD-style checksum", Destination: &o.tag, Config: lastConfig{&o.lastMode, "tag"}},
		&ucli.BoolFlag{Name: "zero", Aliases: []string{"z"}, Usage: "end each output line with NUL, not newline, and do not escape file names", Destination: &o.zero},
		&lastFlag{Name: "binary", Aliases: []string{"b"}, Usage: "mark lines with '*' (binary mode)", Destination: &o.binary, Config: lastConfig{&o.lastMode, "binary"}},
		&lastFlag{Name: "text", Aliases: []string{"t"}, Usage: "mark lines with ' ' (text mode, the default)", Destination: &o.text, Config: lastConfig{&o.lastMode, "text"}},
		&lastFlag{Name: "quiet", Usage: "with --check: do not print OK for each verified file", Destination: &o.quiet, Config: lastConfig{&o.lastReport, "quiet"}},
		&lastFlag{Name: "status", Usage: "with --check: print nothing, the exit status tells", Destination: &o.status, Config: lastConfig{&o.lastReport, "status"}},
		&ucli.BoolFlag{Name: "strict", Usage: "with --check: exit non-zero for improperly formatted lines", Destination: &o.strict},
		&lastFlag{Name: "warn", Aliases: []string{"w"}, Usage: "with --check: warn about improperly formatted lines", Destination: &o.warn, Config: lastConfig{&o.lastReport, "warn"}},
		&ucli.BoolFlag{Name: "ignore-missing", Usage: "with --check: do not fail or report status for missing files", Destination: &o.ignoreMissing},
		&ucli.BoolFlag{Name: "hmac", Usage: "compute hmac(ALG) with the key of --key-file or --key-fd", Destination: &o.hmac},
		&ucli.StringFlag{Name: "key-file", Usage: "read the HMAC key from `FILE` (its bytes, exactly)", Destination: &o.keyFile},
		&ucli.IntFlag{Name: "key-fd", Value: -1, Usage: "read the HMAC key from descriptor `N` to its end", Destination: &o.keyFD},
		&ucli.StringFlag{Name: "backend", Value: "auto", Usage: "`auto` (kernel, else Go), kernel or go", Destination: &o.backend},
		&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "say on stderr which backend and kernel driver hashed each file", Destination: &o.verbose},
		&ucli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: 1, Usage: "hash `N` files at once (output keeps the argument order)", Destination: &o.jobs},
		&ucli.BoolFlag{Name: "list", Usage: "list the kernel's hash algorithms with driver and priority", Destination: &o.list},
		&ucli.BoolFlag{Name: "no-zero-copy", Usage: "kernel backend: read and send file data instead of splicing it into the kernel", Destination: &o.noZeroCopy},
	}
	app.Action = func(ctx context.Context, c *ucli.Command) error {
		if o.list {
			return listAlgs(stdout)
		}
		return execute(ctx, &o, c.Args().Slice(), stdin, stdout, stderr)
	}
	cli.Complete(app, cli.Completions{Flags: map[string]func() []string{"algorithm": algorithmNames, "a": algorithmNames}})
	return cli.RunApp(ctx, app, args)
}

// lastFlag is a boolean flag of a group in which the last one given
// wins, as in coreutils' option loop: setting it records its name in the
// group's string, and validate keeps only that one of the group.
type lastFlag = ucli.FlagBase[bool, lastConfig, lastValue]

// lastConfig names the flag and its group's record of the last one set.
type lastConfig struct {
	last *string
	name string
}

type lastValue struct {
	dest *bool
	c    lastConfig
}

func (lastValue) Create(v bool, p *bool, c lastConfig) ucli.Value {
	*p = v
	return &lastValue{dest: p, c: c}
}

func (lastValue) ToString(v bool) string { return strconv.FormatBool(v) }

func (v *lastValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*v.dest = b
	if b {
		*v.c.last = v.c.name
	} else if *v.c.last == v.c.name {
		*v.c.last = ""
	}
	return nil
}

func (v *lastValue) Get() any { return *v.dest }

func (v *lastValue) String() string { return strconv.FormatBool(v.dest != nil && *v.dest) }

// IsBoolFlag makes the flag take no value, as a BoolFlag.
func (v *lastValue) IsBoolFlag() bool { return true }

func listAlgs(w io.Writer) error {
	algs, err := readProcCrypto()
	if err != nil {
		return cli.Exitf(cli.ExitUnsupported, "reading the kernel's algorithms: %w", err)
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ALGORITHM\tDRIVER\tPRIORITY\tMODULE\tGO\tBACKEND")
	backends := map[string]string{}
	for _, a := range hashAlgs(algs) {
		g := "-"
		la := lookupAlgo(a.Name, false, nil)
		if la.GoName != "" {
			g = la.GoName
		}
		b, ok := backends[a.Name]
		if !ok {
			b = autoBackend(la)
			backends[a.Name] = b
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", a.Name, a.Driver, a.Priority, a.Module, g, b)
	}
	return tw.Flush()
}

// autoBackend says which backend --backend auto would hash a with on this
// kernel: "kernel" when AF_ALG binds it, else "go" when Go has it, else
// "none". HMACs are probed with a dummy key.
func autoBackend(a algo) string {
	if a.IsHMAC() {
		a.key = []byte("probe")
	}
	if k, err := openKernel(a, false); err == nil {
		k.Close()
		return "kernel"
	}
	if a.GoName != "" {
		return "go"
	}
	return "none"
}

func validate(o *options) error {
	if o.backend != "auto" && o.backend != "kernel" && o.backend != "go" {
		return cli.Usagef("--backend must be auto, kernel or go, not %q", o.backend)
	}
	if o.jobs < 1 {
		return cli.Usagef("--jobs must be at least 1, not %d", o.jobs)
	}
	// coreutils: -b and --tag set binary mode, -t text mode, the last one
	// wins; --tag stays on whatever follows it, but refuses text mode.
	modeSet := o.lastMode != ""
	o.binary = o.lastMode == "binary" || o.lastMode == "tag"
	if o.tag && !o.binary {
		return cli.Usagef("--tag does not support --text mode")
	}
	if o.zero && o.check {
		return cli.Usagef("the --zero option is not supported when verifying checksums")
	}
	if o.tag && o.check {
		return cli.Usagef("the --tag option is meaningless when verifying checksums")
	}
	if modeSet && o.check {
		return cli.Usagef("the --binary and --text options are meaningless when verifying checksums")
	}
	// coreutils: of --status, --quiet and --warn only the last one counts.
	o.status, o.quiet, o.warn = o.lastReport == "status", o.lastReport == "quiet", o.lastReport == "warn"
	for _, f := range []struct {
		set  bool
		name string
	}{{o.ignoreMissing, "--ignore-missing"}, {o.status, "--status"}, {o.warn, "--warn"}, {o.quiet, "--quiet"}, {o.strict, "--strict"}} {
		if f.set && !o.check {
			return cli.Usagef("the %s option is meaningful only when verifying checksums", f.name)
		}
	}
	if (o.keyFile != "" || o.keyFD >= 0) && !o.hmac && !strings.HasPrefix(strings.ToLower(o.alg), "hmac(") {
		return cli.Usagef("--key-file and --key-fd need --hmac")
	}
	if o.keyFile != "" && o.keyFD >= 0 {
		return cli.Usagef("give the key with --key-file or --key-fd, not both")
	}
	return nil
}

// keyHook, when a test sets it, sees the key buffer that execute clears.
var keyHook func([]byte)

// maxKeySize caps the HMAC key: 4096 bytes, far more than any HMAC needs
// (a key longer than the hash's block size is hashed down to one digest
// first, RFC 2104), and less than the kernel's default optmem_max that
// ALG_SET_KEY allocates from.
const maxKeySize = 4096

// readKey reads the HMAC key; it is never taken from the command line,
// where ps would show it. The key must come from a regular file or a pipe
// (a process substitution, a here-document), hold 1 to maxKeySize bytes,
// and is read into one buffer that the caller zeroes after use.
func readKey(o *options) ([]byte, error) {
	var (
		f    *os.File
		what string
	)
	switch {
	case o.keyFile != "":
		var err error
		f, err = os.Open(o.keyFile)
		if err != nil {
			return nil, fmt.Errorf("reading the HMAC key: %w", err)
		}
		what = quotef(o.keyFile)
	case o.keyFD >= 0:
		f = os.NewFile(uintptr(o.keyFD), "key-fd")
		if f == nil {
			return nil, cli.Exitf(cli.ExitNoSuchThing, "reading the HMAC key: descriptor %d is not open", o.keyFD)
		}
		what = fmt.Sprintf("descriptor %d", o.keyFD)
	default:
		return nil, cli.Usagef("an HMAC needs its key: --key-file FILE or --key-fd N")
	}
	defer f.Close()
	return cli.ReadSecret(f, what, maxKeySize)
}

// engine is the chosen backend with its fallback.
type engine struct {
	a        algo
	primary  hasher
	fallback hasher // Go, when auto mode may retry a file there
	why      string // why the kernel is not used, for -v
	size     int    // digest size in bytes
	parser   *lineParser
	variants map[int]*engine // BLAKE2b engines of other sizes, for -c
}

// variant is the engine for BLAKE2b with a digest of size bytes, for a
// checksum line of another length than -a's (b2sum -c reads the length
// from each line); made once per size, in the order lines are parsed.
func (e *engine) variant(o *options, size int) (*engine, error) {
	if size == e.size {
		return e, nil
	}
	if v, ok := e.variants[size]; ok {
		return v, nil
	}
	v, err := choose(o, lookupAlgo(fmt.Sprintf("blake2b-%d", size*8), false, nil))
	if err != nil {
		return nil, err
	}
	if e.variants == nil {
		e.variants = map[int]*engine{}
	}
	e.variants[size] = v
	return v, nil
}

// close closes the kernel sockets of the engine and its variants.
func (e *engine) close() {
	for _, v := range e.variants {
		v.close()
	}
	if k, ok := e.primary.(*kernelHasher); ok {
		k.Close()
	}
}

// choose picks the backend: the kernel when asked or available, else Go.
func choose(o *options, a algo) (*engine, error) {
	e := &engine{a: a}
	var gh hasher
	if a.newGo != nil {
		gh = goHasher{a}
	}
	if o.backend == "go" {
		if gh == nil && !knownAlgo(a.Name) {
			return nil, cli.Usagef("unknown algorithm %s (afalg-hash --list shows this kernel's, --help Go's)", a.Name)
		}
		if gh == nil {
			return nil, cli.Exitf(cli.ExitUnsupported, "hashing with Go's %s: Go's standard library has no %s (use --backend kernel)", a.Name, a.Name)
		}
		e.primary = gh
	} else {
		k, err := openKernel(a, !o.noZeroCopy)
		switch {
		case err == nil:
			e.primary = k
			if o.backend == "auto" && gh != nil {
				e.fallback = gh
			}
		case gh == nil && !knownAlgo(a.Name):
			return nil, cli.Usagef("unknown algorithm %s (afalg-hash --list shows this kernel's, --help Go's)", a.Name)
		case o.backend == "kernel" || gh == nil:
			return nil, kernelSetupError(a, err, o.backend == "auto")
		default:
			e.primary, e.why = gh, err.Error()
		}
	}
	sum, err := e.primary.Hash(source{name: "", r: strings.NewReader("")}, new(atomic.Int64))
	if err != nil {
		return nil, fmt.Errorf("hashing the empty message with %s: %w", e.primary.Describe(), err)
	}
	e.size = len(sum)
	return e, nil
}

// knownAlgo reports whether name (or the hash inside hmac(NAME)) is a
// hash that Go has or this kernel lists in /proc/crypto: an algorithm the
// kernel could not bind and that neither knows is a usage error, not a
// missing kernel feature.
func knownAlgo(name string) bool {
	inner := name
	if in, ok := strings.CutPrefix(name, "hmac("); ok && strings.HasSuffix(in, ")") {
		inner = strings.TrimSuffix(in, ")")
	}
	if _, ok := goAlgos[inner]; ok {
		return true
	}
	algs, err := readProcCrypto()
	if err != nil {
		return true // cannot tell: keep the kernel's own error
	}
	for _, c := range hashAlgs(algs) {
		if c.Name == inner || c.Name == name {
			return true
		}
	}
	return false
}

func kernelSetupError(a algo, err error, auto bool) error {
	var (
		nse *sockcore.NotSupportedError
		nf  *sockcore.ALGNotFoundError
	)
	what := "hashing with the kernel's " + a.Name
	if auto {
		what += " (Go's standard library has no " + a.Name + ")"
	}
	if errors.As(err, &nse) || errors.As(err, &nf) {
		return cli.Exit(cli.ExitUnsupported, fmt.Errorf("%s: %w", what, err))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// hash hashes one input with the primary backend, and in auto mode again
// with Go when the kernel fails on a file that can be read again.
func (e *engine) hash(src source, done *atomic.Int64) ([]byte, hasher, error) {
	before := done.Load()
	sum, err := e.primary.Hash(src, done)
	var ke *kernelError
	if err != nil && e.fallback != nil && errors.As(err, &ke) && src.f != nil {
		if _, serr := src.f.Seek(0, io.SeekStart); serr == nil {
			done.Store(before)
			sum, err = e.fallback.Hash(src, done)
			return sum, e.fallback, err
		}
	}
	return sum, e.primary, err
}

// result is the output of one input or check line, written in order.
type result struct {
	out, errOut string
}

// ordered runs n tasks on jobs workers and writes each result as soon as
// all earlier ones are written, so that output keeps the argument order.
func ordered(n, jobs int, task func(i int) result, write func(result)) {
	if jobs <= 1 || n <= 1 {
		for i := 0; i < n; i++ {
			write(task(i))
		}
		return
	}
	res := make([]chan result, n)
	for i := range res {
		res[i] = make(chan result, 1)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(jobs, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res[i] <- task(i)
			}
		}()
	}
	go func() {
		for i := 0; i < n; i++ {
			next <- i
		}
		close(next)
	}()
	for i := 0; i < n; i++ {
		write(<-res[i])
	}
	wg.Wait()
}

// opener opens inputs; "-" is standard input.
type opener struct {
	ctx   context.Context
	stdin io.Reader
}

func (op opener) open(fname string) (source, func(), error) {
	if fname == "-" {
		src := source{name: fname, r: ctxReader{op.ctx, op.stdin}, ctx: op.ctx}
		if f, ok := op.stdin.(*os.File); ok {
			src.f = f
		}
		return src, func() {}, nil
	}
	f, err := os.Open(fname)
	if err != nil {
		return source{}, nil, err
	}
	return source{name: fname, f: f, r: ctxReader{op.ctx, f}, ctx: op.ctx}, func() { f.Close() }, nil
}

func execute(ctx context.Context, o *options, files []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if err := validate(o); err != nil {
		return err
	}
	var key []byte
	if o.hmac || strings.HasPrefix(strings.ToLower(o.alg), "hmac(") {
		k, err := readKey(o)
		if err != nil {
			return err
		}
		key = k
		// Zeroed when hashing ends: Go's HMAC copied what it needs, the
		// kernel holds its own copy from ALG_SET_KEY.
		defer clear(key)
		if keyHook != nil {
			keyHook(key)
		}
	}
	a := lookupAlgo(o.alg, o.hmac, key)
	e, err := choose(o, a)
	if err != nil {
		return err
	}
	defer e.close()
	if o.verbose {
		switch k, ok := e.primary.(*kernelHasher); {
		case e.why != "":
			fmt.Fprintf(stderr, "%s: using %s: %s\n", name, e.primary.Describe(), e.why)
		case ok:
			fmt.Fprintf(stderr, "%s: using %s, %s\n", name, k.Describe(), k.DataPath())
		default:
			fmt.Fprintf(stderr, "%s: using %s\n", name, e.primary.Describe())
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	// The work runs beside this goroutine, which returns at once on SIGINT
	// or SIGTERM: a read or splice blocked on a pipe cannot be cut short,
	// and the hashers stop at their next chunk anyway. Lines already
	// written are flushed; nothing is written after the interrupt.
	var (
		mu      sync.Mutex
		stopped bool
	)
	write := func(r result) {
		mu.Lock()
		defer mu.Unlock()
		if stopped || ctx.Err() != nil {
			return
		}
		if r.errOut != "" {
			out.Flush()
			io.WriteString(stderr, r.errOut)
		}
		out.WriteString(r.out)
	}
	prog := newProgress(stderr, files)
	defer prog.stop()
	op := opener{ctx: ctx, stdin: stdin}
	finished := make(chan error, 1)
	go func() { finished <- hashAll(ctx, o, e, op, files, prog, write) }()
	select {
	case err := <-finished:
		mu.Lock()
		defer mu.Unlock()
		ferr := out.Flush() // bufio keeps the first write error
		if ctx.Err() != nil {
			return cli.ErrInterrupted
		}
		if ferr != nil {
			return writeError()
		}
		return err
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		out.Flush()
		return cli.ErrInterrupted
	}
}

// hashAll hashes or checks every input, writing results in argument order.
func hashAll(ctx context.Context, o *options, e *engine, op opener, files []string, prog *progress, write func(result)) error {
	if o.check {
		ok := true
		for _, cf := range files {
			if ctx.Err() != nil {
				return cli.ErrInterrupted
			}
			ok = checkFile(o, e, op, cf, prog, write) && ok
		}
		if !ok {
			return cli.Quiet(cli.ExitFailure)
		}
		return nil
	}
	delim := byte('\n')
	if o.zero {
		delim = 0
	}
	var failed atomic.Bool
	ordered(len(files), o.jobs, func(i int) result {
		if ctx.Err() != nil {
			failed.Store(true)
			return result{}
		}
		fname := files[i]
		src, closeSrc, err := op.open(fname)
		if err != nil {
			failed.Store(true)
			return result{errOut: fmt.Sprintf("%s: %s: %s\n", name, quotef(fname), strerror(err))}
		}
		defer closeSrc()
		sum, h, err := e.hash(src, prog.counter())
		if errors.Is(err, cli.ErrInterrupted) {
			failed.Store(true)
			return result{}
		}
		if err != nil {
			failed.Store(true)
			return result{errOut: hashErrorLine(fname, err)}
		}
		r := result{out: formatLine(e.a.Tag, sum, fname, o.tag, o.binary, delim)}
		if o.verbose {
			r.errOut = fmt.Sprintf("%s: %s: hashed by %s\n", name, quotef(fname), h.Describe())
		}
		return r
	}, write)
	if ctx.Err() != nil {
		return cli.ErrInterrupted
	}
	if failed.Load() {
		return cli.Quiet(cli.ExitFailure)
	}
	return nil
}

// writeError is sha256sum's failure to write standard output (a full
// disk, an I/O error): exit 1 after the other diagnostics, in coreutils'
// words ("write error", the reason unnamed, as sha256sum prints it for
// ENOSPC).
func writeError() error {
	return cli.Exitf(cli.ExitFailure, "write error")
}

// hashErrorLine is the diagnostic for a file that could not be hashed:
// coreutils' "NAME: strerror" for read errors, the kernel's failure
// otherwise.
func hashErrorLine(fname string, err error) string {
	if isReadError(err) {
		return fmt.Sprintf("%s: %s: %s\n", name, quotef(fname), strerror(err))
	}
	return fmt.Sprintf("%s: %s: the kernel's crypto API failed: %v\n", name, quotef(fname), err)
}
