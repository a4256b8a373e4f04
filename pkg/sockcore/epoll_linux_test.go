package sockcore

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestEpoll(t *testing.T) {
	ep, err := NewEpoll()
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	a, b, err := Pair(0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	c, d, err := Pair(0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer d.Close()
	const tokA, tokC = 1 << 40, 7 // one above 32 bits: the whole u64 travels
	if err := ep.Register(a, unix.EPOLLIN, tokA); err != nil {
		t.Fatal(err)
	}
	if err := ep.Register(c, unix.EPOLLIN, tokC); err != nil {
		t.Fatal(err)
	}
	if err := ep.Register(c, unix.EPOLLIN, tokC); !errors.Is(err, unix.EEXIST) {
		t.Errorf("second Register: got %v, want EEXIST", err)
	}
	if err := ep.Register(a, unix.EPOLLIN, wakeToken); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Register with the reserved token: got %v, want EINVAL", err)
	}
	evs := make([]EpollEvent, 8)

	// Nothing ready: timeout 0 returns at once, a timeout after it.
	if n, err := ep.Poll(evs, 0); n != 0 || err != nil {
		t.Fatalf("Poll(0) with nothing ready = %d, %v", n, err)
	}
	if n, err := ep.Poll(evs, 20*time.Millisecond); n != 0 || err != nil {
		t.Fatalf("Poll(20ms) with nothing ready = %d, %v", n, err)
	}

	// Data on b's peer a: a's token, and level-triggered until read.
	if err := b.SendAll([]byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		n, err := ep.Poll(evs, -1)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]EpollEvent{{Token: tokA, Events: unix.EPOLLIN}}, evs[:n]); diff != "" {
			t.Fatalf("Poll (-want +got):\n%s", diff)
		}
	}
	a.SetTimeout(0)
	if got, err := a.Recv(8, 0); err != nil || string(got) != "x" {
		t.Fatalf("Recv = %q, %v", got, err)
	}

	// Wake from another goroutine ends a Poll that would wait forever.
	done := make(chan int)
	go func() {
		n, _ := ep.Poll(evs, -1)
		done <- n
	}()
	time.AfterFunc(10*time.Millisecond, func() { ep.Wake() })
	if n := <-done; n != 0 {
		t.Fatalf("woken Poll returned %d events", n)
	}

	// Modify changes the token; Unregister stops the reports; a peer that
	// closes shows as readable (recv returns 0).
	if err := ep.Modify(c, unix.EPOLLIN|unix.EPOLLRDHUP, tokC+1); err != nil {
		t.Fatal(err)
	}
	if err := ep.Unregister(a); err != nil {
		t.Fatal(err)
	}
	b.SendAll([]byte("y"), 0)
	d.Close()
	n, err := ep.Poll(evs, -1)
	if err != nil {
		t.Fatal(err)
	}
	want := []EpollEvent{{Token: tokC + 1, Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLHUP}}
	if diff := cmp.Diff(want, evs[:n]); diff != "" {
		t.Fatalf("Poll after Modify, Unregister and close (-want +got):\n%s", diff)
	}
	if err := ep.Unregister(a); !errors.Is(err, unix.ENOENT) {
		t.Errorf("Unregister twice: got %v, want ENOENT", err)
	}
	ep.Close()
	if _, err := ep.Poll(evs, 0); !errors.Is(err, unix.EBADF) {
		t.Errorf("Poll after Close: got %v, want EBADF", err)
	}
}
