//go:build race

package sockcore

// raceEnabled: the race detector is on; sync.Pool then drops some of what
// is put back, so allocation counts are not the program's.
const raceEnabled = true
