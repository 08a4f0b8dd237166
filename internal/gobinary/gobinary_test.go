package gobinary

import (
	"debug/buildinfo"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestIs(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated")
	if err := os.WriteFile(truncated, self[:100], 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want bool
	}{
		{os.Args[0], true},
		{"/bin/sh", false},
		{"/usr/bin/env", false},
		{script, false},
		{filepath.Join(dir, "nonexistent"), false},
		{truncated, false},
		{dir, false},
	}
	for _, tt := range tests {
		if _, err := os.Stat(tt.path); err != nil && tt.want {
			t.Fatalf("%s: %v", tt.path, err)
		}
		if got := Is(tt.path); got != tt.want {
			t.Errorf("Is(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// TestStripped: a binary linked with -s -w has no symbols or DWARF but
// keeps its build info.
func TestStripped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to build the stripped binary with: %v", err)
	}
	out := filepath.Join(t.TempDir(), "hello")
	cmd := exec.Command(goCmd, "build", "-ldflags=-s -w", "-o", out, "./testdata/hello")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	if !Is(out) {
		t.Errorf("Is(%q) = false for a stripped Go binary", out)
	}
}

// TestAgreesWithBuildinfo compares Is with debug/buildinfo.ReadFile on
// the files of a few system directories.
func TestAgreesWithBuildinfo(t *testing.T) {
	var files []string
	// The toolchain's own commands come first: Go binaries that must be
	// told apart, whatever else the system holds.
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	root := strings.TrimSpace(string(out))
	for _, dir := range []string{filepath.Join(root, "bin"), filepath.Join(root, "pkg", "tool"), "/usr/bin"} {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) > 400 {
		files = files[:400]
	}
	checked, goCount := 0, 0
	for _, p := range files {
		_, err := buildinfo.ReadFile(p)
		want := err == nil
		if got := Is(p); got != want {
			t.Errorf("Is(%q) = %v; debug/buildinfo.ReadFile: %v", p, got, err)
		}
		checked++
		if want {
			goCount++
		}
	}
	t.Logf("checked %d files, %d Go binaries", checked, goCount)
	if checked < 20 || goCount == 0 {
		t.Fatalf("checked %d files, %d of them Go binaries; want at least 20, and some Go binaries", checked, goCount)
	}
}
