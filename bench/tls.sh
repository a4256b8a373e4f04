#!/usr/bin/env bash
# bench/tls.sh: what people install ncat and socat for, side by side.
#   TLS bulk echo (full duplex): echod tls:// against ncat --ssl -k --exec /bin/cat and
#   socat OPENSSL-LISTEN,fork PIPE (socat's fastest echo), all with the same
#   P-256 certificate; echocat -l -k --ssl -e /bin/cat as an extra row (the
#   same shape as ncat's).
#   Connections per second through a process per connection: echocat -l -k
#   -e /bin/cat against ncat -l -k --exec /bin/cat and socat
#   TCP-LISTEN,fork EXEC:cat.
# ncat --ssl --exec all but stalls under full-duplex bulk (its relay to cat
# blocks one way while the other fills): its figure is what it manages.
# Lockstep 64 KiB blocks are no fairer: every server there waits ~40 ms a
# block on Nagle against delayed ACKs (none sets TCP_NODELAY), so ~1.5 MB/s.
# All driven by bench/loadgen in one network namespace (root) or on loopback.
# BENCH_SECONDS per measurement (default 1), BENCH_ROUNDS interleaved rounds
# whose medians are shown (default 3).
# Every round's figure goes to bench/out/results.csv too (bench/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
BIN=${SOCKCORE_BIN:-$PWD/bin}
SECS=${BENCH_SECONDS:-1}
ROUNDS=${BENCH_ROUNDS:-3}
tmp=$(mktemp -d)
pids=()
ns=""
trap bench_cleanup EXIT
for p in socat ncat openssl; do
	command -v $p >/dev/null || { echo "bench tls: $p not found: apt-get install $p (make deps)" >&2; exit 1; }
done
go build -o "$tmp/loadgen" ./bench/loadgen
bench_netns scbench-tls-$$
if [ -z "$ns" ]; then
	echo "bench tls: not root: loopback in this namespace" >&2
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost -days 1 \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
C=(--ssl-cert "$tmp/cert.pem" --ssl-key "$tmp/key.pem")
start_port echod 52001 "$BIN/echod" --listen tls://127.0.0.1:52001 --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
start_port echocat 52002 "$BIN/echocat" -l -k --ssl "${C[@]}" -e /bin/cat 127.0.0.1 52002
start_port ncat 52003 ncat -l -k --ssl "${C[@]}" --exec /bin/cat 127.0.0.1 52003
start_port socat 52004 socat OPENSSL-LISTEN:52004,reuseaddr,fork,verify=0,cert="$tmp/cert.pem",key="$tmp/key.pem" PIPE
start_port xechocat 52011 "$BIN/echocat" -l -k -e /bin/cat 127.0.0.1 52011
start_port xncat 52012 ncat -l -k --exec /bin/cat 127.0.0.1 52012
start_port xsocat 52013 socat TCP-LISTEN:52013,reuseaddr,fork EXEC:cat
declare -A port=([echod]=52001 [echocat]=52002 [ncat]=52003 [socat]=52004 [xechocat]=52011 [xncat]=52012 [xsocat]=52013)

lg() { inns "$tmp/loadgen" -duration "${SECS}s" "$@" 2>&1 | tail -1; }
declare -A S
declare -A peer=([echod]="echod tls://" [echocat]="echocat -k --ssl -e cat" [ncat]="ncat --ssl --exec cat" [socat]="socat OPENSSL-LISTEN fork PIPE"
	[xechocat]="echocat -k -e /bin/cat" [xncat]="ncat -k --exec /bin/cat" [xsocat]="socat TCP-LISTEN fork EXEC:cat")
declare -A what=([bulk1]="TLS bulk echo, 1 connection|echo throughput|MB/s" [bulk4]="TLS bulk echo, 4 connections|echo throughput|MB/s"
	[cps]="-k -e /bin/cat, 4 clients|connections per second|conn/s")
keep() {
	S[$1,$2]+="${3:-} "
	local row metric unit
	IFS='|' read -r row metric unit <<<"${what[$2]}"
	result tls "$row" "${peer[$1]}" "$metric" "${3:-}" "$unit"
}
rot() { local -n a=$1; local i n=${#a[@]}; for ((i = 0; i < n; i++)); do echo "${a[(i + $2) % n]}"; done; }
tlss=(echod echocat ncat socat)
execs=(xechocat xncat xsocat)
for ((r = 0; r < ROUNDS; r++)); do
	for s in $(rot tlss "$r"); do
		out=$(lg -tls -mode bulk -conns 1 -size 65536 -addr "127.0.0.1:${port[$s]}"); keep "$s" bulk1 "$(val mbps "$out")"
	done
	for s in $(rot tlss "$r"); do
		out=$(lg -tls -mode bulk -conns 4 -size 65536 -addr "127.0.0.1:${port[$s]}"); keep "$s" bulk4 "$(val mbps "$out")"
	done
	for s in $(rot execs "$r"); do
		out=$(lg -mode connect -conns 4 -size 64 -addr "127.0.0.1:${port[$s]}"); keep "$s" cps "$(val cps "$out")"
	done
done
declare -A R
for k in "${!S[@]}"; do
	read -ra vals <<<"${S[$k]}"
	R[$k]=$(median "${vals[@]}")
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%8.2fx", a/b; else printf "%9s", "-" }'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
echo "TLS and exec servers, medians of $ROUNDS rounds of ${SECS}s, $(nproc) CPUs; ratios >1: ours ahead"
printf "%-34s%10s%10s%10s%10s%10s %s\n" test ours ncat socat "vs ncat" "vs socat" "vs the faster"
trow() { # label ours-server key
	local o=${R[$2,$3]:-} n=${R[ncat,$3]:-} s=${R[socat,$3]:-}
	printf "%-34s%10s%10s%10s%s%s%s\n" "$1" "$o" "$n" "$s" "$(ratio "$o" "$n")" "$(ratio "$o" "$s")" "$(ratio "$o" "$(best "$n" "$s")")"
}
trow "TLS bulk 1 conn, echod (MB/s)" echod bulk1
trow "TLS bulk 4 conns, echod (MB/s)" echod bulk4
trow "  extra: echocat -k --ssl -e cat, 1" echocat bulk1
trow "  extra: echocat -k --ssl -e cat, 4" echocat bulk4
o=${R[xechocat,cps]:-}; n=${R[xncat,cps]:-}; s=${R[xsocat,cps]:-}
printf "%-34s%10s%10s%10s%s%s%s\n" "-k -e /bin/cat, 4 clients (conn/s)" "$o" "$n" "$s" "$(ratio "$o" "$n")" "$(ratio "$o" "$s")" "$(ratio "$o" "$(best "$n" "$s")")"
echo "(TLS: echod tls://, echocat -l -k --ssl -e /bin/cat, ncat -l -k --ssl --exec /bin/cat, socat OPENSSL-LISTEN,fork PIPE;"
echo " exec: echocat -l -k -e /bin/cat, ncat -l -k --exec /bin/cat, socat TCP-LISTEN,fork EXEC:cat; all TLS 1.3, P-256)"
