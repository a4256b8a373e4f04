#!/usr/bin/env bash
# bench/echo.sh: echod against socat (fork EXEC:cat), ncat (-k --exec
# /bin/cat) and a plain Go io.Copy server (bench/iocopy), all driven by the
# same load generator (bench/loadgen) in the same run. Prints a table of
# ratios. Runs in its own network namespace when root (loopback otherwise).
# BENCH_SECONDS sets the length of each measurement (default 1),
# BENCH_ROUNDS how many interleaved rounds the medians come from (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SOCKCORE_BIN:-$PWD/bin}
SECS=${BENCH_SECONDS:-1}
IDLE=${BENCH_IDLE_CONNS:-10000}
tmp=$(mktemp -d)
pids=()
ns=""
# descendants PID...: the PIDs and all their descendants (socat and ncat
# fork a child per connection that outlives its parent).
descendants() {
	local p
	for p in "$@"; do
		echo "$p"
		descendants $(pgrep -P "$p" || true)
	done
}
cleanup() {
	local all
	all=$(descendants "${pids[@]}")
	[ -n "$all" ] && kill $all 2>/dev/null || true
	wait 2>/dev/null || true
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

for p in socat ncat; do
	command -v $p >/dev/null || { echo "bench echo: $p not found: apt-get install $p (make deps)" >&2; exit 1; }
done
go build -o "$tmp/loadgen" ./bench/loadgen
go build -o "$tmp/iocopy" ./bench/iocopy

inns() { if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi; }
# nsargv: the command line that runs "$@" in the namespace, for & (a
# function run with & would be a subshell, and $! its pid).
nsargv() { if [ -n "$ns" ]; then argv=(ip netns exec "$ns" "$@"); else argv=("$@"); fi; }
if [ "$(id -u)" = 0 ]; then
	ns=scbench-$$
	ip netns add "$ns"
	ip -n "$ns" link set lo up
fi
# 10,000 idle connections: every sockcore Socket holds one descriptor, the
# io.Copy server three. Raise the limit where allowed (root with
# CAP_SYS_RESOURCE); otherwise split the connections over several processes
# sharing the port with SO_REUSEPORT, and add up their RSS.
ulimit -Hn 65536 2>/dev/null || prlimit --nofile=65536:65536 --pid $$ 2>/dev/null || true
ulimit -Sn "$(ulimit -Hn)"
hard=$(ulimit -Hn)
[ -z "$ns" ] && echo "bench echo: not root: loopback in this namespace" >&2
IDLE=$(( IDLE < hard - 100 ? IDLE : hard - 100 )) # the load generator's own limit
# Descriptors per idle connection: echod 1, the io.Copy server 3 (Go's io.Copy between TCP connections splices through
# a pipe it holds while blocked).
procs_for() { echo $(( ($1 * IDLE + 100) / hard + 1 )); }

# start NAME READY-TEXT LOG CMD...: start a server and wait for its ready line.
start() {
	local name=$1 ready=$2 log=$3
	shift 3
	nsargv "$@"
	"${argv[@]}" >"$log" 2>&1 &
	pids+=($!)
	eval "pid_$name=$!"
	for _ in $(seq 200); do
		grep -q "$ready" "$log" && return 0
		sleep 0.05
	done
	echo "bench echo: $name did not start: $(cat "$log")" >&2
	exit 1
}

start echod "listening udp" "$tmp/echod.log" "$BIN/echod" --listen tcp://127.0.0.1:51001 --listen udp://127.0.0.1:51001 --udp-rate 0
start socat "listening on" "$tmp/socat.log" socat -d -d TCP4-LISTEN:51002,reuseaddr,fork EXEC:cat
start socatu "starting data transfer loop\|receiving on\|N opening\|listening" "$tmp/socatu.log" socat -d -d UDP4-RECVFROM:51002,fork EXEC:cat || true
start ncat "Listening on" "$tmp/ncat.log" ncat -v -l -k --exec /bin/cat 127.0.0.1 51003
start iocopy "listening" "$tmp/iocopy.log" "$tmp/iocopy" -addr 127.0.0.1:51004
declare -A idle_procs
declare -A port=([echod]=51001 [socat]=51002 [ncat]=51003 [iocopy]=51004)
declare -A idle_pids
for s in echod iocopy; do
	if [ $s = echod ]; then n=$(procs_for 1); else n=$(procs_for 3); fi
	idle_procs[$s]=$n
	for i in $(seq "$n"); do
		if [ $s = echod ]; then
			start "idle$s$i" "listening" "$tmp/idle$s$i.log" "$BIN/echod" --listen tcp://127.0.0.1:51005 --reuse-port --backlog 4096 --max-conns-per-source 0 --idle-timeout 0
		else
			start "idle$s$i" "listening" "$tmp/idle$s$i.log" "$tmp/iocopy" -addr 127.0.0.1:51006 -reuseport
		fi
		eval "idle_pids[$s]+=\" \$pid_idle$s$i\""
	done
done
servers=(echod socat ncat iocopy)

lg() { inns "$tmp/loadgen" -duration "${SECS}s" "$@" 2>&1 | tail -1; }
val() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

# Rounds: every test runs ROUNDS times (BENCH_ROUNDS, default 3), and within
# a test every server is measured before the next test starts, in an order
# rotated each round; the table shows each server's median. A single short
# measurement on a shared 2-CPU machine swings by a third; the median of
# interleaved rounds is what the ratios are computed from.
ROUNDS=${BENCH_ROUNDS:-3}
declare -A S # S[server,key]: the values of every round, space separated
keep() { S[$1,$2]+="${3:-} "; }
order() { # the servers rotated by $1
	local i n=${#servers[@]}
	for ((i = 0; i < n; i++)); do echo "${servers[(i + $1) % n]}"; done
}
for ((r = 0; r < ROUNDS; r++)); do
	mapfile -t ord < <(order "$r")
	for s in "${ord[@]}"; do
		out=$(lg -mode bulk -conns 1 -size 65536 -addr "127.0.0.1:${port[$s]}"); keep "$s" bulk1 "$(val mbps "$out")"
	done
	for s in "${ord[@]}"; do
		out=$(lg -mode bulk -conns 8 -size 65536 -addr "127.0.0.1:${port[$s]}"); keep "$s" bulk8 "$(val mbps "$out")"
	done
	for n in 1 16; do
		for s in "${ord[@]}"; do
			out=$(lg -mode pingpong -conns $n -size 64 -addr "127.0.0.1:${port[$s]}")
			keep "$s" pp$n "$(val rps "$out")"; keep "$s" pp${n}p50 "$(val p50_us "$out")"; keep "$s" pp${n}p99 "$(val p99_us "$out")"
		done
	done
	for s in "${ord[@]}"; do
		[ "$s" = ncat ] && continue # ncat: no keep-open UDP echo with --exec
		out=$(lg -mode udp -conns 1 -size 64 -addr "127.0.0.1:${port[$s]}")
		keep "$s" udp "$(val rps "$out")"; keep "$s" udpp50 "$(val p50_us "$out")"; keep "$s" udpp99 "$(val p99_us "$out")"
	done
done
# median VALUES...: the median (the lower middle one of an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
declare -A R
for k in "${!S[@]}"; do
	read -ra vals <<<"${S[$k]}"
	R[$k]=$(median "${vals[@]}")
done

# Idle connections: server RSS (socat and ncat would fork 10,000 processes).
rss() { local t=0 p; for p in "$@"; do t=$(( t + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status") )); done; awk -v k=$t 'BEGIN { printf "%.1f", k/1024 }'; }
for s in echod iocopy; do
	if [ $s = echod ]; then a=127.0.0.1:51005; else a=127.0.0.1:51006; fi
	read -ra procs <<<"${idle_pids[$s]}"
	fifo=$tmp/idle-$s
	mkfifo "$fifo"
	nsargv "$tmp/loadgen" -mode idle -conns "$IDLE" -addr "$a"
	"${argv[@]}" <"$fifo" >"$tmp/idle-$s.out" 2>&1 &
	lpid=$!
	exec 9>"$fifo"
	for _ in $(seq 1200); do
		grep -q ready "$tmp/idle-$s.out" && break
		kill -0 $lpid 2>/dev/null || break
		sleep 0.05
	done
	if grep -q ready "$tmp/idle-$s.out"; then
		R[$s,idle]=$(rss "${procs[@]}")
	else
		R[$s,idle]=""
		echo "bench echo: idle $s: $(cat "$tmp/idle-$s.out")" >&2
	fi
	exec 9>&-
	kill $lpid 2>/dev/null || true
	wait $lpid || true
done
R[socat,idle]=""; R[ncat,idle]=""

ratio() { # higher is better for $3=hi, lower for lo
	local a=$1 b=$2
	[ -z "$a" ] || [ -z "$b" ] && { printf "%9s" "-"; return; }
	if [ "$3" = hi ]; then awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%8.2fx", a/b; else printf "%9s", "-" }'
	else awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%8.2fx", b/a; else printf "%9s", "-" }'; fi
}
row() { # label key hi|lo
	printf "%-30s" "$1"
	for s in "${servers[@]}"; do printf "%10s" "${R[$s,$2]:--}"; done
	for s in socat ncat iocopy; do ratio "${R[echod,$2]:-}" "${R[$s,$2]:-}" "$3"; done
	echo
}
echo "echo servers, medians of $ROUNDS rounds of ${SECS}s, $(nproc) CPUs; ratios are echod's advantage (>1 better)"
printf "%-30s%10s%10s%10s%10s%9s %9s %9s\n" test echod socat ncat iocopy "vs socat" "vs ncat" "vs iocopy"
row "TCP bulk 1 conn (MB/s)" bulk1 hi
row "TCP bulk 8 conns (MB/s)" bulk8 hi
row "ping-pong 1 conn (rt/s)" pp1 hi
row "  p50 (us)" pp1p50 lo
row "  p99 (us)" pp1p99 lo
row "ping-pong 16 conns (rt/s)" pp16 hi
row "  p50 (us)" pp16p50 lo
row "  p99 (us)" pp16p99 lo
row "UDP ping-pong (rt/s)" udp hi
row "  p50 (us)" udpp50 lo
row "  p99 (us)" udpp99 lo
row "$IDLE idle conns (RSS MiB)" idle lo
echo "(idle RSS sums ${idle_procs[echod]} echod and ${idle_procs[iocopy]} io.Copy processes sharing a port with SO_REUSEPORT: RLIMIT_NOFILE hard limit $hard;"
echo " a connection costs echod 1 descriptor, io.Copy 3; socat and ncat fork a process per connection)"
true
