package reattach

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

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

// TestSharedDirsTrustsRootsScreen: the set-id bits of a screen binary
// decide /run/screen's mode only when root owns it: a user's own setgid
// copy must not make the directory writable by their group.
func TestSharedDirsTrustsRootsScreen(t *testing.T) {
	testbin.NeedRoot(t, "to give a binary to another user")
	defer func(old []string) { screenSockDirs = old }(screenSockDirs)
	screenSockDirs = []string{"/run/screen-test"}
	bin := filepath.Join(t.TempDir(), "screen")
	self, err := os.ReadFile("/bin/sleep")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		owner int
		want  dirMode
	}{{0, dirMode{0, 65534, 0o775}}, {65534, dirMode{0, 0, 0o1777}}} {
		if err := os.Chown(bin, tt.owner, 65534); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(bin, 0o755|os.ModeSetgid); err != nil { // after chown, which clears it
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "30")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		d := sharedDirs(Server{Kind: Screen, PID: cmd.Process.Pid, User: "u", Path: "/run/screen-test/S-u/1.x"})
		cmd.Process.Kill()
		cmd.Wait()
		if d == nil || d.dirMode != tt.want {
			t.Errorf("a setgid screen of uid %d: %+v; want %+v", tt.owner, d, tt.want)
		}
	}
}
