package reattach

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
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
			created, err := ensureDir(tt.s.Dir(), dirMode{uid, gid, 0o700}, sharedDirs(tt.s))
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
