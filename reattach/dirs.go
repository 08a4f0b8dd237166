package reattach

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/quote"
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

// dirMode is how a directory is made: its owner, group and mode.
type dirMode struct {
	uid, gid int
	mode     uint32
}

// sharedDir is a directory above a server's own that all users' servers
// share, and how it is made.
type sharedDir struct {
	path string
	dirMode
}

// made is a directory ensureDir created, and its mode.
type made struct {
	path string
	mode uint32
}

// ensureDir creates the missing directories on the way to dir: shared, if
// given and missing, as it says (a directory all users' servers share,
// such as /run/screen), and every other one as own. It walks
// with O_NOFOLLOW from the deepest existing ancestor, which must be
// trustworthy: a real directory owned by root or own.uid, and sticky if
// others may write to it. It never changes a directory it did not create.
func ensureDir(dir string, own dirMode, shared *sharedDir) (created []made, err error) {
	dir = filepath.Clean(dir)
	var missing []string
	top := dir
	var st unix.Stat_t
	for {
		err := unix.Lstat(top, &st)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.ENOENT) || top == "/" {
			return nil, fmt.Errorf("%s: %w", quote.Shell(top), err)
		}
		missing = append([]string{filepath.Base(top)}, missing...)
		top = filepath.Dir(top)
	}
	if len(missing) == 0 {
		return nil, nil
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return nil, &UnsafeError{top, "is not a directory (a symbolic link is not followed)"}
	}
	if st.Uid != 0 && int(st.Uid) != own.uid {
		return nil, &UnsafeError{top, fmt.Sprintf("is owned by %s; creating a socket directory inside it is not safe", userName(int(st.Uid)))}
	}
	if st.Mode&0o022 != 0 && st.Mode&unix.S_ISVTX == 0 {
		return nil, &UnsafeError{top, fmt.Sprintf("has mode %04o: writable by others and not sticky, so they could replace what is created in it", st.Mode&0o7777)}
	}
	fd, err := unix.Open(top, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", quote.Shell(top), err)
	}
	path := top
	for _, name := range missing {
		path = filepath.Join(path, name)
		m := own
		if shared != nil && path == filepath.Clean(shared.path) {
			m = shared.dirMode
		}
		next, err := mkdirAs(fd, name, m)
		unix.Close(fd)
		if err != nil {
			return created, fmt.Errorf("cannot create %s: %w", quote.Shell(path), err)
		}
		if next.made {
			created = append(created, made{path, m.mode})
		}
		fd = next.fd
	}
	unix.Close(fd)
	return created, nil
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
// own all the way.
func sharedDirs(s Server) *sharedDir {
	if s.Kind != Screen || !slices.Contains(screenSockDirs, filepath.Dir(s.Dir())) {
		return nil
	}
	d := &sharedDir{filepath.Dir(s.Dir()), dirMode{0, 0, 0o1777}}
	var st unix.Stat_t
	if unix.Stat(screenBinary, &st) == nil && st.Uid == 0 {
		switch {
		case st.Mode&unix.S_ISUID != 0:
			d.mode = 0o755
		case st.Mode&unix.S_ISGID != 0:
			d.gid, d.mode = int(st.Gid), 0o775
		}
	}
	return d
}

type opened struct {
	fd   int
	made bool
}

// mkdirAs makes name in the directory parent as m says and returns it
// open. If someone else created it first (a tmux client racing us does),
// it is opened as it is and left unchanged.
func mkdirAs(parent int, name string, m dirMode) (opened, error) {
	err := unix.Mkdirat(parent, name, 0o700)
	made := err == nil
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return opened{}, err
	}
	fd, err := unix.Openat(parent, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
			return opened{}, errors.New("it appeared as something other than a directory")
		}
		return opened{}, err
	}
	if made {
		// Only a directory made here, still empty, is adjusted: the umask
		// may have cleared bits, and root creates it for the user. The
		// owner first: chown may clear set-id bits that chmod then sets.
		var st unix.Stat_t
		if err = unix.Fstat(fd, &st); err == nil && (int(st.Uid) != m.uid || int(st.Gid) != m.gid) {
			err = unix.Fchown(fd, m.uid, m.gid)
		}
		if err == nil && uint32(st.Mode)&0o7777 != m.mode {
			err = unix.Fchmod(fd, m.mode)
		}
		if err != nil {
			unix.Close(fd)
			return opened{}, err
		}
	}
	return opened{fd: fd, made: made}, nil
}
