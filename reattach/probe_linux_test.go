package reattach

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/testbin"
)

// reattach-sock never connects to a screen socket: a connect makes screen
// look at its socket, and if the directory is deleted at that moment the
// session ends (a connect just before an rm -rf killed 14 sessions in 60 on
// Debian 12; without it, none). So inspect a screen server and delete its
// directory at once, as a cleaner racing --watch would: the session must
// survive every time. With a probe, this test fails.
func TestScreenNeverProbed(t *testing.T) {
	testbin.Need(t, "screen")
	sys := newSystem()
	for round := 0; round < 25; round++ {
		dir, err := os.MkdirTemp("", "rsp")
		if err != nil {
			t.Fatal(err)
		}
		sdir := filepath.Join(dir, "S")
		os.Mkdir(sdir, 0o700)
		cmd := exec.Command("screen", "-dmS", "p", "sleep", "3600")
		cmd.Env = append(os.Environ(), "SCREENDIR="+sdir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("screen: %v %s", err, out)
		}
		s := waitScreen(t, sys, sdir)
		st := inspect(sys, s)
		os.RemoveAll(sdir)
		time.Sleep(100 * time.Millisecond)
		died := !sys.Alive(s)
		syscall.Kill(s.PID, syscall.SIGKILL)
		os.RemoveAll(dir)
		if st.State != Reachable {
			t.Fatalf("round %d: inspect = %v; want reachable", round, st)
		}
		if died {
			t.Fatalf("round %d: the screen session ended after inspect and a deletion", round)
		}
	}
}

// waitScreen discovers the screen server in sdir once its window runs
// (screen installs its SIGCHLD handler before that).
func waitScreen(t *testing.T, sys system, sdir string) Server {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		all, _, _ := sys.Discover(func(int) bool { return true })
		for _, s := range all {
			if s.Kind != Screen || !within(s.Path, sdir) {
				continue
			}
			kids, _ := os.ReadFile("/proc/" + strconv.Itoa(s.PID) + "/task/" + strconv.Itoa(s.PID) + "/children")
			for _, k := range strings.Fields(string(kids)) {
				if comm, _ := os.ReadFile("/proc/" + k + "/comm"); string(comm) == "sleep\n" {
					return s
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no screen server came up")
	return Server{}
}

// TestRelativeSocketPath: a tmux started with -S and a relative name is
// listed by the kernel under that name, relative to where it was started;
// it is left alone, not looked for where reattach-sock runs. So is one
// whose name goes up with "..", which the kernel took after any link.
func TestRelativeSocketPath(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"rel" + strconv.Itoa(os.Getpid()), "relative"},
		{"", "goes up"}, // filled in below: DIR/sub/../NAME
	} {
		t.Run(tt.want, func(t *testing.T) { socketPathRefused(t, tt.name, tt.want) })
	}
}

func socketPathRefused(t *testing.T, name, want string) {
	tmux := testbin.Need(t, "tmux")
	dir := t.TempDir()
	if name == "" {
		os.Mkdir(filepath.Join(dir, "sub"), 0o700)
		name = filepath.Join(dir, "sub") + "/../up" + strconv.Itoa(os.Getpid())
	}
	cmd := exec.Command(tmux, "-S", name, "new", "-d", "sleep", "3600")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	defer func() {
		kill := exec.Command(tmux, "-S", name, "kill-server")
		kill.Dir = dir
		kill.Run()
	}()
	sys := newSystem()
	all, _, _ := sys.Discover(func(int) bool { return true })
	for _, s := range all {
		if s.Path != name {
			continue
		}
		if st := inspect(sys, s); st.State != Unsafe || !strings.Contains(st.Reason, want) {
			t.Errorf("inspect = %v; want unsafe: %s", st, want)
		}
		return
	}
	t.Fatalf("no tmux server listed at %q", name)
}
