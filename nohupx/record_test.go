package nohupx_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/testbin"
)

// TestOnExitNeedsRecord: --on-exit with --no-record is a usage error, not
// a hook that silently never runs; the command does not run either.
func TestOnExitNeedsRecord(t *testing.T) {
	bin := testbin.Path("nohupx")
	for _, args := range [][]string{
		{"--no-record", "--on-exit=touch hook", "touch", "ran"},
		{"--on-exit=touch hook", "--no-record", "touch", "ran"},
	} {
		dir := t.TempDir()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		want := bin + ": --on-exit needs the job record, which --no-record turns off\nTry '" + bin + " --help' for more information.\n"
		if code := exitCode(err); code != 125 || string(out) != want {
			t.Errorf("nohupx %q: status %d, %q; want 125, %q", args, code, out, want)
		}
		for _, f := range []string{"hook", "ran"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				t.Errorf("nohupx %q: %s was created; want nothing run", args, f)
			}
		}
	}
}

// TestNeverRanIsRecorded: a command that nohupx could not run is recorded
// as ended with the status nohupx exits with (127 not found, 126 not
// executable, 125 when a notice could not be written after the record
// was), not as ended in an unknown way: --wait exits with it and --on-exit
// sees it.
func TestNeverRanIsRecorded(t *testing.T) {
	bin := testbin.Path("nohupx")
	const hook = `echo "$NOHUPX_JOB_STATE $NOHUPX_JOB_STATUS" >> onexit.txt`
	tests := []struct {
		name   string
		args   []string
		full   bool // stderr on /dev/full
		status int
		wait   int    // --wait's status
		hook   string // what --on-exit sees
	}{
		{"not found", []string{"no-such-command"}, false, 127, 127, "exited 127"},
		{"not executable", []string{"./plain-file"}, false, 126, 126, "exited 126"},
		{"notice not written", []string{"--all-stdio", "true"}, true, 125, 125, "exited 125"},
		// A command that ran: only its shell saw the status, as with nohup.
		{"ran", []string{"sh", "-c", "exit 3"}, false, 3, 125, "unknown unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "plain-file"), []byte("data\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			env := []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "XDG_STATE_HOME=" + filepath.Join(dir, "state")}
			cmd := exec.Command(bin, append([]string{"--on-exit=" + hook}, tt.args...)...)
			cmd.Dir, cmd.Env = dir, env
			if tt.full {
				full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
				if err != nil {
					t.Fatalf("no /dev/full: %v", err)
				}
				defer full.Close()
				cmd.Stderr = full
			}
			if code := exitCode(cmd.Run()); code != tt.status {
				t.Fatalf("nohupx %q: status %d; want %d", tt.args, code, tt.status)
			}
			wait := exec.Command(bin, "--wait="+strconv.Itoa(cmd.Process.Pid))
			wait.Dir, wait.Env = dir, env
			out, err := wait.CombinedOutput()
			if code := exitCode(err); code != tt.wait || (tt.wait == tt.status) != (len(out) == 0) {
				t.Errorf("nohupx --wait: status %d, %q; want %d", code, out, tt.wait)
			}
			want := tt.hook + "\n"
			var got []byte
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if got, _ = os.ReadFile(filepath.Join(dir, "onexit.txt")); len(got) > 0 {
					break
				}
			}
			if string(got) != want {
				t.Errorf("--on-exit saw %q; want %q", got, want)
			}
		})
	}
}
