package logrot

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRelayOf(t *testing.T) {
	tests := []struct {
		fixture string
		stage   string
		path    string
		ok      bool
	}{
		{"proc/4242/cmdline", RelayStage, "/home/u/nohup.out", true},
		{"proc/4245/cmdline", HolderStage, "/home/u/nohup.out", true},
		{"proc/1/cmdline", "", "", false},
		{"proc/4243/cmdline", "", "", false}, // the first stage, gone by the time Start returns
		{"proc/4244/cmdline", "", "", false}, // the stage name as an argument
	}
	for _, tt := range tests {
		f, err := os.Open(filepath.Join("testdata", tt.fixture))
		if err != nil {
			t.Fatal(err)
		}
		stage, path, ok := relayOf(f)
		f.Close()
		if stage != tt.stage || path != tt.path || ok != tt.ok {
			t.Errorf("relayOf(%s) = %q, %q, %v; want %q, %q, %v", tt.fixture, stage, path, ok, tt.stage, tt.path, tt.ok)
		}
	}
	// A kernel thread has an empty cmdline.
	if _, _, ok := relayOf(strings.NewReader("")); ok {
		t.Error("relayOf(empty) = ok")
	}
}

func TestFindIn(t *testing.T) {
	got, err := findIn(filepath.Join("testdata", "proc"))
	if want := []Relay{{4242, "/home/u/nohup.out", false}, {4245, "/home/u/nohup.out", true}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("findIn(testdata/proc) = %v, %v; want %v", got, err, want)
	}
}

func TestCanonical(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "f"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(real, "f"), filepath.Join(real, "flink")); err != nil {
		t.Fatal(err)
	}
	rdir, _ := filepath.EvalSymlinks(real)
	tests := []struct{ in, want string }{
		{filepath.Join(dir, "link", "f"), filepath.Join(rdir, "f")},
		{filepath.Join(dir, "link", "flink"), filepath.Join(rdir, "flink")}, // the last component is kept
		{filepath.Join(dir, "link", "new"), filepath.Join(rdir, "new")},
		{filepath.Join(dir, "gone", "new"), filepath.Join(dir, "gone", "new")},
	}
	for _, tt := range tests {
		if got, err := canonical(tt.in); err != nil || got != tt.want {
			t.Errorf("canonical(%s) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
