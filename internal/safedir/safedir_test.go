package safedir

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/testbin"
)

func TestOthersCanRename(t *testing.T) {
	const me = 1000
	tests := []struct {
		uid, gid uint32
		mode     uint32
		want     string
	}{
		{me, me, 0o700, ""},
		{0, 0, 0o755, ""},
		{0, 0, 0o1777, ""},
		{0, 0, 0o775, ""}, // root's group, as logrotate allows
		{me, me, 0o1770, ""},
		{2000, 2000, 0o700, "belongs to uid 2000"},
		{2000, 2000, 0o1777, "belongs to uid 2000"},
		{me, me, 0o777, "is writable by everyone and not sticky"},
		{me, me, 0o770, "is writable by group 1000 and not sticky"},
		{0, 5, 0o775, "is writable by group 5 and not sticky"},
	}
	for _, tt := range tests {
		st := unix.Stat_t{Uid: tt.uid, Gid: tt.gid}
		setMode(&st.Mode, unix.S_IFDIR|tt.mode)
		if got := OthersCanRename(&st, me); got != tt.want {
			t.Errorf("uid %d gid %d mode %04o: %q; want %q", tt.uid, tt.gid, tt.mode, got, tt.want)
		}
	}
}

// setMode sets a Stat_t's mode, 32 bits on Linux and 16 on the BSDs.
func setMode[T ~uint16 | ~uint32](m *T, mode uint32) { *m = T(mode) }

// mine makes every missing directory 0700, keeping the maker's owner.
func mine(string) Mode { return Mode{UID: -1, Perm: 0o700} }

// TestOpenMakes: the missing directories are made as the mode says for
// each path, in order, and the one returned is the directory at dir.
func TestOpenMakes(t *testing.T) {
	top := t.TempDir()
	shared := filepath.Join(top, "shared")
	dir := filepath.Join(shared, "own")
	fd, made, err := Open(dir, os.Geteuid(), func(p string) Mode {
		if p == shared {
			return Mode{UID: -1, Perm: 0o1777}
		}
		return Mode{UID: -1, Perm: 0o700}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	want := []Made{{shared, 0o1777}, {dir, 0o700}}
	if len(made) != 2 || made[0] != want[0] || made[1] != want[1] {
		t.Errorf("made %v; want %v", made, want)
	}
	for _, m := range want {
		if fi, err := os.Stat(m.Path); err != nil || uint32(fi.Mode().Perm()) != m.Perm&0o777 ||
			(m.Perm&0o1000 != 0) != (fi.Mode()&os.ModeSticky != 0) {
			t.Errorf("%s: %v, %v; want mode %04o", m.Path, fi.Mode(), err, m.Perm)
		}
	}
	var got, at unix.Stat_t
	unix.Fstat(fd, &got)
	unix.Stat(dir, &at)
	if got.Ino != at.Ino || got.Dev != at.Dev {
		t.Errorf("the descriptor is not the directory at %s", dir)
	}
	// Again: nothing to make, the same directory.
	fd2, made, err := Open(dir, os.Geteuid(), mine)
	if err != nil || len(made) != 0 {
		t.Fatalf("again: made %v, %v; want nothing made", made, err)
	}
	unix.Close(fd2)
}

// TestOpenRefuses: the walk neither follows a link nor enters a directory
// another user can change, and makes nothing past either.
func TestOpenRefuses(t *testing.T) {
	tests := []struct {
		name  string
		root  bool
		plant func(t *testing.T, top, outside string) // on the way to top/a/b
		want  string                                  // why /a is refused
	}{
		{"a symbolic link", false, func(t *testing.T, top, outside string) {
			os.Symlink(outside, filepath.Join(top, "a"))
		}, "is not a directory (a symbolic link is not followed)"},
		{"a file", false, func(t *testing.T, top, outside string) {
			os.WriteFile(filepath.Join(top, "a"), nil, 0o600)
		}, "is not a directory (a symbolic link is not followed)"},
		{"a directory of another user's", true, func(t *testing.T, top, outside string) {
			os.Mkdir(filepath.Join(top, "a"), 0o755)
			os.Chown(filepath.Join(top, "a"), 65534, 65534)
		}, "belongs to uid 65534"},
		{"a directory another group may write", true, func(t *testing.T, top, outside string) {
			os.Mkdir(filepath.Join(top, "a"), 0o700)
			os.Chown(filepath.Join(top, "a"), os.Geteuid(), 65534)
			os.Chmod(filepath.Join(top, "a"), 0o770)
		}, "is writable by group 65534 and not sticky"},
		{"a directory everyone may write", false, func(t *testing.T, top, outside string) {
			os.Mkdir(filepath.Join(top, "a"), 0o700)
			os.Chmod(filepath.Join(top, "a"), 0o777)
		}, "is writable by everyone and not sticky"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.root {
				testbin.NeedRoot(t, "to give a directory to another user")
			}
			top, outside := t.TempDir(), t.TempDir()
			tt.plant(t, top, outside)
			fd, made, err := Open(filepath.Join(top, "a", "b"), os.Geteuid(), mine)
			var unsafe *UnsafeError
			if err == nil {
				unix.Close(fd)
			}
			if !errors.As(err, &unsafe) || unsafe.Path != filepath.Join(top, "a") || unsafe.Why != tt.want || len(made) != 0 {
				t.Errorf("Open = %v (made %v); want an *UnsafeError: /a %s, nothing made", err, made, tt.want)
			}
			if ents, _ := os.ReadDir(outside); len(ents) != 0 {
				t.Errorf("made %v through the link", ents)
			}
		})
	}
}

// TestOpenBadPaths: a relative path, or one that goes up, is refused.
func TestOpenBadPaths(t *testing.T) {
	top := t.TempDir()
	for _, dir := range []string{"rel/dir", top + "/a/../b"} {
		fd, _, err := Open(dir, os.Geteuid(), mine)
		if err == nil {
			unix.Close(fd)
			t.Errorf("Open(%q) succeeded; want it refused", dir)
		}
	}
	if _, err := os.Lstat(filepath.Join(top, "a")); err == nil {
		t.Error("made a directory on the way up")
	}
}

// TestOpenGivesOwner: root makes a directory for a user, who owns it.
func TestOpenGivesOwner(t *testing.T) {
	testbin.NeedRoot(t, "to make a directory for another user")
	top := t.TempDir()
	unix.Chmod(top, 0o1777) // as /tmp: the user may make a directory there
	dir := filepath.Join(top, "theirs")
	fd, _, err := Open(dir, 65534, func(string) Mode { return Mode{UID: 65534, GID: 65534, Perm: 0o700} })
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil || st.Uid != 65534 || st.Gid != 65534 || st.Mode&0o7777 != 0o700 {
		t.Errorf("%s: uid %d gid %d mode %04o, %v; want 65534, 65534, 0700", dir, st.Uid, st.Gid, st.Mode&0o7777, err)
	}
}

// TestOpenMakesOnlyWhereTheUserCould: root makes a directory for a user
// only in a parent that user may write (theirs, or everyone's and
// sticky), or where a set-id program makes it for them. Elsewhere the
// user would own a directory inside one of root's, such as
// /etc/systemd/system/x.service.d.
func TestOpenMakesOnlyWhereTheUserCould(t *testing.T) {
	testbin.NeedRoot(t, "to make a directory for another user")
	const them = 65534
	tests := []struct {
		name        string
		owner, perm int // the parent's
		setID       bool
		made        bool
	}{
		{"root's, 0755", 0, 0o755, false, false},
		{"root's, 0775", 0, 0o775, false, false},
		{"root's, 1777", 0, 0o1777, false, true},
		{"theirs, 0700", them, 0o700, false, true},
		{"theirs, 0500", them, 0o500, false, false},
		{"root's, 0755, set-id", 0, 0o755, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := filepath.Join(t.TempDir(), "parent")
			if err := os.Mkdir(parent, 0o700); err != nil {
				t.Fatal(err)
			}
			os.Chown(parent, tt.owner, tt.owner)
			unix.Chmod(parent, uint32(tt.perm)) // after chown, which clears set-id bits
			dir := filepath.Join(parent, "a", "b")
			fd, made, err := Open(dir, them, func(string) Mode { return Mode{UID: them, GID: them, Perm: 0o700, SetID: tt.setID} })
			if err == nil {
				unix.Close(fd)
			}
			var unsafe *UnsafeError
			switch {
			case tt.made && (err != nil || len(made) != 2):
				t.Errorf("Open = %v (made %v); want a and b made", err, made)
			case !tt.made && (!errors.As(err, &unsafe) || unsafe.Path != filepath.Join(parent, "a") || len(made) != 0):
				t.Errorf("Open = %v (made %v); want an *UnsafeError for a, nothing made", err, made)
			}
			if _, err := os.Lstat(filepath.Join(parent, "a")); (err == nil) != tt.made {
				t.Errorf("a exists: %v; want %v", err == nil, tt.made)
			}
		})
	}
}

// TestResolve: links of the user's own, or root's, are followed, relative
// and absolute; a link another user owns is not, nor a path through a
// directory another user owns, even when it leads to a directory that
// passes.
func TestResolve(t *testing.T) {
	top := t.TempDir()
	real := filepath.Join(top, "real")
	if err := os.MkdirAll(filepath.Join(real, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(top, "rel")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(top, "rel"), filepath.Join(top, "abs")); err != nil {
		t.Fatal(err)
	}
	me := os.Geteuid()
	for _, p := range []string{"real/sub", "rel/sub", "abs/sub"} {
		if got, err := Resolve(filepath.Join(top, p), me); err != nil || got != filepath.Join(real, "sub") {
			t.Errorf("Resolve(%s) = %q, %v; want %s", p, got, err, filepath.Join(real, "sub"))
		}
	}
	if err := os.Symlink("loop", filepath.Join(top, "loop")); err != nil {
		t.Fatal(err)
	}
	if got, err := Resolve(filepath.Join(top, "loop"), me); err == nil {
		t.Errorf("Resolve(loop) = %q; want an error", got)
	}
	if me != 0 {
		return
	}
	theirs := filepath.Join(top, "theirs")
	if err := os.Mkdir(theirs, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(theirs, "work")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(top, "other")
	if err := os.Symlink(real, other); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{theirs, other} {
		if err := os.Lchown(p, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{link, other} {
		if got, err := Resolve(p, me); err == nil {
			t.Errorf("Resolve(%s) = %q; want an error: uid 65534 chose where it leads", p, got)
		}
	}
}

// TestResolveDotDot: ".." after a symbolic link goes up from where the
// link leads, as the kernel's chdir does, not from the link's own
// directory: the job runs in the one, so the hook must not run in the
// other.
func TestResolveDotDot(t *testing.T) {
	top := t.TempDir()
	real := filepath.Join(top, "real")
	for _, d := range []string{filepath.Join(real, "deep"), filepath.Join(real, "x"), filepath.Join(top, "x")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("real/deep", filepath.Join(top, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("link/../x", filepath.Join(top, "via")); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(real, "x")
	for _, p := range []string{"link/../x", "via", "./real/./deep/../x", "x/../link/../x"} {
		dir := top + "/" + p
		var st, wst unix.Stat_t
		if err := unix.Stat(dir, &st); err != nil || unix.Stat(want, &wst) != nil || st.Ino != wst.Ino {
			t.Fatalf("the kernel does not take %s to %s: %v", dir, want, err)
		}
		if got, err := Resolve(dir, os.Geteuid()); err != nil || got != want {
			t.Errorf("Resolve(%s) = %q, %v; want %s", dir, got, err, want)
		}
	}
}

// TestFresh: only an empty directory of the maker's passes for the one
// just made; a directory swapped in at its name does not.
func TestFresh(t *testing.T) {
	tests := []struct {
		name  string
		root  bool
		setup func(t *testing.T, dir string)
		ok    bool
	}{
		{"empty and ours", false, func(*testing.T, string) {}, true},
		{"not empty", false, func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "x"), nil, 0o600)
		}, false},
		{"another user's", true, func(t *testing.T, dir string) { os.Chown(dir, 65534, 65534) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.root {
				testbin.NeedRoot(t, "to give a directory to another user")
			}
			dir := filepath.Join(t.TempDir(), "d")
			os.Mkdir(dir, 0o700)
			tt.setup(t, dir)
			fd, err := unix.Open(dir, dirFlags, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(fd)
			var st unix.Stat_t
			unix.Fstat(fd, &st)
			if err := fresh(fd, dir, &st); (err == nil) != tt.ok {
				t.Errorf("fresh = %v; want ok %v", err, tt.ok)
			}
		})
	}
}
