#!/usr/bin/env bash
# bench/resolve.sh: 10,000 lookups with bin/resolve in batch mode against
# `getent ahosts` in a loop (one process per lookup, the way scripts use
# it) and python3's socket.getaddrinfo in one process. Names come from
# /etc/hosts, then (as root, with dnsmasq) from a dnsmasq in a network
# namespace of our own. All three ask with getent's hints
# (AI_V4MAPPED|AI_ADDRCONFIG|AI_CANONNAME). Bounded to about 2 minutes.
# Then the scaling curve: batch time of /etc/hosts names at CURVE sizes
# (default 10 1000 100000), resolve and python3 (and the getent loop up to
# 1,000 names), medians of ROUNDS (3) rounds that alternate the order.
# Figures go to bench/out/results.csv too (bench/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
BIN=${SOCKCORE_BIN:-$PWD/bin}
RESOLVE=$BIN/resolve
N=${N:-10000}
# The getent loop starts a process per lookup; on a loaded machine that
# alone can take minutes. It stops after GETENT_BUDGET seconds and its
# time is extrapolated to N lookups (marked with *).
GETENT_BUDGET=${GETENT_BUDGET:-35}
[ -x "$RESOLVE" ] || { echo "bench resolve: $RESOLVE is not built: run make build" >&2; exit 1; }
command -v getent >/dev/null || { echo "bench resolve: getent missing (libc-bin)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench resolve: python3 missing (apt-get install python3)" >&2; exit 1; }
tmp=$(mktemp -d)
ns=""
dnsmasq_pid=""
cleanup() {
	[ -n "$dnsmasq_pid" ] && kill "$dnsmasq_pid" 2>/dev/null || true
	[ -n "$ns" ] && { ip netns del "$ns" 2>/dev/null || true; rm -rf "/etc/netns/$ns"; }
	rm -rf "$tmp"
}
trap cleanup EXIT

now() { date +%s.%N; }
# python3's loop: getaddrinfo with getent's hints for each name on stdin.
py='
import socket, sys
fl = socket.AI_V4MAPPED | socket.AI_ADDRCONFIG | socket.AI_CANONNAME
for n in sys.stdin.read().split():
    try:
        socket.getaddrinfo(n, None, 0, 0, 0, fl)
    except socket.gaierror:
        pass
'
rows=()

# run_case LABEL NAMESFILE [PREFIX...]: times the three peers on the
# names, the command prefix (ip netns exec NS) in front of each.
run_case() {
	local label=$1 names=$2
	shift 2
	local pre=("$@")
	local t0 t1 r g p same done=0 mark=" "
	t0=$(now)
	"${pre[@]}" "$RESOLVE" addrinfo --format getent -j 8 - <"$names" >"$tmp/resolve.out" || true
	t1=$(now)
	r=$(echo "$t1 - $t0" | bc -l)
	t0=$(now)
	local start=$SECONDS total
	total=$(wc -l <"$names")
	while read -r n; do
		"${pre[@]}" getent ahosts "$n" || true
		done=$((done + 1))
		((done % 100 == 0 && SECONDS - start >= GETENT_BUDGET)) && break
	done <"$names" >"$tmp/getent.out"
	t1=$(now)
	g=$(echo "($t1 - $t0) * $total / $done" | bc -l)
	((done < total)) && mark="*"
	t0=$(now)
	"${pre[@]}" python3 -c "$py" <"$names"
	t1=$(now)
	p=$(echo "$t1 - $t0" | bc -l)
	# getent's output (of the lookups it got through) must be the start
	# of resolve's, byte for byte.
	if head -c "$(wc -c <"$tmp/getent.out")" "$tmp/resolve.out" | cmp -s - "$tmp/getent.out"; then same="yes ($done lookups)"; else same=NO; fi
	result resolve "$label, $total lookups" "resolve -j 8" "time for the lookups" "$r" s
	result resolve "$label, $total lookups" "getent ahosts loop" "time for the lookups" "$g" s
	result resolve "$label, $total lookups" "python3 getaddrinfo" "time for the lookups" "$p" s
	rows+=("$(printf '%-26s %7d %10.2f %9.2f%s %10.2f %8.1fx %8.1fx   %s' "$label" "$total" "$r" "$g" "$mark" "$p" \
		"$(echo "$g / $r" | bc -l)" "$(echo "$p / $r" | bc -l)" "$same")")
}

# /etc/hosts names, cycled to N lookups.
awk '!/^[[:space:]]*(#|$)/ { for (i = 2; i <= NF; i++) { if ($i ~ /^#/) break; print $i } }' /etc/hosts | sort -u >"$tmp/hostnames"
[ -s "$tmp/hostnames" ] || { echo "bench resolve: /etc/hosts has no names" >&2; exit 1; }
awk -v n="$N" '{ a[NR] = $0 } END { for (i = 0; i < n; i++) print a[i % NR + 1] }' "$tmp/hostnames" >"$tmp/names.hosts"
run_case "/etc/hosts names" "$tmp/names.hosts"

# Names served by dnsmasq in a namespace of our own.
if [ "$(id -u)" = 0 ] && command -v dnsmasq >/dev/null && command -v ip >/dev/null; then
	ns=scb-$$
	ip netns add "$ns"
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" ip addr add 10.54.0.1/16 dev lo
	mkdir -p "/etc/netns/$ns"
	printf 'nameserver 10.54.0.1\noptions timeout:1 attempts:2\n' >"/etc/netns/$ns/resolv.conf"
	printf '127.0.0.1 localhost\n' >"/etc/netns/$ns/hosts"
	args=()
	for i in $(seq 0 199); do args+=("--host-record=h$i.bench.test,10.54.$((i / 250 + 1)).$((i % 250 + 1))"); done
	ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
		--listen-address=10.54.0.1 --bind-interfaces --user=root --pid-file= --local=/bench.test/ \
		--cache-size=1000 "${args[@]}" 2>"$tmp/dnsmasq.log" &
	dnsmasq_pid=$!
	# Wait until dnsmasq answers (getent exits 0), at most 10 s.
	for _ in $(seq 100); do
		ip netns exec "$ns" getent ahostsv4 h0.bench.test >/dev/null 2>&1 && break
		read -r -t 0.1 <> <(:) || true
	done
	awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "h%d.bench.test\n", i % 200 }' >"$tmp/names.dns"
	run_case "dnsmasq names (netns)" "$tmp/names.dns" ip netns exec "$ns"
else
	echo "bench resolve: dnsmasq part skipped (needs root and dnsmasq-base)" >&2
fi

# The scaling curve: /etc/hosts names, batches of CURVE sizes.
CURVE=${CURVE:-10 1000 100000} ROUNDS=${ROUNDS:-3}
secs() { local t0 t1; t0=$(now); "$@" >/dev/null; t1=$(now); echo "$t1 - $t0" | bc -l; }
getent_loop() { while read -r n; do getent ahosts "$n" || true; done; }
declare -A curve
for r in $(seq 1 "$ROUNDS"); do
	for size in $CURVE; do
		awk -v n="$size" '{ a[NR] = $0 } END { for (i = 0; i < n; i++) print a[i % NR + 1] }' "$tmp/hostnames" >"$tmp/curve.names"
		peers=(resolve python3)
		((size <= 1000)) && peers+=(getent)
		((r % 2 == 0)) && peers=($(printf '%s\n' "${peers[@]}" | tac))
		for peer in "${peers[@]}"; do
			case $peer in
			resolve) v=$(secs "$RESOLVE" addrinfo --format getent -j 8 - <"$tmp/curve.names") ; label="resolve -j 8" ;;
			python3) v=$(secs python3 -c "$py" <"$tmp/curve.names") ; label="python3 getaddrinfo" ;;
			getent) v=$(secs getent_loop <"$tmp/curve.names") ; label="getent ahosts loop" ;;
			esac
			curve[$size,$peer]+="$v "
			result resolve "names=$size" "$label" "batch time against names" "$v" s
		done
	done
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
curve_rows=()
for size in $CURVE; do
	row=$(printf '%-26s' "curve: $size names")
	for peer in resolve python3 getent; do
		# shellcheck disable=SC2086 # the rounds' figures, one a word
		if [ -n "${curve[$size,$peer]:-}" ]; then row+=$(printf ' %10.3f' "$(median ${curve[$size,$peer]})"); else row+=$(printf ' %10s' -); fi
	done
	curve_rows+=("$row")
done

printf '%-26s %7s %10s %10s %10s %9s %9s   %s\n' "workload" "lookups" "resolve s" "getent s" "python3 s" "getent/" "python3/" "resolve output = getent's"
printf '%s\n' "${rows[@]}"
echo "(ratios: peer time / resolve time; above 1 means resolve is faster. resolve: one process, -j 8; getent: one process per lookup; python3: one process)"
echo "(* getent stopped after ${GETENT_BUDGET} s; its time is extrapolated to all lookups)"
printf '%-26s %10s %10s %10s\n' "scaling (medians of $ROUNDS)" "resolve s" "python3 s" "getent s"
printf '%s\n' "${curve_rows[@]}"
