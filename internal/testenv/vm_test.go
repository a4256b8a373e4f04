package testenv

import "testing"

func TestInVM(t *testing.T) {
	for _, tc := range []struct {
		name, env string
		want      bool
	}{
		{"unset", "", false},
		{"one", "1", true},
		{"zero", "0", false},
		{"other", "yes", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SOCKCORE_VM", tc.env)
			if got := InVM(); got != tc.want {
				t.Errorf("InVM() with SOCKCORE_VM=%q = %v, want %v", tc.env, got, tc.want)
			}
		})
	}
}

func TestRequireVMSkipsOnHost(t *testing.T) {
	t.Setenv("SOCKCORE_VM", "")
	t.Setenv("CI", "true")
	var ran bool
	t.Run("inner", func(t *testing.T) {
		RequireVM(t)
		ran = true
	})
	if ran {
		t.Error("RequireVM did not stop the test on the host")
	}
}
