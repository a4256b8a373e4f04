// Package afalghash holds afalg-hash's host-integration tests: the built
// binary against coreutils on large and sparse files, its exit codes as a
// process. Run by make integration (scripts/integration.sh).
package afalghash
