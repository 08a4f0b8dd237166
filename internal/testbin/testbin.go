// Package testbin builds the nohupx binary once per test package and links
// the applet names to it, so that tests run the real program the way a user
// does: through its installed names.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testbin.Main(m)) }
//
// and then testbin.Path("nohupx") in the tests.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"

	"github.com/nohupx/nohupx/internal/entry"
	"github.com/nohupx/nohupx/internal/reexec"
	"github.com/nohupx/nohupx/internal/sigs"
)

// Applets are the names linked to the binary in Dir.
var Applets = []string{"nohupx", "nohup", "detach", "setsid", "reattach-sock"}

// Dir holds the built binary and its applet links while m.Run runs.
var Dir string

// Main builds the binary, runs the tests and removes the build. The
// processes the tests start begin with every signal at its default
// (DefaultSignals).
func Main(m *testing.M) int {
	// A test that starts a stage in-process (detach's startStage, the
	// relay) has this binary re-execute itself under the stage's name:
	// it must then be that stage, not a second run of every test, which
	// would start the stage again, and so on, detached and for ever.
	if stage, ok := reexec.Lookup(os.Args[0]); ok {
		return stage()
	}
	DefaultSignals()
	dir, err := os.MkdirTemp("", "nohupx-testbin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testbin:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	if err := build(dir); err != nil {
		fmt.Fprintln(os.Stderr, "testbin:", err)
		return 2
	}
	Dir = dir
	// The job record of every binary the tests run goes here, not into
	// the home of whoever runs the tests.
	StateDir = filepath.Join(dir, "state")
	if err := os.Mkdir(StateDir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "testbin:", err)
		return 2
	}
	os.Setenv("XDG_STATE_HOME", StateDir)
	return m.Run()
}

// StateDir is $XDG_STATE_HOME for the tests and the binaries they run.
var StateDir string

// Path is the absolute path of the applet link name.
func Path(name string) string { return filepath.Join(Dir, name) }

func build(dir string) error {
	exe := filepath.Join(dir, "nohupx.bin")
	// Built as the release is, with the entry point where there is one,
	// so that the tests see what users run.
	args := []string{"build", "-o", exe}
	if entry.HasEntryPoint(runtime.GOOS, runtime.GOARCH) {
		args = append(args, "-ldflags="+entry.LinkFlag)
	}
	cmd := exec.Command("go", append(args, "github.com/nohupx/nohupx/cmd/nohupx")...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	for _, name := range Applets {
		if err := os.Symlink(exe, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// DefaultSignals makes the processes the tests start begin with every
// signal at its default action, as under a login shell, even when go test
// was started with some of them ignored: under nohup (HUP), or in the
// background of a script (INT and QUIT). The tests measure what the
// applets change against that baseline.
//
// Go hands a SIG_IGN it inherited on to its children for HUP, INT and the
// job-control signals, while execve(2) resets a caught signal to the
// default. So each signal found ignored is caught here, and dropped: this
// process goes on not acting on it, as before.
func DefaultSignals() {
	var ignored []os.Signal
	mask := kernelIgnored()
	for sig := syscall.Signal(1); sig < 32; sig++ {
		if sig != syscall.SIGKILL && sig != syscall.SIGSTOP && (signal.Ignored(sig) || mask&sigs.Mask(sig) != 0) {
			ignored = append(ignored, sig)
		}
	}
	if len(ignored) > 0 {
		signal.Notify(make(chan os.Signal, 1), ignored...)
	}
}

// PublicCopy copies the executable src to a new directory as name, both
// open to every user whatever the umask, for a test that runs it as
// another user: go test's build directory and Dir are private. The copy is
// removed at the end of the test.
func PublicCopy(t testing.TB, src, name string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "nohupx-public-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// cp writes the copy, not this process: a file being written here
	// could be held open for writing by a child of a parallel test,
	// forked before it closed, and exec'ing it would then fail with
	// ETXTBSY. cp's descriptor is gone with cp.
	exe := filepath.Join(dir, name)
	if out, err := exec.Command("cp", src, exe).CombinedOutput(); err != nil {
		t.Fatalf("cp %s %s: %v %s", src, exe, err, out)
	}
	// Both modes set explicitly: MkdirTemp makes 0700, and cp's mode is
	// cut by the umask.
	for _, p := range []string{dir, exe} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return exe
}

// Missing ends a test whose premise is missing: a skip on a developer's
// machine, a failure under CI=true, where .ci/run installs every tool and
// runs as root, so that a skip never passes for a pass there.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true, and this test cannot run: "+format, args...)
	}
	t.Skipf(format, args...)
}

// Need is the path of tool on PATH, or Missing.
func Need(t testing.TB, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		Missing(t, "%s is not installed (%v); install it to run this test", tool, err)
	}
	return path
}

// NeedRoot is Missing unless the test runs as root; why says what for.
func NeedRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "needs root, %s", why)
	}
}

var programs struct {
	sync.Mutex
	m map[string]*program
}

type program struct {
	once sync.Once
	path string
	err  error
}

// Program builds the main package pkg (as go build names it, relative to
// the test's package directory) into Dir as name, once per test binary,
// and returns its path. The name is the process's comm, which some tests
// look for.
func Program(t testing.TB, pkg, name string) string {
	t.Helper()
	programs.Lock()
	if programs.m == nil {
		programs.m = map[string]*program{}
	}
	p := programs.m[name]
	if p == nil {
		p = &program{path: filepath.Join(Dir, name)}
		programs.m[name] = p
	}
	programs.Unlock()
	p.once.Do(func() {
		cmd := exec.Command("go", "build", "-o", p.path, pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			p.err = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	})
	if p.err != nil {
		t.Fatal(p.err)
	}
	return p.path
}

// StateWithoutRecord is an $XDG_STATE_HOME whose job record directory
// cannot be opened: nohupx/jobs is a regular file there.
func StateWithoutRecord(t testing.TB) string {
	t.Helper()
	state := t.TempDir()
	if err := os.Mkdir(filepath.Join(state, "nohupx"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "nohupx", "jobs"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return state
}
