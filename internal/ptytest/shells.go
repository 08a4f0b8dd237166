package ptytest

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

// Prompt is PS1 in the shells started by Bash and Zsh.
const Prompt = "$ "

// ShellEnv is a small, fixed environment for an interactive shell in dir:
// HOME is dir, TERM=dumb, a fixed prompt, no history file, the C locale so
// that messages are the English ones, and PATH from the test's environment.
// extra entries are appended (later entries win).
func ShellEnv(dir string, extra ...string) []string {
	env := []string{
		"HOME=" + dir,
		"PATH=" + os.Getenv("PATH"),
		"TERM=dumb",
		"PS1=" + Prompt,
		"HISTFILE=/dev/null",
		"LC_ALL=C",
	}
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		env = append(env, "TMPDIR="+tmp)
	}
	return append(env, extra...)
}

// Bash starts `bash --login --noprofile --norc -i` in dir. A login shell,
// because huponexit only applies to one; no profile or rc so that the
// machine's files cannot change the outcome.
func Bash(t testing.TB, dir string, extraEnv ...string) *Term {
	t.Helper()
	return Start(t, Config{
		Path: testbin.Need(t, "bash"),
		Args: []string{"--login", "--noprofile", "--norc", "-i"},
		Dir:  dir,
		Env:  ShellEnv(dir, extraEnv...),
		// TERM=dumb: readline prints the bare prompt and reads.
		Ready: regexp.MustCompile(`(?m)^\$ `),
	})
}

// Zsh starts `zsh -i` in dir with ZDOTDIR set to a fresh directory holding
// an empty .zshrc: zsh-newuser-install never runs, and zsh keeps its default
// options (HUP, CHECK_JOBS and CHECK_RUNNING_JOBS on).
func Zsh(t testing.TB, dir string, extraEnv ...string) *Term {
	t.Helper()
	path := testbin.Need(t, "zsh")
	zdot := t.TempDir()
	if err := os.WriteFile(filepath.Join(zdot, ".zshrc"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := append([]string{"ZDOTDIR=" + zdot}, extraEnv...)
	return Start(t, Config{
		Path: path,
		Args: []string{"-i"},
		Dir:  dir,
		Env:  ShellEnv(dir, env...),
		// zle turns bracketed paste on when it starts reading a line.
		Ready: regexp.MustCompile(`\$ \x1b\[\?2004h`),
	})
}

// KillMarked sends SIGKILL to every process whose environment has
// Marker=id: all that a terminal's shell started, daemons included.
// It returns the pids it signalled.
func KillMarked(id string) []int {
	want := []byte(Marker + "=" + id + "\x00")
	var killed []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, want...)) {
			continue
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			killed = append(killed, pid)
		}
	}
	return killed
}
