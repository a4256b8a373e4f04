#!/usr/bin/env bash
# Tier 3: the kernel VM. Boots Debian's stock kernel under qemu (TCG) with a
# busybox initramfs holding the kernel modules of integration/vm/modules.txt,
# the test binaries of the packages in integration/vm/packages.txt, the tools
# in ./bin and the host programs of integration/vm/guest-programs.txt, runs
# every test binary as root in the guest and fails if any of them fails.
#
# Environment:
#   KERNEL=6.1|6.12|linux-image-…   one kernel (default 6.1, Debian's current)
#   KERNELS="6.1 6.12"              several kernels, one VM each (make vmtest-all)
#   VMTEST_ARGS="-test.run=CAN"     extra arguments for every test binary
#   VMTEST_PACKAGES="./integration/vm/kernel"  these packages instead of packages.txt
#   VMTEST_TIMEOUT=1500             wall-clock limit for one VM, in seconds
#   VMTEST_MEM=1024                 guest memory in MiB
#   VMTEST_APPEND="loglevel=7"      more guest kernel command-line options (last wins)
#   VMTEST_QEMU=qemu-system-x86_64  the qemu binary
#   VMTEST_DEBUG=1                  also print the guest's timing markers
#   VMTEST_KEEP=1                   keep the work directory (initramfs, consoles)
#   CI=true                         a missing prerequisite fails instead of skipping
#   SOCKCORE_SOAK=10m               how long the soaks in the guest run (default 60 s; make soak)
#
# Kernels are cached in .cache/vm/<package>/ (vmlinuz and modules.cpio, the
# modules.txt modules with their dependencies and modules.dep); the cache
# rebuilds itself when modules.txt changes; delete the directory to fetch again.
set -eEuo pipefail
shopt -s nullglob
# No silent exits: say which command failed.
trap 'echo "vmtest: error: line $LINENO: \"$BASH_COMMAND\" failed" >&2' ERR
cd "$(dirname "$0")/.."
REPO=$PWD
VMDIR=integration/vm
CACHE=$REPO/.cache/vm
TIMEOUT=${VMTEST_TIMEOUT:-1500}
MEM=${VMTEST_MEM:-1024}
QEMU=${VMTEST_QEMU:-qemu-system-x86_64}
KERNELS=${KERNELS:-${KERNEL:-6.1}}
T0=$EPOCHREALTIME

say() { echo "vmtest: $*"; }
die() {
	echo "vmtest: error: $*" >&2
	exit 1
}
# skip reports a missing prerequisite: a failure under CI=true, otherwise a
# loud skip. Never silent.
skip() {
	if [ "${CI:-}" = true ]; then
		echo "vmtest: error (CI=true, not skipping): $*" >&2
		exit 1
	fi
	echo "vmtest: skipped: $*" >&2
	exit 0
}
# list prints a list file without comments and blank lines.
list() { sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$1"; }
# usec converts $EPOCHREALTIME to microseconds.
usec() {
	local t=${1/[.,]/}
	echo $((10#$t))
}
# secs formats a microsecond duration as seconds with one decimal.
secs() { printf '%d.%d' $(($1 / 1000000)) $(($1 % 1000000 / 100000)); }
# mib formats a byte count as MiB with one decimal.
mib() { printf '%d.%d' $(($1 / 1048576)) $(($1 % 1048576 * 10 / 1048576)); }

if [ -n "${VMTEST_PACKAGES:-}" ]; then
	read -r -a PKGS <<<"$VMTEST_PACKAGES"
else
	mapfile -t PKGS < <(list $VMDIR/packages.txt)
fi
if ((${#PKGS[@]} == 0)); then
	die "$VMDIR/packages.txt lists no test packages: tier 3 would test nothing"
fi

# --- prerequisites ---------------------------------------------------------
need() { # need <command> <Debian package>
	command -v "$1" >/dev/null ||
		skip "$1 is missing; install it with: apt-get install --no-install-recommends $2 (or: sudo make deps)"
}
need "$QEMU" qemu-system-x86
need busybox busybox-static
need cpio cpio
need depmod kmod
need modprobe kmod
need apt-get apt
need dpkg-deb dpkg
need ldd libc-bin
need go golang-go
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	skip "$BUSYBOX is dynamically linked; the guest needs busybox-static: apt-get install --no-install-recommends busybox-static"
fi

WORK=$(mktemp -d /tmp/sockcore-vmtest.XXXXXX)
QEMU_PID=
cleanup() {
	[ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null
	if [ -n "${VMTEST_KEEP:-}" ]; then
		echo "vmtest: kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- kernels ---------------------------------------------------------------
# resolve_kernel prints the Debian package for "6.1", "6.12" or a full
# linux-image-… name, preferring what apt knows, else a cached copy.
resolve_kernel() {
	local want=$1 meta dep d
	case $want in
	linux-image-*)
		echo "$want"
		return
		;;
	esac
	for meta in "linux-image-$want-amd64" linux-image-amd64; do
		# An unknown meta package is not an error: try the next one.
		dep=$({ apt-cache depends "$meta" 2>/dev/null || true; } | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')
		case $dep in "linux-image-$want".* | "linux-image-$want"-* | "linux-image-$want"+*)
			echo "$dep"
			return
			;;
		esac
	done
	for d in "$CACHE"/linux-image-"$want".* "$CACHE"/linux-image-"$want"-*; do
		[ -f "$d/vmlinuz" ] && echo "${d##*/}" && return
	done
	return 0
}

# fetch_kernel fills $CACHE/<pkg>/ with vmlinuz and modules.cpio: the modules
# of modules.txt with their dependencies, decompressed, with modules.dep;
# unless it is there already for the same modules.txt. When the package cannot
# be downloaded it sets FETCH_ERR and returns 0 (errexit stays in force).
fetch_kernel() {
	local pkg=$1 dir=$CACHE/$1 stamp tmp deb base ver m p rel kos
	FETCH_ERR=
	# The stamp changes with modules.txt and with the cache layout (v2).
	stamp=$({ echo v2; list $VMDIR/modules.txt; } | sha256sum | cut -c1-16)
	if [ -f "$dir/modules.cpio" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	say "fetching $pkg into ${dir#"$REPO"/} (once; reused afterwards)"
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
	# apt-get download wants a directory the _apt user may write to, or it warns.
	chmod 755 "$tmp"
	if ! (cd "$tmp" && apt-get download "$pkg") >"$tmp/apt.log" 2>&1; then
		sed 's/^/vmtest:   /' "$tmp/apt.log" >&2
		rm -rf "$tmp"
		FETCH_ERR="cannot download Debian kernel package $pkg (apt-get download $pkg failed; check the apt sources, then apt-get update)"
		return 0
	fi
	deb=("$tmp"/*.deb)
	dpkg-deb -x "${deb[0]}" "$tmp/x"
	rm -f "${deb[@]}"
	p=("$tmp"/x/boot/vmlinuz-*)
	[ -f "${p[0]:-}" ] || die "$pkg has no /boot/vmlinuz-*"
	ver=${p[0]##*/vmlinuz-}
	if [ -d "$tmp/x/lib/modules/$ver" ]; then base=$tmp/x; else base=$tmp/x/usr; fi
	[ -d "$base/lib/modules/$ver" ] || die "$pkg has no modules directory for $ver"
	depmod -b "$base" "$ver"
	mkdir -p "$tmp/out/lib/modules/$ver"
	kos=()
	for m in $(list $VMDIR/modules.txt); do
		# "insmod /path/x.ko" per module to load, "builtin x" when built in.
		p=$(modprobe -d "$base" -S "$ver" --show-depends "$m" 2>&1) ||
			die "kernel $ver ($pkg) has no module $m: $p"
		kos+=($(awk '$1 == "insmod" {print $2}' <<<"$p"))
	done
	for p in $(printf '%s\n' "${kos[@]}" | sort -u); do
		rel=${p#"$base/lib/modules/$ver/"}
		mkdir -p "$tmp/out/lib/modules/$ver/${rel%/*}"
		case $p in
		*.ko.xz) xz -dc "$p" >"$tmp/out/lib/modules/$ver/${rel%.xz}" ;;
		*.ko.zst) zstd -qdc "$p" >"$tmp/out/lib/modules/$ver/${rel%.zst}" ;;
		*.ko.gz) gzip -dc "$p" >"$tmp/out/lib/modules/$ver/${rel%.gz}" ;;
		*) cp "$p" "$tmp/out/lib/modules/$ver/$rel" ;;
		esac
	done
	for p in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$base/lib/modules/$ver/$p" ] && sed -e 's/\.ko\.\(xz\|zst\|gz\)$/.ko/' "$base/lib/modules/$ver/$p" >"$tmp/out/lib/modules/$ver/$p"
	done
	depmod -b "$tmp/out" "$ver"
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$tmp/out" && find lib | cpio -o -H newc --quiet) >"$dir/modules.cpio"
	cp "$tmp/x/boot/vmlinuz-$ver" "$dir/vmlinuz"
	echo "$ver" >"$dir/version"
	echo "$stamp" >"$dir/stamp"
	rm -rf "$tmp"
	say "cached $pkg: $(du -sh "$dir" | cut -f1) (${#kos[@]} module files)"
}

# Kernels that cannot be had are reported (and fail the run under CI=true);
# the others still run.
KPKGS=()
UNAVAILABLE=()
for k in $KERNELS; do
	pkg=$(resolve_kernel "$k")
	if [ -z "$pkg" ]; then
		UNAVAILABLE+=("kernel $k: no Debian kernel package in the configured apt sources (apt-cache search linux-image-$k finds none; newer kernels for bookworm come from bookworm-security or bookworm-backports: add one, then apt-get update)")
		continue
	fi
	fetch_kernel "$pkg"
	if [ -n "$FETCH_ERR" ]; then
		UNAVAILABLE+=("kernel $k: $FETCH_ERR")
		continue
	fi
	KPKGS+=("$pkg")
done
# report_unavailable prints one line per kernel that cannot be had and
# returns non-zero under CI=true if there was one.
report_unavailable() {
	local m
	((${#UNAVAILABLE[@]})) || return 0
	for m in "${UNAVAILABLE[@]}"; do
		if [ "${CI:-}" = true ]; then
			echo "vmtest: error (CI=true, not skipping): $m" >&2
		else
			echo "vmtest: skipped: $m" >&2
		fi
	done
	[ "${CI:-}" != true ]
}
if ((${#KPKGS[@]} == 0)); then
	report_unavailable || exit 1
	exit 0
fi

# --- the common part of the initramfs ---------------------------------------
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,sockcore/bin,sockcore/tests,sockcore/src}
cp "$BUSYBOX" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"

# copy_prog <host path> <guest path>: the program and the libraries ldd
# lists, each at its host path, plus the dynamic loader.
copy_prog() {
	local src=$1 dst=$2 lib
	mkdir -p "$ROOT${dst%/*}"
	cp -L "$src" "$ROOT$dst"
	# ldd fails on static binaries: nothing to copy then.
	{ ldd "$src" 2>/dev/null || true; } | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' |
		while read -r lib; do
			[ -e "$ROOT$lib" ] && continue
			mkdir -p "$ROOT${lib%/*}"
			cp -L "$lib" "$ROOT$lib"
		done
}
MISSING=()
for p in $(list $VMDIR/guest-programs.txt); do
	if [ -x "$p" ]; then
		copy_prog "$p" "$p"
	else
		MISSING+=("$p")
	fi
done
if ((${#MISSING[@]})); then
	msg="guest programs missing on the host: ${MISSING[*]} (install their Debian packages: sudo make deps)"
	[ "${CI:-}" = true ] && die "$msg"
	say "warning: $msg"
fi
for p in bin/*; do
	[ -f "$p" ] && [ -x "$p" ] && copy_prog "$p" "/sockcore/$p"
done

# The test binaries: one per package, run in a copy of the package directory
# (with its testdata) so relative paths work as under go test.
: >"$ROOT/sockcore/tests.list"
for pkg in "${PKGS[@]}"; do
	dir=$(go list -f '{{.Dir}}' "$pkg") || die "cannot resolve package $pkg from $VMDIR/packages.txt"
	rel=${dir#"$REPO"/}
	name=$(echo "$rel" | tr '/.' '__')
	echo "go test -c $pkg (CGO_ENABLED=0)"
	rm -f "$WORK/$name.test"
	CGO_ENABLED=0 go test -c -trimpath -o "$WORK/$name.test" "$pkg"
	[ -f "$WORK/$name.test" ] || die "$pkg has no test files (listed in $VMDIR/packages.txt)"
	mv "$WORK/$name.test" "$ROOT/sockcore/tests/$name.test"
	mkdir -p "$ROOT/sockcore/src/$rel"
	[ -d "$dir/testdata" ] && cp -r "$dir/testdata" "$ROOT/sockcore/src/$rel/"
	echo "$name $rel $pkg" >>"$ROOT/sockcore/tests.list"
done
list $VMDIR/modules.txt >"$ROOT/sockcore/modules.txt"
{
	printf 'VMTEST_ARGS=%q\n' "${VMTEST_ARGS:-}"
	printf 'CI=%q\n' "${CI:-}"
	printf 'SOCKCORE_SOAK=%q\n' "${SOCKCORE_SOAK:-}"
	printf 'VM_TIMEOUT=%q\n' "$TIMEOUT"
} >"$ROOT/sockcore/env"

cat >"$ROOT/init" <<'EOF'
#!/bin/sh
# Guest init (generated by scripts/vmtest.sh). Test output and markers go to
# ttyS1; the kernel console is ttyS0, so kernel messages never split a marker.
/bin/busybox --install -s /bin
export PATH=/sockcore/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1
. /sockcore/env
say() { echo "@@VMTEST $*" >&3; }
say "KERNEL $(uname -r) up $(cut -d' ' -f1 /proc/uptime) s"
while read -r m; do
	err=$(modprobe "$m" 2>&1) || say "WARN modprobe $m failed: $err"
done </sockcore/modules.txt
run() { err=$("$@" 2>&1) || say "WARN $* failed: $err"; }
run ip link set lo up
run ip link add dev vcan0 type vcan
run ip link add dev vcan1 type vcan
# vxcan1 first with peer vxcan0: some kernels ignore the peer name and take
# the first free vxcan%d, which then is vxcan0 all the same.
run ip link add dev vxcan1 type vxcan peer name vxcan0
for i in vcan0 vcan1 vxcan0 vxcan1; do run ip link set "$i" up; done
export SOCKCORE_VM=1 SOCKCORE_BIN=/sockcore/bin CI SOCKCORE_SOAK
while read -r name rel pkg; do
	say "UPTIME $(cut -d' ' -f1 /proc/uptime) s"
	say "BEGIN $pkg"
	cd "/sockcore/src/$rel"
	# The test binary's own timeout ends 15 s before qemu's (the guest clock
	# follows the host's), so a hang shows its goroutines instead of a kill.
	left=$((VM_TIMEOUT - $(cut -d. -f1 /proc/uptime) - 15))
	[ "$left" -lt 5 ] && left=5
	# shellcheck disable=SC2086
	"/sockcore/tests/$name.test" -test.v -test.count=1 -test.timeout="${left}s" $VMTEST_ARGS >&3 2>&3 </dev/null
	say "END $pkg rc=$?"
done </sockcore/tests.list
say "DONE"
cd /
sync
poweroff -f
echo o >/proc/sysrq-trigger
EOF
chmod 755 "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc --quiet) >"$WORK/common.cpio"

# --- run one VM per kernel ---------------------------------------------------
FAILED=0
for pkg in "${KPKGS[@]}"; do
	kdir=$CACHE/$pkg
	ver=$(cat "$kdir/version")
	initrd=$WORK/initrd-$pkg.cpio
	cat "$WORK/common.cpio" "$kdir/modules.cpio" >"$initrd"
	size=$(stat -c %s "$initrd")
	console=$WORK/console-$pkg.log
	say "booting $ver ($pkg) under qemu TCG: initramfs $(mib "$size") MiB, timeout ${TIMEOUT} s"

	# tsc=reliable: under TCG the guest's TSC is the host's, calibrated
	# against an emulated timer on a loaded host, so the clocksource watchdog
	# found it skewed against the HPET (0.1 %, tens of seconds in) and marked
	# it unstable; that flips the sched_clock_stable static key, and the
	# kernel patches the running code of sched_clock_cpu with int3 while the
	# other vCPU executes it, which TCG does not survive ("Oops: int3" at
	# sched_clock_cpu+0x9, "Fatal exception in interrupt": 6.12 in the afalg
	# package). With tsc=reliable the watchdog leaves the TSC alone, no code
	# is patched at run time, and the guest clock stays the host's TSC.
	# A guest kernel that panics all the same (seen under TCG: "IO-APIC +
	# timer doesn't work" at boot) is booted once more, the reason printed
	# and the console kept, and every package runs again; if that boot
	# panics with the IO-APIC reason again, a third boot adds noapic.
	append="console=ttyS0 quiet loglevel=3 panic=-1 oops=panic tsc=reliable ${VMTEST_APPEND:-}"
	for attempt in 1 2 3; do
	declare -A RC=()
	t_start=$(usec "$EPOCHREALTIME")
	t_first=
	t_last=
	# qemu runs in the background (timeout makes its own process group, so the
	# EXIT trap kills it on ^C); its ttyS1 comes through a FIFO so that this
	# shell keeps what the loop below records.
	rm -f "$WORK/ttyS1"
	mkfifo "$WORK/ttyS1"
	timeout -k 5 "$TIMEOUT" "$QEMU" -accel tcg -m "$MEM" -smp 2 -nographic -no-reboot \
		-nodefaults -nic none -monitor none -serial "file:$console" -serial stdio \
		-kernel "$kdir/vmlinuz" -initrd "$initrd" \
		-append "$append" \
		</dev/null >"$WORK/ttyS1" 2>"$WORK/qemu.err" &
	QEMU_PID=$!
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"@@VMTEST BEGIN "*)
			if [ -z "$t_first" ]; then t_first=$(usec "$EPOCHREALTIME"); fi
			echo "=== vmtest: ${line#@@VMTEST BEGIN } (kernel $ver)"
			;;
		"@@VMTEST END "*)
			t_last=$(usec "$EPOCHREALTIME")
			rest=${line#@@VMTEST END }
			RC[${rest% rc=*}]=${rest##* rc=}
			;;
		"@@VMTEST WARN "*) echo "vmtest: guest: ${line#@@VMTEST WARN }" ;;
		"@@VMTEST KERNEL "* | "@@VMTEST UPTIME "* | "@@VMTEST DONE")
			if [ -n "${VMTEST_DEBUG:-}" ]; then echo "$line"; fi
			;;
		*) echo "$line" ;;
		esac
	done <"$WORK/ttyS1"
	qrc=0
	wait "$QEMU_PID" || qrc=$?
	QEMU_PID=
	t_end=$(usec "$EPOCHREALTIME")
	if ((attempt < 3)) && grep -q -a 'Kernel panic' "$console"; then
		reason=$(grep -m1 -a 'Kernel panic' "$console" | sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r$//')
		cp "$console" "$console.$attempt"
		if ((attempt == 1)); then
			say "kernel $ver panicked (${reason}; console kept in $console.1): booting again"
		elif [[ $reason == *"IO-APIC + timer doesn't work"* ]]; then
			say "kernel $ver panicked again (${reason}; console kept in $console.2): booting again with noapic"
			append="$append noapic"
		else
			break
		fi
		unset RC
		continue
	fi
	break
	done

	bad=0
	if ((qrc == 124 || qrc == 137)); then
		say "FAIL: kernel $ver: qemu timed out after ${TIMEOUT} s (VMTEST_TIMEOUT raises the limit)"
		bad=1
	elif ((qrc != 0)); then
		say "FAIL: kernel $ver: qemu exited with status $qrc: $(tr '\n' ' ' <"$WORK/qemu.err")"
		bad=1
	fi
	for p in "${PKGS[@]}"; do
		if [ -z "${RC[$p]+set}" ]; then
			say "FAIL: $p on $ver: no end marker (the guest crashed, hung or timed out)"
			bad=1
		elif [ "${RC[$p]}" != 0 ]; then
			say "FAIL: $p on $ver: exit status ${RC[$p]}"
			bad=1
		else
			say "ok   $p on $ver"
		fi
	done
	if ((bad)); then
		FAILED=1
		say "kernel console (last 40 lines of ttyS0):"
		# Without the firmware's terminal escapes.
		tail -n 40 "$console" | sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' -e 's/\r$//' -e 's/^/vmtest:   /'
	fi
	if [ -n "$t_first" ] && [ -n "$t_last" ]; then
		say "boot+teardown overhead $(secs $((t_first - t_start + t_end - t_last))) s (boot $(secs $((t_first - t_start))) s, teardown $(secs $((t_end - t_last))) s), VM total $(secs $((t_end - t_start))) s"
	fi
	unset RC
done
report_unavailable || FAILED=1
say "total $(secs $(($(usec "$EPOCHREALTIME") - $(usec "$T0")))) s"
exit $FAILED
