package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
)

// packetReader is pcapgo's pcap or pcapng reader.
type packetReader interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	LinkType() layers.LinkType
}

// readFile reads a pcap or pcapng file (by its magic number), filters each
// packet with prog in user space as tcpdump -r does, and hands it to out.
func readFile(ctx context.Context, o *options, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	var r io.Reader = stdin
	if o.read != "-" {
		f, err := os.Open(o.read)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReaderSize(r, 1<<20)
	magic, err := br.Peek(4)
	if err != nil {
		return 0, cli.Exitf(cli.ExitUsage, "reading %s: not a pcap or pcapng file (%d bytes)", o.read, len(magic))
	}
	var pr packetReader
	var names []string
	var ng *pcapgo.NgReader
	if bytes.Equal(magic, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		ng, err = pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{})
		pr = ng
	} else {
		pr, err = newPcapReader(br)
	}
	if err != nil {
		return 0, cli.Exitf(cli.ExitUsage, "reading %s: not a pcap or pcapng file: %w", o.read, err)
	}
	lt := pr.LinkType()
	if !o.nanoSet {
		// Re-writing keeps the input's precision (tcpdump would write
		// microseconds): nothing is lost by sniff -r nano.pcap -w.
		var res gopacket.TimestampResolution
		switch r := pr.(type) {
		case *pcapReader:
			res = r.Resolution()
		case *pcapgo.NgReader:
			res = r.Resolution()
		}
		o.writeNano = res.Base == 10 && res.Exponent < -6
	}
	prog := o.prog
	if prog == nil && o.filter != "" {
		if prog, err = compileFilter(o.filter, lt, o.snaplen); err != nil {
			return 0, err
		}
	}
	if o.dump {
		printProgram(stdout, prog)
		return 0, nil
	}
	var vm interface {
		Run([]byte) (int, error)
	}
	if prog != nil {
		if vm, err = newVM(prog); err != nil {
			return 0, cli.Usagef("filter: %w", err)
		}
	}
	if ng != nil {
		for i := range ng.NInterfaces() {
			intf, _ := ng.Interface(i)
			names = append(names, intf.Name)
		}
	}
	var out sink
	if o.write != "" {
		lts := []layers.LinkType{lt}
		wnames := []string{o.read}
		if len(names) > 0 {
			wnames, lts = names, nil
			for i := range names {
				intf, _ := ng.Interface(i)
				lts = append(lts, intf.LinkType)
			}
		}
		if o.fileSizeMB > 0 || o.rotateSecs > 0 {
			// Rotation by -G follows the packets' own time stamps.
			if out, err = newRotator(o, wnames, lts, stdout, stderr, time.Time{}); err != nil {
				return 0, cli.Exitf(cli.ExitCode(err), "%w", err)
			}
		} else if out, err = newFileSink(o.write, o.format, wnames, lts, o.snaplen, o.writeNano, stdout); err != nil {
			return 0, cli.Exitf(cli.ExitCode(err), "writing %s: %w", o.write, err)
		}
	} else {
		name := func(i int) string {
			if ng == nil {
				return ""
			}
			intf, err := ng.Interface(i)
			if err != nil {
				return ""
			}
			return intf.Name
		}
		out = newTextSink(o, stdout, name, len(names) > 1)
	}
	n := 0
	for o.count == 0 || n < o.count {
		if ctx.Err() != nil {
			break
		}
		var data []byte
		var ci gopacket.CaptureInfo
		var dir int
		if ng != nil {
			var opts pcapgo.NgPacketOptions
			data, ci, opts, err = readNg(ng)
			if opts.Flags != nil {
				dir = int(opts.Flags.Direction)
			}
		} else {
			data, ci, err = pr.ReadPacketData()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			// The packets before it are printed, as tcpdump does.
			if cerr := out.close(); cerr != nil {
				return n, writeErr(o, cerr)
			}
			return n, cli.Exitf(cli.ExitUsage, "reading %s: after packet %d: %w", o.read, n, err)
		}
		if vm != nil {
			if keep, err := vm.Run(data); err != nil || keep == 0 {
				continue
			}
		}
		plt := lt
		if ng != nil {
			if intf, err := ng.Interface(ci.InterfaceIndex); err == nil {
				plt = intf.LinkType
			}
		}
		if err := out.write(&pkt{data: data, ts: ci.Timestamp, len: ci.Length, iface: ci.InterfaceIndex, dir: dir, lt: plt}); err != nil {
			if errors.Is(err, errRotationDone) {
				break
			}
			return n, writeErr(o, err)
		}
		n++
		if o.flushEach {
			out.flush()
		}
	}
	if err := out.close(); err != nil {
		return n, writeErr(o, err)
	}
	return n, nil
}

// readNg reads the next pcapng packet; a corrupt block is an error
// wrapping errCorrupt, and so is a panic of the reader on one.
func readNg(ng *pcapgo.NgReader) (data []byte, ci gopacket.CaptureInfo, opts pcapgo.NgPacketOptions, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errCorrupt, r)
		}
	}()
	data, ci, opts, err = ng.ReadPacketDataWithOptions()
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %w", errCorrupt, err)
	}
	return data, ci, opts, err
}

func writeErr(o *options, err error) error {
	var ee *cli.ExitError
	if errors.Is(err, errRotationDone) || errors.As(err, &ee) {
		return err
	}
	if errno, ok := err.(interface{ Unwrap() error }); ok && errno.Unwrap() == unix.EPIPE {
		return cli.Quiet(cli.ExitFailure)
	}
	if o.write != "" {
		return cli.Exitf(cli.ExitCode(err), "writing %s: %w", o.write, err)
	}
	return fmt.Errorf("writing output: %w", err)
}
