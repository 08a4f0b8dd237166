package detach

import "testing"

func TestParseScopeOptions(t *testing.T) {
	tests := []struct {
		args            []string
		noScope, linger bool
	}{
		{args: []string{"cmd"}},
		{args: []string{"--no-scope", "cmd"}, noScope: true},
		{args: []string{"--linger", "-p", "cmd"}, linger: true},
		{args: []string{"cmd", "--linger"}},
	}
	for _, tt := range tests {
		o, _, err := parse("detach", tt.args)
		if err != nil || o.NoScope != tt.noScope || o.Linger != tt.linger {
			t.Errorf("parse(%q) = NoScope %v, Linger %v, %v; want %v, %v, no error",
				tt.args, o.NoScope, o.Linger, err, tt.noScope, tt.linger)
		}
	}
}
