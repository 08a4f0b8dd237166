package nohupx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/testbin"
	"github.com/nohupx/nohupx/jobs"
)

// A job that cannot be recorded runs without its --on-exit, whichever
// way the record fails: the warning says so.
func TestRecordFailureWarnsOnExit(t *testing.T) {
	// jobs is a file: the record directory cannot be opened.
	state := testbin.StateWithoutRecord(t)
	// A read-only record directory: it opens, but takes no record.
	roState := t.TempDir()
	roDir := filepath.Join(roState, "nohupx", "jobs")
	if err := os.MkdirAll(roDir, 0o700); err != nil {
		t.Fatal(err)
	}
	unwritable(t, roDir)
	notDir := "cannot use the job record in " + filepath.Join(state, "nohupx", "jobs") + ": Not a directory"
	tests := []struct {
		name, state, onExit string
		env                 []string
		warn                string // a prefix
	}{
		{"cannot open, --on-exit", state, "true", nil, "job not recorded, so --on-exit will not run: " + notDir},
		{"cannot open", state, "", nil, "job not recorded: " + notDir},
		{"cannot create, --on-exit", roState, "true", nil, "job not recorded, so --on-exit will not run: "},
		{"cannot create", roState, "", nil, "job not recorded: "},
		{"turned off, --on-exit", state, "true", []string{jobs.NoRecordEnv + "=1"}, "--on-exit needs the job record, which " + jobs.NoRecordEnv + " turns off; it will not run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Env: append([]string{"XDG_STATE_HOME=" + tt.state}, tt.env...), OnExit: tt.onExit, Command: []string{"true"}}
			var id string
			notice, warn := record(o, relayedFile{}, "", &id)
			if notice != "" || !strings.HasPrefix(warn, tt.warn) || strings.Contains(warn, "\n") ||
				tt.onExit == "" && strings.Contains(warn, "--on-exit") {
				t.Errorf("record = %q, %q; want no notice and one line starting %q", notice, warn, tt.warn)
			}
		})
	}
}

// unwritable makes dir take no new file, for root too: root writes
// through permissions, so for root it is a read-only bind mount.
func unwritable(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return
	}
	if err := unix.Mount(dir, dir, "", unix.MS_BIND, ""); err != nil {
		testbin.Missing(t, "cannot bind-mount %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	if err := unix.Mount("", dir, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY, ""); err != nil {
		testbin.Missing(t, "cannot make %s read-only: %v", dir, err)
	}
}
