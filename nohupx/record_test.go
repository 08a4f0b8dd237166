package nohupx_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

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
