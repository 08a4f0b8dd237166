package reattach

import (
	"strings"
	"testing"
)

// The Lisp --help prints over several lines must be the form the error
// message prints on one line: Lisp reads any run of blanks and newlines
// as one separator, so the same words in the same order are the same form.
func TestEmacsHandlerLines(t *testing.T) {
	got, want := strings.Fields(emacsHandlerLines), strings.Fields(EmacsHandler)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("emacsHandlerLines = %q; want the form %q", emacsHandlerLines, EmacsHandler)
	}
	for _, line := range strings.Split(emacsHandlerLines, "\n") {
		if len("  "+line) > 80 {
			t.Errorf("emacsHandlerLines has a line wider than 80 columns in --help: %q", line)
		}
	}
}
