package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/pkg/sockcore"
)

// TestListeningJSON: the --log-format json listening line is JSON for any
// LISTEN_FDNAMES name (a control byte, a quote, non-UTF-8), which %q was
// not, and keeps the old bytes for a plain one.
func TestListeningJSON(t *testing.T) {
	s, err := sockcore.New(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Bind(sockcore.AbstractUnixAddr("echod-json-test")); err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	printBound(&plain, "json", &listener{s: s, name: "echo"})
	if want := `{"listening":"unix://@echod-json-test","dual_stack":false,"name":"echo"}` + "\n"; plain.String() != want {
		t.Errorf("plain name: %q, want %q", plain.String(), want)
	}
	for _, name := range []string{"a\x01b", `q"uote`, "\xff\xfe", "<tag>&"} {
		var b bytes.Buffer
		printBound(&b, "json", &listener{s: s, name: name})
		var got struct {
			Listening string `json:"listening"`
			DualStack bool   `json:"dual_stack"`
			Name      string `json:"name"`
		}
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Errorf("name %q: invalid JSON %q: %v", name, b.String(), err)
			continue
		}
		want := name
		if name == "\xff\xfe" {
			want = "\ufffd\ufffd" // encoding/json's replacement of invalid UTF-8
		}
		if diff := cmp.Diff(want, got.Name); diff != "" {
			t.Errorf("name (-want +got):\n%s", diff)
		}
	}
}
