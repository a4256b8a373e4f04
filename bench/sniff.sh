#!/usr/bin/env bash
# bench sniff: an iperf3 UDP flood of 64-byte datagrams over veth between two
# namespaces (DUR seconds, ROUNDS times), captured at once by sniff -w
# /dev/null and tcpdump -w /dev/null on the receiving end; then decoding a
# capture to text. Prints captured, dropped, CPU seconds per million packets
# (the median of the rounds, and the median of the per-round ratios), and
# the decode rate.
#
# CPU time: the sum over a process's threads of the first field of
# /proc/PID/task/TID/schedstat, the nanoseconds the scheduler ran the thread
# (sum_exec_runtime, user and system together). It is read right before the
# flood and again once the flood is over and both tools have caught up (after
# SETTLE seconds, longer than tcpdump's 1000 ms block timeout, so that both
# have read every packet they count); the difference is the CPU the capture
# cost, without start-up (filter compilation, ring set-up) and tear-down.
# /proc/PID/stat's utime+stime count clock ticks (10 ms) and would give only
# about a dozen ticks a round. A thread that exits between the two readings
# would take its time with it: the Go runtime keeps its threads and tcpdump
# has one, so the sum covers all the work.
set -euo pipefail
cd "$(dirname "$0")/.."
SNIFF=${SOCKCORE_BIN:-$PWD/bin}/sniff
DUR=${DUR:-8} ROUNDS=${ROUNDS:-3} SETTLE=${SETTLE:-1.5}
[ "$(id -u)" = 0 ] || { echo "bench sniff: needs root (network namespaces)" >&2; exit 1; }
for p in iperf3 tcpdump ip; do command -v $p >/dev/null || { echo "bench sniff: $p missing (make deps)" >&2; exit 1; }; done
A=scb-a-$$ B=scb-b-$$ TMP=$(mktemp -d)
cleanup() { ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add vb0-$$ type veth peer name vb1-$$
ip link set vb0-$$ netns $A name veth0; ip link set vb1-$$ netns $B name veth1
ip -n $A addr add 10.9.0.1/24 dev veth0; ip -n $B addr add 10.9.0.2/24 dev veth1
for n in $A $B; do ip -n $n link set lo up; done
ip -n $A link set veth0 up; ip -n $B link set veth1 up

# cpuns PID: nanoseconds on CPU of all of PID's threads.
cpuns() { cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {printf "%d\n", s}'; }
num() { grep "$2" "$1" | awk '{print $1}'; }

for r in $(seq 1 "$ROUNDS"); do
	rm -f "$TMP"/*.err
	ip netns exec $B iperf3 -s -1 -D >/dev/null
	ip netns exec $B "$SNIFF" -i veth1 -w /dev/null udp 2>"$TMP/sniff.err" & SP=$!
	ip netns exec $B tcpdump -Z root -i veth1 -w /dev/null udp 2>"$TMP/tcpdump.err" & TP=$!
	until grep -q listening "$TMP/sniff.err" 2>/dev/null && grep -q listening "$TMP/tcpdump.err" 2>/dev/null; do sleep 0.1; done
	S0=$(cpuns $SP) T0=$(cpuns $TP)
	ip netns exec $A iperf3 -c 10.9.0.2 -u -b 0 -l 64 -t "$DUR" >/dev/null 2>&1 || true
	sleep "$SETTLE"
	S1=$(cpuns $SP) T1=$(cpuns $TP)
	kill -INT $SP $TP 2>/dev/null || true; wait $SP $TP || true
	echo "$(num "$TMP/sniff.err" captured) $(num "$TMP/sniff.err" dropped) $((S1 - S0))" \
		"$(num "$TMP/tcpdump.err" captured) $(num "$TMP/tcpdump.err" dropped) $((T1 - T0))" >>"$TMP/rounds"
done

# Decoding: the same capture file to text, -n.
ip netns exec $A ping -c 1 10.9.0.2 >/dev/null || true
ip netns exec $B iperf3 -s -1 -D >/dev/null
ip netns exec $B tcpdump -Z root -c 300000 -i veth1 -w "$TMP/dec.pcap" udp 2>/dev/null & DP=$!
sleep 0.5
ip netns exec $A iperf3 -c 10.9.0.2 -u -b 0 -l 64 -t 3 >/dev/null 2>&1 || true
kill -INT $DP 2>/dev/null || true; wait $DP || true
N=$(tcpdump -nr "$TMP/dec.pcap" 2>/dev/null | wc -l)
t0=$(date +%s.%N); "$SNIFF" -n -r "$TMP/dec.pcap" >/dev/null; t1=$(date +%s.%N)
tcpdump -n -r "$TMP/dec.pcap" >/dev/null 2>&1; t2=$(date +%s.%N)

awk -v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" '
function median(a, k,   i, j, t) {
	for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return (k % 2) ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2
}
{
	k++; sc += $1; sd += $2; tc += $4; td += $5
	sp[k] = ($1 > 0) ? $3 / 1e9 / $1 * 1e6 : 0; tp[k] = ($4 > 0) ? $6 / 1e9 / $4 * 1e6 : 0
	ra[k] = tp[k] ? sp[k] / tp[k] : 0
	printf "round %d: sniff %d captured, %d dropped, %.3f CPU s/M; tcpdump %d captured, %d dropped, %.3f CPU s/M; ratio %.2f\n", k, $1, $2, sp[k], $4, $5, tp[k], ra[k]
}
END {
	srate = n / (t1 - t0); trate = n / (t2 - t1)
	ms = median(sp, k); mt = median(tp, k); mr = median(ra, k)
	printf "%-34s %14s %14s %8s\n", "metric", "sniff", "tcpdump", "ratio"
	printf "%-34s %14d %14d %8.2f\n", "packets captured (" k " rounds)", sc, tc, (tc ? sc / tc : 0)
	printf "%-34s %14d %14d %8s\n", "packets dropped by kernel", sd, td, "-"
	printf "%-34s %14.3f %14.3f %8.2f\n", "CPU s per million packets (median)", ms, mt, mr
	printf "%-34s %14.0f %14.0f %8.2f\n", "decode to text, packets/s (" n ")", srate, trate, (trate ? srate / trate : 0)
}' "$TMP/rounds"
