package detach

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/pidfile"
	"github.com/nohupx/nohupx/internal/reexec"
)

// openFds counts this process's open descriptors.
func openFds(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestReapFailureIsAFailure: a session stage that cannot be waited for
// makes detach fail (125) instead of printing an error and exiting 0; a
// failure already decided keeps its status. The control pipe is closed
// once.
func TestReapFailureIsAFailure(t *testing.T) {
	proc, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	pid := proc.Pid
	t.Cleanup(func() { unix.Wait4(pid, nil, 0, nil) })
	// A released process cannot be waited for: os.Process.Wait fails.
	if err := proc.Release(); err != nil {
		t.Fatal(err)
	}
	r, w, err := reexec.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st := &stage{proc: proc, statusF: r, control: w}
	code, err := detached(st, pid, exitcode.OK, nil)
	if code != exitcode.Canceled || err == nil || !strings.Contains(err.Error(), "cannot wait for the session stage") {
		t.Errorf("detached(unreapable stage, 0, nil) = %d, %v; want %d and why", code, err, exitcode.Canceled)
	}
	if st.control != nil {
		t.Error("the control pipe is still open after reaping")
	}
	st.Close() // closes nothing twice
	code, err = detached(st, pid, TimedOut, os.ErrDeadlineExceeded)
	if code != TimedOut || err != os.ErrDeadlineExceeded {
		t.Errorf("detached(unreapable stage, %d, timeout) = %d, %v; want the timeout kept", TimedOut, code, err)
	}
}

// TestStartStageFailureClosesAll: a start that fails after the pipes are
// made (the stage cannot be spawned: its environment holds a NUL, which
// execve cannot take) leaves no descriptor open.
func TestStartStageFailureClosesAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pending, err := pidfile.Prepare(filepath.Join(dir, "job.pid"))
	if err != nil {
		t.Fatal(err)
	}
	defer pending.Abort()
	null, err := reexec.DevNull()
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	o := Options{Prog: "detach", Command: []string{"true"}, Pidfile: filepath.Join(dir, "job.pid")}
	before := openFds(t)
	st, err := startStage(o, envs{os.Environ(), []string{"BAD=\x00"}}, [3]*os.File{null, null, null}, pending, "")
	if err == nil {
		st.Close()
		t.Fatal("startStage with a stage it cannot spawn succeeded; want an error")
	}
	if after := openFds(t); after != before {
		t.Errorf("startStage failed (%v) with %d descriptors open; want %d as before", err, after, before)
	}
}
