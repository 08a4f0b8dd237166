package internal_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoAppletImports: the ground floor never imports the house. A
// package under internal/ may import, of this module, only other packages
// under internal/: never an applet (nohupx, detach, setsid, reattach), the
// relay (logrot), the job record (jobs) or anything added beside them.
// Each package's own imports are checked, so no indirect path escapes.
func TestNoAppletImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/nohupx/nohupx/"
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		if !strings.HasPrefix(pkg, mod+"internal/") {
			continue
		}
		checked++
		for _, imp := range strings.Fields(imports) {
			// A test variant, "path [pkg.test]", starts with its path.
			if strings.HasPrefix(imp, mod) && !strings.HasPrefix(imp, mod+"internal/") {
				t.Errorf("%s imports %s", pkg, imp)
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked %d internal packages; want all of them (go list found too few)", checked)
	}
}
