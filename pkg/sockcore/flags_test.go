package sockcore

import (
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestMsgDontwait: MSG_DONTWAIT makes one call non-blocking in blocking
// mode (Python raises BlockingIOError); in timeout mode Python waits for
// readiness first, so the timeout still applies.
func TestMsgDontwait(t *testing.T) {
	ops := []struct {
		name string
		run  func(s *Socket) error
	}{
		{"Recv", func(s *Socket) error { _, err := s.Recv(10, unix.MSG_DONTWAIT); return err }},
		{"RecvFrom", func(s *Socket) error { _, _, err := s.RecvFrom(10, unix.MSG_DONTWAIT); return err }},
		{"RecvMsg", func(s *Socket) error { _, _, _, _, err := s.RecvMsg(10, 0, unix.MSG_DONTWAIT); return err }},
	}
	for _, op := range ops {
		t.Run(op.name+"/blocking", func(t *testing.T) {
			a, _ := mustPair(t, unix.SOCK_STREAM)
			done := make(chan error, 1)
			go func() { done <- op.run(a) }()
			select {
			case err := <-done:
				if !isErrno(err, unix.EAGAIN) {
					t.Errorf("%s(MSG_DONTWAIT) = %v; want EAGAIN", op.name, err)
				}
			case <-time.After(10 * time.Second): // a failure bound, not a wait
				a.Close()
				t.Fatalf("%s(MSG_DONTWAIT) in blocking mode blocked", op.name)
			}
		})
		t.Run(op.name+"/timeout", func(t *testing.T) {
			a, _ := mustPair(t, unix.SOCK_STREAM)
			a.SetTimeout(20 * time.Millisecond)
			if err := op.run(a); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("%s(MSG_DONTWAIT) in timeout mode = %v; want a timeout", op.name, err)
			}
		})
	}
	t.Run("Send/blocking", func(t *testing.T) {
		a, _ := mustPair(t, unix.SOCK_STREAM)
		done := make(chan error, 1)
		go func() {
			for {
				if _, err := a.Send(make([]byte, 65536), unix.MSG_DONTWAIT); err != nil {
					done <- err
					return
				}
			}
		}()
		select {
		case err := <-done:
			if !isErrno(err, unix.EAGAIN) {
				t.Errorf("Send(MSG_DONTWAIT) on a full buffer = %v; want EAGAIN", err)
			}
		case <-time.After(10 * time.Second): // a failure bound, not a wait
			a.Close()
			t.Fatal("Send(MSG_DONTWAIT) in blocking mode blocked")
		}
	})
}

// TestMsgWaitall: in blocking mode MSG_WAITALL waits for the whole buffer
// (the kernel does so on Python's blocking descriptor); in timeout mode
// Python returns what has arrived.
func TestMsgWaitall(t *testing.T) {
	t.Run("blocking", func(t *testing.T) {
		a, b := mustPair(t, unix.SOCK_STREAM)
		a.Send([]byte("ab"), 0)
		ch := make(chan result, 1)
		go func() {
			got, err := b.Recv(4, unix.MSG_WAITALL)
			ch <- result{got, err}
		}()
		buf := make([]byte, 1<<20)
		for sent := false; ; {
			select {
			case r := <-ch:
				if r.err != nil || string(r.b) != "abcd" {
					t.Errorf("Recv(4, MSG_WAITALL) = %q, %v; want abcd", r.b, r.err)
				}
				return
			default:
			}
			if !sent && blockedNowBuf("TestMsgWaitall.func1.1", buf) {
				a.Send([]byte("cd"), 0)
				sent = true
			}
		}
	})
	t.Run("end of stream", func(t *testing.T) {
		a, b := mustPair(t, unix.SOCK_STREAM)
		a.Send([]byte("ab"), 0)
		a.Shutdown(unix.SHUT_WR)
		if got, err := b.Recv(4, unix.MSG_WAITALL); err != nil || string(got) != "ab" {
			t.Errorf("Recv(4, MSG_WAITALL) before EOF = %q, %v; want ab", got, err)
		}
	})
	t.Run("timeout mode returns what arrived", func(t *testing.T) {
		a, b := mustPair(t, unix.SOCK_STREAM)
		b.SetTimeout(5 * time.Second)
		a.Send([]byte("ab"), 0)
		if got, err := b.Recv(4, unix.MSG_WAITALL); err != nil || string(got) != "ab" {
			t.Errorf("Recv(4, MSG_WAITALL) = %q, %v; want ab", got, err)
		}
	})
}

func TestNegativeSizes(t *testing.T) {
	a, _ := mustPair(t, unix.SOCK_STREAM)
	if _, err := a.Recv(-1, 0); err == nil {
		t.Error("Recv(-1) succeeded")
	}
	if _, _, err := a.RecvFrom(-1, 0); err == nil {
		t.Error("RecvFrom(-1) succeeded")
	}
}

// TestMsgTrunc: with MSG_TRUNC a datagram socket reports the datagram's
// real length. RecvInto and RecvFromInto return it as Python does; Recv,
// RecvFrom and RecvMsg return the bytes that fit.
func TestMsgTrunc(t *testing.T) {
	r := mustNew(t, unix.AF_INET, unix.SOCK_DGRAM, 0)
	r.Bind(loopback(unix.AF_INET))
	r.SetTimeout(10 * time.Second)
	ra, _ := r.SockName()
	s := mustNew(t, unix.AF_INET, unix.SOCK_DGRAM, 0)
	send := func() {
		t.Helper()
		if _, err := s.SendTo([]byte("0123456789"), 0, ra); err != nil {
			t.Fatal(err)
		}
	}
	send()
	if got, err := r.Recv(4, unix.MSG_TRUNC); err != nil || string(got) != "0123" {
		t.Errorf("Recv(4, MSG_TRUNC) = %q, %v; want 0123", got, err)
	}
	send()
	if got, _, err := r.RecvFrom(4, unix.MSG_TRUNC); err != nil || string(got) != "0123" {
		t.Errorf("RecvFrom(4, MSG_TRUNC) = %q, %v; want 0123", got, err)
	}
	send()
	buf := make([]byte, 4)
	if n, err := r.RecvInto(buf, unix.MSG_TRUNC); err != nil || n != 10 || string(buf) != "0123" {
		t.Errorf("RecvInto(MSG_TRUNC) = %d %q, %v; want 10 0123", n, buf, err)
	}
	send()
	if n, _, err := r.RecvFromInto(buf, unix.MSG_TRUNC); err != nil || n != 10 {
		t.Errorf("RecvFromInto(MSG_TRUNC) = %d, %v; want 10", n, err)
	}
	send()
	got, _, flags, _, err := r.RecvMsg(4, 0, unix.MSG_TRUNC)
	if err != nil || string(got) != "0123" || flags&unix.MSG_TRUNC == 0 {
		t.Errorf("RecvMsg(4, MSG_TRUNC) = %q flags %#x, %v; want 0123 with MSG_TRUNC", got, flags, err)
	}
}
