#!/usr/bin/env bash
# make corpus: sniff against tcpdump on two capture corpora kept outside the
# project (issue #13): tcpdump 4.99.3's own regression captures (tests/, many
# malformed on purpose) and Wireshark 4.0.17's test captures (ordinary
# traffic). Both come from Debian's source tarballs, checked against the
# Checksums-Sha256 of their .dsc (pinned below), and are unpacked into
# $EXTCORPUS (default .cache/extcorpus: tcpdump/ and wireshark/, the .gz
# captures gunzipped). Then integration/sniff TestExternalCorpus runs
# `tcpdump -n -r` and `sniff -n -r` (and both with -v) on every file and
# reports the figures; it fails on a panic or below its floors. tcpdump must
# be the installed 4.99.3 (Debian bookworm's), the version of the captures'
# expected output.
#
# DEBIAN_MIRROR overrides the mirror (default: the first Debian archive in
# the machine's apt sources, else http://deb.debian.org/debian).
set -euo pipefail
cd "$(dirname "$0")/.."

EXTCORPUS=${EXTCORPUS:-$PWD/.cache/extcorpus}
TCPDUMP_TAR=tcpdump_4.99.3.orig.tar.gz
TCPDUMP_PATH=pool/main/t/tcpdump
TCPDUMP_SHA256=ad75a6ed3dc0d9732945b2e5483cb41dc8b4b528a169315e499c6861952e73b3 # tcpdump_4.99.3-1.dsc
WIRESHARK_TAR=wireshark_4.0.17.orig.tar.bz2
WIRESHARK_PATH=pool/main/w/wireshark
WIRESHARK_SHA256=62fd1491b6211d1651a16a45ead15808970b3a6a9ebde2537f96722af47aaaa5 # wireshark_4.0.17-0+deb12u3.dsc

die() { echo "extcorpus: $*" >&2; exit 1; }

# The Debian archive named by apt's sources (deb822 .sources or one-line
# .list), not the security archive.
mirror() {
	if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
	local m
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -oE '(https?|ftp)://[^ ]*/debian/?( |$)' | grep -v security | head -1 | tr -d ' ') || true
	echo "${m:-http://deb.debian.org/debian}"
}

v=$(tcpdump --version 2>&1 | head -1) || die "tcpdump is not installed (make deps installs it)"
[ "$v" = "tcpdump version 4.99.3" ] || die "the installed tcpdump is \"$v\"; the figures are for tcpdump 4.99.3 (Debian bookworm)"

dl=$EXTCORPUS/dl
mkdir -p "$dl"
base=$(mirror)
base=${base%/}
fetch() { # TARBALL POOLPATH SHA256
	local f=$dl/$1
	if [ -f "$f" ] && echo "$3  $f" | sha256sum -c --status; then return; fi
	echo "extcorpus: fetching $base/$2/$1"
	curl -fsSL --retry 3 -o "$f.part" "$base/$2/$1" || die "fetching $base/$2/$1 failed"
	echo "$3  $f.part" | sha256sum -c --status || die "$1: sha256 $(sha256sum "$f.part" | cut -d' ' -f1), want $3 (the .dsc's)"
	mv "$f.part" "$f"
}
fetch "$TCPDUMP_TAR" "$TCPDUMP_PATH" "$TCPDUMP_SHA256"
fetch "$WIRESHARK_TAR" "$WIRESHARK_PATH" "$WIRESHARK_SHA256"

# unpack TARBALL DIR-IN-TARBALL DEST: the capture files only, .gz gunzipped.
unpack() {
	local stamp=$3/.unpacked-$1
	[ -f "$stamp" ] && return
	echo "extcorpus: unpacking $2 from $1 into $3"
	rm -rf "$3" "$3.tmp"
	mkdir -p "$3.tmp"
	tar -xf "$dl/$1" -C "$3.tmp" --strip-components=$(($(tr -cd / <<<"$2" | wc -c) + 1)) "$2" ||
		die "unpacking $2 from $dl/$1 failed"
	find "$3.tmp" -mindepth 1 -type d -prune -exec rm -rf {} +
	local gz
	for gz in "$3.tmp"/*.gz; do
		[ -e "$gz" ] && gunzip -f "$gz"
	done
	# Only the names the test reads (*.pcap, *.pcapng, *.cap).
	find "$3.tmp" -type f ! -name '*.pcap' ! -name '*.pcapng' ! -name '*.cap' -delete
	[ -n "$(ls "$3.tmp")" ] || die "no captures under $2 in $1"
	mv "$3.tmp" "$3"
	touch "$stamp"
}
unpack "$TCPDUMP_TAR" tcpdump-4.99.3/tests "$EXTCORPUS/tcpdump"
unpack "$WIRESHARK_TAR" wireshark-v4.0.17/test/captures "$EXTCORPUS/wireshark"
echo "extcorpus: $(ls "$EXTCORPUS/tcpdump" | wc -l) tcpdump captures, $(ls "$EXTCORPUS/wireshark" | wc -l) Wireshark captures in $EXTCORPUS"

SOCKCORE_EXTCORPUS=$EXTCORPUS SOCKCORE_BIN=$PWD/bin \
	go test -count=1 -v -timeout 60m -run '^TestExternalCorpus$' ./integration/sniff
