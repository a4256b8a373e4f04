#!/usr/bin/env bash
# make fuzz: every fuzz target in the module for FUZZTIME each (default 10s),
# one target per `go test -fuzz` run (the go command takes one at a time).
#   FUZZTIME=10m make fuzz        the long campaign (about 5 hours for all)
#   FUZZJOBS=2                    targets run side by side (default 1)
#   FUZZPARALLEL=N                workers per target (go test -parallel; default 1)
#   FUZZ='Dns|URL'                only targets whose name matches this regexp
# New failing inputs land in the package's testdata/fuzz/<Target>/ and fail
# the run; commit them with the fix as regression seeds. The closing table
# gives executions and new interesting inputs per target.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}
FUZZJOBS=${FUZZJOBS:-1}
FUZZPARALLEL=${FUZZPARALLEL:-1}
FUZZ=${FUZZ:-.}
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

# "pkg target" pairs. go test -list builds each package's tests, so ask only
# the packages whose tests declare a fuzz function.
targets=()
while read -r pkg; do
	while read -r name; do
		[[ $name == Fuzz* ]] && [[ $name =~ $FUZZ ]] && targets+=("$pkg $name")
	done < <(go test -list '^Fuzz' "$pkg")
done < <(grep -rl --include='*_test.go' '^func Fuzz' cmd internal pkg | xargs -n1 dirname | sort -u | sed 's|^|./|')
if ((${#targets[@]} == 0)); then
	echo "fuzz: error: no fuzz target matches FUZZ=$FUZZ" >&2
	exit 1
fi
echo "fuzz: ${#targets[@]} targets, $FUZZTIME each, $FUZZJOBS at a time"

run() { # pkg name
	local log="$logdir/$2.$(echo "$1" | tr / _).log"
	if go test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" -parallel "$FUZZPARALLEL" "$1" >"$log" 2>&1; then
		echo ok >>"$log"
	else
		echo FAILED >>"$log"
		echo "fuzz: $1 $2 failed:" >&2
		sed -n '/--- FAIL\|Failing input\|panic\|fuzz_test\|_test.go/p' "$log" | head -20 >&2
	fi
}

for t in "${targets[@]}"; do
	while (($(jobs -rp | wc -l) >= FUZZJOBS)); do wait -n || true; done
	# shellcheck disable=SC2086
	run $t &
done
wait

fail=0
printf '%-48s %-22s %14s %8s %s\n' package target execs new result
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	log="$logdir/$name.$(echo "$pkg" | tr / _).log"
	# The last progress line: "fuzz: elapsed: 10s, execs: 123 (12/sec), new interesting: 4 (total: 9)".
	last=$(grep 'execs:' "$log" | tail -1 || true)
	execs=$(sed -n 's/.*execs: \([0-9]*\).*/\1/p' <<<"$last")
	new=$(sed -n 's/.*new interesting: \([0-9]*\).*/\1/p' <<<"$last")
	res=$(tail -1 "$log")
	[ "$res" = ok ] || fail=1
	printf '%-48s %-22s %14s %8s %s\n' "${pkg#github.com/sockcore/sockcore/}" "$name" "${execs:-?}" "${new:-?}" "$res"
done
exit $fail
