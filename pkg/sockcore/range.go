package sockcore

import (
	"errors"
	"fmt"
	"math"
)

// ErrRange is what an integer argument outside the range of its C type
// returns, before any system call: Python's OverflowError. A Go int is 64
// bits; passed on unchecked, the kernel would see it truncated
// (Shutdown(1<<32+1) would shut the write side).
var ErrRange = errors.New("integer argument out of range")

// checkCInt refuses v when it does not fit a C int (int32).
func checkCInt(op, what string, v int) error {
	if v < math.MinInt32 || v > math.MaxInt32 {
		return fmt.Errorf("%s: %s %d does not fit a C int (%d to %d): %w", op, what, v,
			math.MinInt32, math.MaxInt32, ErrRange)
	}
	return nil
}

// checkCInts checks several C int arguments named in pairs (name, value).
func checkCInts(op string, args ...any) error {
	for i := 0; i+1 < len(args); i += 2 {
		if err := checkCInt(op, args[i].(string), args[i+1].(int)); err != nil {
			return err
		}
	}
	return nil
}

// checkCUint refuses v when it does not fit a C unsigned int (uint32).
func checkCUint(op, what string, v int) error {
	if v < 0 || v > math.MaxUint32 {
		return fmt.Errorf("%s: %s %d does not fit a C unsigned int (0 to %d): %w", op, what, v,
			uint32(math.MaxUint32), ErrRange)
	}
	return nil
}
