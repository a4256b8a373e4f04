package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/cli"
)

// TestNext is the table of path changes: the reactor's rules (small
// messages stay, a lone chatty connection, bulk or a peer not reading its
// echo leave) and the goroutine's (hot splice to buffer after smallBursts
// small reads, buffer back to splice on a full read, cold splice back to
// the reactor when nothing is queued).
func TestNext(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    mode
		b    burst
		want mode
	}{
		{"reactor small message stays", modeReactor, burst{n: 5, sent: 5, peers: 1}, modeReactor},
		{"reactor chatty among others stays", modeReactor, burst{n: 5, sent: 5, quick: chattyRuns, peers: chattyAlone + 1}, modeReactor},
		{"reactor chatty alone leaves", modeReactor, burst{n: 5, sent: 5, quick: chattyRuns, peers: chattyAlone}, modeSplice},
		{"reactor chatty alone, one peer, leaves", modeReactor, burst{n: 5, sent: 5, quick: chattyRuns + 3, peers: 1}, modeSplice},
		{"reactor almost chatty alone stays", modeReactor, burst{n: 5, sent: 5, quick: chattyRuns - 1, peers: 1}, modeReactor},
		{"reactor bulk leaves", modeReactor, burst{n: reactorBuf, sent: reactorBuf, full: true, peers: 50}, modeSplice},
		{"reactor peer not reading leaves", modeReactor, burst{n: 1000, sent: 10, peers: 50}, modeSplice},
		{"reactor peer reading nothing leaves", modeReactor, burst{n: 1000, sent: 0, peers: 50}, modeSplice},
		{"hot splice bulk stays", modeSplice, burst{n: 1 << 20, hot: true}, modeSplice},
		{"hot splice few small reads stays", modeSplice, burst{hot: true, small: smallBursts - 1}, modeSplice},
		{"hot splice small reads to buffer", modeSplice, burst{hot: true, small: smallBursts}, modeBuffer},
		{"cold splice small reads stay", modeSplice, burst{small: smallBursts}, modeSplice},
		{"cold splice idle to reactor", modeSplice, burst{idle: true, home: true}, modeReactor},
		{"cold splice idle, no reactor, stays", modeSplice, burst{idle: true}, modeSplice},
		{"buffer small stays", modeBuffer, burst{n: 5}, modeBuffer},
		{"buffer full read to splice", modeBuffer, burst{n: 64 << 10, full: true}, modeSplice},
		{"copy stays", modeCopy, burst{n: 64 << 10, full: true, idle: true, home: true, hot: true, small: smallBursts}, modeCopy},
	} {
		if got := next(tc.m, tc.b); got != tc.want {
			t.Errorf("%s: next(%v, %+v) = %v, want %v", tc.name, tc.m, tc.b, got, tc.want)
		}
	}
}

// TestChattyAndBulkStress mixes chatty clients (small ping-pong, which stay
// in the reactors or leave when alone), bulk clients (which leave for
// splice and come back cold) and slow readers (which leave with pending
// bytes) on one server, for the race detector to watch every hand-over of
// a conn between reactor loops and goroutines. Every byte must come back.
func TestChattyAndBulkStress(t *testing.T) {
	d := start(t, "--listen", "tcp://127.0.0.1:0")
	e, err := cli.ParseURL(d.urls[0])
	if err != nil {
		t.Fatal(err)
	}
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	client := func(name string, f func(rw io.ReadWriter) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := e.Dial(context.Background(), cli.DialConfig{Timeout: 10 * time.Second})
			if err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
				return
			}
			defer s.Close()
			if err := f(s); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	chatty := func(rw io.ReadWriter) error {
		got := make([]byte, 16)
		for i := range 200 {
			msg := fmt.Appendf(nil, "ping %d", i)
			if _, err := rw.Write(msg); err != nil {
				return err
			}
			if _, err := io.ReadFull(rw, got[:len(msg)]); err != nil {
				return err
			}
			if !bytes.Equal(got[:len(msg)], msg) {
				return fmt.Errorf("round %d: echo %q, sent %q", i, got[:len(msg)], msg)
			}
		}
		return nil
	}
	// echo sends payload from a goroutine while reading its echo, in
	// writes of chunk bytes; a reader that only starts once ahead bytes
	// are sent is a peer not reading its echo.
	echo := func(rw io.ReadWriter, size, chunk, ahead int) error {
		payload := make([]byte, size)
		rand.Read(payload)
		sent := make(chan int, size/chunk+1)
		errc := make(chan error, 1)
		go func() {
			defer close(sent)
			for off := 0; off < size; off += chunk {
				if _, err := rw.Write(payload[off:min(off+chunk, size)]); err != nil {
					errc <- err
					return
				}
				sent <- off + chunk
			}
			errc <- nil
		}()
		for n := range sent {
			if n >= ahead {
				break
			}
		}
		got := make([]byte, size)
		if _, err := io.ReadFull(rw, got); err != nil {
			return err
		}
		if err := <-errc; err != nil {
			return err
		}
		for range sent {
		}
		if !bytes.Equal(got, payload) {
			return fmt.Errorf("echo of %d bytes differs", size)
		}
		return nil
	}
	bulk := func(rw io.ReadWriter) error {
		for range rounds {
			if err := echo(rw, 1<<20, 256<<10, 0); err != nil {
				return err
			}
			// Then small again: through the buffer or back to the reactor.
			if err := chatty(rw); err != nil {
				return err
			}
		}
		return nil
	}
	slow := func(rw io.ReadWriter) error {
		for range rounds {
			if err := echo(rw, 2<<20, 1000, 1<<20); err != nil {
				return err
			}
			if err := chatty(rw); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range 8 {
		client(fmt.Sprint("chatty", i), chatty)
	}
	for i := range 4 {
		client(fmt.Sprint("bulk", i), bulk)
		client(fmt.Sprint("slow", i), slow)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
