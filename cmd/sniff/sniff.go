package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gopacket/gopacket/layers"
	ucli "github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
)

type options struct {
	ifaces     []string
	list       bool
	noPromisc  bool
	count      int
	snaplen    int
	bufferKiB  int
	direction  string
	netns      string
	dump       bool
	bpfFile    string
	verbose    int
	link       bool
	hex        int
	hexASCII   int
	ascii      bool
	quiet      bool
	absSeq     bool
	tstamp     int
	nano       bool // --time-stamp-precision nano
	nanoSet    bool // --time-stamp-precision given
	writeNano  bool // -w writes nanosecond pcap
	json       bool
	write      string
	read       string
	format     string
	flushEach  bool
	user       string
	fileSizeMB int
	rotateSecs int
	fileCount  int
	filter     string
	prog       []unix.SockFilter
}

const usageText = `capture packets on AF_PACKET sockets like tcpdump

   sniff [-i IFACE]... [options] [FILTER EXPRESSION]

   The filter is tcpdump's language (pcap-filter(7)), compiled by libpcap to
   classic BPF and attached in the kernel. Several -i capture several
   interfaces at once; -i any captures all of them.`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o := &options{}
	// -v is verbosity here, as in tcpdump: --version keeps no short alias.
	ucli.VersionFlag = &ucli.BoolFlag{Name: "version", Usage: "print the version"}
	app := cli.NewApp("sniff", "capture packets like tcpdump, on several interfaces at once", stdin, stdout, stderr)
	app.UsageText = usageText
	app.Flags = []ucli.Flag{
		&ucli.StringSliceFlag{Name: "interface", Aliases: []string{"i"}, Usage: "capture on `IFACE` (repeat for several; any: all)"},
		&ucli.BoolFlag{Name: "list-interfaces", Aliases: []string{"D"}, Usage: "list the interfaces and exit", Destination: &o.list},
		&ucli.BoolFlag{Name: "no-promiscuous-mode", Aliases: []string{"p"}, Usage: "do not put the interfaces in promiscuous mode", Destination: &o.noPromisc},
		&ucli.IntFlag{Name: "count", Aliases: []string{"c"}, Usage: "exit after `N` packets", Destination: &o.count},
		&ucli.IntFlag{Name: "snapshot-length", Aliases: []string{"s"}, Value: 262144, Usage: "keep at most `SNAPLEN` bytes of each packet (0: 262144)", Destination: &o.snaplen},
		&ucli.IntFlag{Name: "buffer-size", Aliases: []string{"B"}, Value: 4096, Usage: "receive ring size per interface in `KiB`", Destination: &o.bufferKiB},
		&ucli.StringFlag{Name: "direction", Aliases: []string{"Q"}, Value: "inout", Usage: "capture packets going `in`, out or inout", Destination: &o.direction},
		&ucli.StringFlag{Name: "netns", Usage: "capture inside the network namespace `NAME` (ip netns)", Destination: &o.netns},
		&ucli.BoolFlag{Name: "d", Usage: "print the compiled BPF program and exit", Destination: &o.dump},
		&ucli.StringFlag{Name: "bpf-file", Usage: "use the BPF program in `FILE` (tcpdump -ddd output) instead of an expression", Destination: &o.bpfFile},
		&ucli.BoolFlag{Name: "n", Usage: "do not resolve names (sniff never does; accepted for tcpdump users)"},
		&ucli.BoolFlag{Name: "e", Usage: "print the link-level header", Destination: &o.link},
		&ucli.BoolFlag{Name: "v", Usage: "verbose: IP header fields", Config: ucli.BoolConfig{Count: &o.verbose}},
		&ucli.BoolFlag{Name: "x", Usage: "print the packet in hex (-xx: with the link header)", Config: ucli.BoolConfig{Count: &o.hex}},
		&ucli.BoolFlag{Name: "X", Usage: "print the packet in hex and ASCII (-XX: with the link header)", Config: ucli.BoolConfig{Count: &o.hexASCII}},
		&ucli.BoolFlag{Name: "A", Usage: "print the packet in ASCII", Destination: &o.ascii},
		&ucli.BoolFlag{Name: "q", Usage: "quiet: less protocol information", Destination: &o.quiet},
		&ucli.BoolFlag{Name: "absolute-tcp-sequence-numbers", Aliases: []string{"S"}, Usage: "print absolute TCP sequence numbers (default: relative to the first packet of the conversation, as tcpdump)", Destination: &o.absSeq},
		&ucli.BoolFlag{Name: "t", Usage: "-t no time, -tt seconds since 1970, -ttt delta from the previous packet, -tttt date and time, -ttttt delta from the first", Config: ucli.BoolConfig{Count: &o.tstamp}},
		&ucli.StringFlag{Name: "time-stamp-precision", Value: "micro", Usage: "`micro` or nano: time stamps printed and written by -w (pcap magic a1b2c3d4 or a1b23c4d); with -r and -w the input's precision unless given"},
		&ucli.BoolFlag{Name: "json", Usage: "one JSON object per packet", Destination: &o.json},
		&ucli.StringFlag{Name: "w", Usage: "write packets to `FILE` (- for stdout): pcap, or pcapng by .pcapng extension or --format", Destination: &o.write},
		&ucli.StringFlag{Name: "r", Usage: "read packets from `FILE` (pcap or pcapng; - for stdin)", Destination: &o.read},
		&ucli.StringFlag{Name: "format", Usage: "file format for -w: `pcap` or pcapng"},
		&ucli.IntFlag{Name: "C", Usage: "start a new -w file when the current one exceeds `MB` million bytes (FILE, FILE1, FILE2 …)", Destination: &o.fileSizeMB},
		&ucli.IntFlag{Name: "G", Usage: "start a new -w file every `SEC` seconds (strftime conversions in FILE)", Destination: &o.rotateSecs},
		&ucli.IntFlag{Name: "W", Usage: "with -C: reuse `N` files FILE0 … FILE(N-1); with -G: stop after N files", Destination: &o.fileCount},
		&ucli.BoolFlag{Name: "l", Usage: "flush the output after every packet"},
		&ucli.BoolFlag{Name: "U", Usage: "flush the written file after every packet"},
		&ucli.StringFlag{Name: "Z", Usage: "drop privileges to `USER` once the sockets are open, before -w files are created (USER must be able to write them)", Destination: &o.user},
	}
	app.Action = func(ctx context.Context, c *ucli.Command) error {
		// A repeated interface is one interface (tcpdump takes the
		// last -i; sniff captures each named one once).
		o.ifaces = nil
		for _, i := range c.StringSlice("interface") {
			if !slices.Contains(o.ifaces, i) {
				o.ifaces = append(o.ifaces, i)
			}
		}
		o.flushEach = c.Bool("l") || c.Bool("U")
		o.filter = strings.Join(c.Args().Slice(), " ")
		switch p := c.String("time-stamp-precision"); p {
		case "micro":
		case "nano":
			o.nano = true
		default:
			return cli.Usagef("--time-stamp-precision %q: want micro or nano", p)
		}
		o.nanoSet = c.IsSet("time-stamp-precision")
		o.writeNano = o.nano
		if o.tstamp > 5 {
			o.tstamp = 5
		}
		if o.snaplen <= 0 || o.snaplen > 262144 {
			o.snaplen = 262144
		}
		if o.direction != "in" && o.direction != "out" && o.direction != "inout" {
			return cli.Usagef("-Q %q: want in, out or inout", o.direction)
		}
		if o.bufferKiB <= 0 {
			return cli.Usagef("-B %d: the ring size must be positive", o.bufferKiB)
		}
		if (o.fileSizeMB != 0 || o.rotateSecs != 0 || o.fileCount != 0) && (o.write == "" || o.write == "-") {
			return cli.Usagef("-C, -G and -W need -w FILE")
		}
		if o.fileSizeMB < 0 || o.rotateSecs < 0 || o.fileCount < 0 || (o.fileCount > 0 && o.fileSizeMB == 0 && o.rotateSecs == 0) {
			return cli.Usagef("-C, -G and -W take positive numbers, and -W needs -C or -G")
		}
		o.format = c.String("format")
		switch {
		case o.format == "" && (strings.HasSuffix(o.write, ".pcapng") || strings.HasSuffix(o.write, ".ntar")):
			o.format = "pcapng"
		case o.format == "":
			o.format = "pcap"
		case o.format != "pcap" && o.format != "pcapng":
			return cli.Usagef("--format %q: want pcap or pcapng", o.format)
		}
		if o.bpfFile != "" {
			if o.filter != "" {
				return cli.Usagef("--bpf-file and a filter expression: give one of them")
			}
			f, err := os.Open(o.bpfFile)
			if err != nil {
				return cli.Exitf(cli.ExitCode(err), "reading the BPF program: %w", err)
			}
			o.prog, err = parseDDD(f)
			f.Close()
			if err != nil {
				return cli.Usagef("BPF program %s: %w", o.bpfFile, err)
			}
		}
		return sniff(ctx, o, stdin, stdout, stderr)
	}
	ifaces := func() []string { return append([]string{"any"}, cli.Interfaces(-1)...) }
	cli.Complete(app, cli.Completions{Flags: map[string]func() []string{"interface": ifaces, "i": ifaces}})
	return cli.RunApp(ctx, app, args)
}

func sniff(ctx context.Context, o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	if o.list {
		lines, err := listInterfaces(o)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, strings.Join(lines, "\n"))
		return err
	}
	if o.read != "" {
		_, err := readFile(ctx, o, stdin, stdout, stderr)
		return err
	}
	if o.dump && o.prog != nil {
		printProgram(stdout, o.prog)
		return nil
	}
	if o.dump && o.filter != "" && len(o.ifaces) == 0 {
		prog, err := compileFilter(o.filter, layers.LinkTypeEthernet, o.snaplen)
		if err != nil {
			return err
		}
		printProgram(stdout, prog)
		return nil
	}
	if slices.Contains(o.ifaces, btMonitorDevice) {
		return sniffMonitor(ctx, o, stdout, stderr)
	}
	srcs, err := openSources(o)
	if err != nil {
		return err
	}
	defer func() {
		for _, s := range srcs {
			s.close()
		}
	}()
	if o.dump {
		// -d with -i: the program compiled for the first interface.
		src := srcs[0]
		prog, err := compileFilter(o.filter, src.lt, o.snaplen)
		if !src.cooked && o.filter != "" {
			prog, err = inNetnsProg(o, src)
		}
		if err != nil {
			return err
		}
		printProgram(stdout, prog)
		return nil
	}
	names := make([]string, len(srcs))
	lts := make([]layers.LinkType, len(srcs))
	for i, s := range srcs {
		names[i], lts[i] = s.name, s.lt
	}
	out, err := startOutput(o, names, lts, stdout, stderr)
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	c := &capture{o: o, out: out, stop: stop, srcs: srcs}
	if fs, ok := out.(*fileSink); ok && fs.ng == nil {
		c.pcap = fs
	}
	var wg sync.WaitGroup
	for _, src := range srcs {
		wg.Add(1)
		go func() { defer wg.Done(); c.run(src) }()
	}
	<-ctx.Done()
	c.interrupt()
	wg.Wait()
	cerr := out.close()
	st, serr := c.stats()
	fmt.Fprintf(stderr, "%d packet%s captured\n", c.n, plural(c.n))
	if serr == nil {
		fmt.Fprintf(stderr, "%d packet%s received by filter\n%d packet%s dropped by kernel\n",
			st.Packets, plural(int(st.Packets)), st.Drops, plural(int(st.Drops)))
	}
	if c.err != nil && !errors.Is(c.err, errRotationDone) {
		return c.err
	}
	if cerr != nil {
		return writeErr(o, cerr)
	}
	return nil
}

// startOutput drops privileges for -Z, then opens the output for the
// captured interfaces and says what sniff listens on. As tcpdump, -w files
// are created by the -Z user, never by root: a symlink that user planted at
// the file's name cannot make root overwrite what it points to, and -C/-G
// rotation opens its next files with the same rights as the first.
func startOutput(o *options, names []string, lts []layers.LinkType, stdout, stderr io.Writer) (sink, error) {
	if o.user != "" {
		if err := dropPrivileges(o.user); err != nil {
			return nil, err
		}
	}
	var out sink
	switch {
	case o.fileSizeMB > 0 || o.rotateSecs > 0:
		r, err := newRotator(o, names, lts, stdout, stderr, time.Now())
		if err != nil {
			return nil, cli.Exitf(cli.ExitCode(err), "%w", err)
		}
		out = r
	case o.write != "":
		fs, err := newFileSink(o.write, o.format, names, lts, o.snaplen, o.writeNano, stdout)
		if err != nil {
			return nil, cli.Exitf(cli.ExitCode(err), "writing %s: %w", o.write, err)
		}
		out = fs
	default:
		out = newTextSink(o, stdout, func(i int) string { return names[i] }, len(names) > 1)
	}
	if o.write == "" || o.write != "-" {
		fmt.Fprintf(stderr, "sniff: listening on %s, link-type %s, snapshot length %d bytes\n", strings.Join(names, ", "), linkTypeName(lts[0]), o.snaplen)
	}
	return out, nil
}

func inNetnsProg(o *options, src *source) (prog []unix.SockFilter, err error) {
	err = inNetns(o.netns, func() error {
		prog, err = compileLive(o.filter, src.name, src.lt, o.snaplen)
		return err
	})
	return prog, err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// dropPrivileges switches every thread to name's uid, gid and groups.
func dropPrivileges(name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		return cli.Exitf(cli.ExitNoSuchThing, "-Z %s: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	var groups []int
	if ids, err := u.GroupIds(); err == nil {
		for _, g := range ids {
			if n, err := strconv.Atoi(g); err == nil {
				groups = append(groups, n)
			}
		}
	}
	if err := syscall.Setgroups(groups); err != nil {
		return permErr("-Z "+name+": setgroups", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return permErr("-Z "+name+": setgid", err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return permErr("-Z "+name+": setuid", err)
	}
	return nil
}
