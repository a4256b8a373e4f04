#!/usr/bin/env bash
# canrelay against the kernel's cangw and a candump | cansend pipeline:
# frames/s relayed vcan0 -> vcan1, and the UDP tunnel's frames/s. This host
# has no CAN, so the measuring runs in the kernel VM (scripts/vmtest.sh with
# the integration/vm/canbench package), all rows in one boot. Targets: bridge
# >= 0.5x cangw and >= 10x the pipeline. CANBENCH_FRAMES (50000),
# CANBENCH_WINDOW (1000) and CANBENCH_PIPE_FRAMES (300) size the runs. Each
# relay gets a window of frames sent, then all received, in order (a lost or
# reordered frame fails the row); the guest's netdev_max_backlog is raised
# so that vcan's loopback does not drop a window.
: "${CANBENCH_FRAMES:=50000}" "${CANBENCH_WINDOW:=1000}" "${CANBENCH_PIPE_FRAMES:=300}"
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x bin/canrelay ] || { echo "can.sh: bin/canrelay is not built: run make build" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# CANBENCH_RUN picks the rows: TestBenchRelay (relays), TestBenchGen
# (canrelay gen against cangen -g 0, CANBENCH_GEN_FRAMES frames a round).
: "${CANBENCH_RUN:=TestBenchRelay|TestBenchGen}" "${CANBENCH_GEN_FRAMES:=30000}"
args="-test.run=$CANBENCH_RUN -canbench.gen-frames=$CANBENCH_GEN_FRAMES -canbench.frames=$CANBENCH_FRAMES -canbench.window=$CANBENCH_WINDOW -canbench.pipe-frames=$CANBENCH_PIPE_FRAMES"
if ! VMTEST_PACKAGES=./integration/vm/canbench VMTEST_ARGS="$args" scripts/vmtest.sh >"$out" 2>&1; then
	cat "$out" >&2
	echo "can.sh: the VM run failed" >&2
	exit 1
fi
grep '^canbench| ' "$out" | sed 's/^canbench| //'
