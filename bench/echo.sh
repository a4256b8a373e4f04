#!/usr/bin/env bash
# bench/echo.sh: echod against socat, ncat and a plain Go io.Copy server
# (bench/iocopy), all driven by the same independent load generator
# (bench/loadgen, on Go's net package: not echocat) in the same run.
#
# Every peer runs in its fastest correct configuration (shared/DESIGN.md,
# Benchmarks); the ratios are judged on those rows:
#   socat        TCP4-LISTEN:P,reuseaddr,fork PIPE      (one process per connection, no cat)
#   socat (UDP)  UDP4-LISTEN:P,reuseaddr PIPE           (echoes one peer: restarted for each measurement)
#   ncat         -l -k -m 10000 --exec /bin/cat         (ncat has no other echo: a cat per connection;
#                                                       -m: its default limit is 100 connections)
#   iocopy       io.Copy per connection, ReadFrom/WriteTo for UDP (the Go standard library)
# The slow forms measured before are kept as extra rows labelled "slow":
#   socat-exec   TCP4-LISTEN:P,reuseaddr,fork EXEC:cat  (a cat and two pipes in every round trip)
#   socat-exec   UDP4-RECVFROM:P,fork EXEC:cat          (a fork per datagram)
#
# Tests: TCP bulk at 1, 8 and 64 connections; TCP ping-pong (64 bytes) at 1,
# 16, 256 and 4096 connections (the scaling curve); UDP ping-pong (64 bytes,
# one peer); the RSS of 10,000 idle connections. Every measurement also reads
# the server's CPU time (/proc/PID/stat, children included once reaped) and
# gives it per round trip or per MB: the cost that must not grow with the
# connection count.
#
# Output: a table of medians and ratios on stdout, and the same medians,
# machine-readable, in bench/out/echo.tsv (BENCH_OUT sets the directory),
# tab-separated with a header line:
#   bench  row  peer  metric  value  unit
# as bench/README.md describes (the format bench reports are drawn from).
#
# BENCH_SECONDS sets the length of each measurement (default 1),
# BENCH_ROUNDS how many interleaved rounds the medians come from (default 3;
# within a test every peer is measured once per round, in an order rotated
# each round, so that the noise of a shared machine hits every peer alike).
# BENCH_WARMUP (default 0.5s) is the load before each measurement window.
# BENCH_BULK and BENCH_PP list the connection counts of the bulk and
# ping-pong tests (empty: skip the test), BENCH_UDP=0 skips UDP and
# BENCH_IDLE_CONNS=0 the idle connections: for a quick look at one row.
# BENCH_PERF=1 adds rows of the server's system calls and context switches
# per round trip or MB within the window (perf stat; load-independent where
# the rates are not).
# BENCH_FORK_MAX (default 256) caps the connection count given to the peers
# that fork a process per connection (socat, ncat): 4096 of them is 4096 to
# 8192 processes; BENCH_FORK_MAX=4096 measures them there too.
# Runs in its own network namespace when root (loopback otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SOCKCORE_BIN:-$PWD/bin}
SECS=${BENCH_SECONDS:-1}
WARMUP=${BENCH_WARMUP:-0.5s}
IDLE=${BENCH_IDLE_CONNS:-10000}
FORKMAX=${BENCH_FORK_MAX:-256}
OUT=${BENCH_OUT:-$PWD/bench/out}
# shellcheck source=bench/lib.sh
. bench/lib.sh
tmp=$(mktemp -d)
pids=()
ns=""
trap bench_cleanup EXIT

for p in socat ncat; do
	command -v $p >/dev/null || { echo "bench echo: $p not found: apt-get install $p (make deps)" >&2; exit 1; }
done
go build -o "$tmp/loadgen" ./bench/loadgen
go build -o "$tmp/iocopy" ./bench/iocopy

bench_netns scbench-$$
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

start_ready echod "listening udp" "$tmp/echod.log" "$BIN/echod" --listen tcp://127.0.0.1:51001 --listen udp://127.0.0.1:51001 --udp-rate 0 --max-conns-per-source 0 --backlog 4096
# echod on its io_uring reactor (--io-uring on), TCP only (UDP does not use
# the reactor); left out where the kernel refuses io_uring.
# (echod --io-uring on exits before its listening line there.)
uring=1
start_bg echodu "$tmp/echodu.log" "$BIN/echod" --io-uring on --listen tcp://127.0.0.1:51010 --max-conns-per-source 0 --backlog 4096
for _ in $(seq 200); do
	grep -q listening "$tmp/echodu.log" && break
	kill -0 "$pid_echodu" 2>/dev/null || { uring=""; echo "bench echo: no io_uring column: $(cat "$tmp/echodu.log")" >&2; break; }
	sleep 0.05
done
start_ready socat "listening on" "$tmp/socat.log" socat -d -d TCP4-LISTEN:51002,reuseaddr,fork PIPE
start_ready socatx "listening on" "$tmp/socatx.log" socat -d -d TCP4-LISTEN:51007,reuseaddr,fork EXEC:cat
start_ready socatxu "starting data transfer loop\|receiving on\|N opening\|listening" "$tmp/socatxu.log" socat -d -d UDP4-RECVFROM:51009,fork EXEC:cat || true
start_ready ncat "Listening on" "$tmp/ncat.log" ncat -v -l -k -m 10000 --exec /bin/cat 127.0.0.1 51003
start_ready iocopy "listening" "$tmp/iocopy.log" "$tmp/iocopy" -addr 127.0.0.1:51004
declare -A idle_procs
# TCP and UDP ports; socatx is socat's slow TCP form, socatxu its slow UDP
# form, socat's UDP row is a UDP-LISTEN started for each measurement.
declare -A port=([echod]=51001 [socat]=51002 [ncat]=51003 [iocopy]=51004 [socatx]=51007 [echodu]=51010)
declare -A uport=([echod]=51001 [socat]=51008 [iocopy]=51004 [socatx]=51009)
declare -A pid=([echod]=$pid_echod [socat]=$pid_socat [ncat]=$pid_ncat [iocopy]=$pid_iocopy [socatx]=$pid_socatx [echodu]=${pid_echodu:-})
declare -A upid=([echod]=$pid_echod [iocopy]=$pid_iocopy [socatx]=$pid_socatxu)
# The peers' names in bench/out/echo.tsv.
declare -A tsvname=([echod]=echod [socat]=socat-pipe [ncat]=ncat-exec-cat [iocopy]=iocopy [socatx]=socat-exec-cat [echodu]=echod-io-uring)
declare -A idle_pids
for s in echod iocopy; do
	if [ $s = echod ]; then n=$(procs_for 1); else n=$(procs_for 3); fi
	idle_procs[$s]=$n
	for i in $(seq "$n"); do
		if [ $s = echod ]; then
			start_ready "idle$s$i" "listening" "$tmp/idle$s$i.log" "$BIN/echod" --listen tcp://127.0.0.1:51005 --reuse-port --backlog 4096 --max-conns-per-source 0 --idle-timeout 0
		else
			start_ready "idle$s$i" "listening" "$tmp/idle$s$i.log" "$tmp/iocopy" -addr 127.0.0.1:51006 -reuseport
		fi
		eval "idle_pids[$s]+=\" \$pid_idle$s$i\""
	done
done
servers=(echod socat ncat iocopy socatx)
[ -n "$uring" ] && servers+=(echodu)
forks() { [ "$1" = socat ] || [ "$1" = ncat ] || [ "$1" = socatx ]; }

lg() { inns "$tmp/loadgen" -duration "${SECS}s" "$@" 2>&1 | tail -1 || true; }
# cputicks PID: the CPU time of PID and its reaped children, in clock ticks.
cputicks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }
TCK=$(getconf CLK_TCK)
# settle PID: wait (up to 1 s) until PID has no more children than
# before the measurement (the forking peers' children exit when the load
# generator closes its connections; their CPU counts once reaped, so the
# CPU figures of socat and ncat leave out children still running: ncat's
# linger for minutes).
settle() {
	local n
	for _ in $(seq 20); do
		n=$(pgrep -c -P "$1" || true)
		[ "${n:-0}" -le "$2" ] && return 0
		sleep 0.05
	done
}
# measure SERVER-PID KEY-PREFIX UNIT-DIVISOR-KEY LOADGEN-ARGS...: one
# measurement; keeps rps/mbps, p50, p99 and the server's CPU per unit.
# The load generator measures a window of SECS that opens WARMUP after the
# load starts (connections opened and echoed once before that), and reads
# the server's CPU time (its threads and its children's, in ns) at both
# ends of the window itself: connection setup, the warm-up and the closing
# stay out of the CPU figure. (Before, the CPU was read around the whole
# load generator run, which at 4096 connections was mostly accepting and
# registering them.)
measure() {
	local spid=$1 s=$2 key=$3 what=$4
	shift 4
	local kids c0 c1 out v cpu
	kids=$(pgrep -c -P "$spid" || true)
	c0=$(cputicks "$spid")
	out=$(lg -warmup "$WARMUP" -server-pid "$spid" ${BENCH_PERF:+-perf raw_syscalls:sys_enter,context-switches} "$@")
	settle "$spid" "${kids:-0}"
	c1=$(cputicks "$spid")
	v=$(val "$what" "$out")
	[ -z "$v" ] && echo "bench echo: $s $key: $out" >&2
	keep "$s" "$key" "$v"
	if [ "$what" = rps ]; then
		keep "$s" "${key}p50" "$(val p50_us "$out")"
		keep "$s" "${key}p99" "$(val p99_us "$out")"
	fi
	# CPU µs per round trip (rps) or per MB (mbps), within the window.
	cpu=$(val srv_cpu_us "$out")
	[ -z "$cpu" ] && cpu=$(awk -v c=$((c1 - c0)) -v t="$TCK" 'BEGIN { printf "%.0f", c / t * 1e6 }')
	[ -n "$v" ] && keep "$s" "${key}cpu" "$(awk -v c="$cpu" -v v="$v" -v d="$SECS" 'BEGIN { if (v > 0) printf "%.2f", c / (v * d) }')"
	# BENCH_PERF=1: the server's system calls and context switches (its
	# threads' sleeps, so its wakeups) per round trip or MB, from perf stat.
	if [ -n "${BENCH_PERF:-}" ] && [ -n "$v" ]; then
		keep "$s" "${key}sys" "$(awk -v c="$(val perf_raw_syscalls_sys_enter "$out")" -v v="$v" -v d="$SECS" 'BEGIN { if (v > 0 && c != "") printf "%.3f", c / (v * d) }')"
		keep "$s" "${key}cs" "$(awk -v c="$(val perf_context-switches "$out")" -v v="$v" -v d="$SECS" 'BEGIN { if (v > 0 && c != "") printf "%.3f", c / (v * d) }')"
	fi
	return 0
}

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
read -ra BULK <<<"${BENCH_BULK-1 8 64}"
read -ra PP <<<"${BENCH_PP-1 16 256 4096}"
for ((r = 0; r < ROUNDS; r++)); do
	mapfile -t ord < <(order "$r")
	for n in "${BULK[@]}"; do
		for s in "${ord[@]}"; do
			forks "$s" && [ "$n" -gt "$FORKMAX" ] && continue
			measure "${pid[$s]}" "$s" bulk$n mbps -mode bulk -conns "$n" -size 65536 -addr "127.0.0.1:${port[$s]}"
		done
	done
	for n in "${PP[@]}"; do
		for s in "${ord[@]}"; do
			forks "$s" && [ "$n" -gt "$FORKMAX" ] && continue
			measure "${pid[$s]}" "$s" pp$n rps -mode pingpong -conns "$n" -size 64 -addr "127.0.0.1:${port[$s]}"
		done
	done
	[ "${BENCH_UDP:-1}" = 0 ] && continue
	for s in "${ord[@]}"; do
		[ "$s" = ncat ] && continue # ncat: no keep-open UDP echo
		[ "$s" = echodu ] && continue # UDP does not use the reactor
		if [ "$s" = socat ]; then
			# UDP-LISTEN echoes the first peer only: a fresh one for
			# every measurement.
			start_ready socatu "listening on" "$tmp/socatu.log" socat -d -d UDP4-LISTEN:51008,reuseaddr PIPE
			measure "$pid_socatu" socat udp rps -mode udp -conns 1 -size 64 -addr "127.0.0.1:${uport[$s]}"
			kill "$pid_socatu" 2>/dev/null || true
			wait "$pid_socatu" 2>/dev/null || true
			continue
		fi
		measure "${upid[$s]}" "$s" udp rps -mode udp -conns 1 -size 64 -addr "127.0.0.1:${uport[$s]}"
	done
done
declare -A R
for k in "${!S[@]}"; do
	read -ra vals <<<"${S[$k]}"
	R[$k]=$(median "${vals[@]}")
done

# Idle connections: server RSS (socat and ncat would fork 10,000 processes).
rss() { local t=0 p; for p in "$@"; do t=$(( t + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status") )); done; awk -v k=$t 'BEGIN { printf "%.1f", k/1024 }'; }
for s in echod iocopy; do
	[ "$IDLE" -gt 0 ] || break
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

ratio() { # higher is better for $3=hi, lower for lo; one column, " %8.2fx"
	local a=$1 b=$2
	[ -z "$a" ] || [ -z "$b" ] && { printf " %9s" "-"; return; }
	if [ "$3" = hi ]; then awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf " %8.2fx", a/b; else printf " %9s", "-" }'
	else awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf " %8.2fx", b/a; else printf " %9s", "-" }'; fi
}
# stalled: a bulk figure under 1 MB/s is a relay that all but stopped
# (ncat --exec under full-duplex bulk, bench/tls.sh), not a rate: a ratio to
# it, or to its CPU per MB, would only say how long it stalled.
stalled() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { exit !(v < 1) }'; }
row() { # label key hi|lo [bulk key: peers stalled there get no ratio]
	local s
	printf "%-28s" "$1"
	for s in "${servers[@]}"; do printf " %10s" "${R[$s,$2]:--}"; done
	for s in socat ncat iocopy; do
		if [ -n "${4:-}" ] && stalled "${R[$s,$4]:-}"; then printf " %9s" stalled; continue; fi
		ratio "${R[echod,$2]:-}" "${R[$s,$2]:-}" "$3"
	done
	if [ -n "$uring" ]; then for s in socat iocopy echod; do ratio "${R[echodu,$2]:-}" "${R[$s,$2]:-}" "$3"; done; fi
	echo
}
echo "echo servers, medians of $ROUNDS rounds of ${SECS}s, $(nproc) CPUs; ratios are echod's advantage (>1 better)"
echo "socat: fork PIPE (UDP: UDP-LISTEN PIPE); ncat: -k --exec /bin/cat; socat-exec (slow, not judged): fork EXEC:cat (UDP: UDP-RECVFROM fork EXEC:cat)"
hdr=(test echod socat ncat iocopy socat-exec)
[ -n "$uring" ] && hdr+=(io_uring)
printf "%-28s" "${hdr[0]}"; printf " %10s" "${hdr[@]:1}"; printf " %9s %9s %9s" "vs socat" "vs ncat" "vs iocopy"
[ -n "$uring" ] && printf " %9s %9s %9s" "u/socat" "u/iocopy" "u/epoll"
echo
[ -n "$uring" ] && echo "(io_uring: echod --io-uring on; u/socat, u/iocopy, u/epoll: its advantage over socat, io.Copy and echod on epoll)"
for n in "${BULK[@]}"; do
	row "TCP bulk $n conns (MB/s)" bulk$n hi bulk$n
	row "  CPU (us/MB)" bulk${n}cpu lo bulk$n
	if [ -n "${BENCH_PERF:-}" ]; then row "  system calls per MB" bulk${n}sys lo; row "  context switches per MB" bulk${n}cs lo; fi
done
for n in "${PP[@]}"; do
	row "ping-pong $n conns (rt/s)" pp$n hi
	row "  p50 (us)" pp${n}p50 lo
	row "  p99 (us)" pp${n}p99 lo
	row "  CPU (us/rt)" pp${n}cpu lo
	if [ -n "${BENCH_PERF:-}" ]; then row "  system calls per rt" pp${n}sys lo; row "  context switches per rt" pp${n}cs lo; fi
done
row "UDP ping-pong (rt/s)" udp hi
row "  p50 (us)" udpp50 lo
row "  p99 (us)" udpp99 lo
row "  CPU (us/rt)" udpcpu lo
if [ -n "${BENCH_PERF:-}" ]; then row "  system calls per rt" udpsys lo; row "  context switches per rt" udpcs lo; fi
row "$IDLE idle conns (RSS MiB)" idle lo
echo "(idle RSS sums ${idle_procs[echod]} echod and ${idle_procs[iocopy]} io.Copy processes sharing a port with SO_REUSEPORT: RLIMIT_NOFILE hard limit $hard;"
echo " a connection costs echod 1 descriptor, io.Copy 3; socat and ncat fork a process per connection, measured up to $FORKMAX connections)"
awk -v a="${R[echod,pp4096cpu]:-}" -v b="${R[echod,pp16cpu]:-}" 'BEGIN { if (a > 0 && b > 0) printf "echod CPU per round trip at 4096 connections: %.2fx its cost at 16\n", a / b }'

# bench/out/echo.tsv: the medians, one value a line (bench/README.md); the
# same medians go to bench/out/results.csv (bench/lib.sh) for the report,
# each test a curve against its connections (a test of one size is a
# curve of one point).
mkdir -p "$OUT"
{
	printf 'bench\trow\tpeer\tmetric\tvalue\tunit\n'
	emit() { # row key metric unit
		local s
		for s in "${servers[@]}"; do
			[ -n "${R[$s,$2]:-}" ] || continue
			printf 'echo\t%s\t%s\t%s\t%s\t%s\n' "$1" "${tsvname[$s]}" "$3" "${R[$s,$2]}" "$4"
			result echo "connections=${1#*@}" "${tsvname[$s]}" "${1%@*} $3" "${R[$s,$2]}" "$4"
		done
		return 0
	}
	for n in "${BULK[@]}"; do
		emit "tcp-bulk@$n" bulk$n throughput MB/s
		emit "tcp-bulk@$n" bulk${n}cpu cpu us/MB
	done
	for n in "${PP[@]}"; do
		emit "tcp-pingpong@$n" pp$n throughput rt/s
		emit "tcp-pingpong@$n" pp${n}p50 p50 us
		emit "tcp-pingpong@$n" pp${n}p99 p99 us
		emit "tcp-pingpong@$n" pp${n}cpu cpu us/rt
	done
	emit "udp-pingpong@1" udp throughput rt/s
	emit "udp-pingpong@1" udpp50 p50 us
	emit "udp-pingpong@1" udpp99 p99 us
	emit "udp-pingpong@1" udpcpu cpu us/rt
	emit "tcp-idle@$IDLE" idle rss MiB
} >"$OUT/echo.tsv"
echo "(medians written to ${OUT#"$PWD"/}/echo.tsv)"
true
