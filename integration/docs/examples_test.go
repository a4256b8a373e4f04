package docs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockcore/sockcore/internal/testenv"
	"github.com/sockcore/sockcore/pkg/sockcore"
	"golang.org/x/sys/unix"
)

// command is one prompt line of an example and what the doc says it does.
type command struct {
	line int    // in the markdown file
	text string // without the prompt
	bg   bool   // ends in "&"
	exit int    // expected exit code; -1: not checked
}

// outLine is one expected output line.
type outLine struct {
	line int
	text string
}

type example struct {
	file  string // relative to the module root
	line  int    // of the opening fence
	cmds  []command
	want  []outLine
	skip  string   // from "skip"
	needs []string // from "needs"
	setup []string
	srv   []server
	sock  string // wait-socket
	stop  bool
}

type server struct{ cmd, ready string }

var (
	directiveRE = regexp.MustCompile(`^<!--\s*example:\s*(\S+)\s*(.*?)\s*-->\s*$`)
	exitLineRE  = regexp.MustCompile(`^\[exit (\d+)\]$`)
	exitNoteRE  = regexp.MustCompile(`#[^#'"]*\bexit (\d+)\b[^#'"]*$`)
)

// markdownFiles lists *.md at the module root and under docs/.
func markdownFiles(t *testing.T, root string) []string {
	var files []string
	for _, pat := range []string{"*.md", "docs/*.md"} {
		m, err := filepath.Glob(filepath.Join(root, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	return files
}

// parse extracts the examples of one markdown file.
func parse(t *testing.T, name string, data []byte) []example {
	var (
		exs     []example
		pending []string // directives seen since the last block
		in      bool
		cur     *example
		prompt  string
		first   bool
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		l := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			if !in {
				in, first = true, true
				cur = &example{file: name, line: n}
				for _, d := range pending {
					applyDirective(t, cur, name, d)
				}
				pending = nil
				continue
			}
			in = false
			if cur.cmds != nil {
				exs = append(exs, *cur)
			}
			cur = nil
			continue
		}
		if !in {
			if m := directiveRE.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
				pending = append(pending, l)
			} else if strings.TrimSpace(l) != "" {
				pending = nil
			}
			continue
		}
		if first {
			first = false
			switch {
			case strings.HasPrefix(l, "$ "):
				prompt = "$ "
			case strings.HasPrefix(l, "# "):
				prompt = "# "
			default:
				prompt = "" // not an example: keep reading to its end
			}
		}
		if prompt == "" {
			continue
		}
		if strings.HasPrefix(l, prompt) {
			text := strings.TrimPrefix(l, prompt)
			c := command{line: n, text: text, exit: 0}
			code := strings.TrimSpace(text)
			if i := strings.Index(code, "  #"); i >= 0 {
				code = strings.TrimSpace(code[:i])
			}
			if strings.HasSuffix(code, "&") && !strings.HasSuffix(code, "&&") {
				c.bg, c.exit = true, -1
			} else if m := exitNoteRE.FindStringSubmatch(text); m != nil {
				c.exit, _ = strconv.Atoi(m[1])
			}
			if strings.TrimSpace(code) == "echo $?" && len(cur.cmds) > 0 {
				cur.cmds[len(cur.cmds)-1].exit = -1 // its output says it
			}
			cur.cmds = append(cur.cmds, c)
			continue
		}
		if m := exitLineRE.FindStringSubmatch(strings.TrimSpace(l)); m != nil && len(cur.cmds) > 0 {
			cur.cmds[len(cur.cmds)-1].exit, _ = strconv.Atoi(m[1])
			continue
		}
		cur.want = append(cur.want, outLine{n, l})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return exs
}

func applyDirective(t *testing.T, ex *example, name, l string) {
	m := directiveRE.FindStringSubmatch(strings.TrimSpace(l))
	arg := m[2]
	switch m[1] {
	case "skip":
		ex.skip = arg
	case "needs":
		ex.needs = append(ex.needs, strings.Fields(arg)...)
	case "setup":
		ex.setup = append(ex.setup, arg)
	case "server":
		ex.srv = append(ex.srv, server{cmd: arg})
	case "ready":
		if len(ex.srv) == 0 {
			t.Errorf("%s:%d: example: ready without a server before it", name, ex.line)
			return
		}
		ex.srv[len(ex.srv)-1].ready = arg
	case "wait-socket":
		ex.sock = arg
	case "stop":
		ex.stop = true
	default:
		t.Errorf("%s: unknown example directive %q before the block at line %d", name, m[1], ex.line)
	}
}

// unmet returns why the host does not meet a "needs" condition, or "".
func unmet(cond string) string {
	switch cond {
	case "af_alg", "no-af_alg":
		s, err := sockcore.New(unix.AF_ALG, unix.SOCK_SEQPACKET, 0)
		has := err == nil
		if has {
			s.Close()
		}
		if has != (cond == "af_alg") {
			return "needs " + cond + ": this kernel " + map[bool]string{true: "has", false: "lacks"}[has] + " AF_ALG"
		}
	case "can", "no-can":
		s, err := sockcore.New(unix.AF_CAN, unix.SOCK_RAW, unix.CAN_RAW)
		has := err == nil
		if has {
			s.Close()
		}
		if has != (cond == "can") {
			return "needs " + cond + ": this kernel " + map[bool]string{true: "has", false: "lacks"}[has] + " AF_CAN"
		}
	default:
		return "unknown condition " + cond
	}
	return ""
}

func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// script turns an example into a bash script. Statuses go to fd 3 as
// "LINE STATUS" lines.
func script(ex example, bin string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "set +e\nexec 0</dev/null\n__st() { echo \"$1 $2\" >&3; }\n")
	if bin == "/tmp" || strings.HasPrefix(bin, "/tmp/") {
		// The tmpfs mounted on /tmp next would hide the tools of a
		// checkout under /tmp ("command not found"): their directory is
		// bound to /mnt first, in this mount namespace only.
		fmt.Fprintf(&b, "mount --bind %s /mnt || exit 99\n", shq(bin))
		bin = "/mnt"
	}
	fmt.Fprintf(&b, "ip link set lo up || exit 99\nmount -t tmpfs tmpfs /tmp || exit 99\nmkdir /tmp/example && cd /tmp/example || exit 99\n")
	fmt.Fprintf(&b, "export PATH=%s:$PATH\n", shq(bin))
	for _, s := range ex.setup {
		fmt.Fprintf(&b, "{ %s\n} >/dev/null 2>&1 || { echo %s; exit 99; }\n", s, shq("example setup failed: "+s))
	}
	fmt.Fprintf(&b, "__srv=\n")
	for i, s := range ex.srv {
		// The server writes to a FIFO read here until the ready line, then
		// drained by cat: no sleep, no deadline.
		f := fmt.Sprintf("/tmp/.example-server%d", i)
		fmt.Fprintf(&b, "mkfifo %s || exit 99\nexec %s >%s 2>&1 &\n__srv=\"$__srv $!\"\n", f, s.cmd, f)
		fmt.Fprintf(&b, "exec 5<%s\n__ok=\nwhile IFS= read -r __l <&5; do case $__l in *%s*) __ok=1; break;; esac; done\n", f, shq(s.ready))
		fmt.Fprintf(&b, "[ -n \"$__ok\" ] || { echo %s; exit 99; }\ncat <&5 >/dev/null &\nexec 5<&-\n", shq("example server ended before saying ready: "+s.cmd))
	}
	for _, c := range ex.cmds {
		fmt.Fprintf(&b, "%s\n", c.text)
		if c.bg {
			fmt.Fprintf(&b, "__bg=\"$__bg $!\"\n")
			if ex.sock != "" {
				// the command creates the socket: poll for it (state, not time)
				fmt.Fprintf(&b, "until [ -S %s ]; do kill -0 $! 2>/dev/null || break; sleep 0.01; done\n", shq(ex.sock))
			}
			continue
		}
		fmt.Fprintf(&b, "__s=$?; __st %d $__s; (exit $__s)\n", c.line)
	}
	if ex.stop {
		fmt.Fprintf(&b, "[ -n \"$__bg\" ] && kill -TERM $__bg 2>/dev/null\n")
	}
	fmt.Fprintf(&b, "for p in $__bg; do wait $p; done\n")
	fmt.Fprintf(&b, "[ -n \"$__srv\" ] && kill -TERM $__srv 2>/dev/null\nwait\nexit 0\n")
	return b.String()
}

// matchLine reports whether got matches want, "…" standing for any text.
func matchLine(want, got string) bool {
	want, got = strings.TrimRight(want, " \t\r"), strings.TrimRight(got, " \t\r")
	if !strings.Contains(want, "…") {
		return want == got
	}
	parts := strings.Split(want, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(got)
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir != "/" {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
	t.Fatal("no go.mod above the working directory")
	return ""
}

// TestExamples runs every example of the markdown that this host can run.
func TestExamples(t *testing.T) {
	testenv.RequireRoot(t)
	testenv.RequireProgram(t, "unshare", "util-linux")
	bin := filepath.Dir(testenv.Bin(t, "resolve"))
	root := moduleRoot(t)
	var all []example
	for _, f := range markdownFiles(t, root) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		all = append(all, parse(t, rel, data)...)
	}
	if len(all) == 0 {
		t.Fatal("found no examples in the markdown files")
	}
	var nCmds, nRun, nSkip int
	reasons := map[string]int{}
	for _, ex := range all {
		nCmds += len(ex.cmds)
		why := ex.skip
		for _, c := range ex.needs {
			if why == "" {
				why = unmet(c)
			}
		}
		if why != "" {
			nSkip += len(ex.cmds)
			reasons[why] += len(ex.cmds)
		} else {
			nRun += len(ex.cmds)
		}
		name := fmt.Sprintf("%s:%d", ex.file, ex.line)
		t.Run(name, func(t *testing.T) {
			if why != "" {
				t.Skip(why)
			}
			run(t, ex, bin)
		})
	}
	t.Logf("%d examples (commands) in %d blocks: %d run, %d skipped", nCmds, len(all), nRun, nSkip)
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("  skipped %d: %s", reasons[k], k)
	}
}

func run(t *testing.T, ex example, bin string) {
	dir := t.TempDir()
	sf := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(sf, []byte(script(ex, bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	status, err := os.Create(filepath.Join(dir, "status"))
	if err != nil {
		t.Fatal(err)
	}
	defer status.Close()
	var out bytes.Buffer
	// Not a timed assertion: a guard so that a hung example reports its
	// output instead of ending the whole test binary.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--net", "--mount", "--propagation", "private", "bash", sf)
	cmd.Stdout, cmd.Stderr = &out, &out // one pipe: the order the tools wrote
	cmd.ExtraFiles = []*os.File{status}
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	if err != nil {
		t.Fatalf("%s:%d: the example's script failed (%v):\n%s", ex.file, ex.line, err, out.String())
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if out.Len() == 0 {
		got = nil
	}
	ok := len(got) == len(ex.want)
	for i := 0; ok && i < len(got); i++ {
		ok = matchLine(ex.want[i].text, got[i])
	}
	if !ok {
		var b strings.Builder
		for i := 0; i < len(got) || i < len(ex.want); i++ {
			w, g, mark := "(none)", "(none)", "  "
			ln := 0
			if i < len(ex.want) {
				w, ln = ex.want[i].text, ex.want[i].line
			}
			if i < len(got) {
				g = got[i]
			}
			if i >= len(ex.want) || i >= len(got) || !matchLine(w, g) {
				mark = "!="
			}
			fmt.Fprintf(&b, "%s line %d\n   doc: %s\n   got: %s\n", mark, ln, w, g)
		}
		t.Errorf("%s:%d: output differs from the doc:\n%s", ex.file, ex.line, b.String())
	}
	data, err := os.ReadFile(status.Name())
	if err != nil {
		t.Fatal(err)
	}
	codes := map[int]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var ln, st int
		if _, err := fmt.Sscanf(l, "%d %d", &ln, &st); err == nil {
			codes[ln] = st
		}
	}
	for _, c := range ex.cmds {
		if c.exit < 0 {
			continue
		}
		st, seen := codes[c.line]
		if !seen {
			t.Errorf("%s:%d: %s: did not run", ex.file, c.line, c.text)
		} else if st != c.exit {
			t.Errorf("%s:%d: %s: exit %d, the doc says %d", ex.file, c.line, c.text, st, c.exit)
		}
	}
}
