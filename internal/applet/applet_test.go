package applet

import "testing"

func TestGetenv(t *testing.T) {
	env := []string{"HOME=/first", "HOMEDIR=/x", "EMPTY=", "HOME=/second"}
	for _, tt := range []struct {
		key  string
		want string
		ok   bool
	}{
		{"HOME", "/first", true}, // glibc's getenv and os.Getenv take the first
		{"HOMEDIR", "/x", true},
		{"EMPTY", "", true},
		{"HOM", "", false},
		{"PATH", "", false},
	} {
		if v, ok := Getenv(env, tt.key); v != tt.want || ok != tt.ok {
			t.Errorf("Getenv(%q) = %q, %v; want %q, %v", tt.key, v, ok, tt.want, tt.ok)
		}
	}
}
