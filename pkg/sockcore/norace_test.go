//go:build !race

package sockcore

const raceEnabled = false
