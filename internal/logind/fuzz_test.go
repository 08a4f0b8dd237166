package logind

import (
	"strings"
	"testing"
)

func FuzzSessionScope(f *testing.F) {
	f.Add("0::/user.slice/user-1000.slice/session-1.scope\n")
	f.Add("1:name=systemd:/user.slice/user-1000.slice/session-c2.scope\n0::/\n")
	f.Add("0::/session-.scope")
	f.Fuzz(func(t *testing.T, s string) {
		got := SessionScope(strings.NewReader(s))
		if got != "" && (!isSessionScope(got) || !strings.Contains(s, got)) {
			t.Errorf("SessionScope(%q) = %q; want a session scope named in the input, or \"\"", s, got)
		}
	})
}
