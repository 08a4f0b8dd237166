package nohupx_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

func TestInstallLinks(t *testing.T) {
	dir := t.TempDir()
	bin := testbin.Path("nohupx")
	install := func(args ...string) (int, string) {
		cmd := exec.Command(bin, append([]string{"--install-links", dir}, args...)...)
		cmd.Args[0] = "nohupx"
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), string(out)
	}
	if code, out := install(); code != 0 || strings.Count(out, "created") != 2 {
		t.Fatalf("--install-links = %d %q; want 2 links created", code, out)
	}
	if out, err := exec.Command(filepath.Join(dir, "detach"), "--version").Output(); err != nil || !strings.HasPrefix(string(out), "detach ") {
		t.Errorf("the detach link runs %q, %v", out, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nohup")); err == nil {
		t.Error("nohup was linked without --drop-in")
	}
	// Again: nothing to do, nothing replaced.
	if code, out := install(); code != 0 || strings.Count(out, "already links") != 2 {
		t.Errorf("second --install-links = %d %q; want both already there", code, out)
	}
	// Someone else's nohup and setsid are left alone and reported.
	os.WriteFile(filepath.Join(dir, "nohup"), []byte("#!/bin/sh\n"), 0o755)
	os.Symlink("/usr/bin/setsid", filepath.Join(dir, "setsid"))
	code, out := install("--drop-in")
	if code != 125 || !strings.Contains(out, "not replacing '"+dir+"/nohup': it is not a link to this binary") ||
		!strings.Contains(out, "not replacing '"+dir+"/setsid': it links to '/usr/bin/setsid'") {
		t.Errorf("--drop-in over foreign files = %d %q; want 125 and both refused", code, out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "nohup")); string(b) != "#!/bin/sh\n" {
		t.Errorf("the foreign nohup was changed: %q", b)
	}
	code, out = install("--drop-in", "-q")
	if code != 125 || strings.Contains(out, "already") {
		t.Errorf("-q = %d %q; want only the refusals", code, out)
	}
	if code, _ := install(); code != 0 {
		t.Error("without --drop-in the foreign files do not matter")
	}
	cmd := exec.Command(bin, "--install-links", filepath.Join(dir, "missing"))
	if out, _ := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != 125 || !strings.Contains(string(out), "No such file or directory") {
		t.Errorf("into a missing directory: %d %q", cmd.ProcessState.ExitCode(), out)
	}
}
