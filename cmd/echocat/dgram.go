package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// serveDatagrams runs -l -k -u with -e/-c: one process per datagram peer
// (source address). Each datagram from a peer is written to its process's
// standard input; each read of the process's standard output goes back to
// the peer as one datagram. A process that exits forgets its peer (the
// next datagram starts a new one). SIGTERM ends them all.
func serveDatagrams(ctx context.Context, o *options, ln *sockcore.Socket) error {
	oo := *o
	o = &oo
	o.stderr = &lockedWriter{w: o.stderr}
	scheme := cli.SchemeOf(ln)
	local, _ := ln.SockName()
	type proc struct {
		cmd *exec.Cmd
		in  *os.File
	}
	var mu sync.Mutex
	procs := map[string]*proc{}
	var wg sync.WaitGroup
	defer func() {
		mu.Lock()
		for _, p := range procs {
			p.cmd.Process.Signal(syscall.SIGTERM)
			p.in.Close()
			t := time.AfterFunc(killAfter, func() { p.cmd.Process.Kill() })
			defer t.Stop()
		}
		mu.Unlock()
		wg.Wait()
	}()
	buf := make([]byte, 65536)
	for {
		n, from, err := ln.RecvFromInto(buf, 0)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("receive on %s: %w", cli.SocketURL(ln), err)
		}
		key := from.String()
		mu.Lock()
		p := procs[key]
		active := len(procs)
		mu.Unlock()
		if p == nil {
			peer := cli.AddrURL(scheme, from)
			if o.srv.acl != nil {
				if ip, ok := addrIP(from); !ok || !o.srv.acl.permits(ip) {
					fmt.Fprintf(o.stderr, "echocat: refused %s: not allowed by --allow/--deny\n", peer)
					continue
				}
			}
			if o.srv.maxConns > 0 && active >= o.srv.maxConns {
				fmt.Fprintf(o.stderr, "echocat: refused %s: --max-conns %d reached\n", peer, o.srv.maxConns)
				continue
			}
			if o.verbose {
				fmt.Fprintf(o.stderr, "echocat: datagram from %s\n", peer)
			}
			inR, inW, err := os.Pipe()
			if err != nil {
				return err
			}
			outR, outW, err := os.Pipe()
			if err != nil {
				inR.Close()
				inW.Close()
				return err
			}
			argv := o.srv.execArgv
			cmd := &exec.Cmd{Path: argv[0], Args: argv, Env: append(os.Environ(), envFor(scheme, from, local)...),
				Stdin: inR, Stdout: outW, Stderr: childStderr(o.stderr)}
			err = cmd.Start()
			inR.Close()
			outW.Close()
			if err != nil {
				inW.Close()
				outR.Close()
				cli.Report(o.stderr, "echocat", fmt.Errorf("run %s: %w", argv[0], err))
				continue
			}
			p = &proc{cmd: cmd, in: inW}
			mu.Lock()
			procs[key] = p
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				out := make([]byte, 65536)
				for {
					m, err := outR.Read(out)
					if m > 0 {
						ln.SendTo(out[:m], 0, from)
					}
					if err != nil {
						break
					}
				}
				outR.Close()
				cmd.Wait()
				mu.Lock()
				if procs[key] == p {
					delete(procs, key)
				}
				mu.Unlock()
				p.in.Close()
			}()
		}
		if _, err := p.in.Write(buf[:n]); err != nil && o.verbose {
			fmt.Fprintf(o.stderr, "echocat: %s: %v\n", cli.AddrURL(scheme, from), err)
		}
	}
}
