#!/usr/bin/env bash
# Fetches Debian packages that must never be installed on the test machine
# (their maintainer scripts rewrite /etc/nsswitch.conf or /etc/resolv.conf,
# or, for avahi-daemon, start a daemon on the machine's own interfaces)
# and extracts them under .cache/nss/root, for resolve's integration tests:
# glibc loads the NSS modules from there through LD_LIBRARY_PATH.
# Usage: scripts/nss-modules.sh [PACKAGE...]; prints the directories of the
# NSS modules, ":"-separated (an LD_LIBRARY_PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/nss
(($#)) || set -- libnss-myhostname libnss-resolve libnss-mdns systemd-resolved avahi-daemon libavahi-core7 libdaemon0
mkdir -p "$dest/debs" "$dest/root"
chmod 0755 "$dest/debs"
for p in "$@"; do
	if ! compgen -G "$dest/debs/${p}_*.deb" >/dev/null; then
		(cd "$dest/debs" && apt-get download -q "$p" >&2)
	fi
	for deb in "$dest/debs/${p}"_*.deb; do
		# Once per package file: tests running at the same time read what
		# an earlier extraction wrote.
		stamp="$dest/root/.extracted.$(basename "$deb")"
		if [ ! -e "$stamp" ]; then
			dpkg-deb -x "$deb" "$dest/root"
			touch "$stamp"
		fi
	done
done
find "$(pwd)/$dest/root" -name 'libnss_*.so.2' -printf '%h\n' | sort -u | paste -sd:
