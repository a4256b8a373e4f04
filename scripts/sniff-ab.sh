#!/usr/bin/env bash
# scripts/sniff-ab.sh OLD NEW [ROUNDS] [DUR] [SNIFF-ARGS...]: A/B of two sniff
# binaries (e.g. main's and a branch's) against tcpdump on the same flood:
# each round is one iperf3 flood of 64-byte UDP over veth between two
# namespaces, captured at once by OLD, NEW and tcpdump, all -w /dev/null
# (SNIFF-ARGS, e.g. -B 2048, go to all three). CPU time as bench/sniff.sh
# measures it (schedstat of every thread, from the flood's start until both
# caught up). Prints per round the packets, drops, ns of CPU per packet and
# the ratios NEW/OLD, OLD/tcpdump, NEW/tcpdump. RATE=N paces the flood.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OLD NEW [ROUNDS] [DUR] [SNIFF-ARGS...]" >&2; exit 2; }
SA=$1 SB=$2 R=${3:-5} DUR=${4:-6}
shift $(($# < 4 ? $# : 4))
[ "$(id -u)" = 0 ] || { echo "sniff-ab: needs root (network namespaces)" >&2; exit 1; }
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/../bench/lib.sh" # flood_netns, cpuns, num
A=sab-a-$$ B=sab-b-$$ TMP=$(mktemp -d)
cleanup() { flood_netns_del $A $B; rm -rf "$TMP"; }
trap cleanup EXIT
flood_netns $A $B
for r in $(seq 1 "$R"); do
	ip netns exec $B iperf3 -s -1 -D >/dev/null
	ip netns exec $B "$SA" "$@" -i veth1 -w /dev/null udp 2>"$TMP/a.err" & PA=$!
	ip netns exec $B "$SB" "$@" -i veth1 -w /dev/null udp 2>"$TMP/b.err" & PB=$!
	ip netns exec $B tcpdump "$@" -Z root -i veth1 -w /dev/null udp 2>"$TMP/t.err" & PT=$!
	until grep -q listening "$TMP/a.err" 2>/dev/null && grep -q listening "$TMP/b.err" 2>/dev/null &&
		grep -q listening "$TMP/t.err" 2>/dev/null; do sleep 0.1; done
	a0=$(cpuns $PA) b0=$(cpuns $PB) t0=$(cpuns $PT)
	ip netns exec $A iperf3 -c 10.9.0.2 -u -b $((${RATE:-0} * 512)) -l 64 -t "$DUR" >/dev/null 2>&1 || true
	sleep 1.5
	a1=$(cpuns $PA) b1=$(cpuns $PB) t1=$(cpuns $PT)
	kill -INT $PA $PB $PT; wait $PA $PB $PT || true
	awk -v r="$r" -v ca="$(num "$TMP/a.err" captured)" -v cb="$(num "$TMP/b.err" captured)" -v ct="$(num "$TMP/t.err" captured)" \
		-v da="$(num "$TMP/a.err" dropped)" -v db="$(num "$TMP/b.err" dropped)" -v dt="$(num "$TMP/t.err" dropped)" \
		-v a=$((a1 - a0)) -v b=$((b1 - b0)) -v t=$((t1 - t0)) 'BEGIN {
		if (ca == 0 || cb == 0 || ct == 0) { printf "round %d: no packets\n", r; exit }
		printf "round %d: packets old %d new %d tcpdump %d, dropped %d %d %d | CPU ns/packet old %.1f new %.1f tcpdump %.1f | new/old %.3f old/tcpdump %.3f new/tcpdump %.3f\n",
			r, ca, cb, ct, da, db, dt, a / ca, b / cb, t / ct, (b / cb) / (a / ca), (a / ca) / (t / ct), (b / cb) / (t / ct) }'
done
