#!/usr/bin/env bash
# bench sniff: iperf3 UDP floods of 64-byte datagrams over veth between two
# namespaces (DUR seconds each, ROUNDS rounds), each captured at once by
# sniff -w /dev/null and tcpdump -w /dev/null on the receiving end; then
# decoding a capture to text. A round has four floods, in an order that
# rotates from round to round: the full flood with both tools' default ring
# (sniff 4 MiB, tcpdump 2 MiB), the full flood with -B 2048 for both (2 MiB,
# tcpdump's default), and the scaling curve's paced floods at RATES packets
# per second (default 100000 500000; the full flood is the curve's last
# point). Prints captured, dropped, CPU seconds per million packets (the
# median of the rounds, and the median of the per-round ratios), and the
# decode rate; appends the figures to bench/out/results.csv (bench/lib.sh).
#
# Decoding ordinary traffic: bench/mkmixed.py concatenates the records of
# the project's Ethernet corpus (integration/sniff/testdata/corpus: DHCP,
# DNS, HTTP, LLDP, STP, VRRP, NTP, SNMP, ... from real daemons), repeated
# to MIXED packets (default 200000) in one file, so that process start-up
# does not weigh; sniff and tcpdump decode it with -n and with -n -v, to
# /dev/null, in turn, DROUNDS rounds (default 5). The rate is packets per
# second of wall time and per second of CPU time (user + system, bash's
# time: less swayed by a loaded machine); the ratio, sniff's rate over
# tcpdump's, is the median of the rounds'. Start-up is its own row: a
# 1-packet file. Where `make corpus` has unpacked Wireshark's captures
# (.cache/extcorpus/wireshark), the same for their Ethernet pcaps and for
# their 802.11 radiotap capture wpa-test-decode.pcap, each repeated to
# MIXED packets. DECODE_ONLY=1 runs only these rows (no root needed).
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
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT # the floods' cleanup replaces it
# shellcheck source=bench/lib.sh
. bench/lib.sh # flood_netns, cpuns, num
if [ "${DECODE_ONLY:-0}" = 0 ]; then
[ "$(id -u)" = 0 ] || { echo "bench sniff: needs root (network namespaces)" >&2; exit 1; }
for p in iperf3 tcpdump ip; do command -v $p >/dev/null || { echo "bench sniff: $p missing (make deps)" >&2; exit 1; }; done
A=scb-a-$$ B=scb-b-$$
cleanup() { ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
flood_netns $A $B

# flood CONF RATE SNIFF-ARGS... -- TCPDUMP-ARGS...: one flood (RATE packets
# per second, 0: as fast as iperf3 goes) captured by both; appends
# "CONF RATE captured dropped ns (sniff) captured dropped ns (tcpdump)".
flood() {
	local conf=$1 rate=$2 sa=() ta=() S0 T0 S1 T1 SP TP
	shift 2
	while [ "$1" != -- ]; do sa+=("$1"); shift; done
	shift; ta=("$@")
	rm -f "$TMP"/*.err
	ip netns exec $B iperf3 -s -1 -D >/dev/null
	ip netns exec $B "$SNIFF" "${sa[@]}" -i veth1 -w /dev/null udp 2>"$TMP/sniff.err" & SP=$!
	ip netns exec $B tcpdump "${ta[@]}" -Z root -i veth1 -w /dev/null udp 2>"$TMP/tcpdump.err" & TP=$!
	until grep -q listening "$TMP/sniff.err" 2>/dev/null && grep -q listening "$TMP/tcpdump.err" 2>/dev/null; do sleep 0.1; done
	S0=$(cpuns $SP) T0=$(cpuns $TP)
	# iperf3 -b counts payload bits: 64 bytes a datagram.
	ip netns exec $A iperf3 -c 10.9.0.2 -u -b $((rate * 512)) -l 64 -t "$DUR" >/dev/null 2>&1 || true
	sleep "$SETTLE"
	S1=$(cpuns $SP) T1=$(cpuns $TP)
	kill -INT $SP $TP 2>/dev/null || true; wait $SP $TP || true
	echo "$conf $rate $(num "$TMP/sniff.err" captured) $(num "$TMP/sniff.err" dropped) $((S1 - S0))" \
		"$(num "$TMP/tcpdump.err" captured) $(num "$TMP/tcpdump.err" dropped) $((T1 - T0))" >>"$TMP/rounds"
}
RATES=${RATES:-100000 500000}
runs=("default 0 --" "B2048 0 -B 2048 -- -B 2048")
for rate in $RATES; do runs+=("paced $rate --"); done
for r in $(seq 0 $((ROUNDS - 1))); do
	for i in $(seq 0 $((${#runs[@]} - 1))); do
		# shellcheck disable=SC2086 # the run's words are its arguments
		flood ${runs[(i + r) % ${#runs[@]}]}
	done
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

awk -v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v dur="$DUR" -v res="$TMP/res" '
function median(a, k,   i, j, t) {
	for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return (k % 2) ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2
}
function emit(row, peer, metric, v, unit) { printf "sniff\t%s\t%s\t%s\t%s\t%s\n", row, peer, metric, v, unit >res }
{
	c = $1 "/" $2; k = ++kn[c]; conf[c] = $1; rate[c] = $2
	sc[c] += $3; sd[c] += $4; tc[c] += $6; td[c] += $7
	sp[c, k] = ($3 > 0) ? $5 / 1e9 / $3 * 1e6 : 0; tp[c, k] = ($6 > 0) ? $8 / 1e9 / $6 * 1e6 : 0
	ra[c, k] = tp[c, k] ? sp[c, k] / tp[c, k] : 0
	pps[c, k] = (($3 + $4 > $6 + $7) ? $3 + $4 : $6 + $7) / dur
	printf "%s %s round %d: %.0f pps; sniff %d captured, %d dropped, %.3f CPU s/M; tcpdump %d captured, %d dropped, %.3f CPU s/M; ratio %.2f\n", \
		$1, ($2 ? $2 " pps" : "flood"), k, pps[c, k], $3, $4, sp[c, k], $6, $7, tp[c, k], ra[c, k]
}
END {
	label["default/0"] = "flood, default ring (sniff 4 MiB, tcpdump 2 MiB)"
	label["B2048/0"] = "flood, -B 2048 for both (2 MiB)"
	printf "%-50s %12s %12s %8s\n", "CPU s per million packets (median)", "sniff", "tcpdump", "ratio"
	for (c in kn) {
		k = kn[c]
		for (i = 1; i <= k; i++) { a[i] = sp[c, i]; b[i] = tp[c, i]; q[i] = ra[c, i]; p[i] = pps[c, i] }
		ms = median(a, k); mt = median(b, k); mr = median(q, k); mp = median(p, k)
		if (c in label) {
			printf "%-50s %12.3f %12.3f %8.2f\n", label[c], ms, mt, mr
			printf "%-50s %12d %12d\n", "  packets captured / dropped (" k " rounds)", sc[c], tc[c]
			printf "%-50s %12d %12d\n", "", sd[c], td[c]
			for (i = 1; i <= k; i++) {
				emit(label[c], "sniff", "CPU s per million packets", sp[c, i], "s")
				emit(label[c], "tcpdump", "CPU s per million packets", tp[c, i], "s")
				emit(label[c], "sniff / tcpdump", "CPU per packet ratio", ra[c, i], "x")
			}
			emit(label[c], "sniff", "packets dropped by the kernel", sd[c], "packets")
			emit(label[c], "tcpdump", "packets dropped by the kernel", td[c], "packets")
		}
		if (conf[c] == "default" || conf[c] == "paced") {
			# the curve: x is the asked rate, or the flood median rate
			x = rate[c] ? rate[c] : int(mp / 1000 + 0.5) * 1000
			printf "%-50s %12.3f %12.3f %8.2f\n", "curve: " (rate[c] ? "paced at " rate[c] : "flood") " pps (got " int(mp) ")", ms, mt, mr
			for (i = 1; i <= k; i++) {
				emit("pps=" x, "sniff", "CPU s per million packets against packet rate", sp[c, i], "s")
				emit("pps=" x, "tcpdump", "CPU s per million packets against packet rate", tp[c, i], "s")
			}
		}
	}
	srate = n / (t1 - t0); trate = n / (t2 - t1)
	printf "%-50s %12.0f %12.0f %8.2f\n", "decode to text, packets/s (" n ")", srate, trate, (trate ? srate / trate : 0)
	emit("decode a capture to text (-n -r)", "sniff", "packets decoded per second", srate, "packets/s")
	emit("decode a capture to text (-n -r)", "tcpdump", "packets decoded per second", trate, "packets/s")
}' "$TMP/rounds"
while IFS=$'\t' read -r b row peer metric v unit; do result "$b" "$row" "$peer" "$metric" "$v" "$unit"; done <"$TMP/res"
fi

# Decoding ordinary traffic (see the header).
command -v tcpdump >/dev/null || { echo "bench sniff: tcpdump missing (make deps)" >&2; exit 1; }
MIXED=${MIXED:-200000} DROUNDS=${DROUNDS:-5}
# times CMD...: "wall cpu" seconds of CMD, its output dropped.
times_of() {
	local TIMEFORMAT='%R %U %S' t
	t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
	awk '{ printf "%s %.3f\n", $1, $2 + $3 }' <<<"$t"
}
# decode ROW FILE PACKETS: DROUNDS rounds of sniff and tcpdump, -n and
# -n -v, on FILE; prints and records the medians.
decode() {
	local row=$1 f=$2 n=$3 r mode s t i=0
	for r in $(seq "$DROUNDS"); do
		for mode in n v; do
			local args=(-n -r "$f")
			[ $mode = v ] && args=(-n -v -r "$f")
			# who goes first alternates
			if ((i++ % 2)); then
				s=$(times_of "$SNIFF" "${args[@]}"); t=$(times_of tcpdump "${args[@]}")
			else
				t=$(times_of tcpdump "${args[@]}"); s=$(times_of "$SNIFF" "${args[@]}")
			fi
			echo "$mode $s $t"
		done
	done | awk -v n="$n" -v row="$row" -v res="$TMP/dres" '
	function median(a, k,   i, j, t) {
		for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return (k % 2) ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2
	}
	function emit(r, peer, metric, v, unit) { printf "sniff\t%s\t%s\t%s\t%s\t%s\n", r, peer, metric, v, unit >>res }
	{
		m = $1; k = ++kn[m]
		sw[m, k] = n / ($2 > 0 ? $2 : 1e-3); sc[m, k] = n / ($3 > 0 ? $3 : 1e-3)
		tw[m, k] = n / ($4 > 0 ? $4 : 1e-3); tc[m, k] = n / ($5 > 0 ? $5 : 1e-3)
		rw[m, k] = sw[m, k] / tw[m, k]; rc[m, k] = sc[m, k] / tc[m, k]
	}
	END {
		for (m in kn) {
			k = kn[m]; r = row " (-n" (m == "v" ? " -v" : "") " -r)"
			for (i = 1; i <= k; i++) { a[i] = sw[m, i]; b[i] = tw[m, i]; c[i] = rw[m, i]; d[i] = sc[m, i]; e[i] = tc[m, i]; f[i] = rc[m, i] }
			printf "%-64s %12.0f %12.0f %8.2f\n", r ", packets/s", median(a, k), median(b, k), median(c, k)
			printf "%-64s %12.0f %12.0f %8.2f\n", "  packets per CPU second", median(d, k), median(e, k), median(f, k)
			for (i = 1; i <= k; i++) {
				emit(r, "sniff", "packets decoded per second", sw[m, i], "packets/s")
				emit(r, "tcpdump", "packets decoded per second", tw[m, i], "packets/s")
				emit(r, "sniff / tcpdump", "packets decoded per second ratio", rw[m, i], "x")
				emit(r, "sniff", "packets decoded per CPU second", sc[m, i], "packets/s")
				emit(r, "tcpdump", "packets decoded per CPU second", tc[m, i], "packets/s")
				emit(r, "sniff / tcpdump", "packets decoded per CPU second ratio", rc[m, i], "x")
			}
		}
	}'
}
printf "%-64s %12s %12s %8s\n" "decoding to text (median of $DROUNDS rounds)" sniff tcpdump ratio
corpus=(integration/sniff/testdata/corpus/*.pcap)
python3 bench/mkmixed.py "$TMP/mixed.pcap" "$MIXED" "${corpus[@]}" >/dev/null
decode "decode ordinary traffic, $MIXED packets" "$TMP/mixed.pcap" "$MIXED"
rm -f "$TMP/mixed.pcap"
ws=.cache/extcorpus/wireshark
if [ -d "$ws" ]; then
	python3 bench/mkmixed.py "$TMP/ws.pcap" "$MIXED" "$ws"/*.pcap >/dev/null
	decode "decode Wireshark's Ethernet captures, $MIXED packets" "$TMP/ws.pcap" "$MIXED"
	rm -f "$TMP/ws.pcap"
	python3 bench/mkmixed.py -l 127 "$TMP/wifi.pcap" "$MIXED" "$ws/wpa-test-decode.pcap" >/dev/null
	decode "decode 802.11 radiotap (wpa-test-decode), $MIXED packets" "$TMP/wifi.pcap" "$MIXED"
	rm -f "$TMP/wifi.pcap"
fi
# Start-up: one packet; the time is the process's, wall and CPU.
python3 bench/mkmixed.py "$TMP/one.pcap" 1 integration/sniff/testdata/corpus/icmp.pcap >/dev/null
for r in $(seq "$DROUNDS"); do echo "$(times_of "$SNIFF" -n -r "$TMP/one.pcap") $(times_of tcpdump -n -r "$TMP/one.pcap")"; done |
	awk -v res="$TMP/dres" '
	function median(a, k,   i, j, t) {
		for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return (k % 2) ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2
	}
	{ k++; sw[k] = $1 * 1000; sc[k] = $2 * 1000; tw[k] = $3 * 1000; tc[k] = $4 * 1000 }
	END {
		printf "%-64s %12.1f %12.1f\n", "start-up: a 1-packet file, wall ms", median(sw, k), median(tw, k)
		printf "%-64s %12.1f %12.1f\n", "  CPU ms", median(sc, k), median(tc, k)
		for (i = 1; i <= k; i++) {
			printf "sniff\tstart-up (-n -r of a 1-packet file)\tsniff\twall time\t%s\tms\n", sw[i] >>res
			printf "sniff\tstart-up (-n -r of a 1-packet file)\ttcpdump\twall time\t%s\tms\n", tw[i] >>res
			printf "sniff\tstart-up (-n -r of a 1-packet file)\tsniff\tCPU time\t%s\tms\n", sc[i] >>res
			printf "sniff\tstart-up (-n -r of a 1-packet file)\ttcpdump\tCPU time\t%s\tms\n", tc[i] >>res
		}
	}'
while IFS=$'\t' read -r b row peer metric v unit; do result "$b" "$row" "$peer" "$metric" "$v" "$unit"; done <"$TMP/dres"
