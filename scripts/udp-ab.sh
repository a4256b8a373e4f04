#!/usr/bin/env bash
# scripts/udp-ab.sh ROUNDS SECS NAME=SERVER...: interleaved A/B of UDP echo
# servers on 64-byte ping-pong with one peer (bench/loadgen -mode udp), the
# load-independent figures first. SERVER is an echod binary (started with
# --listen udp://127.0.0.1:PORT --udp-rate 0), "iocopy" (bench/iocopy, Go's
# ReadFrom/WriteTo) or "socat" (UDP4-LISTEN:PORT,reuseaddr PIPE, started
# afresh for each measurement: it echoes its first peer only). Every round
# measures each server once, in an order rotated each round; each
# measurement is a SECS window after 0.5 s of load, with the server's CPU
# time and its system calls (per call) and context switches from perf stat
# within the window. Prints each measurement, then per server the medians
# per round trip: rt/s, p50, CPU us, system calls, context switches and the
# calls that matter.
#   scripts/udp-ab.sh 8 2 main=/tmp/echod.main new=bin/echod iocopy=iocopy socat=socat
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 ROUNDS SECS NAME=SERVER..." >&2; exit 2; }
R=$1 S=$2
shift 2
cd "$(dirname "$0")/.."
T=$(mktemp -d)
declare -A pid port
names=()
cleanup() {
	for n in "${names[@]}"; do [ -n "${pid[$n]:-}" ] && kill "${pid[$n]}" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
go build -o "$T/loadgen" ./bench/loadgen
go build -o "$T/iocopy" ./bench/iocopy
calls=(recvmmsg sendmmsg recvfrom sendto recvmsg sendmsg epoll_pwait futex nanosleep)
EV=raw_syscalls:sys_enter,context-switches
for c in "${calls[@]}"; do EV+=,syscalls:sys_enter_$c; done
p=52100
for spec in "$@"; do
	n=${spec%%=*} b=${spec#*=}
	p=$((p + 1))
	port[$n]=$p
	names+=("$n")
	case $b in
	iocopy) "$T/iocopy" -addr 127.0.0.1:$p >"$T/$n.log" 2>&1 & pid[$n]=$! ;;
	socat) pid[$n]= ;;
	*) "$b" --listen udp://127.0.0.1:$p --udp-rate 0 >"$T/$n.log" 2>&1 & pid[$n]=$! ;;
	esac
	if [ -n "${pid[$n]}" ]; then
		for _ in $(seq 100); do grep -q listening "$T/$n.log" && break; sleep 0.05; done
	fi
done
for ((r = 0; r < R; r++)); do
	k=${#names[@]}
	for ((i = 0; i < k; i++)); do
		n=${names[(i + r) % k]}
		sp=${pid[$n]}
		if [ -z "$sp" ]; then
			socat -d -d UDP4-LISTEN:${port[$n]},reuseaddr PIPE 2>"$T/socat.log" &
			sp=$!
			for _ in $(seq 100); do grep -q "listening on" "$T/socat.log" && break; sleep 0.05; done
		fi
		out=$("$T/loadgen" -mode udp -conns 1 -size 64 -duration "${S}s" -warmup 0.5s -addr 127.0.0.1:${port[$n]} \
			-server-pid "$sp" -perf "$EV" 2>&1 | tail -1 | sed 's/perf_syscalls_sys_enter_//g')
		if [ -z "${pid[$n]}" ]; then kill "$sp"; wait "$sp" 2>/dev/null || true; fi
		echo "round=$r srv=$n $out" | tee -a "$T/all"
	done
done
echo "medians of $R rounds of ${S}s, per round trip unless said; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v secs="$S" -v calls="${calls[*]}" '
function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
{ delete f; for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
  if (f["rps"] <= 0) next
  s = f["srv"]; if (!(s in cnt)) order[++ns] = s; c = ++cnt[s]; rt = f["rps"] * secs
  v[s, "rt/s", c] = f["rps"]; v[s, "p50us", c] = f["p50_us"]; v[s, "cpu_us", c] = f["srv_cpu_us"] / rt
  v[s, "syscalls", c] = f["perf_raw_syscalls_sys_enter"] / rt; v[s, "ctxsw", c] = f["perf_context-switches"] / rt
  for (k in K) v[s, K[k], c] = f[K[k]] / rt }
BEGIN { nk = split(calls, K, " ") }
END { hdr = "rt/s p50us cpu_us syscalls ctxsw " calls; nh = split(hdr, H, " ")
  printf "%-8s", "server"; for (h = 1; h <= nh; h++) printf " %9s", H[h]; print ""
  for (o = 1; o <= ns; o++) { s = order[o]; printf "%-8s", s
    for (h = 1; h <= nh; h++) { delete a; for (c = 1; c <= cnt[s]; c++) a[c] = v[s, H[h], c]
      printf(h <= 2 ? " %9.0f" : " %9.2f", med(a, cnt[s])) }
    print "" } }' "$T/all"
