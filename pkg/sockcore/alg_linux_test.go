package sockcore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestALGAddrEncode(t *testing.T) {
	tests := []struct {
		name    string
		addr    ALGAddr
		wantErr error
	}{
		{"hash", ALGAddr{Type: "hash", Name: "sha256"}, nil},
		{"feat and mask", ALGAddr{Type: "aead", Name: "gcm(aes)", Feat: 1, Mask: 0x10}, nil},
		{"type of 13 bytes", ALGAddr{Type: strings.Repeat("t", 13), Name: "x"}, nil},
		{"type of 14 bytes", ALGAddr{Type: strings.Repeat("t", 14), Name: "x"}, ErrALGType},
		{"name of 63 bytes", ALGAddr{Type: "hash", Name: strings.Repeat("n", 63)}, nil},
		{"name of 64 bytes", ALGAddr{Type: "hash", Name: strings.Repeat("n", 64)}, ErrALGName},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := EncodeSockaddr(&tc.addr)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("EncodeSockaddr(%v) error = %v, want %v", tc.addr, err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if len(b) != unix.SizeofSockaddrALG {
				t.Fatalf("sockaddr_alg of %d bytes, want %d", len(b), unix.SizeofSockaddrALG)
			}
			// The kernel's layout: family, type[14], feat, mask, name[64].
			if got := binary.NativeEndian.Uint16(b); got != unix.AF_ALG {
				t.Errorf("salg_family = %d", got)
			}
			if got := string(bytes.TrimRight(b[2:16], "\x00")); got != tc.addr.Type {
				t.Errorf("salg_type = %q", got)
			}
			if got := string(bytes.TrimRight(b[24:88], "\x00")); got != tc.addr.Name {
				t.Errorf("salg_name = %q", got)
			}
			back, err := DecodeSockaddr(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tc.addr, back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestALGAddrRejectsNUL(t *testing.T) {
	if _, err := EncodeSockaddr(&ALGAddr{Type: "hash", Name: "sha\x00256"}); err == nil {
		t.Fatal("a name with a NUL byte was accepted")
	}
}

func TestBuildAFALGControl(t *testing.T) {
	// Layout on 64-bit Linux: a cmsghdr is 16 bytes (u64 len, i32 level,
	// i32 type); CMSG_LEN(4) = 20, CMSG_SPACE(4) = 24.
	hdr := func(clen uint64, typ int32) []byte {
		b := make([]byte, 16)
		binary.NativeEndian.PutUint64(b, clen)
		binary.NativeEndian.PutUint32(b[8:], unix.SOL_ALG)
		binary.NativeEndian.PutUint32(b[12:], uint32(typ))
		return b
	}
	u32 := func(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	iv := bytes.Repeat([]byte{0xaa}, 16)
	iv12 := bytes.Repeat([]byte{0xbb}, 12)
	tests := []struct {
		name     string
		op       int
		iv       []byte
		assoclen int
		want     []byte
	}{
		{"op only", unix.ALG_OP_ENCRYPT, nil, -1,
			cat(hdr(20, unix.ALG_SET_OP), u32(1), make([]byte, 4))},
		{"op and 16-byte IV", unix.ALG_OP_DECRYPT, iv, -1,
			cat(hdr(20, unix.ALG_SET_OP), u32(0), make([]byte, 4),
				// CPython sets the IV item's cmsg_len to CMSG_SPACE(4+16) = 40.
				hdr(40, unix.ALG_SET_IV), u32(16), iv, make([]byte, 4))},
		{"op, 12-byte IV and assoclen (gcm)", unix.ALG_OP_ENCRYPT, iv12, 16,
			cat(hdr(20, unix.ALG_SET_OP), u32(1), make([]byte, 4),
				hdr(32, unix.ALG_SET_IV), u32(12), iv12,
				hdr(20, unix.ALG_SET_AEAD_ASSOCLEN), u32(16), make([]byte, 4))},
		{"empty IV is still sent", unix.ALG_OP_ENCRYPT, []byte{}, 0,
			cat(hdr(20, unix.ALG_SET_OP), u32(1), make([]byte, 4),
				hdr(24, unix.ALG_SET_IV), u32(0), make([]byte, 4),
				hdr(20, unix.ALG_SET_AEAD_ASSOCLEN), u32(0), make([]byte, 4))},
	}
	if cmsgAlign != 8 || cmsgHdrLen != 16 {
		t.Skipf("layout table is for 64-bit Linux (cmsghdr %d bytes, alignment %d)", cmsgHdrLen, cmsgAlign)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BuildAFALGControl(tc.op, tc.iv, tc.assoclen)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("control buffer (-want +got):\n%s", diff)
			}
			// ParseControl reads the same items back.
			msgs, trunc := ParseControl(got)
			if trunc {
				t.Errorf("ParseControl reports truncation")
			}
			if msgs[0].Type != unix.ALG_SET_OP || binary.NativeEndian.Uint32(msgs[0].Data) != uint32(tc.op) {
				t.Errorf("op item = %+v", msgs[0])
			}
		})
	}
}

func TestBuildAFALGControlErrors(t *testing.T) {
	if _, err := BuildAFALGControl(-1, nil, -1); err == nil {
		t.Error("op -1 was accepted")
	}
}

func TestSendMsgAFALGNeedsALG(t *testing.T) {
	a, b, err := Pair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	if _, err := a.SendMsgAFALG([][]byte{[]byte("x")}, unix.ALG_OP_ENCRYPT, nil, -1, 0); !errors.Is(err, ErrNotALG) {
		t.Fatalf("SendMsgAFALG on AF_UNIX: %v, want ErrNotALG", err)
	}
}

func TestNewALGWithoutKernelSupport(t *testing.T) {
	s, err := New(unix.AF_ALG, unix.SOCK_SEQPACKET, 0)
	if err == nil {
		s.Close()
		t.Skip("this kernel has AF_ALG; the VM tier tests it")
	}
	var nse *NotSupportedError
	if !errors.As(err, &nse) || !errors.Is(err, unix.EAFNOSUPPORT) {
		t.Fatalf("New(AF_ALG) = %v, want a NotSupportedError wrapping EAFNOSUPPORT", err)
	}
	want := "AF_ALG is not available in this kernel (load the af_alg and algif_hash modules)"
	if err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}

func TestALGBindErrorIsTyped(t *testing.T) {
	enoent := os.NewSyscallError("bind", unix.ENOENT)
	err := wrapALGBindErr(enoent, &ALGAddr{Type: "hash", Name: "sha3-1024"})
	var nf *ALGNotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, unix.ENOENT) {
		t.Fatalf("wrapped error %v is not an ALGNotFoundError unwrapping to ENOENT", err)
	}
	if want := "the kernel has no algorithm sha3-1024 (or its module is blocked)"; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
	ebusy := os.NewSyscallError("bind", unix.EBUSY)
	if got := wrapALGBindErr(ebusy, &ALGAddr{Type: "hash", Name: "x"}); got != ebusy {
		t.Errorf("EBUSY was rewritten to %v", got)
	}
}

func TestSplicePipeIntoSocket(t *testing.T) {
	a, b, err := Pair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	msg := []byte("spliced without a user-space copy")
	if _, err := unix.Write(p[1], msg); err != nil {
		t.Fatal(err)
	}
	n, err := a.Splice(p[0], nil, len(msg), unix.SPLICE_F_MORE)
	if err != nil || n != len(msg) {
		t.Fatalf("Splice = %d, %v; want %d", n, err, len(msg))
	}
	got := make([]byte, len(msg))
	if _, err := b.RecvInto(got, unix.MSG_WAITALL); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(msg, got); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
}

func FuzzDecodeALG(f *testing.F) {
	seed, _ := EncodeSockaddr(&ALGAddr{Type: "hash", Name: "hmac(sha256)", Feat: 2, Mask: 3})
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 {
			return
		}
		binary.NativeEndian.PutUint16(b, unix.AF_ALG)
		a, err := DecodeSockaddr(b)
		if err != nil {
			return
		}
		alg := a.(*ALGAddr)
		// What decodes re-encodes to a sockaddr that decodes the same,
		// unless a field filled its array without a NUL (the kernel
		// never returns that: it terminates both).
		enc, err := EncodeSockaddr(alg)
		if errors.Is(err, ErrALGType) || errors.Is(err, ErrALGName) {
			return
		}
		if err != nil {
			t.Fatalf("decoded %v does not encode: %v", alg, err)
		}
		back, err := DecodeSockaddr(enc)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(alg, back); diff != "" {
			t.Errorf("(-first +second):\n%s", diff)
		}
	})
}
