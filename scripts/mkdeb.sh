#!/usr/bin/env bash
# make deb: the Debian package of the suite, built with dpkg-deb from bin/ and
# man/ (make build man) into DISTDIR/sockcore_VERSION_ARCH.deb. Every
# timestamp is SOURCE_DATE_EPOCH (the commit's time, which the Makefile
# exports), files are root-owned and sorted, gzip stores no name or time: two
# builds of one commit give the same bytes. Usage: scripts/mkdeb.sh DISTDIR
set -euo pipefail
cd "$(dirname "$0")/.."
distdir=${1:?usage: scripts/mkdeb.sh DISTDIR}
: "${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH must be set (the Makefile sets it from the commit)}"
export SOURCE_DATE_EPOCH LC_ALL=C TZ=UTC
umask 022

version=$(cat VERSION)
arch=$(dpkg --print-architecture)
tools=(afalg-hash canrelay echocat echod fdpass resolve sniff)
maintainer=${DEB_MAINTAINER:-The sockcore authors <sockcore@users.noreply.github.com>}

for t in "${tools[@]}"; do
	[ -x "bin/$t" ] && [ -f "man/$t.1" ] || { echo "mkdeb: bin/$t or man/$t.1 is missing (make build man)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
doc=$root/usr/share/doc/sockcore
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" "$doc" \
	"$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
	"$root/usr/share/fish/vendor_completions.d" "$root/lib/systemd/system"

for t in "${tools[@]}"; do
	install -m 0755 "bin/$t" "$root/usr/bin/$t"
	gzip -9n <"man/$t.1" >"$root/usr/share/man/man1/$t.1.gz"
	"bin/$t" completion bash >"$root/usr/share/bash-completion/completions/$t"
	"bin/$t" completion zsh >"$root/usr/share/zsh/vendor-completions/_$t"
	"bin/$t" completion fish >"$root/usr/share/fish/vendor_completions.d/$t.fish"
done
# Units are installed, not enabled: no maintainer scripts.
install -m 0644 contrib/systemd/*.service contrib/systemd/*.socket "$root/lib/systemd/system/"

install -m 0644 contrib/debian/copyright "$doc/copyright"
install -D -m 0644 contrib/debian/lintian-overrides "$root/usr/share/lintian/overrides/sockcore"
gzip -9n <README.md >"$doc/README.md.gz"
if compgen -G 'docs/*.md' >/dev/null; then
	install -d "$doc/docs"
	for f in docs/*.md; do gzip -9n <"$f" >"$doc/docs/$(basename "$f").gz"; done
fi
{
	printf 'sockcore (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Release %s: see README.md.gz.\n\n' "$version"
	printf ' -- %s  %s\n' "$maintainer" "$(date -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"

# Depends: what sniff links (libpcap, libc); every other tool is static.
mkdir -p "$work/shl/debian"
printf 'Source: sockcore\n\nPackage: sockcore\nArchitecture: any\n' >"$work/shl/debian/control"
depends=$(cd "$work/shl" && dpkg-shlibdeps -O "$root/usr/bin/sniff" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "mkdeb: dpkg-shlibdeps found no dependencies for sniff (is dpkg-dev installed?)" >&2; exit 1; }

(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: sockcore
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Section: net
Priority: optional
Homepage: https://github.com/sockcore/sockcore
Description: Linux networking tools on one socket library
 sockcore is a suite of seven command-line tools built on one Go library
 that exposes the whole BSD socket surface:
  * echod and echocat: echo server and netcat-class client and verifier
  * sniff: packet capture and printing, pcap and pcapng
  * canrelay: CAN bus dump, send, bridge and CAN-over-UDP tunnel
  * fdpass: pass, hold and socket-activate file descriptors
  * afalg-hash: file digests through the kernel's AF_ALG crypto API
  * resolve: name service lookups as getent, with JSON output
 Shell completions for bash, zsh and fish and hardened systemd units
 (installed, not enabled) are included.
CONTROL
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$distdir"
out=$distdir/sockcore_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz -z9 --build "$root" "$out" >/dev/null
echo "mkdeb: $out ($(sha256sum <"$out" | cut -c1-16)…)"
