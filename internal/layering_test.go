package internal_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoAppletImports: the ground floor never imports the house. No
// package under internal/ may depend on an applet (nohupx, detach,
// setsid, reattach), the relay (logrot) or the job record (jobs),
// directly or not.
func TestNoAppletImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/nohupx/nohupx/"
	upper := []string{"nohupx", "detach", "setsid", "reattach", "logrot", "jobs"}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		if !strings.HasPrefix(pkg, mod+"internal/") {
			continue
		}
		checked++
		for _, imp := range strings.Fields(imports) {
			for _, u := range upper {
				if imp == mod+u || strings.HasPrefix(imp, mod+u+"/") || strings.HasPrefix(imp, mod+u+".") {
					t.Errorf("%s imports %s", pkg, imp)
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked %d internal packages; want all of them (go list found too few)", checked)
	}
}
