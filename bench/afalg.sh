#!/usr/bin/env bash
# afalg-hash against sha256sum (and kcapi-dgst where the kernel has AF_ALG):
# MB/s hashing one 1 GiB file of random bytes in /dev/shm (page cache, so
# the disk does not count), best of RUNS runs each, in one run of this
# script. Targets: --backend go ≥ 3× sha256sum; --backend kernel ≥ 1.0×
# kcapi-dgst.
set -euo pipefail
cd "$(dirname "$0")/.."
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
	local best=0 t0 t1 out mbps
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		out=$("$@" < "$data")
		t1=$(date +%s%N)
		case "$out" in
		"$want"*) ;;
		*) echo "afalg.sh: $* printed $out, want $want" >&2; exit 1 ;;
		esac
		mbps=$(( (SIZE_MIB * 1048576) / ((t1 - t0) / 1000) ))
		((mbps > best)) && best=$mbps
	done
	echo "$best"
}

declare -A mbps
order=()
run() { local label=$1; shift; mbps[$label]=$(measure "$@"); order+=("$label"); }

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
