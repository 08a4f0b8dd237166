package reattach_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/nohupx/nohupx/internal/applet"
	"github.com/nohupx/nohupx/reattach"
)

// TestRunDirect calls Run in this process for what ends before any server
// is looked at: --help, usage errors.
func TestRunDirect(t *testing.T) {
	help, err := os.ReadFile(filepath.Join("testdata", "reattach-sock-help.golden"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{args: []string{"reattach-sock", "--help"}, stdout: string(help)},
		{args: []string{"reattach-sock", "--bogus"}, code: reattach.ExitUsage,
			stderr: "reattach-sock: unrecognized option '--bogus'\nTry 'reattach-sock --help' for more information.\n"},
		{args: []string{"reattach-sock", "--watch", "--list"}, code: reattach.ExitUsage,
			stderr: "reattach-sock: --watch does not go with --list or --dry-run\nTry 'reattach-sock --help' for more information.\n"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := reattach.Run(tt.args, applet.Stdio{Out: &stdout, Err: &stderr}, nil)
		if code != tt.code || stdout.String() != tt.stdout || stderr.String() != tt.stderr {
			t.Errorf("Run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q",
				tt.args, code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
		}
	}
}
