#!/usr/bin/env bash
# make bench: every bench/<name>.sh in one run; each prints its own table of
# ratios against the peers installed from Debian and appends its figures to
# bench/out/results.csv (format: bench/lib.sh), which this script starts anew
# and bench/report then draws into bench/out/report.html. BENCH=name runs one.
set -euo pipefail
cd "$(dirname "$0")/.."
export SOCKCORE_BIN="$PWD/bin"
export BENCH_RESULTS="$PWD/bench/out/results.csv"
mkdir -p bench/out
printf '# make bench, %s, %s, %s CPUs (%s), kernel %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
	"$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(uname -r)" >"$BENCH_RESULTS"
status=0
for b in bench/*.sh; do
	name=$(basename "$b" .sh)
	[ "$name" = run ] || [ "$name" = lib ] && continue
	[ -n "${BENCH:-}" ] && [ "$BENCH" != "$name" ] && continue
	echo "== bench $name"
	bash "$b" || { echo "bench $name failed" >&2; status=1; }
done
go run ./bench/report -in "$BENCH_RESULTS" -html bench/out/report.html && echo "report: bench/out/report.html" || status=1
exit $status
