package reattach_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

// An unsafe directory is refused with the reason, and left exactly as it
// was: no chmod, no chown, no socket made in it or through it.
func TestUnsafeDirectoryRefused(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "tmux")
	cases := []struct {
		name  string
		root  bool
		spoil func(t *testing.T, sb *sandbox) // after the socket was deleted
		want  string
	}{
		{"mode 0755", false, func(t *testing.T, sb *sandbox) {
			os.Chmod(sb.tmuxDir(), 0o755)
		}, "has mode 0755; tmux clients refuse a socket directory with permissions for others"},
		{"owned by nobody", true, func(t *testing.T, sb *sandbox) {
			if err := os.Chown(sb.tmuxDir(), 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "is owned by nobody, not by"},
		{"symbolic link", false, func(t *testing.T, sb *sandbox) {
			elsewhere := filepath.Join(sb.dir, "elsewhere")
			os.Mkdir(elsewhere, 0o700)
			os.RemoveAll(sb.tmuxDir())
			if err := os.Symlink(elsewhere, sb.tmuxDir()); err != nil {
				t.Fatal(err)
			}
		}, "is a symbolic link; reattach-sock does not follow it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.root {
				testbin.NeedRoot(t, "to give a directory to another user")
			}
			sb := newSandbox(t)
			pid := sb.tmux("x", "work")
			os.Remove(sb.tmuxSock("x"))
			c.spoil(t, sb)
			before := snapshot(t, sb.dir)

			code, out, errOut := sb.run("--under", sb.dir, strconv.Itoa(pid))
			if code != 1 || !strings.Contains(errOut, "unsafe directory") || !strings.Contains(errOut, c.want) {
				t.Errorf("reattach-sock = %d, %q, %q; want 1, 'unsafe directory' and %q", code, out, errOut, c.want)
			}
			if after := snapshot(t, sb.dir); after != before {
				t.Errorf("the sandbox changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// An existing socket in a directory the clients refuse is reported too.
func TestUnsafeDirectoryWithLiveSocket(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "screen")
	sb := newSandbox(t)
	sb.screen("work")
	os.Chmod(sb.screenDir(), 0o750)
	code, out, _ := sb.run("--list", "--under", sb.dir)
	if code != 1 || !strings.Contains(out, "unsafe directory") || !strings.Contains(out, "screen demands mode exactly 0700") {
		t.Errorf("reattach-sock --list = %d %q; want 1 and screen's rule", code, out)
	}
	if m, _ := mode(t, sb.screenDir()); m != os.ModeDir|0o750 {
		t.Errorf("mode changed to %v", m)
	}
}

// snapshot lists every path under dir with its type, mode, owner and, for
// links, target.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		_, uid := mode(t, p)
		link, _ := os.Readlink(p)
		b.WriteString(strings.TrimPrefix(p, dir) + " " + fi.Mode().String() + " " + strconv.Itoa(int(uid)) + " " + link + "\n")
		return nil
	})
	return b.String()
}
