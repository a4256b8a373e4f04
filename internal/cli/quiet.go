package cli

import "errors"

// IsQuiet reports whether err comes from Quiet: the tool already reported
// and only the exit code remains (tests use it to print what Main prints).
func IsQuiet(err error) bool {
	var q *quietError
	return errors.As(err, &q)
}
