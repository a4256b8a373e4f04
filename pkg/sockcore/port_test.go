package sockcore

import (
	"errors"
	"testing"
)

func TestParsePort(t *testing.T) {
	for _, tc := range []struct {
		in       string
		port     int
		isNumber bool
		err      string
	}{
		{"0", 0, true, ""},
		{"80", 80, true, ""},
		{"00080", 80, true, ""},
		{"65535", 65535, true, ""},
		{"65536", 0, true, "port 65536 is out of range (0-65535): integer argument out of range"},
		{"99999999999999999999999", 0, true, "port 99999999999999999999999 is out of range (0-65535): integer argument out of range"},
		{"", 0, false, ""},
		{"http", 0, false, ""},
		{"ms-sql-s", 0, false, ""},
		{"+80", 0, false, ""},
		{"-1", 0, false, ""},
		{"8 0", 0, false, ""},
		{"1_000", 0, false, ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			port, isNumber, err := ParsePort(tc.in)
			if port != tc.port || isNumber != tc.isNumber {
				t.Errorf("ParsePort(%q) = %d, %v; want %d, %v", tc.in, port, isNumber, tc.port, tc.isNumber)
			}
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("ParsePort(%q): unexpected error %v", tc.in, err)
			case tc.err != "" && (err == nil || err.Error() != tc.err):
				t.Errorf("ParsePort(%q) error = %v, want %q", tc.in, err, tc.err)
			case tc.err != "" && !errors.Is(err, ErrRange):
				t.Errorf("ParsePort(%q) error %v does not wrap ErrRange", tc.in, err)
			}
		})
	}
}
