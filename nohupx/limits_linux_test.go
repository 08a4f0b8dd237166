package nohupx_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

// TestFewDescriptors: under a low `ulimit -n` (soft and hard, as a shell's
// ulimit sets it, so the Go runtime cannot raise it) GNU nohup needs one
// descriptor beyond 0–2 and runs the command. nohupx must too, falling
// back to appending, with the command's status and its output kept, and
// never die of the runtime's fatal error on the way.
func TestFewDescriptors(t *testing.T) {
	for n := 5; n <= 12; n++ {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			script := fmt.Sprintf(`ulimit -n %d && exec "$0" --all-stdio -o out sh -c 'echo out; exit 3'`, n)
			cmd := exec.Command("sh", "-c", script, testbin.Path("nohupx"))
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			if code := exitCode(err); code != 3 || strings.Contains(stderr.String(), "fatal error") {
				t.Fatalf("status %d (%v), stderr:\n%s\nwant 3, the command's", code, err, clip(stderr.String()))
			}
			settle(t, filepath.Join(dir, "out"))
			if b, _ := os.ReadFile(filepath.Join(dir, "out")); string(b) != "out\n" {
				t.Errorf("output file %q; want %q", b, "out\n")
			}
		})
	}
}

// TestDevNullNotADevice: where /dev/null is a regular file (removed, then
// made again by a `> /dev/null`), the relay, which discards what it has
// written by splicing it to /dev/null, must not start: the output would
// be copied there too, without bound. The job runs as under GNU nohup,
// appending to its file.
func TestDevNullNotADevice(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "null")
	if err := os.WriteFile(fake, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("unshare", "-m", "sh", "-c", `mount --bind "$0" /dev/null`, fake).Run(); err != nil {
		testbin.Missing(t, "no mount namespace to replace /dev/null in (unshare -m, as root): %v", err)
	}
	script := `mount --bind "$1" /dev/null && exec "$0" --all-stdio -o out sh -c 'echo job-output; exit 3'`
	cmd := exec.Command("unshare", "-m", "sh", "-c", script, testbin.Path("nohupx"), fake)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if code := exitCode(cmd.Run()); code != 3 || !strings.Contains(stderr.String(), "is not the null device; appending to it") {
		t.Errorf("status %d, stderr:\n%s\nwant 3 and why the output is not rotated", code, clip(stderr.String()))
	}
	settle(t, filepath.Join(dir, "out"))
	out, _ := os.ReadFile(filepath.Join(dir, "out"))
	null, _ := os.ReadFile(fake)
	if string(out) != "job-output\n" || len(null) != 0 {
		t.Errorf("output file %q, /dev/null %q; want %q and nothing", out, null, "job-output\n")
	}
}
