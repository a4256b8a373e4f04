#!/usr/bin/env bash
# bench/uringecho/ab.sh: echod on epoll and on io_uring (--io-uring on,
# peer echod-uring) against the io.Copy server (bench/iocopy), 64-byte
# ping-pong driven by bench/loadgen, the peers interleaved in an order
# rotated each round; the figures of docs/bench/io_uring.md. Not part of `make bench`.
#
# ROUNDS (default 5), SECS (window, default 2), CONNS (default "1 16 256
# 4096"); ECHOD_OLD=path adds a second echod binary as peer echod-old (an
# A/B of two echod builds), run with the flags in ECHOD_OLD_ARGS if set. Prints one line per measurement, then medians:
# round trips/s, p50/p99 µs, the server's CPU µs per round trip, the load
# generator's (lg), the share of the machine's CPU time that was idle, and
# the server's system calls and context switches per round trip within the window (perf
# stat), and the garbage collections of echod during the run; then where
# the tail comes from: the slowest round trip (max us), the time the
# server's and the load generator's threads waited on a run queue per round
# trip (srvq, lgq: schedstat) and tailc, how many connections were slow at
# once around a slow round trip (bench/loadgen/tail.go).
# Loopback in the current namespace, ports 61171-61175 (above the ephemeral
# range 32768-60999, where another program's outgoing connection in
# TIME-WAIT made the bind fail on a busy machine); io_uring must be
# enabled (sysctl kernel.io_uring_disabled=0).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-5}
SECS=${SECS:-2}
CONNS=${CONNS:-1 16 256 4096}
tmp=$(mktemp -d)
declare -A pid
cleanup() {
	local p
	for p in "${pid[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
for b in loadgen iocopy; do go build -o "$tmp/$b" ./bench/$b; done
go build -o "$tmp/echod" ./cmd/echod
ulimit -Sn "$(ulimit -Hn)"
declare -A port=([iocopy]=61171 [echod]=61172 [echod-old]=61174 [echod-uring]=61175)
# (The measuring prototype bench/uringecho, peer "uring", was retired once
# echod's ring reactor had all it had, multishot receive included: PROTO
# is ignored.)
peers=(iocopy echod echod-uring)
GODEBUG=gctrace=1 "$tmp/echod" --listen tcp://127.0.0.1:61172 --max-conns-per-source 0 --backlog 4096 >"$tmp/echod.log" 2>&1 &
pid[echod]=$!
GODEBUG=gctrace=1 "$tmp/echod" --io-uring on --listen tcp://127.0.0.1:61175 --max-conns-per-source 0 --backlog 4096 >"$tmp/echod-uring.log" 2>&1 &
pid[echod-uring]=$!
if [ -n "${ECHOD_OLD:-}" ]; then
	# shellcheck disable=SC2086 # ECHOD_OLD_ARGS: flags, split on spaces
	GODEBUG=gctrace=1 "$ECHOD_OLD" ${ECHOD_OLD_ARGS:-} --listen tcp://127.0.0.1:61174 --max-conns-per-source 0 --backlog 4096 >"$tmp/echod-old.log" 2>&1 &
	pid[echod-old]=$!
	peers+=(echod-old)
fi
GODEBUG=gctrace=1 "$tmp/iocopy" -addr 127.0.0.1:61171 >"$tmp/iocopy.log" 2>&1 &
pid[iocopy]=$!
for s in "${peers[@]}"; do
	for _ in $(seq 100); do
		grep -q listening "$tmp/$s.log" && break
		kill -0 "${pid[$s]}" 2>/dev/null || { cat "$tmp/$s.log" >&2; exit 1; }
		sleep 0.05
	done
done
gcs() { grep -c '^gc ' "$tmp/$1.log" 2>/dev/null || true; }
n=${#peers[@]}
for ((r = 0; r < ROUNDS; r++)); do
	for c in $CONNS; do
		for ((i = 0; i < n; i++)); do
			s=${peers[(i + r) % n]}
			g0=$(gcs "$s")
			out=$("$tmp/loadgen" -mode pingpong -conns "$c" -size 64 -addr "127.0.0.1:${port[$s]}" \
				-duration "${SECS}s" -warmup 0.5s -server-pid "${pid[$s]}" \
				-perf raw_syscalls:sys_enter,context-switches 2>&1 | tail -1)
			g1=$(gcs "$s")
			printf '%s\t%s\t%s\t%s gcs=%s\n' "$r" "$c" "$s" "$out" "$(( ${g1:-0} - ${g0:-0} ))" | tee -a "$tmp/raw.tsv"
		done
	done
done
echo "medians of $ROUNDS rounds of ${SECS}s, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' -v secs="$SECS" -v ncpu="$(nproc)" '
function med(s,   a, n, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
{
	k = $2 SUBSEP $3; keys[k] = 1
	split($4, f, " ")
	for (i in f) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
	rt = v["rps"] * secs
	if (rt <= 0) next
	rps[k] = rps[k] " " v["rps"]; p50[k] = p50[k] " " v["p50_us"]; p99[k] = p99[k] " " v["p99_us"]
	cpu[k] = cpu[k] " " v["srv_cpu_us"] / rt
	lcpu[k] = lcpu[k] " " v["lg_cpu_us"] / rt
	idle[k] = idle[k] " " 100 * v["idle_us"] / (secs * 1e6 * ncpu)
	sys[k] = sys[k] " " v["perf_raw_syscalls_sys_enter"] / rt
	cs[k] = cs[k] " " v["perf_context-switches"] / rt
	gc[k] = gc[k] " " v["gcs"]
	srq[k] = srq[k] " " v["srv_runq_us"] / rt
	lrq[k] = lrq[k] " " v["lg_runq_us"] / rt
	tc[k] = tc[k] " " v["tail_conns"]
	mx[k] = mx[k] " " v["max_us"]
}
END {
	printf "%6s %-11s %9s %8s %8s %8s %10s %9s %6s %8s %8s %6s %9s %9s %6s\n", "conns", "peer", "rt/s", "p50 us", "p99 us", "max us", "CPU us/rt", "lg us/rt", "idle%", "sys/rt", "cs/rt", "GCs", "srvq us/rt", "lgq us/rt", "tailc"
	for (k in keys) {
		split(k, p, SUBSEP)
		printf "%6d %-11s %9.0f %8.0f %8.0f %8.0f %10.2f %9.2f %6.1f %8.3f %8.3f %6.1f %9.2f %9.2f %6.0f\n", p[1], p[2], med(rps[k]), med(p50[k]), med(p99[k]), med(mx[k]), med(cpu[k]), med(lcpu[k]), med(idle[k]), med(sys[k]), med(cs[k]), med(gc[k]), med(srq[k]), med(lrq[k]), med(tc[k])
	}
}' "$tmp/raw.tsv" | sort -k1,1n -k2,2
