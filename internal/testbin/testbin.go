// Package testbin builds the nohupx binary once per test package and links
// the applet names to it, so that tests run the real program the way a user
// does: through its installed names.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testbin.Main(m)) }
//
// and then testbin.Path("nohupx") in the tests.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Applets are the names linked to the binary in Dir.
var Applets = []string{"nohupx", "nohup", "detach", "setsid", "reattach-sock"}

// Dir holds the built binary and its applet links while m.Run runs.
var Dir string

// Main builds the binary, runs the tests and removes the build.
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "nohupx-testbin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testbin:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	if err := build(dir); err != nil {
		fmt.Fprintln(os.Stderr, "testbin:", err)
		return 2
	}
	Dir = dir
	return m.Run()
}

// Path is the absolute path of the applet link name.
func Path(name string) string { return filepath.Join(Dir, name) }

func build(dir string) error {
	exe := filepath.Join(dir, "nohupx.bin")
	cmd := exec.Command("go", "build", "-o", exe, "github.com/nohupx/nohupx/cmd/nohupx")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	for _, name := range Applets {
		if err := os.Symlink(exe, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}
