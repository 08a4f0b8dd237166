package logind

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// fakeLogin and fakeManager stand for logind and the user manager.
type fakeLogin struct {
	s         Settings
	linger    bool
	lingerErr error // SetLinger's answer
	asked     bool  // User was called
}

func (f *fakeLogin) Settings() (Settings, error) { return f.s, nil }
func (f *fakeLogin) User(uid int) (string, bool, error) {
	f.asked = true
	return "u", f.linger, nil
}
func (f *fakeLogin) SetLinger(uid int) error {
	if f.lingerErr == nil {
		f.linger = true
	}
	return f.lingerErr
}
func (f *fakeLogin) Close() {}

type fakeManager struct {
	exists map[string]bool // names taken
	moved  map[string][]int
	err    error
}

func (f *fakeManager) StartScope(name, desc string, pids []int) error {
	if f.exists[name] {
		return errUnitExists
	}
	if f.err != nil {
		return f.err
	}
	f.moved[name] = pids
	return nil
}
func (f *fakeManager) Close() {}

// procWith makes a /proc with a cgroup file for each pid: in session
// scope 3 for the pids in session, in the user manager for the others.
func procWith(t *testing.T, session []int, other ...int) string {
	root := t.TempDir()
	write := func(pid int, path string) {
		dir := filepath.Join(root, strconv.Itoa(pid))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup"), []byte("0::"+path+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, pid := range session {
		write(pid, "/user.slice/user-1000.slice/session-3.scope")
	}
	for _, pid := range other {
		write(pid, "/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope")
	}
	return root
}

func TestKeep(t *testing.T) {
	t.Parallel()
	kup := Settings{KillUserProcesses: true}
	refused := errors.New("Access denied")
	tests := []struct {
		name       string
		session    []int // pids in a session scope; 10 and 11 are not
		pids       []int
		linger     bool // --linger
		login      *fakeLogin
		loginErr   error
		managerErr error
		late       bool // the bus's time ran out
		exists     []string
		wantUnit   string
		wantMoved  []int
		wantLines  []string // prefixes
		// oneQuestion: logind is asked for its settings and nothing else
		oneQuestion bool
	}{
		{name: "not in a session: logind is not asked", pids: []int{10}},
		{name: "no logind", session: []int{5}, pids: []int{5}, loginErr: errors.New("no bus")},
		{name: "a bus that hangs", session: []int{5}, pids: []int{5}, loginErr: errors.New("context deadline exceeded"), late: true,
			wantLines: []string{"warning: D-Bus did not answer within 5s"}},
		{name: "a bus that hangs after the settings", session: []int{5}, pids: []int{5}, login: &fakeLogin{s: kup, linger: true},
			managerErr: errors.New("context deadline exceeded"), late: true,
			wantLines: []string{"warning: logind kills this session's processes", "warning: D-Bus did not answer within 5s"}},
		{name: "KillUserProcesses=no", session: []int{5}, pids: []int{5}, login: &fakeLogin{}, oneQuestion: true},
		{name: "only other users", session: []int{5}, pids: []int{5}, login: &fakeLogin{s: Settings{KillOnlyUsers: []string{"bob"}}}},
		{name: "KillUserProcesses=yes, linger on", session: []int{5}, pids: []int{5},
			login: &fakeLogin{s: kup, linger: true}, wantUnit: "nohupx-5.scope", wantMoved: []int{5}},
		{name: "KillUserProcesses=yes, linger off", session: []int{5}, pids: []int{5},
			login: &fakeLogin{s: kup}, wantUnit: "nohupx-5.scope", wantMoved: []int{5},
			wantLines: []string{"warning: logind kills u's processes"}},
		{name: "--linger granted", session: []int{5}, pids: []int{5}, linger: true,
			login: &fakeLogin{s: kup}, wantUnit: "nohupx-5.scope", wantMoved: []int{5},
			wantLines: []string{"linger is on for u now"}},
		{name: "--linger refused", session: []int{5}, pids: []int{5}, linger: true,
			login: &fakeLogin{s: kup, lingerErr: refused}, wantUnit: "nohupx-5.scope", wantMoved: []int{5},
			wantLines: []string{"--linger: logind refused to turn linger on for u: Access denied", "warning: logind kills"}},
		{name: "--linger when KillUserProcesses=no", session: []int{5}, pids: []int{5}, linger: true,
			login: &fakeLogin{}, wantLines: []string{"linger is on for u now"}},
		{name: "--linger outside a session", pids: []int{10}, linger: true,
			login: &fakeLogin{s: kup}, wantLines: []string{"linger is on for u now"}},
		{name: "--linger without logind", pids: []int{10}, linger: true,
			loginErr: errors.New("no bus"), wantLines: []string{"--linger: cannot reach logind: no bus"}},
		{name: "no user manager", session: []int{5}, pids: []int{5},
			login: &fakeLogin{s: kup, linger: true}, managerErr: errors.New("no socket"),
			wantLines: []string{"warning: logind kills this session's processes when it ends (KillUserProcesses=yes), and moving the job out of it failed: cannot reach the user's systemd manager: no socket"}},
		{name: "only the pids in a session move", session: []int{5, 6}, pids: []int{10, 5, 11, 6, 99},
			login: &fakeLogin{s: kup, linger: true}, wantUnit: "nohupx-5.scope", wantMoved: []int{5, 6}},
		{name: "a name in use", session: []int{5}, pids: []int{5}, exists: []string{"nohupx-5.scope"},
			login: &fakeLogin{s: kup, linger: true}, wantUnit: "nohupx-5-1.scope", wantMoved: []int{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &fakeManager{exists: map[string]bool{}, moved: map[string][]int{}}
			for _, n := range tt.exists {
				m.exists[n] = true
			}
			dialed := false
			k := keeper{
				procRoot: procWith(t, tt.session, 10, 11),
				uid:      1000,
				dialLogin: func() (login, error) {
					dialed = true
					if tt.loginErr != nil {
						return nil, tt.loginErr
					}
					return tt.login, nil
				},
				dialManager: func() (manager, error) {
					if tt.managerErr != nil {
						return nil, tt.managerErr
					}
					return m, nil
				},
				late: func() bool { return tt.late },
			}
			res := k.keep(Request{Prefix: "nohupx", Command: []string{"sleep", "9"}, Pids: tt.pids, Linger: tt.linger})
			if len(tt.session) == 0 && !tt.linger && dialed {
				t.Errorf("keep dialed logind for pids %v in no session; want no D-Bus at all", tt.pids)
			}
			if tt.oneQuestion && tt.login.asked {
				t.Errorf("keep asked logind for the user where nobody's processes are killed; want one question")
			}
			if res.Unit != tt.wantUnit {
				t.Errorf("keep().Unit = %q; want %q", res.Unit, tt.wantUnit)
			}
			if got := m.moved[tt.wantUnit]; tt.wantUnit != "" && !reflect.DeepEqual(got, tt.wantMoved) {
				t.Errorf("moved into %s: %v; want %v", tt.wantUnit, got, tt.wantMoved)
			}
			if len(res.Lines) != len(tt.wantLines) {
				t.Fatalf("keep().Lines = %q; want %d lines starting %q", res.Lines, len(tt.wantLines), tt.wantLines)
			}
			for i, want := range tt.wantLines {
				if !strings.HasPrefix(res.Lines[i], want) {
					t.Errorf("keep().Lines[%d] = %q; want it to start %q", i, res.Lines[i], want)
				}
			}
		})
	}
}
