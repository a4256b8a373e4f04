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
