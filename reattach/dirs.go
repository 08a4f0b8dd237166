package reattach

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/internal/safedir"
)

// MissingError is a socket directory that no longer exists.
type MissingError struct{ Dir string }

func (e *MissingError) Error() string { return quote.Shell(e.Dir) + " no longer exists" }

// UnsafeError says why a directory is refused. reattach-sock never changes
// an existing directory: the user has to decide.
type UnsafeError struct {
	Dir, Why string
}

func (e *UnsafeError) Error() string { return quote.Shell(e.Dir) + " " + e.Why }

// dirRule is the permission test a kind's clients (or the server itself)
// apply to the socket directory: the bits that must be clear, and the
// wording of the refusal.
func dirRule(k Kind) (forbidden uint32, why string) {
	switch k {
	case Tmux:
		// client.c/tmux.c: owned by the user and no "other" bits, else
		// "directory … has unsafe permissions".
		return 0o007, "tmux clients refuse a socket directory with permissions for others"
	case Screen:
		return 0o077, "screen demands mode exactly 0700"
	case Emacs:
		return 0o077, "emacs (server-ensure-safe-dir) refuses group or other permissions"
	default:
		return 0o022, "a socket directory writable by others is not safe"
	}
}

// checkDir tests the directory holding s's socket. It returns a
// *MissingError when it does not exist, an *UnsafeError when the server's
// clients would refuse it or it cannot be trusted, and nil when it is
// fine.
func checkDir(s Server) error {
	dir := s.Dir()
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return &MissingError{dir}
		}
		if errors.Is(err, unix.ENOTDIR) {
			return &UnsafeError{dir, "has a parent that is not a directory"}
		}
		return &UnsafeError{dir, "cannot be examined: " + err.Error()}
	}
	return dirProblem(dir, &st, s.Kind, s.UID)
}

func dirProblem(dir string, st *unix.Stat_t, k Kind, uid int) error {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
	case unix.S_IFLNK:
		return &UnsafeError{dir, "is a symbolic link; reattach-sock does not follow it (whoever made it controls where the socket would go)"}
	default:
		return &UnsafeError{dir, "is not a directory"}
	}
	if int(st.Uid) != uid {
		return &UnsafeError{dir, fmt.Sprintf("is owned by %s, not by %s; the server's clients refuse it", userName(int(st.Uid)), userName(uid))}
	}
	forbidden, why := dirRule(k)
	if perm := uint32(st.Mode) & 0o777; perm&forbidden != 0 {
		return &UnsafeError{dir, fmt.Sprintf("has mode %04o; %s (fix it with chmod 700)", perm, why)}
	}
	return nil
}

// sharedDir is a directory above a server's own that all users' servers
// share, and how it is made.
type sharedDir struct {
	path string
	safedir.Mode
}

// ensureDir creates the missing directories on the way to dir: shared, if
// given and missing, as it says (a directory all users' servers share,
// such as /run/screen), and every other one as own, for own.UID. When
// something is missing, it walks from / without following a link, through
// directories where no one but own.UID and root can rename an entry (see
// safedir). It never changes a directory it did not create, and an
// existing dir is left to the checks that follow.
func ensureDir(dir string, own safedir.Mode, shared *sharedDir) ([]safedir.Made, error) {
	var st unix.Stat_t
	if unix.Lstat(dir, &st) == nil {
		return nil, nil
	}
	fd, made, err := safedir.Open(filepath.Clean(dir), own.UID, func(path string) safedir.Mode {
		switch {
		case shared == nil:
		case path == filepath.Clean(shared.path):
			return shared.Mode
		case filepath.Dir(path) == filepath.Clean(shared.path):
			// S-USER, which a set-id screen makes in a /run/screen the
			// user may not write.
			m := own
			m.SetID = true
			return m
		}
		return own
	})
	if err == nil {
		unix.Close(fd)
	}
	return made, err
}

// screenSockDirs are where a screen built for many users keeps their
// S-USER directories (its SOCKDIR): /run/screen, or /var/run/screen on
// systems where /var/run is not a link to /run. screenBinary is the
// system's screen, whose set-id bits say what mode screen demands of it.
var (
	screenSockDirs = []string{"/run/screen", "/var/run/screen"}
	screenBinary   = "/usr/bin/screen"
)

// sharedDirs is the directory above s's own that other users' servers
// share, or nil. For screen's S-USER directories that is their parent,
// /run/screen: screen demands of it a mode that follows from the set-id
// bits of the system's screen binary, if root's (Debian's screen-cleanup
// reads the same file): 0755 for a setuid-root screen, 0775 and the
// binary's group for a setgid one, else 1777, owned by root. Not from the
// server's own binary: a user can run a set-id program of root's under
// the name SCREEN, or a set-id copy of their own, to have the directory
// made writable by their group, or closed to every other screen. Made
// 0700 for the first user, as before, it locked every other user out, and
// ended their servers at the next SIGCHLD. A directory in SCREENDIR, and
// the other kinds' (/tmp/tmux-UID, /run/user/UID/emacs), are the user's
// own all the way. So is a directory in /run/screen named for another
// user than the server's: screen would never make it for this one.
func sharedDirs(s Server) *sharedDir {
	if s.Kind != Screen || !slices.Contains(screenSockDirs, filepath.Dir(s.Dir())) ||
		filepath.Base(s.Dir()) != "S-"+s.User {
		return nil
	}
	d := &sharedDir{filepath.Dir(s.Dir()), safedir.Mode{UID: 0, GID: 0, Perm: 0o1777}}
	var st unix.Stat_t
	if unix.Stat(screenBinary, &st) == nil && st.Uid == 0 {
		switch {
		case st.Mode&unix.S_ISUID != 0:
			d.Perm = 0o755
		case st.Mode&unix.S_ISGID != 0:
			d.GID, d.Perm = int(st.Gid), 0o775
		}
	}
	return d
}
