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
