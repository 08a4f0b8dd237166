package reattach_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/testbin"
)

func TestMain(m *testing.M) { os.Exit(testbin.Main(m)) }

// sandbox is a private socket root: TMUX_TMPDIR and SCREENDIR point into
// it, so the tests never see or touch the machine's real servers, and
// every reattach-sock run is limited to it with --under and pids.
type sandbox struct {
	t   *testing.T
	dir string
	env []string
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	// Short: a socket path must fit in sun_path's 108 bytes.
	dir, err := os.MkdirTemp("", "rs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "TMUX" && k != "STY" && k != "TMUX_TMPDIR" && k != "SCREENDIR" && k != "SHELL" {
			env = append(env, kv)
		}
	}
	// SHELL is set because tmux and screen run a session's command with
	// it, falling back to the user's login shell from passwd; CI has no
	// SHELL, and nobody's login shell is nologin, which would end the
	// session, and with it the server, at once.
	env = append(env, "TMUX_TMPDIR="+dir, "SCREENDIR="+filepath.Join(dir, "S"), "SHELL=/bin/sh")
	return &sandbox{t: t, dir: dir, env: env}
}

func (sb *sandbox) tmuxDir() string              { return filepath.Join(sb.dir, "tmux-"+strconv.Itoa(os.Getuid())) }
func (sb *sandbox) tmuxSock(label string) string { return filepath.Join(sb.tmuxDir(), label) }
func (sb *sandbox) screenDir() string            { return filepath.Join(sb.dir, "S") }

func (sb *sandbox) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Env = sb.env
	return c
}

// tmux starts a detached tmux server on label with one session and returns
// the server's pid; the server is killed when the test ends.
func (sb *sandbox) tmux(label, session string) int {
	sb.t.Helper()
	if out, err := sb.cmd("tmux", "-L", label, "new-session", "-d", "-s", session, "sleep 3600").CombinedOutput(); err != nil {
		sb.t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	out, err := sb.cmd("tmux", "-L", label, "display-message", "-p", "-t", session, "#{pid}").Output()
	pid, perr := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || perr != nil {
		sb.t.Fatalf("tmux display-message: %v %q", err, out)
	}
	sb.t.Cleanup(func() { killServer(pid) })
	return pid
}

// screen starts a detached screen session and returns the SCREEN pid.
func (sb *sandbox) screen(name string) int {
	sb.t.Helper()
	if err := os.Mkdir(sb.screenDir(), 0o700); err != nil && !os.IsExist(err) {
		sb.t.Fatal(err)
	}
	if out, err := sb.cmd("screen", "-dmS", name, "sleep", "3600").CombinedOutput(); err != nil {
		sb.t.Fatalf("screen -dmS: %v: %s", err, out)
	}
	var pid int
	waitFor(sb.t, "screen's socket", 5*time.Second, func() bool {
		m, _ := filepath.Glob(filepath.Join(sb.screenDir(), "*."+name))
		if len(m) == 1 {
			pid, _ = strconv.Atoi(strings.Split(filepath.Base(m[0]), ".")[0])
		}
		return pid > 0
	})
	sb.t.Cleanup(func() { killServer(pid) })
	// screen binds its socket before it installs its SIGCHLD handler and
	// starts its window: wait until the window runs, so that the tests
	// act on a server that is fully up.
	waitFor(sb.t, "screen's window", 5*time.Second, func() bool {
		kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		for _, k := range strings.Fields(string(kids)) {
			if comm, _ := os.ReadFile("/proc/" + k + "/comm"); string(comm) == "sleep\n" {
				return true
			}
		}
		return false
	})
	return pid
}

// killServer kills a server and its process group. Its windows' programs
// get SIGHUP when their terminals' masters close.
func killServer(pid int) {
	if pid <= 1 {
		return // never our own process group, never init
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	syscall.Kill(pid, syscall.SIGKILL)
}

func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && i+2 < len(b) && b[i+2] != 'Z'
}

// run runs reattach-sock in the sandbox and returns its status and output.
func (sb *sandbox) run(args ...string) (int, string, string) {
	sb.t.Helper()
	c := sb.cmd(testbin.Path("reattach-sock"), args...)
	c.Args[0] = "reattach-sock"
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			sb.t.Fatal(err)
		}
	}
	return c.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// works runs a client command and reports whether it succeeded.
func (sb *sandbox) works(name string, args ...string) (bool, string) {
	out, err := sb.cmd(name, args...).CombinedOutput()
	return err == nil, string(out)
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func mode(t *testing.T, path string) (os.FileMode, uint32) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode(), fi.Sys().(*syscall.Stat_t).Uid
}

func inode(path string) uint64 {
	var st syscall.Stat_t
	if syscall.Lstat(path, &st) != nil {
		return 0
	}
	return st.Ino
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
