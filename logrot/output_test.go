//go:build linux

package logrot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenOutput: the one opening path gives the file itself without
// rotation or where the file may not be rotated (and says why), a relay's
// pipe otherwise, and Close leaves the relay to whoever holds the pipe.
func TestOpenOutput(t *testing.T) {
	t.Run("not rotated", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out.log")
		out, err := OpenOutput(path, DefaultPolicy, false)
		if err != nil {
			t.Fatal(err)
		}
		if out.Rotated() || out.W != out.File || out.Note != "" || out.Name != path {
			t.Errorf("OpenOutput(%s, rotate false) = %+v; want the file itself and no note", path, out)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("stat %s = %v, %v; want mode 0600", path, fi, err)
		}
		if err := out.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	t.Run("rotated", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out.log")
		out, err := OpenOutput(path, DefaultPolicy, true)
		if err != nil {
			t.Fatal(err)
		}
		if !out.Rotated() || out.Note != "" {
			t.Fatalf("OpenOutput(%s, rotate true) = %+v; want a relay", path, out)
		}
		if _, err := out.W.WriteString("through the relay\n"); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
		waitFor(t, 10*time.Second, "the line in "+path, func() bool {
			b, _ := os.ReadFile(path)
			return string(b) == "through the relay\n"
		})
		waitRelaysGone(t, path, 10*time.Second)
	})
	t.Run("symbolic link", func(t *testing.T) {
		dir := t.TempDir()
		target, path := filepath.Join(dir, "target"), filepath.Join(dir, "out.log")
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
		out, err := OpenOutput(path, DefaultPolicy, true)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		if out.Rotated() || !contains(out.Note, "it is a symbolic link") {
			t.Errorf("OpenOutput(symlink) = %+v; want the file itself and why", out)
		}
	})
	t.Run("created", func(t *testing.T) {
		dir := t.TempDir()
		path, link := filepath.Join(dir, "out.log"), filepath.Join(dir, "link")
		if err := os.Symlink(filepath.Join(dir, "dangling"), link); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			path string
			want bool
		}{{path, true}, {path, false}, {link, false}} {
			out, err := OpenOutput(c.path, DefaultPolicy, false)
			if err != nil {
				t.Fatal(err)
			}
			out.Close()
			if out.Created != c.want {
				t.Errorf("OpenOutput(%s).Created = %v; want %v (a link is followed, but its file is not one this open made by name)", c.path, out.Created, c.want)
			}
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing", "out.log")
		out, err := OpenOutput(path, DefaultPolicy, true)
		var pe *fs.PathError
		if out != nil || !errors.As(err, &pe) || !errors.Is(err, syscall.ENOENT) {
			t.Errorf("OpenOutput(%s) = %v, %v; want ENOENT from open", path, out, err)
		}
	})
}
