package reattach

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func lsofFixture(t *testing.T, name string) []lsofProc {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	procs, err := parseLsof(f)
	if err != nil {
		t.Fatal(err)
	}
	return procs
}

// lsof-linux.txt is real output of lsof 4.95 -F pcRuftn for a tmux and a
// screen server; Linux's lsof appends " type=STREAM" to the path.
func TestParseLsofLinux(t *testing.T) {
	got := lsofFixture(t, "lsof-linux.txt")
	want := []lsofProc{
		{PID: 7166, PPID: 1, UID: 0, Command: "tmux: server", Paths: []string{"/tmp/fx/tmux-0/default"}},
		{PID: 7170, PPID: 1, UID: 0, Command: "screen", Paths: []string{"/tmp/fx/S-root/7170.main"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseLsof(linux) = %+v; want %+v", got, want)
	}
}

// lsof-darwin.txt is written to macOS lsof's -F format (no capture from a
// Mac was available): the listening and the accepted socket of a tmux
// server both show the path, a client shows "->0x…", and paths are real
// paths (/private/tmp, /private/var/folders).
func TestParseLsofDarwin(t *testing.T) {
	got := lsofFixture(t, "lsof-darwin.txt")
	want := []lsofProc{
		{PID: 812, PPID: 1, UID: 501, Command: "tmux", Paths: []string{"/private/tmp/tmux-501/default"}},
		{PID: 3301, PPID: 3290, UID: 501, Command: "tmux"},
		{PID: 944, PPID: 1, UID: 501, Command: "screen", Paths: []string{"/private/tmp/.screen/S-ann/944.work"}},
		{PID: 1200, PPID: 1, UID: 502, Command: "tmux", Paths: []string{"/private/var/folders/j7/0w59t0zs7vs1j4r5x0tlywy80000gq/T/tmux-502/default"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseLsof(darwin) = %+v; want %+v", got, want)
	}
}

func TestParseSystemctlShow(t *testing.T) {
	run, ok := parseSystemctlShow("systemd-tmpfiles-clean", strings.NewReader(string(fixture(t, "systemctl-show.txt"))))
	if !ok || run.Start.Unix() != 1763720100 || run.End.Unix() != 1763720103 {
		t.Fatalf("parseSystemctlShow = %+v, %v", run, ok)
	}
	if _, ok := parseSystemctlShow("x", strings.NewReader("ExecMainStartTimestamp=\n")); ok {
		t.Error("parseSystemctlShow(never ran) = ok; want not ok")
	}
	for _, c := range []struct {
		at   int64
		want bool
	}{{1763720099, true}, {1763720101, true}, {1763720104, true}, {1763720200, false}, {1763720000, false}} {
		h := runHint(time.Unix(c.at, 0), []unitRun{run})
		if (h != "") != c.want {
			t.Errorf("runHint(%d) = %q; want a hint: %v", c.at, h, c.want)
		}
	}
}

func TestSelectServers(t *testing.T) {
	all := []Server{
		{Kind: Screen, PID: 9, Path: "/run/screen/S-a/9.x"},
		{Kind: Tmux, PID: 5, Path: "/tmp/tmux-1/default"},
		{Kind: Tmux, PID: 3, Path: "/home/a/t/tmux-1/default"},
		{Kind: Emacs, PID: 7, Path: "/run/user/1/emacs/server"},
	}
	pids := func(ss []Server) (p []int) {
		for _, s := range ss {
			p = append(p, s.PID)
		}
		return p
	}
	for _, c := range []struct {
		name    string
		kinds   []Kind
		pids    []int
		under   string
		want    []int
		missing []int
	}{
		{"all, sorted by kind then pid", nil, nil, "", []int{3, 5, 9, 7}, nil},
		{"a kind", []Kind{Tmux}, nil, "", []int{3, 5}, nil},
		{"a pid and a kind", []Kind{Emacs}, []int{9, 4}, "", []int{9, 7}, []int{4}},
		{"under", nil, nil, "/tmp", []int{5}, nil},
		{"under is a prefix, not a directory", nil, nil, "/tm", nil, nil},
	} {
		got, missing := selectServers(all, c.kinds, c.pids, c.under)
		if !reflect.DeepEqual(pids(got), c.want) || !reflect.DeepEqual(missing, c.missing) {
			t.Errorf("%s: selectServers = %v, missing %v; want %v, %v", c.name, pids(got), missing, c.want, c.missing)
		}
	}
}

func TestParseOptions(t *testing.T) {
	for _, c := range []struct {
		args []string
		uid  int
		want string // "" for success, else a fragment of the error
	}{
		{[]string{"tmux", "--list", "123"}, 1000, ""},
		{[]string{"--", "screen", "42"}, 1000, ""},
		{[]string{"bogus"}, 1000, "invalid operand 'bogus'"},
		{[]string{"--timeout=0"}, 1000, "--timeout"},
		{[]string{"--watch", "--list"}, 1000, "does not go with"},
		{[]string{"--no-protect"}, 1000, "goes with --watch"},
		{[]string{"--all-users"}, 1000, "only root"},
		{[]string{"--all-users"}, 0, ""},
		{[]string{"--all-users", "--user=root"}, 0, "--all-users does not go with --user"},
		{[]string{"--user=root", "-a"}, 0, "--all-users does not go with --user"},
		{[]string{"--under", "rel"}, 0, "absolute"},
		{[]string{"--frob"}, 0, "unrecognized option '--frob'"},
	} {
		o, _, err := parse("reattach-sock", c.args, c.uid)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("parse(%q) = %v; want success", c.args, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("parse(%q) = %v; want an error with %q", c.args, err, c.want)
		}
		if c.want == "" && len(c.args) == 3 && c.args[0] == "tmux" && (!o.List || o.Kinds[0] != Tmux || o.PIDs[0] != 123) {
			t.Errorf("parse(%q) = %+v; want --list, tmux and pid 123", c.args, o)
		}
	}
}

// A tmux server's child between fork and exec holds the inherited
// listener under the comm "tmux: server"; only the parent is the server.
func TestDropInherited(t *testing.T) {
	id := FileID{Dev: 1, Ino: 2}
	all := []Server{
		{Kind: Tmux, PID: 100, PPID: 1, Path: "/t/x", File: id},
		{Kind: Tmux, PID: 101, PPID: 100, Path: "/t/x", File: id},                     // the pane, before exec
		{Kind: Tmux, PID: 200, PPID: 100, Path: "/t/x", File: FileID{Dev: 1, Ino: 3}}, // a hijacker the first one started? still a server
	}
	got := dropInherited(all)
	if len(got) != 2 || got[0].PID != 100 || got[1].PID != 200 {
		t.Errorf("dropInherited = %+v; want pids 100 and 200", got)
	}
}

func TestScreenSessionName(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"SCREEN", "-dmS", "work", "sleep", "1"}, "work"},
		{[]string{"SCREEN", "-S", "a b"}, "a b"},
		{[]string{"SCREEN", "-Swork"}, "work"},
		{[]string{"SCREEN", "-c", "-S", "-S", "real"}, "real"}, // -c's value is "-S"
		{[]string{"SCREEN", "-e^Aa", "-S", "x"}, "x"},
		{[]string{"SCREEN", "vim", "-S", "x"}, ""}, // after the command
		{[]string{"SCREEN"}, ""},
	} {
		if got := screenSessionName(c.argv); got != c.want {
			t.Errorf("screenSessionName(%q) = %q; want %q", c.argv, got, c.want)
		}
	}
}
