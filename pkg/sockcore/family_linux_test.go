package sockcore

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// familySamples holds one address of every concrete Addr type. A new address
// type must add a sample here (TestFamilyTableComplete finds the types in
// the package's source) and its family a row in the families table.
var familySamples = []Addr{
	&InetAddr{IP: netip.MustParseAddr("192.0.2.1"), Port: 80},
	&Inet6Addr{IP: netip.MustParseAddr("2001:db8::1"), Port: 443, FlowInfo: 7, ScopeID: 2},
	&UnixAddr{Name: "/run/x.sock"},
	&NetlinkAddr{PID: 12, Groups: 1},
	&PacketAddr{Ifindex: 1, Proto: unix.ETH_P_IP, HAType: unix.ARPHRD_ETHER, Addr: []byte{2, 0, 0, 0, 0, 1}},
	&CANAddr{Kind: CANKindRaw, Ifindex: 3},
	&ALGAddr{Type: "hash", Name: "sha256"},
	&TIPCAddr{AddrType: unix.TIPC_ADDR_ID, V1: 1, V2: 2},
	&VSockAddr{CID: 3, Port: 1024},
	&QIPCRTRAddr{Node: 1, Port: 2},
	&L2CAPAddr{BDAddr: BDAddr{1, 2, 3, 4, 5, 6}, PSM: 1},
	&RFCOMMAddr{BDAddr: BDAddr{1, 2, 3, 4, 5, 6}, Channel: 3},
	&SCOAddr{BDAddr: BDAddr{1, 2, 3, 4, 5, 6}},
	&HCIAddr{Dev: 0, Channel: 1},
}

// TestFamilyTableComplete: every family row has a name the constant table
// agrees with, a decoder (its own or the family whose sockaddrs it uses),
// and a hint unless every kernel has it; every concrete address type of the
// package has a sample whose family has a row and which decodes back to its
// own type, never to RawAddr.
func TestFamilyTableComplete(t *testing.T) {
	for fam, f := range families {
		t.Run(f.name, func(t *testing.T) {
			if v, ok := ConstantByName(f.name); !ok || v != fam {
				t.Errorf("ConstantByName(%q) = %d, %v; the row is family %d", f.name, v, ok, fam)
			}
			if FamilyName(fam) != f.name {
				t.Errorf("FamilyName(%d) = %q, want %q", fam, FamilyName(fam), f.name)
			}
			if f.decode == nil && (f.addrOf == 0 || families[f.addrOf].decode == nil) {
				t.Errorf("%s has no decoder: its sockaddrs would decode as RawAddr", f.name)
			}
			if f.decode != nil && f.addrOf != 0 {
				t.Errorf("%s has both a decoder and addrOf", f.name)
			}
			if f.builtin == (f.fix != "") {
				t.Errorf("%s: builtin %v with fix %q; a family the kernel may lack needs the fix, a builtin one none", f.name, f.builtin, f.fix)
			}
		})
	}

	sampled := map[string]bool{}
	covered := map[int]bool{unix.AF_UNSPEC: true}
	for _, a := range familySamples {
		typ := reflect.TypeOf(a).Elem().Name()
		sampled[typ] = true
		t.Run(typ, func(t *testing.T) {
			f, ok := families[a.Family()]
			if !ok || f.decode == nil {
				t.Fatalf("family %d of %s has no decoding row in families", a.Family(), typ)
			}
			covered[a.Family()] = true
			b, err := EncodeSockaddr(a)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeSockaddr(b)
			if err != nil {
				t.Fatal(err)
			}
			if reflect.TypeOf(got) != reflect.TypeOf(a) {
				t.Fatalf("DecodeSockaddr(%s) = %T, want %T", typ, got, a)
			}
			again, err := EncodeSockaddr(got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(b, again); diff != "" {
				t.Errorf("re-encoding (-want +got):\n%s", diff)
			}
		})
	}
	for fam, f := range families {
		if f.decode != nil && !covered[fam] {
			t.Errorf("%s has a decoder but no address in familySamples", f.name)
		}
	}
	for _, typ := range addrTypesInSource(t) {
		if typ != "RawAddr" && !sampled[typ] {
			t.Errorf("address type %s has no sample in familySamples (and maybe no row in families)", typ)
		}
	}
}

// addrTypesInSource names the types of the package that have a sockaddr
// method, that is every concrete address type.
func addrTypesInSource(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "sockaddr" {
				continue
			}
			rt := fn.Recv.List[0].Type
			if star, ok := rt.(*ast.StarExpr); ok {
				rt = star.X
			}
			if id, ok := rt.(*ast.Ident); ok {
				types = append(types, id.Name)
			}
		}
	}
	if len(types) == 0 {
		t.Fatal("found no sockaddr methods in the package's source")
	}
	return types
}

// TestFamilyTableHints: New's EAFNOSUPPORT and EPROTONOSUPPORT name the
// row's fix, and AF_ALG keeps its bind error mapping.
func TestFamilyTableHints(t *testing.T) {
	err := wrapSocketErr(unix.EAFNOSUPPORT, unix.AF_VSOCK, unix.SOCK_STREAM, 0)
	var ns *NotSupportedError
	if !errors.As(err, &ns) || ns.What != "AF_VSOCK" || ns.Fix != families[unix.AF_VSOCK].fix {
		t.Errorf("wrapSocketErr(AF_VSOCK) = %#v", err)
	}
	err = wrapSocketErr(unix.EPROTONOSUPPORT, unix.AF_CAN, unix.SOCK_DGRAM, unix.CAN_ISOTP)
	if !errors.As(err, &ns) || ns.What != "CAN_ISOTP over AF_CAN" || ns.Fix != "load the can_isotp module" {
		t.Errorf("wrapSocketErr(CAN_ISOTP) = %#v", err)
	}
	err = wrapSocketErr(unix.EPROTONOSUPPORT, unix.AF_TIPC, unix.SOCK_RDM, 5)
	if !errors.As(err, &ns) || ns.Fix != families[unix.AF_TIPC].fix {
		t.Errorf("wrapSocketErr(AF_TIPC proto 5) = %#v", err)
	}
	if families[unix.AF_ALG].bindErr == nil {
		t.Error("AF_ALG lost its bind error mapping (a missing algorithm would say ENOENT)")
	}
}
