package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

func TestMain(m *testing.M) { os.Exit(testbin.Main(m)) }

func TestDispatch(t *testing.T) {
	dir := t.TempDir()
	renamed := filepath.Join(dir, "nohupx-linux-amd64")
	if err := os.Symlink(testbin.Path("nohupx"), renamed); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		args    []string
		code    int
		out     string // a substring of the combined output
		outWant bool
	}{
		{name: "nohupx by name", path: testbin.Path("nohupx"), args: []string{"echo", "ok"}, out: "ok"},
		{name: "nohup by name", path: testbin.Path("nohup"), args: []string{"--version"}, out: "nohupx "},
		{name: "unknown name lists the applets", path: renamed, args: []string{"echo", "x"}, code: 125,
			out: `unknown applet name "nohupx-linux-amd64"; run as one of: nohupx, nohup, detach, setsid`},
		{name: "explicit applet", path: renamed, args: []string{"--applet=nohupx", "echo", "ok"}, out: "ok"},
		{name: "explicit unknown applet", path: renamed, args: []string{"--applet=bogus", "true"}, code: 125,
			out: `unknown applet "bogus"`},
		{name: "applets are not subcommands", path: testbin.Path("nohupx"), args: []string{"nohup", "--version"}, out: "GNU coreutils"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(tt.path, tt.args...)
			out, _ := cmd.CombinedOutput()
			if cmd.ProcessState.ExitCode() != tt.code || !strings.Contains(string(out), tt.out) {
				t.Errorf("%s %q = %d %q; want %d and %q", tt.path, tt.args, cmd.ProcessState.ExitCode(), out, tt.code, tt.out)
			}
		})
	}
}
