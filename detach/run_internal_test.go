package detach

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nohupx/nohupx/internal/applet"
	"github.com/nohupx/nohupx/internal/testbin"
)

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// TestRunDirect calls Run in this process for every path that ends before
// the session stage starts (the stage is this binary re-executed, which a
// test binary is not): what goes to stdio, and the status.
func TestRunDirect(t *testing.T) {
	dir := t.TempDir()
	help, err := os.ReadFile(filepath.Join("testdata", "detach-help.golden"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		args           []string
		outErr         error
		code           int
		stdout, stderr string // DIR stands for dir
	}{
		{name: "help", args: []string{"detach", "--help", "--bogus"}, stdout: string(help)},
		{name: "version to a full disk", args: []string{"detach", "--version"}, outErr: syscall.ENOSPC, code: 125,
			stderr: "detach: write error: No space left on device\n"},
		{name: "bad option", args: []string{"detach", "--bogus", "true"}, code: 125,
			stderr: "detach: unrecognized option '--bogus'\nTry 'detach --help' for more information.\n"},
		{name: "missing operand", args: []string{"./detach"}, code: 125,
			stderr: "./detach: missing operand\nTry './detach --help' for more information.\n"},
		{name: "log not writable", args: []string{"detach", "-o", "DIR/missing/log", "true"}, code: 125,
			stderr: "detach: cannot open 'DIR/missing/log': No such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			stdio := applet.Stdio{Out: &stdout, Err: &stderr}
			if tt.outErr != nil {
				stdio.Out = failWriter{tt.outErr}
			}
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "DIR", dir)
			}
			code := Run(args, stdio, nil)
			errOut := strings.ReplaceAll(stderr.String(), dir, "DIR")
			if code != tt.code || stdout.String() != tt.stdout || errOut != tt.stderr {
				t.Errorf("Run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q",
					tt.args, code, stdout.String(), errOut, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

// TestRecordDirWarnsOnExit: when the record directory cannot be used, the
// warning says that --on-exit will not run (the stage runs it only after
// appending to the record), and says nothing of it without --on-exit.
func TestRecordDirWarnsOnExit(t *testing.T) {
	state := testbin.StateWithoutRecord(t)
	env := []string{"XDG_STATE_HOME=" + state}
	for _, tt := range []struct {
		onExit, want string
	}{
		{"true", "job not recorded, so --on-exit will not run: cannot use the job record in "},
		{"", "job not recorded: cannot use the job record in "},
	} {
		dir, warn := recordDir(Options{OnExit: tt.onExit}, env)
		if dir != "" || !strings.HasPrefix(warn, tt.want) {
			t.Errorf("recordDir(--on-exit=%q) = %q, %q; want no directory and a warning starting %q", tt.onExit, dir, warn, tt.want)
		}
	}
}

// TestRecordDirTurnedOff: NOHUPX_NO_RECORD turns the record off; with
// --on-exit that is a warning that it will not run, in nohupx's words
// (--no-record with --on-exit is refused by parse).
func TestRecordDirTurnedOff(t *testing.T) {
	env := []string{"XDG_STATE_HOME=" + t.TempDir(), "NOHUPX_NO_RECORD=1"}
	for _, tt := range []struct{ onExit, want string }{
		{"true", "--on-exit needs the job record, which NOHUPX_NO_RECORD turns off; it will not run"},
		{"", ""},
	} {
		if dir, warn := recordDir(Options{OnExit: tt.onExit}, env); dir != "" || warn != tt.want {
			t.Errorf("recordDir(--on-exit=%q) = %q, %q; want no directory and %q", tt.onExit, dir, warn, tt.want)
		}
	}
}
