package reattach

import (
	"errors"
	"fmt"
	"path/filepath"

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

// ensureDir creates the missing directories on the way to dir, each with
// mode 0700 and owned by uid:gid, the way the servers create them. It
// walks with O_NOFOLLOW from the deepest existing ancestor, which must be
// trustworthy: a real directory owned by root or uid, and sticky if others
// may write to it. It never changes a directory it did not create. created
// lists what it made.
func ensureDir(dir string, uid, gid int) (created []string, err error) {
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
	if st.Uid != 0 && int(st.Uid) != uid {
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
		next, err := mkdirOwned(fd, name, uid, gid)
		unix.Close(fd)
		if err != nil {
			return created, fmt.Errorf("cannot create %s: %w", quote.Shell(path), err)
		}
		if next.made {
			created = append(created, path)
		}
		fd = next.fd
	}
	unix.Close(fd)
	return created, nil
}

type opened struct {
	fd   int
	made bool
}

// mkdirOwned makes name in the directory parent with mode 0700 for uid:gid
// and returns it open. If someone else created it first (a tmux client
// racing us does), it is opened as it is and left unchanged.
func mkdirOwned(parent int, name string, uid, gid int) (opened, error) {
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
		// may have cleared bits of 0700, and root creates it for the user.
		var st unix.Stat_t
		if err = unix.Fstat(fd, &st); err == nil && st.Mode&0o777 != 0o700 {
			err = unix.Fchmod(fd, 0o700)
		}
		if err == nil && int(st.Uid) != uid {
			err = unix.Fchown(fd, uid, gid)
		}
		if err != nil {
			unix.Close(fd)
			return opened{}, err
		}
	}
	return opened{fd: fd, made: made}, nil
}
