package detach_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/sigs"
)

// waitGone polls until process pid no longer runs (or is a zombie).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err != nil || strings.Contains(string(st), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs", pid)
		}
	}
}

// TestPidfileFollowsTheJob: the pidfile's lock lives exactly as long as the
// process it names, not as long as whatever inherited a descriptor from
// it; the pidfile is removed when that process ends; and a new start is
// refused only while it runs.
func TestPidfileFollowsTheJob(t *testing.T) {
	tests := []struct {
		name string
		// script is the job (run by sh -c); it writes the pid of any
		// child it leaves behind to the file "child".
		script string
		end    func(t *testing.T, pid int) // ends the job; nil: it ends itself
	}{
		{name: "a background child outlives the job",
			script: `sleep 30 & echo $! > child; exec sleep 1`},
		{name: "the job is killed",
			script: `exec sleep 30`,
			end:    func(t *testing.T, pid int) { syscall.Kill(pid, syscall.SIGKILL) }},
		{name: "the job's group gets TERM, which the job ignores",
			script: `trap '' TERM; exec sleep 30`,
			end: func(t *testing.T, pid int) {
				// Only once the trap has run: detach returns when sh is
				// exec'd, a moment before sh runs its first line.
				for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
					st, err := procfs.ReadStatus(pid)
					if err == nil && st.SigIgn&sigs.Mask(syscall.SIGTERM) != 0 {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("the job %d never ignored TERM: %+v, %v", pid, st, err)
					}
				}
				pgid, _ := syscall.Getpgid(pid)
				syscall.Kill(-pgid, syscall.SIGTERM)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			pf := filepath.Join(dir, "g.pid")
			pid := daemon(t, "--chdir", dir, "--pidfile", pf, "sh", "-c", tt.script)
			t.Cleanup(func() {
				if b, err := os.ReadFile(filepath.Join(dir, "child")); err == nil {
					if child, _ := strconv.Atoi(strings.TrimSpace(string(b))); child > 0 {
						syscall.Kill(child, syscall.SIGKILL)
					}
				}
			})
			// $!-like: the pid printed and the pid in the file are the job's.
			if b, _ := os.ReadFile(pf); string(b) != fmt.Sprintf("%d\n", pid) {
				t.Fatalf("pidfile = %q; want the printed pid %d", b, pid)
			}
			// The job holds nothing but 0-2: its children cannot keep the lock.
			if got := openFds(pid); strings.Contains(got, pf) || strings.Contains(got, ".g.pid.") {
				t.Errorf("the job holds the pidfile open: %s", got)
			}
			code, _, errOut := detach(t, "--pidfile", pf, "true")
			if want := fmt.Sprintf("detach: pidfile '%s': already running (pid %d)\n", pf, pid); code != 125 || errOut != want {
				t.Errorf("detach while the job runs = %d %q; want 125 %q", code, errOut, want)
			}
			if tt.end != nil {
				tt.end(t, pid)
			}
			if tt.name == "the job's group gets TERM, which the job ignores" {
				// The stage that holds the lock is in that group: the
				// lock must outlive the TERM as the job does.
				time.Sleep(200 * time.Millisecond)
				if syscall.Kill(pid, 0) != nil {
					t.Fatalf("the job %d did not outlive the TERM it ignores", pid)
				}
				if code, _, _ := detach(t, "--pidfile", pf, "true"); code != 125 {
					t.Errorf("detach after TERM to the job's group, the job still running = %d; want 125", code)
				}
				// Then it ends, as the other jobs do, without a clock
				// that a busy machine could outrun.
				syscall.Kill(pid, syscall.SIGKILL)
			}
			waitGone(t, pid)
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if _, err := os.Lstat(pf); os.IsNotExist(err) {
					break
				}
				if time.Now().After(deadline) {
					b, _ := os.ReadFile(pf)
					t.Fatalf("the pidfile still names %q after the job %d ended; want it removed", b, pid)
				}
			}
			if code, _, errOut := detach(t, "--pidfile", pf, "true"); code != 0 {
				t.Errorf("detach after the job ended = %d %q; want 0", code, errOut)
			}
		})
	}
}

// A pidfile left by an older detach, whose lock a child of the dead job
// still holds, names a dead process: it never blocks a start.
func TestPidfileNamingADeadProcess(t *testing.T) {
	dir := t.TempDir()
	pf := filepath.Join(dir, "old.pid")
	f, err := os.Create(pf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	done := exec.Command("true")
	if err := done.Run(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "%d\n", done.Process.Pid)
	if code, _, errOut := detach(t, "--pidfile", pf, "true"); code != 0 {
		t.Errorf("detach over a locked pidfile naming dead pid %d = %d %q; want 0", done.Process.Pid, code, errOut)
	}
}

// --wait with a pidfile: the pidfile is gone by the time detach returns.
func TestPidfileWait(t *testing.T) {
	pf := filepath.Join(t.TempDir(), "w.pid")
	code, _, errOut := detach(t, "--wait", "--pidfile", pf, "sh", "-c", "exit 3")
	if _, err := os.Lstat(pf); code != 3 || !os.IsNotExist(err) {
		t.Errorf("detach --wait --pidfile sh -c 'exit 3' = %d %q, pidfile %v; want 3 and no pidfile", code, errOut, err)
	}
}
