#!/usr/bin/env bash
# canrelay against the kernel's cangw and a candump | cansend pipeline:
# frames/s relayed vcan0 -> vcan1, the UDP tunnel's frames/s, and relay
# latency percentiles (frames one at a time) for cangw, bridge and bridge
# --low-latency. This host has no CAN, so the measuring runs in the kernel
# VM (scripts/vmtest.sh with the integration/vm/canbench package), all rows
# in one boot, CANBENCH_BOOTS (3) boots; the ratio is the median of the
# boots' ratios. Within a boot the relays run CANBENCH_ROUNDS (3)
# interleaved rounds, the order rotated each round, and a boot's ratio is
# the median of its rounds' (two relays measured back to back): the speed
# of the emulated CPU swings within a boot, and one measurement of each
# made the bridge/cangw ratio of one build swing from 0.32 to 0.74 between
# boots. Targets: bridge >= 0.8x cangw and >= 10x the pipeline.
# CANBENCH_FRAMES (50000), CANBENCH_WINDOW (1000), CANBENCH_PIPE_FRAMES
# (300) and CANBENCH_LAT_FRAMES (2000) size the runs. Each relay gets a
# window of frames sent, then all received, in order (a lost or reordered
# frame fails the row); the guest's netdev_max_backlog is raised so that
# vcan's loopback does not drop a window. Figures go to
# bench/out/results.csv too (bench/lib.sh).
: "${CANBENCH_FRAMES:=50000}" "${CANBENCH_WINDOW:=1000}" "${CANBENCH_PIPE_FRAMES:=300}"
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x bin/canrelay ] || { echo "can.sh: bin/canrelay is not built: run make build" >&2; exit 1; }
: "${CANBENCH_LAT_FRAMES:=2000}" "${CANBENCH_BOOTS:=3}" "${CANBENCH_ROUNDS:=3}"
# shellcheck source=bench/lib.sh
. bench/lib.sh
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# CANBENCH_RUN picks the rows: TestBenchRelay (relays), TestBenchGen
# (canrelay gen against cangen -g 0, CANBENCH_GEN_FRAMES frames a round,
# CANBENCH_GEN_ROUNDS rounds), TestGenSyscalls (system calls a frame; needs
# strace copied into bin/), TestGenProfile. CANBENCH_GEN_BASE names an
# earlier canrelay build copied into bin/ (e.g. bin/canrelay-base, guest
# path /sockcore/bin/canrelay-base): its gen is an extra row of the same
# rounds, an interleaved A/B.
: "${CANBENCH_RUN:=TestBenchRelay|TestBenchGen}" "${CANBENCH_GEN_FRAMES:=30000}" "${CANBENCH_GEN_ROUNDS:=5}" "${CANBENCH_GEN_BASE:=}"
args="-test.run=$CANBENCH_RUN -canbench.gen-frames=$CANBENCH_GEN_FRAMES -canbench.gen-rounds=$CANBENCH_GEN_ROUNDS -canbench.gen-base=$CANBENCH_GEN_BASE -canbench.frames=$CANBENCH_FRAMES -canbench.window=$CANBENCH_WINDOW -canbench.pipe-frames=$CANBENCH_PIPE_FRAMES -canbench.lat-frames=$CANBENCH_LAT_FRAMES -canbench.rounds=$CANBENCH_ROUNDS"
ratios=()
genratios=()
for boot in $(seq 1 "$CANBENCH_BOOTS"); do
	if ! VMTEST_PACKAGES=./integration/vm/canbench VMTEST_ARGS="$args" scripts/vmtest.sh >"$out" 2>&1; then
		cat "$out" >&2
		echo "can.sh: the VM run failed (boot $boot)" >&2
		exit 1
	fi
	echo "-- boot $boot of $CANBENCH_BOOTS"
	grep '^canbench| ' "$out" | sed 's/^canbench| //'
	grep '^canbench-csv| ' "$out" | sed 's/^canbench-csv| //' >>"$BENCH_RESULTS"
	r=$(sed -n 's/^canbench| bridge\/cangw \([0-9.]*\).*/\1/p' "$out")
	[ -n "$r" ] && ratios+=("$r")
	r=$(sed -n 's/^canbench| gen\/cangen \([0-9.]*\).*/\1/p' "$out")
	[ -n "$r" ] && genratios+=("$r")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
if ((${#ratios[@]})); then
	echo "bridge/cangw per boot: ${ratios[*]}; median $(median "${ratios[@]}") (target >= 0.8)"
fi
if ((${#genratios[@]})); then
	echo "gen/cangen per boot: ${genratios[*]}; median $(median "${genratios[@]}") (target >= 1.5)"
fi
