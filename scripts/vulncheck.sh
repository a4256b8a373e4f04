#!/usr/bin/env bash
# govulncheck without its network database: the OSV files of the
# golang.org/x/vulndb module, which the Go module proxy serves, are indexed
# into the layout govulncheck -db file://DIR reads (scripts/vulndb/main.go)
# under .cache/vulndb/VERSION. Raise VULNDB to a newer pseudo-version
# (go list -m -versions does not list them: take the newest from
# `go list -m golang.org/x/vulndb@master`) for newer reports.
set -euo pipefail
cd "$(dirname "$0")/.."
GOVULNCHECK=golang.org/x/vuln/cmd/govulncheck@v1.9.0
VULNDB=${VULNDB:-v0.0.0-20261105234957-e22db6528018}
db=$PWD/.cache/vulndb/$VULNDB
if [ ! -f "$db/index/db.json" ]; then
	dir=$(go mod download -json "golang.org/x/vulndb@$VULNDB" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -d "$dir/data/osv" ] || { echo "vulncheck: golang.org/x/vulndb@$VULNDB has no data/osv" >&2; exit 1; }
	rm -rf "$db.tmp"
	go run scripts/vulndb/main.go "$dir/data/osv" "$db.tmp"
	mv "$db.tmp" "$db"
fi
go run "$GOVULNCHECK" -db "file://$db" ./...
