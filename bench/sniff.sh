#!/usr/bin/env bash
# bench sniff: an iperf3 UDP flood of 64-byte datagrams over veth between two
# namespaces (about 8 s), captured at once by sniff -w /dev/null and tcpdump
# -w /dev/null on the receiving end; then decoding a capture to text. Prints
# captured, dropped, CPU seconds per million packets, and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
SNIFF=${SOCKCORE_BIN:-$PWD/bin}/sniff
DUR=${DUR:-8}
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

# cpu PID: user+system clock ticks of a process.
cpu() { awk '{print $14+$15}' /proc/$1/stat; }

ip netns exec $B iperf3 -s -1 -D -I "$TMP/iperf.pid" >/dev/null
ip netns exec $B "$SNIFF" -i veth1 -w /dev/null udp 2>"$TMP/sniff.err" & SP=$!
ip netns exec $B tcpdump -Z root -i veth1 -w /dev/null udp 2>"$TMP/tcpdump.err" & TP=$!
until grep -q listening "$TMP/sniff.err" 2>/dev/null && grep -q listening "$TMP/tcpdump.err" 2>/dev/null; do sleep 0.1; done
ip netns exec $A iperf3 -c 10.9.0.2 -u -b 0 -l 64 -t "$DUR" >/dev/null 2>&1 || true
S_CPU=$(cpu $SP) T_CPU=$(cpu $TP)
kill -INT $SP $TP 2>/dev/null || true; wait $SP $TP || true
num() { grep "$2" "$1" | awk '{print $1}'; }
S_CAP=$(num "$TMP/sniff.err" captured) S_DROP=$(num "$TMP/sniff.err" dropped)
T_CAP=$(num "$TMP/tcpdump.err" captured) T_DROP=$(num "$TMP/tcpdump.err" dropped)
HZ=$(getconf CLK_TCK)

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

awk -v sc="$S_CAP" -v sd="$S_DROP" -v tc="$T_CAP" -v td="$T_DROP" -v scpu="$S_CPU" -v tcpu="$T_CPU" -v hz="$HZ" \
	-v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
	sper = (sc > 0) ? scpu / hz / sc * 1e6 : 0; tper = (tc > 0) ? tcpu / hz / tc * 1e6 : 0
	srate = n / (t1 - t0); trate = n / (t2 - t1)
	printf "%-34s %14s %14s %8s\n", "metric", "sniff", "tcpdump", "ratio"
	printf "%-34s %14d %14d %8.2f\n", "packets captured", sc, tc, (tc ? sc / tc : 0)
	printf "%-34s %14d %14d %8s\n", "packets dropped by kernel", sd, td, "-"
	printf "%-34s %14.3f %14.3f %8.2f\n", "CPU s per million packets", sper, tper, (tper ? sper / tper : 0)
	printf "%-34s %14.0f %14.0f %8.2f\n", "decode to text, packets/s (" n ")", srate, trate, (trate ? srate / trate : 0)
}'
