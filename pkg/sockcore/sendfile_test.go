package sockcore

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func tempFile(t *testing.T, data []byte) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "sendfile")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	return f
}

// drain reads everything from s until the peer shuts down its write side.
func drain(s *Socket) chan []byte {
	ch := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(s)
		ch <- b
	}()
	return ch
}

func TestSendFile(t *testing.T) {
	data := make([]byte, 300000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	tests := []struct {
		name          string
		offset, count int64
		want          []byte
	}{
		{"whole", 0, 0, data},
		{"offset and count", 10, 100, data[10:110]},
		{"count past the end", 299990, 100, data[299990:]},
		{"offset at the end", 300000, 0, nil},
		{"offset past the end", 400000, 5, nil},
		{"negative count is to the end", 5, -1, data[5:]},
	}
	for _, fam := range []int{unix.AF_INET, unix.AF_UNIX} {
		for _, tt := range tests {
			t.Run(FamilyName(fam)+"/"+tt.name, func(t *testing.T) {
				var a, b *Socket
				if fam == unix.AF_UNIX {
					a, b = mustPair(t, unix.SOCK_STREAM)
				} else {
					a, b = tcpPair(t, fam)
				}
				f := tempFile(t, data)
				f.Seek(12345, io.SeekStart) // SendFile ignores the position
				got := drain(b)
				n, err := a.SendFile(f, tt.offset, tt.count)
				a.Shutdown(unix.SHUT_WR)
				if err != nil || n != int64(len(tt.want)) {
					t.Fatalf("SendFile = %d, %v; want %d", n, err, len(tt.want))
				}
				if b := <-got; !bytes.Equal(b, tt.want) {
					t.Errorf("peer received %d bytes; want %d (content equal: %v)", len(b), len(tt.want), bytes.Equal(b, tt.want))
				}
				if len(tt.want) > 0 {
					if pos, _ := f.Seek(0, io.SeekCurrent); pos != tt.offset+n {
						t.Errorf("file position %d; want %d", pos, tt.offset+n)
					}
				}
			})
		}
	}
}

// TestSendFilePipe: a pipe cannot be sendfile(2)'s source; SendFile falls
// back to read and send.
func TestSendFilePipe(t *testing.T) {
	for _, count := range []int64{0, 1000} {
		a, b := mustPair(t, unix.SOCK_STREAM)
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		data := bytes.Repeat([]byte("pipe"), 50000)
		go func() { w.Write(data); w.Close() }()
		got := drain(b)
		n, err := a.SendFile(r, 0, count)
		r.Close()
		a.Shutdown(unix.SHUT_WR)
		want := data
		if count > 0 {
			want = data[:count]
		}
		if err != nil || n != int64(len(want)) {
			t.Fatalf("SendFile(pipe, count %d) = %d, %v; want %d", count, n, err, len(want))
		}
		if b := <-got; !bytes.Equal(b, want) {
			t.Errorf("count %d: peer received %d bytes; want %d", count, len(b), len(want))
		}
	}
}

func TestSendFileRefusals(t *testing.T) {
	f := tempFile(t, []byte("data"))
	u := mustNew(t, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if _, err := u.SendFile(f, 0, 0); !errors.Is(err, ErrSendFileType) {
		t.Errorf("SendFile on UDP = %v; want ErrSendFileType", err)
	}
	a, _ := mustPair(t, unix.SOCK_STREAM)
	a.SetBlocking(false)
	if _, err := a.SendFile(f, 0, 0); !errors.Is(err, ErrSendFileNonblocking) {
		t.Errorf("SendFile non-blocking = %v; want ErrSendFileNonblocking", err)
	}
	a.SetBlocking(true)
	if _, err := a.SendFile(f, -1, 0); err == nil {
		t.Error("SendFile with a negative offset succeeded")
	}
}
