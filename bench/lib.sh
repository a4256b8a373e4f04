# bench/lib.sh: sourced by every bench/<name>.sh. Besides its table on
# stdout, a bench script appends its figures to one CSV file that
# bench/report turns into charts:
#
#   bench,row,peer,metric,value,unit
#
# bench   the script's name (sniff, resolve, echo, ...)
# row     one line of its table ("CPU per packet, default ring"); a row of
#         the form KEY=NUMBER ("pps=100000", "names=1000") is a point of a
#         scaling curve: all rows of one bench and metric with the same KEY
#         are drawn as a line per peer against NUMBER
# peer    the program measured ("sniff", "tcpdump -B 2048", "python3")
# metric  what was measured ("CPU s per million packets"); one chart per
#         bench and metric, the peers of a row side by side
# value   a plain number (no unit, no thousands separator)
# unit    of value ("s", "MB/s", "us"); "x" for a ratio
#
# A script may append one row per round: the report draws the median of
# the rows with the same bench, row, peer and metric. Fields are quoted as
# CSV when they hold a comma or a quote. BENCH_RESULTS names the file
# (default bench/out/results.csv); bench/run.sh starts it anew with a
# comment line (# ...) saying when and where it ran.
BENCH_RESULTS=${BENCH_RESULTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/out/results.csv}
mkdir -p "$(dirname "$BENCH_RESULTS")"

# csvfield S: S quoted as a CSV field when it needs to be.
csvfield() {
	case $1 in
	*[,\"]*) printf '"%s"' "${1//\"/\"\"}" ;;
	*) printf '%s' "$1" ;;
	esac
}

# result BENCH ROW PEER METRIC VALUE UNIT: append one row. An empty or
# non-numeric VALUE (a peer that could not be measured) is left out.
result() {
	[ $# -eq 6 ] || { echo "result: want 6 fields, got $#: $*" >&2; return 1; }
	[[ $5 =~ ^-?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$ ]] || return 0
	local line="" f
	for f in "$@"; do line+="${line:+,}$(csvfield "$f")"; done
	printf '%s\n' "$line" >>"$BENCH_RESULTS"
}

# The helpers of the scripts that start servers (echo.sh, tls.sh). They use
# the script's globals: tmp (its temporary directory), ns (the network
# namespace it runs in, "" for this one), pids (the servers started) and
# BIN (echocat for start_port). Messages say "bench NAME:", NAME the script's.

# descendants PID...: the PIDs and all their descendants (socat and ncat
# fork a child per connection that outlives its parent).
descendants() {
	local p
	for p in "$@"; do
		echo "$p"
		descendants $(pgrep -P "$p" || true)
	done
}

# bench_cleanup: kill the servers and their children, delete the namespace
# and the temporary directory (trap bench_cleanup EXIT).
bench_cleanup() {
	local all
	all=$(descendants "${pids[@]}")
	[ -n "$all" ] && kill $all 2>/dev/null || true
	wait 2>/dev/null || true
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}

# bench_netns NAME: as root, make network namespace NAME with lo up and
# set ns to it; otherwise leave ns empty (loopback here).
bench_netns() {
	if [ "$(id -u)" = 0 ]; then
		ns=$1
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	fi
}

inns() { if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi; }
# nsargv: the command line that runs "$@" in the namespace, for & (a
# function run with & would be a subshell, and $! its pid).
nsargv() { if [ -n "$ns" ]; then argv=(ip netns exec "$ns" "$@"); else argv=("$@"); fi; }

# start_bg NAME LOG CMD...: start a server in the background, its output in
# LOG; its pid is added to pids and set in pid_NAME.
start_bg() {
	local name=$1 log=$2
	shift 2
	nsargv "$@"
	"${argv[@]}" >"$log" 2>&1 &
	pids+=($!)
	eval "pid_$name=$!"
}

# start_ready NAME READY-TEXT LOG CMD...: start a server and wait for its
# ready line (READY-TEXT, a grep pattern, in LOG); exit when 200 looks at
# LOG, 50 ms apart, have not found it.
start_ready() {
	local name=$1 ready=$2 log=$3
	shift 3
	start_bg "$name" "$log" "$@"
	for _ in $(seq 200); do
		grep -q "$ready" "$log" && return 0
		sleep 0.05
	done
	echo "bench $(basename "$0" .sh): $name did not start: $(cat "$log")" >&2
	exit 1
}

# start_port NAME PORT CMD...: start a server, its output in $tmp/NAME.log,
# and wait (echocat --wait-for) for its port on 127.0.0.1.
start_port() {
	local name=$1 port=$2
	shift 2
	start_bg "$name" "$tmp/$name.log" "$@"
	inns "$BIN/echocat" -z --wait-for 30s 127.0.0.1 "$port" >/dev/null ||
		{ echo "bench $(basename "$0" .sh): $name did not start: $(cat "$tmp/$name.log")" >&2; exit 1; }
}

# median VALUES...: the median (the lower middle one of an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
# val KEY TEXT: the number after KEY= in TEXT (bench/loadgen's summary line).
val() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

# The floods of bench/sniff.sh and scripts/sniff-ab.sh: iperf3 from one
# network namespace to another over a veth pair, captured in the second.

# flood_netns A B: as root, namespaces A (the sender, 10.9.0.1/24 on veth0)
# and B (the receiver, 10.9.0.2/24 on veth1, where the captures run),
# joined by a veth pair, lo up in both. flood_netns_del A B removes them.
flood_netns() {
	local a=$1 b=$2 v=fl$$
	ip netns add "$a"
	ip netns add "$b"
	ip link add "${v}a" type veth peer name "${v}b"
	ip link set "${v}a" netns "$a" name veth0
	ip link set "${v}b" netns "$b" name veth1
	ip -n "$a" addr add 10.9.0.1/24 dev veth0
	ip -n "$b" addr add 10.9.0.2/24 dev veth1
	ip -n "$a" link set lo up
	ip -n "$b" link set lo up
	ip -n "$a" link set veth0 up
	ip -n "$b" link set veth1 up
}
flood_netns_del() { ip netns del "$1" 2>/dev/null || true; ip netns del "$2" 2>/dev/null || true; }

# cpuns PID: nanoseconds on CPU of all of PID's threads: the first field of
# /proc/PID/task/TID/schedstat (sum_exec_runtime), summed.
cpuns() { cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {printf "%d\n", s}'; }
# num FILE TEXT: the count before TEXT in FILE (a capture's summary line,
# "123 packets captured").
num() { grep "$2" "$1" | awk '{print $1}'; }
