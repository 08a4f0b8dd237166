package nohupx

import "testing"

func TestParseScopeOptions(t *testing.T) {
	tests := []struct {
		args            []string
		noScope, linger bool
		act             action
	}{
		{args: []string{"cmd"}},
		{args: []string{"--no-scope", "cmd"}, noScope: true},
		{args: []string{"--linger", "-s", "cmd"}, linger: true},
		{args: []string{"--no-sc", "--ling", "cmd"}, noScope: true, linger: true},
		{args: []string{"--no-scope", "-p", "42"}, noScope: true, act: actAttach},
		{args: []string{"-g", "--linger", "42"}, linger: true, act: actAttach},
		{args: []string{"cmd", "--no-scope"}},
	}
	for _, tt := range tests {
		o, act, err := parse("nohupx", tt.args)
		if err != nil || act != tt.act || o.NoScope != tt.noScope || o.Linger != tt.linger {
			t.Errorf("parse(%q) = NoScope %v, Linger %v, action %v, %v; want %v, %v, %v, no error",
				tt.args, o.NoScope, o.Linger, act, err, tt.noScope, tt.linger, tt.act)
		}
	}
}
