package cli_test

// The command-line rules every tool shares (README.md, "Command lines"),
// checked on the seven real binaries: usage errors, help, unknown commands,
// options after operands, --, --version and shell completion.

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/internal/testenv"
)

var tools = []string{"afalg-hash", "canrelay", "echocat", "echod", "fdpass", "resolve", "sniff"}

// suites are the tools with subcommands.
var suites = map[string]string{"canrelay": "send", "fdpass": "send", "resolve": "addrinfo"}

// binDir holds the seven tools: $SOCKCORE_BIN (make integration sets it), or
// a fresh build of ./cmd/... made by TestMain.
var binDir string

func TestMain(m *testing.M) {
	binDir = os.Getenv("SOCKCORE_BIN")
	if binDir == "" {
		dir, err := os.MkdirTemp("", "sockcore-cli-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		args := []string{"build", "-ldflags", "-X github.com/sockcore/sockcore/internal/cli.Date=2026-01-01", "-o", dir + "/"}
		for _, t := range tools {
			args = append(args, "../../cmd/"+t)
		}
		cmd := exec.Command("go", args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building the tools:", err)
			os.Exit(1)
		}
		binDir = dir
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs tool in dir (empty: the test's directory) with argv[0] the
// tool's name, so that its messages start with "tool: ".
func run(t *testing.T, dir, tool string, args ...string) result {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, tool), args...)
	cmd.Args[0] = tool
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%s: %v", tool, err)
	}
	return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
}

// wantUsageError checks the one rule for usage errors: one line on stderr
// naming the tool, nothing on stdout, exit 2.
func wantUsageError(t *testing.T, tool string, r result, want string) {
	t.Helper()
	if r.code != cli.ExitUsage || r.stdout != "" || !regexp.MustCompile(`^`+regexp.QuoteMeta(tool)+`: [^\n]+\n$`).MatchString(r.stderr) ||
		!strings.Contains(r.stderr, want) {
		t.Errorf("got exit %d, stdout %q, stderr %q; want exit 2, no stdout, one line %q on stderr containing %q",
			r.code, r.stdout, r.stderr, tool+": ...", want)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		tool string
		args []string
		want string
	}{
		{"afalg-hash", []string{"--nosuchflag"}, "flag provided but not defined: -nosuchflag"},
		{"afalg-hash", []string{"FILE", "--jobs", "x"}, `invalid value "x" for flag -jobs`},
		{"afalg-hash", []string{"-a"}, "flag needs an argument: -a"},
		{"echod", []string{"--nosuchflag"}, "flag provided but not defined"},
		{"echod", []string{"bogus", "--stats-interval", "1s"}, `unexpected argument "bogus"`},
		{"echod", []string{"--stats-interval", "x"}, "invalid value"},
		{"echocat", []string{"--nosuchflag", "localhost", "7"}, "flag provided but not defined"},
		{"echocat", []string{}, "missing address"},
		{"echocat", []string{"localhost", "7", "-w", "x"}, `-w "x": want a time such as 30, 30s, 500ms or 2m`},
		{"sniff", []string{"--nosuchflag"}, "flag provided but not defined"},
		{"sniff", []string{"-c", "x"}, `invalid value "x" for flag -c`},
		{"resolve", []string{"addrinfo", "--nosuchflag", "localhost"}, "flag provided but not defined"},
		{"resolve", []string{"addrinfo", "a", "b", "c"}, "addrinfo takes HOST [PORT], not 3 arguments"},
		{"resolve", []string{"addrinfo", "localhost", "-j", "x"}, "invalid value"},
		{"fdpass", []string{"recv", "--timeout", "1"}, `invalid value "1" for flag -timeout`},
		{"fdpass", []string{"recv", "--", "true"}, `Required flag "on" not set`},
		{"fdpass", []string{"--nosuchflag"}, "flag provided but not defined"},
		{"fdpass", []string{"info", "0", "--pid", "1"}, "give descriptor numbers or --pid, not both"},
		{"canrelay", []string{"send", "--repeat", "x"}, `invalid value "x" for flag -repeat`},
		{"canrelay", []string{"dump", "vcan0", "-n", "x"}, `invalid value "x" for flag -n`},
		{"canrelay", []string{"isotp", "send", "vcan0"}, `Required flags "rx, tx" not set`},
		{"canrelay", []string{"--nosuchflag"}, "flag provided but not defined"},
		// help is an operand of commands without subcommands.
		{"fdpass", []string{"info", "help"}, `"help" is not a descriptor number`},
	}
	for _, c := range cases {
		t.Run(c.tool+" "+strings.Join(c.args, " "), func(t *testing.T) {
			wantUsageError(t, c.tool, run(t, "", c.tool, c.args...), c.want)
		})
	}
}

func TestHelp(t *testing.T) {
	type helpCase struct {
		tool string
		args []string
		want string // in the help text
	}
	var cases []helpCase
	for _, tool := range tools {
		cases = append(cases, helpCase{tool, []string{"--help"}, "USAGE:"}, helpCase{tool, []string{"-h"}, "USAGE:"})
		if sub, ok := suites[tool]; ok {
			cases = append(cases,
				helpCase{tool, []string{"help"}, "COMMANDS:"},
				helpCase{tool, []string{"help", sub}, tool + " " + sub + " - "},
				helpCase{tool, []string{sub, "--help"}, tool + " " + sub + " - "})
		}
	}
	cases = append(cases, helpCase{"canrelay", []string{"help", "isotp"}, "canrelay isotp - "},
		helpCase{"canrelay", []string{"isotp", "help", "send"}, "canrelay isotp send - "})
	for _, c := range cases {
		t.Run(c.tool+" "+strings.Join(c.args, " "), func(t *testing.T) {
			r := run(t, "", c.tool, c.args...)
			if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, c.want) {
				t.Errorf("got exit %d, stderr %q, stdout %q; want exit 0, help containing %q on stdout", r.code, r.stderr, r.stdout, c.want)
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	for _, c := range []struct {
		tool string
		args []string
	}{
		{"resolve", []string{"bogus"}}, {"resolve", []string{"help", "bogus"}},
		{"fdpass", []string{"bogus", "0"}}, {"fdpass", []string{"help", "bogus"}},
		{"canrelay", []string{"bogus"}}, {"canrelay", []string{"help", "bogus"}}, {"canrelay", []string{"isotp", "bogus"}},
	} {
		t.Run(c.tool+" "+strings.Join(c.args, " "), func(t *testing.T) {
			wantUsageError(t, c.tool, run(t, "", c.tool, c.args...), `unknown command "bogus"`)
		})
	}
}

// TestOptionsAfterOperands runs, for every tool, a command line with an
// option after an operand (and one where -- makes an option-looking word an
// operand) that does real work on this host.
func TestOptionsAfterOperands(t *testing.T) {
	dir := t.TempDir()
	data := []byte("sockcore\n")
	for _, name := range []string{"file", "-a"} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum := sha1.Sum(data)
	sha1hex := hex.EncodeToString(sum[:])
	pcap := filepath.Join(dir, "four.pcap")
	if err := os.WriteFile(pcap, fourUDPPackets(), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	abstract := fmt.Sprintf("unix://@sockcore-cli-test-%d", os.Getpid())

	cases := []struct {
		name   string
		tool   string
		args   []string
		code   int
		stdout string // regexp the whole of stdout must match
		stderr string // regexp the whole of stderr must match
	}{
		{"afalg-hash FILE -a", "afalg-hash", []string{"file", "-a", "sha1", "--backend", "go"}, 0, "^" + sha1hex + "  file\n$", "^$"},
		{"afalg-hash -- -a", "afalg-hash", []string{"--backend", "go", "--algorithm", "sha1", "--", "-a"}, 0, "^" + sha1hex + "  -a\n$", "^$"},
		{"echocat HOST PORT -z -v", "echocat", []string{"127.0.0.1", port, "-z", "-v"}, 0, "", ""},
		{"echocat -z -- HOST PORT", "echocat", []string{"-z", "--", "127.0.0.1", port}, 0, "", ""},
		{"echod operand then option", "echod", []string{"bogus", "--stats-interval", "1s"}, 2, "^$", `^echod: unexpected argument "bogus"`},
		{"sniff -r FILE -c 3", "sniff", []string{"-r", pcap, "-c", "3"}, 0, `^([^\n]*UDP[^\n]*\n){3}$`, ""},
		{"sniff -r FILE udp -c 3 -n", "sniff", []string{"-r", pcap, "udp", "-c", "3", "-n"}, 0, `^([^\n]*UDP[^\n]*\n){3}$`, ""},
		// Bundled short options (-n and -r FILE), counted ones (-xx: the link header too).
		{"sniff FILTER -nr FILE -xx", "sniff", []string{"udp", "-nr", pcap, "-c", "1", "-xx", "-tt"}, 0,
			`^1700000000\.000000 IP 10\.0\.0\.1\.1000 > 10\.0\.0\.2\.2000: UDP, length 4\n\t0x0000:  0200 0000 0002 0200 0000 0001 0800 4500\n(\t[^\n]*\n){2}$`, ""},
		{"sniff -- filter", "sniff", []string{"-r", pcap, "-c", "1", "--", "udp"}, 0, `^[^\n]*UDP[^\n]*\n$`, ""},
		{"resolve addrinfo NAME --json", "resolve", []string{"addrinfo", "localhost", "--json"}, 0, `^\{"ok":true,.*\}\n$`, "^$"},
		{"resolve addrinfo NAME --format getent", "resolve", []string{"addrinfo", "localhost", "--format", "getent", "-4"}, 0, `^127\.0\.0\.1 +STREAM localhost\n`, "^$"},
		{"resolve addrinfo NAME -4", "resolve", []string{"addrinfo", "localhost", "-4", "--type", "stream"}, 0, `^inet +stream +tcp +127\.0\.0\.1:0\n$`, "^$"},
		{"resolve fqdn -- --json", "resolve", []string{"fqdn", "--", "--json"}, 0, "^--json\n$", "^$"},
		{"canrelay dump IFACE -n", "canrelay", []string{"dump", "vcan0", "-n", "x"}, 2, "^$", `^canrelay: invalid value "x" for flag -n`},
		{"canrelay send -- IFACE FRAME", "canrelay", []string{"send", "--", "vcan0", "--repeat"}, 2, "^$", `^canrelay: frame "--repeat": malformed`},
		{"fdpass send FD --to", "fdpass", []string{"send", "0", "--to", filepath.Join(dir, "nosuch.sock")}, 8, "^$", `^fdpass: connect to .*nosuch\.sock: no such socket`},
		{"fdpass activate COMMAND -c", "fdpass", []string{"activate", "-l", abstract, "sh", "-c", "echo $LISTEN_FDS"}, 0, "^1\n$", "^$"},
		{"fdpass activate -- COMMAND -c", "fdpass", []string{"activate", "-l", abstract, "--", "sh", "-c", "echo ok"}, 0, "^ok\n$", "^$"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, dir, c.tool, c.args...)
			if r.code != c.code || !regexp.MustCompile(c.stdout).MatchString(r.stdout) || !regexp.MustCompile(c.stderr).MatchString(r.stderr) {
				t.Errorf("%s %q: got exit %d, stdout %q, stderr %q; want exit %d, stdout matching %q, stderr matching %q",
					c.tool, c.args, r.code, r.stdout, r.stderr, c.code, c.stdout, c.stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	b, err := os.ReadFile("../../VERSION")
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimSpace(string(b))
	if version != cli.Version {
		t.Errorf("VERSION says %q, internal/cli.Version %q: keep them in step", version, cli.Version)
	}
	for _, tool := range tools {
		r := run(t, "", tool, "--version")
		re := `^` + regexp.QuoteMeta(tool+" "+version) + ` \(([0-9a-f]{7,40}(-dirty)?|unknown), go1\.[0-9]+[^)]*\)\n$`
		if r.code != 0 || r.stderr != "" || !regexp.MustCompile(re).MatchString(r.stdout) {
			t.Errorf("%s --version: got exit %d, stdout %q, stderr %q; want %s", tool, r.code, r.stdout, r.stderr, re)
		}
	}
}

// TestManPage renders every tool's man page and has groff (and mandoc, at
// warning level) check it; the page has the sections of a manual in order
// and carries docs/TOOL.md's text.
func TestManPage(t *testing.T) {
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff is not installed (apt-get install groff-base)")
	}
	mandoc, err := exec.LookPath("mandoc")
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatal("CI=true and mandoc is not installed (apt-get install mandoc; make deps does it)")
	}
	sections := []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"}
	for _, tool := range tools {
		r := run(t, "", tool, "--man-page")
		if r.code != 0 || !strings.Contains(r.stdout, ".SH EXIT STATUS") {
			t.Fatalf("%s --man-page: exit %d, stderr %q", tool, r.code, r.stderr)
		}
		var got []string
		for _, l := range strings.Split(r.stdout, "\n") {
			if h, ok := strings.CutPrefix(l, ".SH "); ok && h != "COMMANDS" {
				got = append(got, h)
			}
		}
		if diff := cmp.Diff(sections, got); diff != "" {
			t.Errorf("%s: man page sections (-want +got):\n%s", tool, diff)
		}
		cmd := exec.Command(groff, "-man", "-ww", "-z")
		cmd.Stdin = strings.NewReader(r.stdout)
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("%s: groff -man -ww -z: %v\n%s", tool, err, out)
		}
		if mandoc != "" {
			cmd := exec.Command(mandoc, "-Tlint", "-W", "warning")
			cmd.Stdin = strings.NewReader(r.stdout)
			if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("%s: mandoc -Tlint -W warning: %v\n%s", tool, err, out)
			}
		}
		// The manual's plain sentences appear in the rendered page.
		cmd = exec.Command(groff, "-man", "-Tascii", "-rHY=0", "-P-cbou")
		cmd.Stdin = strings.NewReader(r.stdout)
		text, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: groff -Tascii: %v", tool, err)
		}
		page := strings.Join(strings.Fields(string(text)), " ")
		md, err := os.ReadFile("../../docs/" + tool + ".md")
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, l := range strings.Split(string(md), "\n") {
			l = strings.TrimSpace(l)
			if len(l) < 40 || strings.ContainsAny(l, "`*[]|<>\\#$_'\"") || strings.HasPrefix(l, "-") || !utf8ASCII(l) {
				continue
			}
			checked++
			if !strings.Contains(page, strings.Join(strings.Fields(l), " ")) {
				t.Errorf("%s: the man page lacks the manual's line %q", tool, l)
			}
		}
		if checked < 5 {
			t.Errorf("%s: only %d plain lines of docs/%s.md checked", tool, checked, tool)
		}
	}
}

func utf8ASCII(s string) bool {
	for _, r := range s {
		if r >= 0x80 {
			return false
		}
	}
	return true
}

// TestCompletion loads each tool's completion scripts in their shells and
// completes a subcommand and a flag through them.
func TestCompletion(t *testing.T) {
	path := binDir + string(os.PathListSeparator) + os.Getenv("PATH")
	shellRun := func(t *testing.T, shell string, args ...string) string {
		t.Helper()
		cmd := exec.Command(shell, args...)
		cmd.Env = append(os.Environ(), "PATH="+path)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", shell, args, err, out)
		}
		return string(out)
	}
	dir := t.TempDir()
	for _, tool := range tools {
		for _, shell := range []string{"bash", "zsh", "fish"} {
			r := run(t, "", tool, "completion", shell)
			if r.code != 0 || r.stderr != "" || r.stdout == "" {
				t.Fatalf("%s completion %s: exit %d, stderr %q", tool, shell, r.code, r.stderr)
			}
			script := filepath.Join(dir, tool+"."+shell)
			if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	// complete returns the candidates a shell offers for line (the last
	// word is the one being completed).
	completeBash := func(t *testing.T, tool, line string) []string {
		const bashCompletion = "/usr/share/bash-completion/bash_completion"
		if _, err := os.Stat(bashCompletion); err != nil {
			t.Skipf("bash-completion is not installed (apt-get install bash-completion): %v", err)
		}
		words := strings.Fields(line)
		if strings.HasSuffix(line, " ") {
			words = append(words, "")
		}
		var q []string
		for _, w := range words {
			q = append(q, fmt.Sprintf("%q", w))
		}
		fn := "__" + tool + "_bash_autocomplete"
		prog := fmt.Sprintf(`source %s; source %s; COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE=%q; COMP_POINT=${#COMP_LINE}; %s; printf '%%s\n' "${COMPREPLY[@]}"`,
			bashCompletion, filepath.Join(dir, tool+".bash"), strings.Join(q, " "), len(words)-1, line, fn)
		return strings.Fields(shellRun(t, "bash", "-c", prog))
	}
	completeFish := func(t *testing.T, tool, line string) []string {
		if _, err := exec.LookPath("fish"); err != nil {
			t.Skip("fish is not installed (apt-get install fish)")
		}
		out := shellRun(t, "fish", "--no-config", "-c", fmt.Sprintf("source %s; complete -C %q", filepath.Join(dir, tool+".fish"), line))
		var c []string
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) > 0 {
				c = append(c, f[0])
			}
		}
		return c
	}

	cases := []struct {
		tool, line, want string
	}{
		{"resolve", "resolve addr", "addrinfo"},
		{"resolve", "resolve addrinfo --js", "--json"},
		{"fdpass", "fdpass act", "activate"},
		{"canrelay", "canrelay isotp ", "send"},
		{"canrelay", "canrelay tunnel --pe", "--peer"},
		{"afalg-hash", "afalg-hash --algo", "--algorithm"},
		{"echocat", "echocat --ver", "--verify"},
		{"echod", "echod --lis", "--listen"},
		{"sniff", "sniff --time-stamp-p", "--time-stamp-precision"},
		// Values of flags.
		{"sniff", "sniff -i ", "lo"},
		{"sniff", "sniff -c 1 --interface ", "any"},
		{"afalg-hash", "afalg-hash -a ", "sha256"},
		{"echod", "echod --listen ", "tcp"},
		{"fdpass", "fdpass send --listen ", "unix"},
	}
	for _, c := range cases {
		for shell, complete := range map[string]func(*testing.T, string, string) []string{"bash": completeBash, "fish": completeFish} {
			t.Run(shell+" "+c.line, func(t *testing.T) {
				got := complete(t, c.tool, c.line)
				found := false
				for _, g := range got {
					found = found || g == c.want
				}
				if !found {
					t.Errorf("%s completes %q to %q, want %q among them", shell, c.line, got, c.want)
				}
			})
		}
	}
	t.Run("syntax", func(t *testing.T) {
		for _, tool := range tools {
			shellRun(t, "bash", "-n", filepath.Join(dir, tool+".bash"))
			if _, err := exec.LookPath("zsh"); err == nil {
				shellRun(t, "zsh", "-n", filepath.Join(dir, tool+".zsh"))
			}
			if _, err := exec.LookPath("fish"); err == nil {
				shellRun(t, "fish", "--no-execute", filepath.Join(dir, tool+".fish"))
			}
		}
	})
}

// fourUDPPackets is a pcap file (microsecond, Ethernet) of four UDP
// datagrams from 10.0.0.1:1000 to 10.0.0.2:2000.
func fourUDPPackets() []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], 1) // LINKTYPE_ETHERNET
	b.Write(hdr)
	for i := range 4 {
		payload := []byte{byte(i), 'x', 'y', 'z'}
		udp := make([]byte, 8, 8+len(payload))
		binary.BigEndian.PutUint16(udp[0:], 1000)
		binary.BigEndian.PutUint16(udp[2:], 2000)
		binary.BigEndian.PutUint16(udp[4:], uint16(8+len(payload)))
		udp = append(udp, payload...)
		ip := []byte{0x45, 0, 0, 0, 0, byte(i), 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(udp)))
		binary.BigEndian.PutUint16(ip[10:], testenv.IPv4Checksum(ip))
		eth := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00}
		frame := append(append(eth, ip...), udp...)
		rec := make([]byte, 16)
		le.PutUint32(rec[0:], uint32(1700000000+i))
		le.PutUint32(rec[8:], uint32(len(frame)))
		le.PutUint32(rec[12:], uint32(len(frame)))
		b.Write(rec)
		b.Write(frame)
	}
	return b.Bytes()
}
