package man_test

import (
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nohupx/nohupx/internal/testbin"
)

// TestHelpFitsIn80Columns: no line of any applet's --help, under any of
// the names the binary answers to, is wider than a standard 80-column
// terminal, where a longer line wraps in the middle of a word.
func TestHelpFitsIn80Columns(t *testing.T) {
	for _, applet := range testbin.Applets {
		t.Run(applet, func(t *testing.T) {
			// Run as a user runs it, found in PATH: the help names the
			// program as it was called.
			cmd := exec.Command(testbin.Path(applet), "--help")
			cmd.Args[0] = applet
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s --help: %v", applet, err)
			}
			lines := strings.Split(string(out), "\n")
			if len(lines) < 5 {
				t.Fatalf("%s --help printed %d lines; want a help text", applet, len(lines))
			}
			for i, line := range lines {
				// Columns, not bytes: the help may hold non-ASCII text.
				if n := utf8.RuneCountInString(line); n > 80 {
					t.Errorf("%s --help line %d is %d columns wide; want at most 80:\n%s", applet, i+1, n, line)
				}
			}
		})
	}
}
