#!/usr/bin/env bash
# The end of `make install`: runs the installed suite's main job once, echod on
# a free loopback port and `echocat --verify` against it, prints one line, and
# fails loudly if the echo does not hold. Usage: scripts/smoke.sh BINDIR
set -euo pipefail
bindir=${1:?usage: scripts/smoke.sh BINDIR}
fail() { echo "install: SMOKE TEST FAILED: $*" >&2; echo "install: (SMOKE=0 skips this check, e.g. for staged builds with DESTDIR)" >&2; exit 1; }
[ -x "$bindir/echod" ] && [ -x "$bindir/echocat" ] || fail "$bindir/echod or $bindir/echocat is missing"
tmp=$(mktemp -d)
echod_pid=
cleanup() { [ -n "$echod_pid" ] && kill "$echod_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
mkfifo "$tmp/ready"
# Port 0: the kernel picks a free port; echod prints "listening tcp://127.0.0.1:PORT".
"$bindir/echod" --listen tcp://127.0.0.1:0 >"$tmp/ready" 2>"$tmp/echod.err" &
echod_pid=$!
read -r line <"$tmp/ready" || fail "echod did not start: $(cat "$tmp/echod.err")"
url=${line#listening }
case $url in tcp://127.0.0.1:*) ;; *) fail "echod printed \"$line\", not a listening tcp:// URL";; esac
if ! out=$("$bindir/echocat" --verify "$url" 2>&1); then
	fail "$bindir/echocat --verify $url: $out"
fi
echo "install: smoke test passed: $bindir/echod served $url and $bindir/echocat --verify checked it (${out//$'\n'/; })"
