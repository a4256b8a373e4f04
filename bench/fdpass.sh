#!/usr/bin/env bash
# make bench: descriptors passed per second over one UNIX SOCK_SEQPACKET
# connection, batches of 1 and 64 descriptors per message: sockcore's
# SendFDs and fdpass's receive (MSG_CMSG_CLOEXEC, MSG_CTRUNC checked, every
# descriptor closed) against python3's socket.send_fds/recv_fds doing the
# same, in the same run. Each figure is the best of 3 runs.
# Every run goes to bench/out/results.csv too (bench/lib.sh), where the
# report draws their median.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
command -v python3 >/dev/null || { echo "fdpass bench: python3 not found: apt-get install python3" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/fdpassbench" ./bench/fdpassbench
cat >"$tmp/py.py" <<'PY'
import os, socket, sys, threading, time
batch, count = int(sys.argv[1]), int(sys.argv[2])
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(batch)]
def sender():
    for _ in range(count):
        socket.send_fds(a, [b"x"], fds)
    a.shutdown(socket.SHUT_WR)
start = time.perf_counter()
t = threading.Thread(target=sender); t.start()
got = 0
while True:
    data, rfds, flags, _ = socket.recv_fds(b, 16, batch)
    if not data:
        break
    for fd in rfds:
        os.close(fd)
    if flags & socket.MSG_CTRUNC:
        sys.exit("control message truncated")
    got += len(rfds)
elapsed = time.perf_counter() - start
t.join()
assert got == batch * count, (got, batch * count)
print(round(got / elapsed))
PY
best() { # ROW PEER CMD...: best of 3 runs of a command printing descriptors/s
	local b=0 v row=$1 peer=$2
	shift 2
	for _ in 1 2 3; do
		v=$("$@")
		result fdpass "$row" "$peer" "descriptors passed per second" "$v" "desc/s"
		((v > b)) && b=$v
	done
	echo "$b"
}
printf '%-8s %10s %16s %16s %8s\n' batch messages "fdpass desc/s" "python3 desc/s" ratio
for spec in "1 100000" "64 5000"; do
	set -- $spec
	ours=$(best "batch of $1" "fdpass (sockcore)" "$tmp/fdpassbench" -batch "$1" -count "$2")
	theirs=$(best "batch of $1" "python3 send_fds" python3 "$tmp/py.py" "$1" "$2")
	ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')
	printf '%-8s %10s %16s %16s %8s\n' "$1" "$2" "$ours" "$theirs" "${ratio}x"
done
