#!/usr/bin/env bash
# afalg-hash against sha256sum (and kcapi-dgst where the kernel has AF_ALG):
# MB/s hashing one 1 GiB file of random bytes in /dev/shm (page cache, so
# the disk does not count), best of RUNS runs each, in one run of this
# script. Targets: --backend go ≥ 3× sha256sum; --backend kernel ≥ 1.0×
# kcapi-dgst.
# Where the host kernel has no AF_ALG (this machine), the kernel backend
# against kcapi-dgst runs in the kernel VM instead (AFALG_VM=0 skips it):
# integration/vm/afalg's benchmarks, 64 MiB from the guest's page cache,
# AFALG_VM_COUNT (3) runs of each, their median; the guest CPU under TCG
# has no SHA-NI (sha256-generic), so only the ratios there mean anything.
# Every run goes to bench/out/results.csv too (bench/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
BIN=${SOCKCORE_BIN:-$PWD/bin}
RUNS=${RUNS:-3}
SIZE_MIB=${SIZE_MIB:-1024}
tool=$BIN/afalg-hash
[ -x "$tool" ] || { echo "afalg.sh: $tool is not built: run make build" >&2; exit 1; }

dir=/dev/shm
[ -w "$dir" ] || dir=${TMPDIR:-/tmp}
data=$(mktemp "$dir/afalg-bench.XXXXXX")
trap 'rm -f "$data"' EXIT
head -c "$((SIZE_MIB << 20))" /dev/urandom > "$data"

# best MB/s of RUNS runs of "$@" reading $data; the digest is checked
# against sha256sum's so that a fast wrong answer cannot win.
want=$(sha256sum < "$data" | cut -d' ' -f1)
measure() {
	local best=0 t0 t1 out mbps label=$1
	shift
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		out=$("$@" < "$data")
		t1=$(date +%s%N)
		case "$out" in
		"$want"*) ;;
		*) echo "afalg.sh: $* printed $out, want $want" >&2; exit 1 ;;
		esac
		mbps=$(( (SIZE_MIB * 1048576) / ((t1 - t0) / 1000) ))
		result afalg "sha256, ${SIZE_MIB} MiB, ${AFALG_TIER:-host}" "$label" "hash rate" "$mbps" MB/s
		((mbps > best)) && best=$mbps
	done
	echo "$best"
}

declare -A mbps
order=()
run() { local label=$1; shift; mbps[$label]=$(measure "$label" "$@"); order+=("$label"); }

run "sha256sum" sha256sum
run "afalg-hash --backend go" "$tool" --backend go
if "$tool" --backend kernel < /dev/null > /dev/null 2>&1; then
	run "afalg-hash --backend kernel" "$tool" --backend kernel
	run "afalg-hash --backend kernel --no-zero-copy" "$tool" --backend kernel --no-zero-copy
	if command -v kcapi-dgst > /dev/null; then
		run "kcapi-dgst -c sha256 --hex" kcapi-dgst -c sha256 --hex
	fi
	kernel=yes
else
	kernel="no (AF_ALG is not available in this kernel: the kernel rows run in the VM tier)"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "afalg-hash bench: ${SIZE_MIB} MiB of random bytes in $dir, best of $RUNS, sha256; AF_ALG: $kernel"
printf '%-44s %10s %14s\n' "tool" "MB/s" "x sha256sum"
for l in "${order[@]}"; do
	printf '%-44s %10d %14s\n' "$l" "${mbps[$l]}" "$(ratio "${mbps[$l]}" "${mbps[sha256sum]}")"
done
r=$(ratio "${mbps[afalg-hash --backend go]}" "${mbps[sha256sum]}")
echo "target: go backend >= 3.00x sha256sum: $r ($(awk -v r="$r" 'BEGIN { print (r >= 3 ? "met" : "NOT met") }'))"
if [ -n "${mbps[kcapi-dgst -c sha256 --hex]:-}" ]; then
	r=$(ratio "${mbps[afalg-hash --backend kernel]}" "${mbps[kcapi-dgst -c sha256 --hex]}")
	echo "target: kernel backend >= 1.00x kcapi-dgst: $r ($(awk -v r="$r" 'BEGIN { print (r >= 1 ? "met" : "NOT met") }'))"
fi

# The VM tier: the kernel backend against kcapi-dgst where this kernel
# cannot run them.
if [ "$kernel" != yes ] && [ "${AFALG_VM:-1}" != 0 ]; then
	out=$(mktemp)
	count=${AFALG_VM_COUNT:-3}
	if ! VMTEST_PACKAGES=./integration/vm/afalg VMTEST_ARGS="-test.run=^\$ -test.bench=^Benchmark(KernelBackend|KcapiDgst)\$ -test.benchtime=2x -test.count=$count" \
		scripts/vmtest.sh >"$out" 2>&1; then
		cat "$out" >&2
		rm -f "$out"
		echo "afalg.sh: the VM run failed" >&2
		exit 1
	fi
	declare -A vlabel=([KernelBackend]="afalg-hash --backend kernel" [KcapiDgst]="kcapi-dgst -c sha256 --hex")
	declare -A vm
	while read -r name mbps; do
		name=${name#Benchmark}
		name=${name%-*}
		vm[$name]+="$mbps "
		result afalg "sha256, 64 MiB, kernel VM (qemu TCG)" "${vlabel[$name]}" "hash rate" "$mbps" MB/s
	done < <(awk '/^Benchmark.*MB\/s/ { print $1, $(NF-1) }' "$out")
	rm -f "$out"
	med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
	echo "kernel VM (qemu TCG, sha256-generic), 64 MiB, median of $count runs of 2:"
	printf '%-44s %10s %14s\n' "tool" "MB/s" "x kcapi-dgst"
	# shellcheck disable=SC2086 # the runs' figures, one a word
	k=$(med ${vm[KcapiDgst]:-})
	for n in KernelBackend KcapiDgst; do
		# shellcheck disable=SC2086
		v=$(med ${vm[$n]:-})
		printf '%-44s %10s %14s\n' "${vlabel[$n]}" "${v:--}" "$([ -n "$v" ] && [ -n "$k" ] && ratio "$v" "$k" || echo -)"
	done
	if [ -n "${vm[KernelBackend]:-}" ] && [ -n "$k" ]; then
		# shellcheck disable=SC2086
		r=$(ratio "$(med ${vm[KernelBackend]})" "$k")
		echo "target: kernel backend >= 1.00x kcapi-dgst (VM): $r ($(awk -v r="$r" 'BEGIN { print (r >= 1 ? "met" : "NOT met") }'))"
	fi
fi
