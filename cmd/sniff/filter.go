package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
)

// compileFilter compiles a tcpdump expression with libpcap for a link type
// and snaplen (pcap_open_dead + pcap_compile: no capture is opened). The
// error is libpcap's own message.
func compileFilter(expr string, lt layers.LinkType, snaplen int) ([]unix.SockFilter, error) {
	return sockFilter(pcap.CompileBPFFilter(lt, snaplen, expr))(expr)
}

// sockFilter converts libpcap's compiled program, or reports its error as
// a usage error about expr.
func sockFilter(insns []pcap.BPFInstruction, err error) func(expr string) ([]unix.SockFilter, error) {
	return func(expr string) ([]unix.SockFilter, error) {
		if err != nil {
			return nil, cli.Usagef("filter %q: %w", expr, err)
		}
		prog := make([]unix.SockFilter, len(insns))
		for i, in := range insns {
			prog[i] = unix.SockFilter{Code: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
		}
		return prog, nil
	}
}

// parseDDD reads the output of tcpdump -ddd: a count line, then one
// "code jt jf k" line per instruction, all decimal.
func parseDDD(r io.Reader) ([]unix.SockFilter, error) {
	sc := bufio.NewScanner(r)
	var lines [][]string
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 0 {
			lines = append(lines, f)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(lines) == 0 || len(lines[0]) != 1 {
		return nil, fmt.Errorf("not tcpdump -ddd output: the first line must be the instruction count")
	}
	n, err := strconv.Atoi(lines[0][0])
	if err != nil || n <= 0 || n != len(lines)-1 {
		return nil, fmt.Errorf("not tcpdump -ddd output: count %q does not match %d instruction lines", lines[0][0], len(lines)-1)
	}
	prog := make([]unix.SockFilter, n)
	for i, f := range lines[1:] {
		if len(f) != 4 {
			return nil, fmt.Errorf("line %d: want 4 numbers, got %q", i+2, strings.Join(f, " "))
		}
		var v [4]uint64
		for j, s := range f {
			bits := []int{16, 8, 8, 32}[j]
			if v[j], err = strconv.ParseUint(s, 10, bits); err != nil {
				return nil, fmt.Errorf("line %d: %w", i+2, err)
			}
		}
		prog[i] = unix.SockFilter{Code: uint16(v[0]), Jt: uint8(v[1]), Jf: uint8(v[2]), K: uint32(v[3])}
	}
	if _, err := newVM(prog); err != nil {
		return nil, fmt.Errorf("invalid BPF program: %w", err)
	}
	return prog, nil
}

func rawInstructions(prog []unix.SockFilter) []bpf.RawInstruction {
	raw := make([]bpf.RawInstruction, len(prog))
	for i, p := range prog {
		raw[i] = bpf.RawInstruction{Op: p.Code, Jt: p.Jt, Jf: p.Jf, K: p.K}
	}
	return raw
}

// newVM returns a user-space interpreter for prog: files read with -r and
// the cooked -i any capture filter in user space.
func newVM(prog []unix.SockFilter) (*bpf.VM, error) {
	insns, ok := bpf.Disassemble(rawInstructions(prog))
	if !ok {
		return nil, fmt.Errorf("the program uses instructions only the kernel knows")
	}
	return bpf.NewVM(insns)
}

// printProgram writes prog like tcpdump -d: "(000) ldh [12]".
func printProgram(w io.Writer, prog []unix.SockFilter) {
	for i, r := range rawInstructions(prog) {
		fmt.Fprintf(w, "(%03d) %s\n", i, describe(r, i))
	}
}

func describe(r bpf.RawInstruction, pc int) string {
	if r.Op&0x07 == unix.BPF_JMP && r.Op&0xf0 != unix.BPF_JA {
		op := map[uint16]string{unix.BPF_JEQ: "jeq", unix.BPF_JGT: "jgt", unix.BPF_JGE: "jge", unix.BPF_JSET: "jset"}[r.Op&0xf0]
		arg := fmt.Sprintf("#0x%x", r.K)
		if r.Op&unix.BPF_X != 0 {
			arg = "x"
		}
		return fmt.Sprintf("%-9s%-17sjt %d\tjf %d", op, arg, pc+1+int(r.Jt), pc+1+int(r.Jf))
	}
	in := r.Disassemble()
	switch v := in.(type) {
	case bpf.LoadAbsolute:
		return fmt.Sprintf("%-9s[%d]", map[int]string{1: "ldb", 2: "ldh", 4: "ld"}[v.Size], v.Off)
	case bpf.LoadIndirect:
		return fmt.Sprintf("%-9s[x + %d]", map[int]string{1: "ldb", 2: "ldh", 4: "ld"}[v.Size], v.Off)
	case bpf.LoadMemShift:
		return fmt.Sprintf("%-9s4*([%d]&0xf)", "ldxb", v.Off)
	case bpf.LoadConstant:
		if v.Dst == bpf.RegX {
			return fmt.Sprintf("%-9s#0x%x", "ldx", v.Val)
		}
		return fmt.Sprintf("%-9s#0x%x", "ld", v.Val)
	case bpf.LoadExtension:
		return fmt.Sprintf("%-9s%s", "ld", extName(v.Num))
	case bpf.RetConstant:
		return fmt.Sprintf("%-9s#%d", "ret", v.Val)
	case bpf.Jump:
		return fmt.Sprintf("%-9s%d", "ja", pc+1+int(v.Skip))
	}
	// Everything else in x/net/bpf's assembler syntax.
	if s, ok := in.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("{ 0x%x, %d, %d, 0x%08x }", r.Op, r.Jt, r.Jf, r.K)
}

func extName(e bpf.Extension) string {
	switch e {
	case bpf.ExtLen:
		return "#pktlen"
	case bpf.ExtProto:
		return "#proto"
	case bpf.ExtType:
		return "#type"
	case bpf.ExtVLANTag:
		return "vlan_tci"
	case bpf.ExtVLANTagPresent:
		return "vlan_avail"
	case bpf.ExtInterfaceIndex:
		return "#ifidx"
	}
	return fmt.Sprintf("#ext%d", e)
}
