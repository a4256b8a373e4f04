#!/usr/bin/env bash
# make dist: the source tarball DISTDIR/sockcore-VERSION.tar.gz of the
# committed tree (git archive HEAD) plus vendor/ (go mod vendor), COMMIT and
# SOURCE_DATE_EPOCH, so that it builds with no network
# (GOFLAGS=-mod=vendor GOPROXY=off make build) and says its version and
# commit. Entries sorted, root-owned, dated at the commit: the same commit
# gives the same bytes. Usage: scripts/mkdist.sh DISTDIR
set -euo pipefail
cd "$(dirname "$0")/.."
distdir=${1:?usage: scripts/mkdist.sh DISTDIR}
export LC_ALL=C TZ=UTC
umask 022
git rev-parse --git-dir >/dev/null 2>&1 || { echo "mkdist: needs a git checkout (the tarball is made from the committed tree)" >&2; exit 1; }
git diff --quiet HEAD || echo "mkdist: warning: uncommitted changes are not in the tarball" >&2

version=$(cat VERSION)
name=sockcore-$version
epoch=$(git log -1 --format=%ct)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git archive --format=tar --prefix="$name/" HEAD | tar -x -C "$work"
git rev-parse --short=12 HEAD >"$work/$name/COMMIT"
echo "$epoch" >"$work/$name/SOURCE_DATE_EPOCH"
(cd "$work/$name" && go mod vendor)
mkdir -p "$distdir"
out=$distdir/$name.tar.gz
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
	--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
	-C "$work" -cf - "$name" | gzip -9n >"$out"
echo "mkdist: $out ($(sha256sum <"$out" | cut -c1-16)…)"
