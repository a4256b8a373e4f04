package nlmsg

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteSeeds regenerates testdata/fuzz/FuzzParse when NLMSG_SEEDS=1.
func TestWriteSeeds(t *testing.T) {
	if os.Getenv("NLMSG_SEEDS") != "1" {
		t.Skip("set NLMSG_SEEDS=1 to rewrite testdata/fuzz/FuzzParse")
	}
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
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range seeds {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
