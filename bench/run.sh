#!/usr/bin/env bash
# make bench: every bench/<name>.sh in one run; each prints its own table of
# ratios against the peers installed from Debian. BENCH=name runs one.
set -euo pipefail
cd "$(dirname "$0")/.."
export SOCKCORE_BIN="$PWD/bin"
status=0
for b in bench/*.sh; do
	name=$(basename "$b" .sh)
	[ "$name" = run ] && continue
	[ -n "${BENCH:-}" ] && [ "$BENCH" != "$name" ] && continue
	echo "== bench $name"
	bash "$b" || { echo "bench $name failed" >&2; status=1; }
done
exit $status
