#!/usr/bin/env bash
# Installs what the build and the tests need: Debian packages through apt-get
# when run as root (otherwise prints the exact command), Go modules through the
# module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."

# One package a line in scripts/debian-packages.txt ("#" starts a comment).
mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' scripts/debian-packages.txt)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "deps: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	else
		echo "deps: missing Debian packages: ${missing[*]}" >&2
		echo "deps: run as root: apt-get install --no-install-recommends ${missing[*]}" >&2
		if [ "${CI:-}" = true ]; then exit 1; fi
	fi
fi

if ! command -v go >/dev/null; then
	# The one Go version is go.mod's.
	echo "deps: Go $(sed -n 's/^go //p' go.mod) or newer is needed (https://go.dev/dl, or Debian's golang-go)" >&2
	exit 1
fi
# The source tarball of `make dist` carries vendor/: nothing to download.
if [ -f vendor/modules.txt ]; then
	echo "deps: Go modules vendored (vendor/modules.txt): not downloading"
else
	go mod download
fi

# NSS modules for resolve's integration tests: fetched and extracted into
# .cache/nss, never installed (their maintainer scripts rewrite
# /etc/nsswitch.conf).
if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
	scripts/nss-modules.sh >/dev/null
fi
