package reattach_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

func TestHelp(t *testing.T) {
	sb := newSandbox(t)
	code, out, _ := sb.run("--help")
	golden := filepath.Join("testdata", "reattach-sock-help.golden")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		os.WriteFile(golden, []byte(out), 0o644)
	}
	want, _ := os.ReadFile(golden)
	if code != 0 || out != string(want) {
		t.Errorf("reattach-sock --help = %d, differs from %s (UPDATE_GOLDEN=1 rewrites it):\n%s", code, golden, out)
	}
	for _, words := range []string{"error connecting to", "No such file or directory", "systemd-tmpfiles", "still running"} {
		if !strings.Contains(out, words) {
			t.Errorf("--help does not explain the problem in the user's words: no %q", words)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 80 {
			t.Errorf("--help line longer than 80 columns: %q", line)
		}
	}
}

// Usage errors exit 2, in GNU's words, with the Try line.
func TestUsageErrors(t *testing.T) {
	sb := newSandbox(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "reattach-sock: unrecognized option '--bogus'\n"},
		{[]string{"--user"}, "reattach-sock: option '--user' requires an argument\n"},
		{[]string{"vim"}, "reattach-sock: invalid operand 'vim': want tmux, screen, abduco, emacs or a pid\n"},
		{[]string{"--watch", "--dry-run"}, "reattach-sock: --watch does not go with --list or --dry-run\n"},
	} {
		code, out, errOut := sb.run(c.args...)
		want := c.want + "Try 'reattach-sock --help' for more information.\n"
		if code != 2 || out != "" || errOut != want {
			t.Errorf("reattach-sock %q = %d, %q, %q; want 2, \"\", %q", c.args, code, out, errOut, want)
		}
	}
}

// Through a renamed binary (a release download), with --applet.
func TestAppletFlag(t *testing.T) {
	out, err := exec.Command(filepath.Join(testbin.Dir, "nohupx.bin"), "--applet=reattach-sock", "--version").Output()
	if err != nil || !bytes.HasPrefix(out, []byte("reattach-sock (nohupx) ")) {
		t.Errorf("nohupx --applet=reattach-sock --version = %q, %v", out, err)
	}
}
