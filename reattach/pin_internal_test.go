package reattach

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPinChecksTheDirectoryItOpens: the pin is made only in a directory
// the server's clients accept, judged on the descriptor it is made
// through. Judged by path before, a link of the user's above the
// directory could be switched in between, to have root make the pin,
// given to the user, in a directory of root's.
func TestPinChecksTheDirectoryItOpens(t *testing.T) {
	me := os.Geteuid()
	tests := []struct {
		name string
		uid  int    // the server's
		perm uint32 // the directory's
		ok   bool
	}{
		{"the server's, 0700", me, 0o700, true},
		{"another user's", me + 1, 0o700, false},
		{"the server's, 0777", me, 0o777, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := unix.Chmod(dir, tt.perm); err != nil {
				t.Fatal(err)
			}
			s := Server{Kind: Tmux, UID: tt.uid, GID: os.Getegid(), User: userName(tt.uid), Path: filepath.Join(dir, "default")}
			p, err := pinDir(s, pinName(s))
			if err == nil {
				defer p.release()
			}
			_, lerr := os.Lstat(s.Path + ".lock")
			if (err == nil) != tt.ok || (lerr == nil) != tt.ok {
				t.Errorf("pinDir = %v, lock file made: %v; want made: %v", err, lerr == nil, tt.ok)
			}
		})
	}
}

// TestRemoveStaleInThePinnedDirectory: the stale file is removed from the
// directory that was checked and pinned, whatever the path leads to by
// now (a link of the user's above it may have been switched to another
// user's directory).
func TestRemoveStaleInThePinnedDirectory(t *testing.T) {
	pinned, elsewhere := t.TempDir(), t.TempDir()
	for _, dir := range []string{pinned, elsewhere} {
		if err := unix.Mkfifo(filepath.Join(dir, "s"), 0o600); err != nil { // a FIFO nobody reads
			t.Fatal(err)
		}
	}
	dirfd, err := unix.Open(pinned, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dirfd)
	if err := removeStale(dirfd, filepath.Join(elsewhere, "s")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(pinned, "s")); err == nil {
		t.Error("the pinned directory's stale file is still there")
	}
	if _, err := os.Lstat(filepath.Join(elsewhere, "s")); err != nil {
		t.Error("removed the file the path leads to, outside the pinned directory")
	}
}
