package logind

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShallKill(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    Settings
		user string
		want bool
	}{
		{"off", Settings{}, "u", false},
		{"on", Settings{KillUserProcesses: true}, "u", true},
		{"root is spared by default", Settings{KillUserProcesses: true}, "root", false},
		{"an exclude list replaces root", Settings{KillUserProcesses: true, KillExcludeUsers: []string{"bob"}}, "root", true},
		{"excluded", Settings{KillUserProcesses: true, KillExcludeUsers: []string{"root", "u"}}, "u", false},
		{"only listed, off", Settings{KillOnlyUsers: []string{"u"}}, "u", true},
		{"only others", Settings{KillUserProcesses: true, KillOnlyUsers: []string{"bob"}}, "u", false},
		{"exclude wins over only", Settings{KillOnlyUsers: []string{"u"}, KillExcludeUsers: []string{"u"}}, "u", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.ShallKill(tt.user); got != tt.want {
				t.Errorf("%+v.ShallKill(%q) = %v; want %v", tt.s, tt.user, got, tt.want)
			}
		})
	}
}

// The fixtures are /proc/self/cgroup as a process shows it: in an ssh
// session under systemd 252 booted by systemd-nspawn (nspawn-session, and
// user-scope after systemd-run --user --scope), on a hybrid host, in a
// container without systemd, and with the session only in a controller's
// hierarchy (which says nothing about systemd's tree).
func TestSessionScope(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"cgroup-nspawn-session.txt":     "session-1.scope",
		"cgroup-hybrid-session.txt":     "session-c2.scope",
		"cgroup-user-scope.txt":         "",
		"cgroup-container.txt":          "",
		"cgroup-v1-controller-only.txt": "",
	}
	for file, want := range tests {
		t.Run(file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := SessionScope(f); got != want {
				t.Errorf("SessionScope(%s) = %q; want %q", file, got, want)
			}
		})
	}
}

func TestSessionScopeNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want string
	}{
		{"0::/user.slice/user-1000.slice/session-42.scope/sub", "session-42.scope"},
		{"0::/session-.scope", ""},
		{"0::/app.slice/run-r1.scope", ""},
		{"0::/session-4.scope.d", ""},
		{"0::/session-a b.scope", ""},
		{"0:name=systemd:/session-4.scope", "session-4.scope"},
		{"0:cpu:/session-4.scope", ""},
		{"0::", ""},
		{"garbage", ""},
	}
	for _, tt := range tests {
		if got := SessionScope(strings.NewReader(tt.line)); got != tt.want {
			t.Errorf("SessionScope(%q) = %q; want %q", tt.line, got, tt.want)
		}
	}
}

func TestScopeName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix string
		pid, n int
		want   string
	}{
		{"nohupx", 4242, 0, "nohupx-4242.scope"},
		{"detach", 7, 2, "detach-7-2.scope"},
		{"my job/ü", 1, 0, "my_job___-1.scope"},
	}
	for _, tt := range tests {
		if got := ScopeName(tt.prefix, tt.pid, tt.n); got != tt.want {
			t.Errorf("ScopeName(%q, %d, %d) = %q; want %q", tt.prefix, tt.pid, tt.n, got, tt.want)
		}
	}
}

func TestDescription(t *testing.T) {
	t.Parallel()
	if got, want := Description("nohupx", []string{"sh", "-c", "echo $HOME", ""}), `nohupx: sh -c 'echo $HOME' ''`; got != want {
		t.Errorf("Description = %q; want %q", got, want)
	}
	if got := Description("nohupx", []string{strings.Repeat("x", 300)}); len(got) != 200 || !strings.HasSuffix(got, "...") {
		t.Errorf("Description of a long command = %q (%d bytes); want 200 bytes ending in ...", got, len(got))
	}
}
