package nlmsg

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSeeds checks that testdata/fuzz/FuzzParse holds the seeds the encoder
// makes today (so a codec change cannot leave stale seeds behind), and
// rewrites them when NLMSG_SEEDS=1.
func TestSeeds(t *testing.T) {
	write := os.Getenv("NLMSG_SEEDS") == "1"
	req := request(t)
	done := NewEncoder(Done, FMulti, 7)
	done.Fixed([]byte{0, 0, 0, 0})
	d, _ := done.Bytes()
	seeds := map[string][]byte{
		"newlink":     req,
		"dump":        append(append(append([]byte{}, req...), req...), d...),
		"ack":         errorMsg(0, req, false, nil),
		"extack":      errorMsg(-int32(syscall.EOPNOTSUPP), req, false, func(e *Encoder) { e.String(ErrAttrMsg, "Unknown device type"); e.Uint32(ErrAttrOffs, 36) }),
		"extack-cap":  errorMsg(-int32(syscall.EINVAL), req, true, func(e *Encoder) { e.Uint32(ErrAttrMissTyp, 3) }),
		"truncated":   req[:len(req)-3],
		"bad-attrlen": append(append([]byte{}, req[:HeaderLen+16]...), 2, 0, 1, 0),
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	for name, b := range seeds {
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		path := filepath.Join(dir, name)
		if write {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("seed %s is stale or missing (%v): run NLMSG_SEEDS=1 go test -run TestSeeds ./pkg/nlmsg", path, err)
		}
	}
}
