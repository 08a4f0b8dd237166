package reattach

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nohupx/nohupx/internal/safedir"
	"github.com/nohupx/nohupx/internal/testbin"
)

// TestEnsureDirShared: the parent of screen's S-USER directories is made
// again as every user's (root's, 1777 for a screen without set-id bits),
// and the server's own directory as the user's, 0700; a screen in its own
// SCREENDIR, and tmux, get only the user's 0700 all the way.
func TestEnsureDirShared(t *testing.T) {
	root := t.TempDir()
	sockDir := filepath.Join(root, "screen")
	defer func(old []string) { screenSockDirs = old }(screenSockDirs)
	screenSockDirs = []string{sockDir}
	uid, gid := os.Geteuid(), os.Getegid()
	user := "u" + strconv.Itoa(uid)
	tests := []struct {
		name  string
		s     Server
		modes map[string]os.FileMode // what is made, and its mode
	}{
		{"screen, many users", Server{Kind: Screen, PID: os.Getpid(), UID: uid, GID: gid, User: user,
			Path: filepath.Join(sockDir, "S-"+user, "1.x")}, map[string]os.FileMode{
			sockDir: os.ModeDir | os.ModeSticky | 0o777, filepath.Join(sockDir, "S-"+user): os.ModeDir | 0o700}},
		{"screen, SCREENDIR", Server{Kind: Screen, PID: os.Getpid(), UID: uid, GID: gid, User: user,
			Path: filepath.Join(root, "own", "S", "1.x")}, map[string]os.FileMode{
			filepath.Join(root, "own"): os.ModeDir | 0o700, filepath.Join(root, "own", "S"): os.ModeDir | 0o700}},
		{"tmux", Server{Kind: Tmux, PID: os.Getpid(), UID: uid, GID: gid, User: user,
			Path: filepath.Join(root, "t", "tmux-"+strconv.Itoa(uid), "default")}, map[string]os.FileMode{
			filepath.Join(root, "t"): os.ModeDir | 0o700, filepath.Join(root, "t", "tmux-"+strconv.Itoa(uid)): os.ModeDir | 0o700}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := sharedDirs(tt.s); d != nil && d.UID != uid {
				testbin.NeedRoot(t, "to make a directory of root's")
			}
			created, err := ensureDir(tt.s.Dir(), safedir.Mode{UID: uid, GID: gid, Perm: 0o700}, sharedDirs(tt.s))
			if err != nil || len(created) != len(tt.modes) {
				t.Fatalf("ensureDir = %v, %v; want %d made", created, err, len(tt.modes))
			}
			for dir, want := range tt.modes {
				fi, err := os.Lstat(dir)
				if err != nil || fi.Mode() != want {
					t.Errorf("%s: %v, %v; want %v", dir, fi.Mode(), err, want)
				}
			}
		})
	}
}

// TestSharedDirsTrustsRootsScreen: the set-id bits of the system's screen
// decide /run/screen's mode, and only when root owns that binary; the
// server's own binary does not count (a user can run a set-id program of
// root's under the name SCREEN).
func TestSharedDirsTrustsRootsScreen(t *testing.T) {
	testbin.NeedRoot(t, "to give a binary to another user")
	defer func(dirs []string, bin string) { screenSockDirs, screenBinary = dirs, bin }(screenSockDirs, screenBinary)
	screenSockDirs = []string{"/run/screen-test"}
	screenBinary = filepath.Join(t.TempDir(), "screen")
	if err := os.WriteFile(screenBinary, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	server := Server{Kind: Screen, PID: os.Getpid(), User: "u", Path: "/run/screen-test/S-u/1.x"}
	for _, tt := range []struct {
		owner int
		mode  os.FileMode
		want  safedir.Mode
	}{
		{0, 0o755 | os.ModeSetgid, safedir.Mode{UID: 0, GID: 65534, Perm: 0o775}},
		{0, 0o755 | os.ModeSetuid, safedir.Mode{UID: 0, GID: 0, Perm: 0o755}},
		{0, 0o755, safedir.Mode{UID: 0, GID: 0, Perm: 0o1777}},
		{65534, 0o755 | os.ModeSetgid, safedir.Mode{UID: 0, GID: 0, Perm: 0o1777}},
	} {
		if err := os.Chown(screenBinary, tt.owner, 65534); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(screenBinary, tt.mode); err != nil { // after chown, which clears set-id bits
			t.Fatal(err)
		}
		if d := sharedDirs(server); d == nil || d.Mode != tt.want {
			t.Errorf("the system's screen of uid %d, mode %v: %+v; want %+v", tt.owner, tt.mode, d, tt.want)
		}
	}
}

// TestEnsureDirRefusesAboveTheDeepest: every directory on the way is
// checked, not only the deepest that exists: the owner of one above could
// rename the ones below it and put a link there.
func TestEnsureDirRefusesAboveTheDeepest(t *testing.T) {
	testbin.NeedRoot(t, "to give a directory to another user")
	theirs := filepath.Join(t.TempDir(), "theirs")
	mine := filepath.Join(theirs, "mine")
	if err := os.MkdirAll(mine, 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chmod(theirs, 0o755)
	if err := os.Chown(theirs, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	made, err := ensureDir(filepath.Join(mine, "tmux-0"), safedir.Mode{UID: 0, GID: 0, Perm: 0o700}, nil)
	if err == nil || !strings.Contains(err.Error(), "belongs to uid 65534") || len(made) != 0 {
		t.Errorf("ensureDir = %v, %v; want it refused: %s belongs to uid 65534", made, err, theirs)
	}
	if _, err := os.Lstat(filepath.Join(mine, "tmux-0")); err == nil {
		t.Error("made the directory anyway")
	}
}

// TestEnsureDirSetIDScreen: a set-id screen makes S-USER in a /run/screen
// that only root may write, so root makes it there for the user; it makes
// nothing there named for another user, nor anything the user could not
// make elsewhere in it.
func TestEnsureDirSetIDScreen(t *testing.T) {
	testbin.NeedRoot(t, "to make a directory for another user")
	sockDir := filepath.Join(t.TempDir(), "screen")
	if err := os.Mkdir(sockDir, 0o755); err != nil {
		t.Fatal(err)
	}
	defer func(old []string) { screenSockDirs = old }(screenSockDirs)
	screenSockDirs = []string{sockDir}
	own := safedir.Mode{UID: 65534, GID: 65534, Perm: 0o700}
	for _, tt := range []struct {
		dir  string
		made bool
	}{
		{"S-nobody", true},
		{"S-root", false},
		{"elsewhere", false},
	} {
		s := Server{Kind: Screen, UID: 65534, GID: 65534, User: "nobody", Path: filepath.Join(sockDir, tt.dir, "1.x")}
		made, err := ensureDir(s.Dir(), own, sharedDirs(s))
		if (err == nil && len(made) == 1) != tt.made {
			t.Errorf("%s: ensureDir = %v, %v; want made: %v", tt.dir, made, err, tt.made)
		}
	}
	if _, uid := statOwner(filepath.Join(sockDir, "S-nobody")); uid != 65534 {
		t.Errorf("S-nobody belongs to uid %d; want 65534", uid)
	}
}

func statOwner(path string) (os.FileMode, int) {
	fi, err := os.Lstat(path)
	if err != nil {
		return 0, -1
	}
	return fi.Mode(), int(fi.Sys().(*syscall.Stat_t).Uid)
}
